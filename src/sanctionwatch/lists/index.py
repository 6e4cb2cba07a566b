"""The entity index: list entries merged by IMO number into entities, as three Polars tables in the store.

```
STORE/lists/entries.parquet   one row per list entry: entry_id, entity_id (merged), schema, caption, dataset,
                              authority, list_version, source_ref (file:line / file#ref), programs, program_ids
STORE/lists/names.parquet     one row per (entry, name): field (name/alias/weakAlias/previousName) + match forms
STORE/lists/idents.parquet    one row per (entry, strong id): kind (imo/owner_imo/mmsi/callsign), value, valid
STORE/lists/entities.ftm.json merged FtM entities (with `referents` and `datasets`), one JSON per line
STORE/lists/relations.parquet one row per stated relation (Ownership / UnknownLink ...; lists/relations.py)
STORE/lists/manifest.json     sources, list versions, sha256 of inputs, counts, problems (file:line + reason)
```
Vessel entries with the same check-digit-valid IMO number become one entity `imo-<number>`; every other
entry is its own entity. `designation_id` (lists/designations.py) merges further, by IMO then MMSI and call
sign, so one listed vessel on several lists is one designation. Rows keep the entry granularity so a match
cites the exact list entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import polars as pl

from sanctionwatch import __version__
from sanctionwatch.lists.designations import designation_ids
from sanctionwatch.lists.features import list_features, type_categories
from sanctionwatch.lists.ids import imo_check_ok, norm_callsign, norm_mmsi, parse_imo
from sanctionwatch.lists.model import LoadedList
from sanctionwatch.lists.normalize import name_forms
from sanctionwatch.lists.relations import relation_table
from sanctionwatch.progress import ProgressFn, report, steps
from sanctionwatch.store.files import atomic_open, write_parquet_atomic, write_text_atomic
from sanctionwatch.store.layout import Store

NAME_FIELDS = ("name", "alias", "weakAlias", "previousName")
ENTRY_SCHEMA = {c: pl.Utf8 for c in ("entry_id", "entity_id", "schema", "caption", "dataset", "authority",
                                     "list_version", "source_ref", "programs", "program_ids", "flag", "past_flags",
                                     "listed_type", "gross_tonnage")}
# Derived per index: the merged designation (lists/designations.py) and the listed type's AIS categories.
DERIVED_ENTRY_COLS = ("designation_id", "type_cats")
NAME_SCHEMA = {c: pl.Utf8 for c in ("entry_id", "entity_id", "schema", "field", "name", "norm", "key", "fold",
                                    "digits")}
IDENT_SCHEMA = {"entry_id": pl.Utf8, "entity_id": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "valid": pl.Boolean}


@dataclass
class ListIndex:
    """The screening index: entries, names (with match forms) and strong identifiers, plus its manifest."""

    entries: pl.DataFrame
    names: pl.DataFrame
    idents: pl.DataFrame
    manifest: dict = field(default_factory=dict)
    relations: pl.DataFrame | None = None  # lists/relations.py RELATION_SCHEMA; None: index built before them
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # blocking tables, built lazily

    def versions(self) -> dict[str, str]:
        """dataset -> list version in this index."""
        return {s["dataset"]: s["list_version"] for s in self.manifest.get("sources", [])}


def _sha256(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        for f in sorted(Path(p).rglob("*")) if Path(p).is_dir() else [Path(p)]:
            if f.is_file():
                h.update(f.read_bytes())
    return h.hexdigest()


def _entity_ids(loaded: list[LoadedList]) -> dict[str, str]:
    """entry id -> merged entity id (vessels sharing a valid IMO number are one entity)."""
    out: dict[str, str] = {}
    for ll in loaded:
        for e in ll.entities:
            imos = sorted(i for v in e.get("imoNumber", quiet=True) if (i := parse_imo(v)) and imo_check_ok(i))
            out[str(e.id)] = f"imo-{imos[0]}" if imos and e.schema.is_a("Vessel") else str(e.id)
    return out


def build_index(loaded: list[LoadedList]) -> tuple[ListIndex, list[dict]]:
    """Index loaded lists; returns the index and the merged FtM entities as dicts (for entities.ftm.json)."""
    ids = _entity_ids(loaded)
    entries, names, idents = [], [], []
    merged: dict[str, dict] = {}
    for ll in loaded:
        for e in ll.entities:
            eid = ids[str(e.id)]
            caption = e.first("name") or e.caption
            entries.append((e.id, eid, e.schema.name, caption, ll.dataset, ll.authority, ll.list_version,
                            ll.refs.get(str(e.id), ""), "; ".join(e.get("program", quiet=True)),
                            "; ".join(e.get("programId", quiet=True)), *list_features(e)))
            for f in NAME_FIELDS:
                for n in e.get(f, quiet=True):
                    names.append((e.id, eid, e.schema.name, f, n))
            for v in e.get("imoNumber", quiet=True):
                imo = parse_imo(v)
                if imo:
                    kind = "imo" if e.schema.is_a("Vessel") else "owner_imo"
                    idents.append((e.id, eid, kind, imo, imo_check_ok(imo) if kind == "imo" else True))
            for v in e.get("mmsi", quiet=True):
                if m := norm_mmsi(v):
                    idents.append((e.id, eid, "mmsi", m, True))
            for v in e.get("callSign", quiet=True):
                if c := norm_callsign(v):
                    idents.append((e.id, eid, "callsign", c, True))
            _merge_json(merged, eid, e, ll.dataset)
    names_df = pl.DataFrame(names, schema=list(NAME_SCHEMA)[:5], orient="row").unique(maintain_order=True)
    names_df = pl.concat([names_df, name_forms(names_df["name"])], how="horizontal")
    idents_df = pl.DataFrame(idents, schema=IDENT_SCHEMA, orient="row").unique(maintain_order=True)
    index = ListIndex(
        entries=with_derived(pl.DataFrame(entries, schema=ENTRY_SCHEMA, orient="row"), idents_df),
        names=names_df.select(list(NAME_SCHEMA)),
        idents=idents_df,
        manifest=_manifest(loaded),
        relations=relation_table(loaded),
    )
    return index, list(merged.values())


def with_derived(entries: pl.DataFrame, idents: pl.DataFrame) -> pl.DataFrame:
    """Entries with designation_id and type_cats (and null feature columns when read from an older index)."""
    entries = entries.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in ENTRY_SCHEMA
                                    if c not in entries.columns])
    entries = entries.drop([c for c in DERIVED_ENTRY_COLS if c in entries.columns])
    entries = entries.join(designation_ids(entries, idents), on="entry_id", how="left", maintain_order="left")
    return entries.with_columns(type_categories(pl.col("listed_type")).alias("type_cats"))


def _merge_json(merged: dict[str, dict], eid: str, e, dataset: str) -> None:
    """Fold one entry into the merged FtM entity dict of its entity id."""
    d = e.to_dict()
    cur = merged.get(eid)
    if cur is None:
        merged[eid] = {"id": eid, "schema": d["schema"], "caption": e.first("name") or e.caption,
                       "properties": d["properties"], "referents": [e.id], "datasets": [dataset]}
        return
    for prop, values in d["properties"].items():
        have = cur["properties"].setdefault(prop, [])
        have.extend(v for v in values if v not in have)
    cur["referents"].append(e.id)
    if dataset not in cur["datasets"]:
        cur["datasets"].append(dataset)


def _manifest(loaded: list[LoadedList]) -> dict:
    return {
        "package_version": __version__,
        "sources": [
            {"dataset": ll.dataset, "authority": ll.authority, "list_version": ll.list_version,
             "files": ll.source_files, "sha256": _sha256(ll.source_files), "entities": len(ll.entities),
             "skipped": dict(ll.skipped), "problems": [{"location": p.location, "reason": p.reason}
                                                       for p in ll.problems]}
            for ll in loaded
        ],
    }


def index_dir(store: Store) -> Path:
    return store.root / "lists"


def write_index(index: ListIndex, merged: list[dict], store: Store) -> Path:
    """Write the index files atomically under STORE/lists/ (manifest last: it marks a complete index)."""
    d = index_dir(store)
    write_parquet_atomic(index.entries.to_arrow(), d / "entries.parquet")
    write_parquet_atomic(index.names.to_arrow(), d / "names.parquet")
    write_parquet_atomic(index.idents.to_arrow(), d / "idents.parquet")
    if index.relations is not None:
        write_parquet_atomic(index.relations.to_arrow(), d / "relations.parquet")
    with atomic_open(d / "entities.ftm.json") as fh:
        for m in merged:
            fh.write(json.dumps(m, ensure_ascii=False, sort_keys=True) + "\n")
    counts = {"entries": index.entries.height, "entities": index.entries["entity_id"].n_unique(),
              "designations": index.entries["designation_id"].n_unique(),
              "names": index.names.height, "idents": index.idents.height}
    index.manifest = {**index.manifest, "counts": counts}
    write_text_atomic(d / "manifest.json", json.dumps(index.manifest, indent=1))
    return d


def read_index(store: Store) -> ListIndex:
    """Read the index written by `write_index`; a clear error when it was never built."""
    d = index_dir(store)
    if not (d / "manifest.json").exists():
        raise FileNotFoundError(f"no list index in {d}; run `sanctionwatch lists build --store {store.root}`")
    entries, idents = pl.read_parquet(d / "entries.parquet"), pl.read_parquet(d / "idents.parquet")
    if "designation_id" not in entries.columns:  # an index written before designations existed
        entries = with_derived(entries, idents)
    return ListIndex(
        entries=entries,
        names=pl.read_parquet(d / "names.parquet"),
        idents=idents,
        manifest=json.loads((d / "manifest.json").read_text()),
        relations=pl.read_parquet(d / "relations.parquet") if (d / "relations.parquet").exists() else None,
    )


# --- Persistent cache of indexes built from list files (the shipped snapshot or a lists_dir) -------------------
# Building the default index loads and validates six lists and derives match forms and designations: seconds
# of CPU on every `screen`/`risk` call without a store index. The result depends only on the list files, the
# code that reads them and the matcher defaults, so it is cached on disk under that key:
#   CACHE/lists/index/<key[:16]>/<table>.parquet (entries, names, idents, ...) + manifest.json (with the key)
# written in a private folder and renamed into place (a reader never sees half a cache); a cache that cannot be
# read back is removed and rebuilt, and one that cannot be written only costs the rebuild next time.

INDEX_CACHE_FORMAT = 1  # bump when the cached layout changes
INDEX_CACHE_KEEP = 4  # cached indexes kept (different list sets or versions); older ones are removed


def _tables(index: ListIndex) -> dict[str, pl.DataFrame]:
    """Every table of the index (entries, names, idents and any optional one that is set), by field name."""
    return {f.name: v for f in fields(index) if isinstance(v := getattr(index, f.name), pl.DataFrame)}


def _code_digest() -> str:
    """What else the index depends on: the lists package's code, its FtM model and the matcher defaults.
    (An editable install changes code without changing the package version.)"""
    from importlib.metadata import PackageNotFoundError, version

    from sanctionwatch.lists.params import ScreenParams

    h = hashlib.sha256(f"{INDEX_CACHE_FORMAT} {__version__} {ScreenParams()!r}".encode())
    with contextlib.suppress(PackageNotFoundError):  # followthemoney is a runtime dependency
        h.update(version("followthemoney").encode())
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


def index_cache_key(inputs: list[tuple[str, Path]]) -> str:
    """Cache key of an index built from `inputs` ((source id, list file or folder), in order): sha256 over
    the code digest and each source's id, path name and file contents (`_sha256`, as in the manifest)."""
    h = hashlib.sha256(_code_digest().encode())
    for sid, p in inputs:
        h.update(f"\n{sid} {Path(p).name} {_sha256([str(p)])}".encode())
    return h.hexdigest()


