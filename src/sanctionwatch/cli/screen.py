"""`sanctionwatch screen` and `sanctionwatch lists build|download|show`: thin front over sanctionwatch.lists."""

from __future__ import annotations

from pathlib import Path

import typer

from sanctionwatch import settings
from sanctionwatch.cli.common import (
    Engine,
    Format,
    console,
    emit_rows,
    engine_option,
    existing_store,
    fail,
    format_option,
    master_option,
    progress_callback,
    store_option,
    store_uri,
)
from sanctionwatch.lists.params import ScreenParams
from sanctionwatch.lists.sources import SOURCES, load_source, source
from sanctionwatch.progress import report, steps

# `lists download` exit code when the list was not accepted (download or validation failed; previous stays latest)
EXIT_LIST_REJECTED = 1

lists_app = typer.Typer(help="Sanctions lists: download, build the screening index, show versions.",
                        no_args_is_help=True)

_QUERY_COLS = ["query", "field", "match_kind", "name_weight", "matched_name", "reasons", "matched_value",
               "matched_field", "score", "threshold", "algorithm", "caption", "schema", "designation_id", "sources",
               "entity_id", "entry_id", "dataset", "list_version", "programs", "source_ref"]
_VESSEL_COLS = ["mmsi", "imo", "name", "callsign", *_QUERY_COLS[1:]]
_SHORT = ["query", "match_kind", "name_weight", "matched_name", "caption", "designation_id", "sources", "programs",
          "reasons"]


def _store(store: str | None):  # -> Store (imported here so `--help` does not load PyArrow)
    """The store at `store` (or the default)."""
    from sanctionwatch.store import Store

    return Store(settings.store_path(store))


def _with_no_match(res, queries: list[str]):
    """One block per query: queries without any shown hit get a `no match` row (the audit trail)."""
    import polars as pl

    q = pl.DataFrame({"query_id": list(range(len(queries))), "query": queries},
                     schema={"query_id": pl.Int64, "query": pl.Utf8})
    none = q.filter(~pl.col("query_id").is_in(res["query_id"].implode())).with_columns(
        pl.lit("no match").alias("match_kind"), pl.lit(0.0).alias("name_weight"),
        pl.lit("no list entry reaches the threshold or shares a strong id").alias("reasons"))
    return pl.concat([res, none], how="diagonal_relaxed").sort("query_id", maintain_order=True)


def screen(
    queries: list[str] = typer.Argument(None, help="Names, `IMO 8705539`, 9-digit MMSIs or call signs."),
    file: Path = typer.Option(None, "--file", help="File with one query per line."),
    store: str = store_option(),
    lists: str = typer.Option(None, "--lists", help="Comma-separated datasets to screen against (default all)."),
    threshold: float = typer.Option(ScreenParams().threshold, "--threshold", help="Minimum name score 0-1."),
    show_rejected: bool = typer.Option(False, "--show-rejected",
                                       help="Also show rejected namesakes (a conflicting IMO or strong id)."),
    format: Format = format_option(),
    engine: Engine = engine_option(),
    master: str = master_option(),
) -> None:
    """Screen queries against the sanctions lists; with only --store, screen every vessel in the store.

    One block per query, `no match` included; the searched list versions and a stale-list warning go to stderr.
    """
    # imported here, not at module level: followthemoney/rapidfuzz would slow every `--help`
    from sanctionwatch.lists.freshness import list_ages, searched, stale_warning
    from sanctionwatch.lists.screen import default_index, screen_queries, screen_store, subset

    qs = list(queries or [])
    if any(not q.strip() for q in qs):
        fail("empty query: give a name, `IMO 1234567`, a 9-digit MMSI or a call sign")
    if file is not None:
        if not file.exists():
            fail(f"query file {file} not found")
        qs += [ln.strip() for ln in file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    st = None
    if store:  # a Spark store may be an object-store URI: only local stores must exist here
        st = _store(store) if engine == Engine.spark else existing_store(store)
    if not qs and st is None:
        fail("give queries, --file, or --store to screen the store's vessels")
    if not (0.0 < threshold <= 1.0):
        fail(f"--threshold must be in (0, 1], got {threshold}")
    params = ScreenParams(threshold=threshold)
    if st is None or not (st.root / "lists" / "manifest.json").exists():
        from sanctionwatch.lists.sources import lists_dir

        where = settings.get("lists_dir") or f"the packaged snapshot, {lists_dir()}"
        console.print(f"no list index in the store: the default lists ({where}) are indexed once and cached in "
                      f"{settings.get('cache_dir')}; `sanctionwatch lists build` puts an index in the store")
    try:
        with progress_callback("loading the list index") as progress:
            index = default_index(st, progress=progress)
        index = subset(index, [x.strip() for x in lists.split(",")] if lists else None)
    except (ValueError, FileNotFoundError, KeyError) as e:
        fail(str(e))
        return
    if qs:
        res = screen_queries(qs, index, params)
        cols = _QUERY_COLS if format != Format.table else _SHORT
        what = f"{len(qs)} quer{'y' if len(qs) == 1 else 'ies'}"
    else:
        assert st is not None
        if engine == Engine.spark:
            from sanctionwatch.engines.spark_screen import screen_spark

            res = screen_spark(store_uri(store), index, master=master, params=params)
        else:
            res = screen_store(st, index, params)
        cols = _VESSEL_COLS if format != Format.table else ["mmsi", "imo", "name", *_SHORT[1:]]
        what = f"{res['mmsi'].n_unique()} vessel(s) with a candidate"
    import polars as pl

    rejected = int((res["match_kind"] == "rejected").sum())
    if not show_rejected:
        res = res.filter(pl.col("match_kind") != "rejected")
    if qs:
        res = _with_no_match(res, qs)
        found = res.filter(pl.col("match_kind") != "no match")["query_id"].n_unique()
        what += f": {found} with a match, {len(qs) - found} no match"
    hidden = f", {rejected} rejected namesake(s) hidden (--show-rejected)" if rejected and not show_rejected else ""
    ages = list_ages(index.manifest, params)
    console.print(f"{what}; {res.filter(pl.col('match_kind') != 'no match').height} hit(s){hidden}")
    console.print(f"lists searched: {searched(ages)}")
    if warn := stale_warning(ages):
        console.print(f"[bold yellow]warning:[/] {warn}")
    cols = [c for c in cols if c in res.columns]
    emit_rows(cols, res.select(cols).rows(), format)


@lists_app.command("build")
def build(
    store: str = store_option(),
    sources: list[str] = typer.Option(None, "--source", help="List id (repeatable); default: the default lists."),
    use_cache: bool = typer.Option(False, "--cached", help="Use the latest downloaded copy where there is one."),
    allow_drop: bool = typer.Option(False, "--allow-drop", help="Accept a list with many fewer entries than "
                                    "in the store's current index (a deliberate downgrade)."),
) -> None:
    """Build the screening index from list files into STORE/lists/.

    Each list is validated first (lists/validate.py: format, completeness, entry count against the current
    index); if one fails, nothing is written, the current index stays, and the command exits 1 saying why."""
    import json

    from sanctionwatch.lists.download import cached
    from sanctionwatch.lists.index import build_index, write_index
    from sanctionwatch.lists.sources import default_path
    from sanctionwatch.lists.validate import previous_in_index, validate_loaded

    ids = sources or [s.id for s in SOURCES.values() if s.default]
    st_ = _store(store)
    man_f = st_.root / "lists" / "manifest.json"
    current = json.loads(man_f.read_text()) if man_f.exists() else None
    loaded, failed = [], []
    with progress_callback(f"lists build: loading and validating {len(ids)} list(s), then indexing") as progress:
        for sid in steps(progress, "lists build: loading and validating lists", ids):
            try:
                src = source(sid)
                meta = cached(src) if use_cache else None
                path = meta["path"] if meta else default_path(src)
                ll = load_source(src, path)
            except (KeyError, FileNotFoundError, ValueError) as e:
                fail(str(e), code=1 if isinstance(e, ValueError) else 2)
                return
            v = validate_loaded(src, path, ll, previous_in_index(current, ll.dataset), allow_drop=allow_drop)
            failed += [f"{sid}: {f}" for f in v.errors]
            for w in v.warnings:
                console.print(f"warning: {sid}: {w}")
            loaded.append(ll)
        if failed:
            fail("list validation failed, index not written (the current one stays): " + "; ".join(failed), code=1)
        report(progress, "lists build: indexing and writing", 0, 2)
        index, merged = build_index(loaded)
        report(progress, "lists build: indexing and writing", 1, 2)
        d = write_index(index, merged, st_)
        report(progress, "lists build: indexing and writing", 2, 2)
    _show(index.manifest)
    console.print(f"index written to {d}: {index.manifest['counts']}")


@lists_app.command("download")
def download_cmd(
    source_id: str = typer.Argument(..., help=f"List id: {', '.join(SOURCES)}."),
    url: list[str] = typer.Option(None, "--url", help="Override URL(s) (http(s):// or file://), in file order."),
    cache_dir: Path = typer.Option(None, "--cache-dir", help="Cache folder [setting cache_dir]."),
    allow_drop: bool = typer.Option(False, "--allow-drop", help="Accept a list with many fewer entries than "
                                    "the previous version (a deliberate downgrade)."),
) -> None:
    """Download the current list from its official URL(s) into the cache (version and date recorded).

    The download becomes the one in use only if it passes validation (format, completeness, entry count);
    otherwise the previous version stays and the command says why. Exit codes: 0 accepted; 1 download or
    validation failed (HTTP error, network error, cut body, failed check: nothing changed); 2 usage error
    (unknown list id, unsupported URL scheme, too many URLs)."""
    from sanctionwatch.lists.download import DownloadError, download
    from sanctionwatch.lists.validate import ListValidationError

    try:
        meta = download(source(source_id), url, cache_dir, allow_drop=allow_drop)
    except (ListValidationError, DownloadError) as e:
        fail(str(e), code=EXIT_LIST_REJECTED)
        return
    except (KeyError, ValueError) as e:
        fail(str(e), code=2)
        return
    except OSError as e:  # the cache folder cannot be written
        fail(f"download of {source_id} failed: {e}", code=EXIT_LIST_REJECTED)
        return
    emit_rows(["source", "list_version", "entities", "problems", "sha256", "path"],
              [[meta["source"], meta["list_version"], meta["entities"], meta["problems"], meta["sha256"][:12],
                meta["path"]]], Format.table)
    for w in meta.get("warnings", []):
        console.print(f"warning: {w}")


@lists_app.command("show")
def show(store: str = store_option(), problems: bool = typer.Option(False, "--problems", help="List problems.")) -> None:
    """Show the lists in the store's index (versions, counts, problems), or the catalogue if none is built."""
    from sanctionwatch.lists.index import read_index

    try:
        index = read_index(_store(store))
    except FileNotFoundError as e:
        console.print(str(e))
        emit_rows(["id", "title", "format", "local", "default"],
                  [[s.id, s.title, s.format, s.local, s.default] for s in SOURCES.values()], Format.table)
        return
    _show(index.manifest)
    if problems:
        rows = [[s["dataset"], p["location"], p["reason"]] for s in index.manifest["sources"] for p in s["problems"]]
        emit_rows(["dataset", "location", "reason"], rows, Format.table)


def _show(manifest: dict) -> None:
    rows = [[s["dataset"], s["list_version"], s["entities"], len(s["problems"]),
             ", ".join(f"{k}: {v}" for k, v in s["skipped"].items()), s["sha256"][:12]] for s in manifest["sources"]]
    emit_rows(["dataset", "list_version", "entities", "problems", "skipped", "sha256"], rows, Format.table)


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.add_typer(lists_app, name="lists")