def index_cache_dir(cache_dir: str | Path | None = None) -> Path:
    from sanctionwatch import settings

    return Path(cache_dir or settings.get("cache_dir")).expanduser() / "lists" / "index"


def _read_cached(d: Path, key: str) -> ListIndex:
    manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("cache_key") != key:
        raise ValueError("cache key differs")
    tables = {name: pl.read_parquet(d / f"{name}.parquet") for name in manifest["cached_tables"]}
    if "designation_id" not in tables["entries"].columns or "norm" not in tables["names"].columns:
        raise ValueError("cached index lacks derived columns")
    return ListIndex(**tables, manifest={k: v for k, v in manifest.items() if k not in ("cache_key", "cached_tables")})


def _write_cached(index: ListIndex, root: Path, key: str) -> None:
    import shutil
    import tempfile

    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".incoming-{key[:16]}-", dir=root))
    except OSError:  # the cache cannot be written: the in-memory index stands, the next call builds again
        return
    try:
        tables = _tables(index)
        for name, df in tables.items():
            df.write_parquet(tmp / f"{name}.parquet", compression="zstd")
        (tmp / "manifest.json").write_text(
            json.dumps({**index.manifest, "cache_key": key, "cached_tables": list(tables)}, indent=1),
            encoding="utf-8")
        final = root / key[:16]
        shutil.rmtree(final, ignore_errors=True)  # a corrupt one (a good one is never replaced: it was read)
        os.rename(tmp, final)
    except OSError:  # another process renamed first, or the cache is not writable: the in-memory index stands
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                 key=lambda p: p.stat().st_mtime, reverse=True)
    for p in old[INDEX_CACHE_KEEP:]:
        shutil.rmtree(p, ignore_errors=True)


def cached_index(source_ids: list[str], cache_dir: str | Path | None = None,
                 progress: ProgressFn | None = None) -> ListIndex:
    """The index of these lists (default paths: lists_dir or the packaged snapshot, or the latest download),
    from the on-disk cache when the same files were indexed before by the same code, else built and cached.

    `progress(stage, done, total)` is told the lists loaded and the indexing step (sanctionwatch.progress).
    """
    import shutil

    from sanctionwatch.lists.sources import SOURCES, default_path, load_source

    inputs = [(sid, default_path(SOURCES[sid])) for sid in source_ids]
    key = index_cache_key([(sid, p) for sid, p in inputs if p.exists()])
    root = index_cache_dir(cache_dir)
    d = root / key[:16]
    if (d / "manifest.json").exists():
        try:
            index = _read_cached(d, key)
        except Exception:  # any unreadable cache (cut parquet, bad JSON, old layout) is rebuilt
            shutil.rmtree(d, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):  # a read-only cache is still used
                os.utime(d)  # most recently used: kept by the pruning in _write_cached
            return index
    loaded = [load_source(SOURCES[sid], p) for sid, p in steps(progress, "loading lists", inputs)]
    report(progress, "indexing", 0, 1)
    index, _ = build_index(loaded)
    report(progress, "indexing", 1, 1)
    _write_cached(index, root, key)
    return index
