"""Screening API: free-text queries, vessel tables (for the risk scorer) and every vessel seen in a store.

`screen_vessels(table)` returns at most one row per (vessel MMSI, designation) with the columns the risk scorer
cites: mmsi, entity_id, designation_id, sources, caption, dataset, programs, match_kind
(strong/name/rejected), name_weight, matched_name, reasons, score, field, list_version, plus threshold,
algorithm, matched value/field and the cited entry's source file:line (lists/entity.py says how).
"""

from __future__ import annotations

import re

import polars as pl
import pyarrow as pa

from sanctionwatch.lists.entity import evaluate, with_vkey
from sanctionwatch.lists.ids import imo_check_expr, looks_like_callsign, norm_callsign, parse_imo
from sanctionwatch.lists.index import ListIndex, cached_index, read_index
from sanctionwatch.lists.match import MATCH_SCHEMA, match_ids, match_names
from sanctionwatch.lists.params import ScreenParams
from sanctionwatch.lists.sources import SOURCES
from sanctionwatch.progress import ProgressFn
from sanctionwatch.store import Store, connect

VESSEL_COLS = ("mmsi", "imo", "name", "callsign")
FEATURE_COLS = {"ship_type": pl.Int64, "length": pl.Float64}  # optional: used by entity evaluation


def default_index(store: Store | None = None, sources: list[str] | None = None,
                  progress: ProgressFn | None = None) -> ListIndex:
    """The store's built index if present, else the index of the default lists (lists_dir, the latest
    download or the shipped snapshot), read from the on-disk cache or built and cached (`cached_index`)."""
    if store is not None and (store.root / "lists" / "manifest.json").exists() and not sources:
        return read_index(store)
    return cached_index(sources or [s.id for s in SOURCES.values() if s.default], progress=progress)


def subset(index: ListIndex, datasets: list[str] | None) -> ListIndex:
    """The index restricted to some datasets (e.g. `--lists us_ofac_sdn,un_sc_sanctions`)."""
    if not datasets:
        return index
    known = set(index.entries["dataset"].unique().to_list())
    unknown = [d for d in datasets if d not in known]
    if unknown:
        raise ValueError(f"unknown list(s) {', '.join(unknown)}; index has: {', '.join(sorted(known))}")
    keep = index.entries.filter(pl.col("dataset").is_in(datasets))
    ids = keep["entry_id"].implode()
    manifest = {**index.manifest, "sources": [s for s in index.manifest.get("sources", [])
                                              if s["dataset"] in datasets]}
    return ListIndex(keep, index.names.filter(pl.col("entry_id").is_in(ids)),
                     index.idents.filter(pl.col("entry_id").is_in(ids)), manifest)


def _query_ids(text: str) -> list[tuple[str, str]]:
    """(kind, value) strong-id lookups a free-text query stands for."""
    t = text.strip()
    imo = parse_imo(t)
    if imo:
        return [("imo", imo), ("owner_imo", imo)]
    if re.fullmatch(r"(?:MMSI\s*[:#]?\s*)?\d{9}", t, re.IGNORECASE):
        return [("mmsi", re.sub(r"\D", "", t))]
    cs = norm_callsign(t)
    return [("callsign", cs)] if cs and looks_like_callsign(t) else []


def screen_queries(queries: list[str], index: ListIndex, params: ScreenParams | None = None,
                   show_rejected: bool = True) -> pl.DataFrame:
    """Screen free-text queries (names, `IMO 8705539`, 9-digit MMSIs, call signs); adds a `query` column.

    One row per (query, designation); `show_rejected=False` drops the rejected namesakes.
    """
    q = pl.DataFrame({"query_id": list(range(len(queries))), "query": queries}, schema={"query_id": pl.Int64,
                                                                                        "query": pl.Utf8})
    ids = [(i, k, v) for i, t in enumerate(queries) for k, v in _query_ids(t)]
    id_q = pl.DataFrame(ids, schema={"query_id": pl.Int64, "kind": pl.Utf8, "value": pl.Utf8}, orient="row")
    numeric = {i for i, k, _ in ids if k != "callsign"}
    name_q = q.filter(~pl.col("query_id").is_in(list(numeric))).rename({"query": "name"})
    raw = pl.concat([match_ids(id_q, index), match_names(name_q, index, params)])
    vessels = q.select("query_id", pl.lit(None, dtype=pl.Int64).alias("mmsi"), pl.lit(None, dtype=pl.Int64)
                       .alias("imo"), pl.lit(None, dtype=pl.Utf8).alias("callsign"))
    out = evaluate(with_vkey(raw.with_columns(pl.lit(None, dtype=pl.Int64).alias("mmsi"))), with_vkey(vessels),
                   index, params)
    if not show_rejected:
        out = out.filter(pl.col("match_kind") != "rejected")
    return q.join(out.drop("vkey", "mmsi"), on="query_id").sort(
        ["query_id", "kind_rank", "name_weight", "score", "entry_id"], descending=[False, True, True, True, False]
    ).drop("kind_rank")


def _vessel_frame(table: pa.Table | pl.DataFrame) -> pl.DataFrame:
    df = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    missing = [c for c in VESSEL_COLS if c not in df.columns]
    if len(missing) == len(VESSEL_COLS):
        raise ValueError(f"vessel table needs at least one of {VESSEL_COLS}; has {df.columns}")
    df = df.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in missing])
    if "length" not in df.columns and {"to_bow", "to_stern"} <= set(df.columns):
        df = df.with_columns((pl.col("to_bow").cast(pl.Float64) + pl.col("to_stern").cast(pl.Float64)).alias("length"))
    feats = [pl.col(c).cast(dt, strict=False) for c, dt in FEATURE_COLS.items() if c in df.columns]
    return df.select(
        pl.col("mmsi").cast(pl.Int64, strict=False),
        pl.col("imo").cast(pl.Int64, strict=False),
        pl.col("name").cast(pl.Utf8), pl.col("callsign").cast(pl.Utf8), *feats,
    ).unique(maintain_order=True).with_row_index("query_id").with_columns(pl.col("query_id").cast(pl.Int64))


def screen_vessels(table: pa.Table | pl.DataFrame, index: ListIndex | None = None,
                   params: ScreenParams | None = None, show_rejected: bool = True) -> pl.DataFrame:
    """Screen vessel identities (mmsi, imo, name, callsign; optional ship_type, length or to_bow/to_stern).

    IMO/MMSI/call sign exactly, names against listed vessels, then entity evaluation (lists/entity.py): at
    most one row per (mmsi, designation_id), the strongest evidence, with match_kind strong/name/rejected,
    name_weight, matched_name and reasons. Rows without an MMSI are evaluated per identity row.
    """
    p = params or ScreenParams()
    index = index if index is not None else default_index()
    v = _vessel_frame(table)
    imo = pl.col("imo").cast(pl.Utf8).str.zfill(7)
    ids = pl.concat([
        v.filter(pl.col("imo").is_between(1_000_000, 9_999_999))
        .select("query_id", pl.lit("imo").alias("kind"), imo.alias("value"))
        .filter(imo_check_expr(pl.col("value"))),
        v.filter(pl.col("mmsi").is_between(100_000_000, 999_999_999))
        .select("query_id", pl.lit("mmsi").alias("kind"), pl.col("mmsi").cast(pl.Utf8).alias("value")),
        v.select("query_id", pl.lit("callsign").alias("kind"),
                 pl.col("callsign").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "").alias("value"))
        .filter(pl.col("value").str.len_chars() >= 3),
    ])
    names = v.select("query_id", "name").drop_nulls("name")
    raw = pl.concat([match_ids(ids, index), match_names(names, index, p, p.vessel_name_schemas)])
    v = with_vkey(v)
    raw = raw.join(v.select("query_id", "vkey", "mmsi", "imo", "name", "callsign"), on="query_id")
    out = evaluate(raw, v, index, p)
    if not show_rejected:
        out = out.filter(pl.col("match_kind") != "rejected")
    return out.sort(["mmsi", "kind_rank", "name_weight", "score"], descending=[False, True, True, True]).select(
        "mmsi", "imo", "name", "callsign", pl.exclude("mmsi", "imo", "name", "callsign", "vkey", "kind_rank",
                                                      "query_id"))


def store_vessels(store: Store) -> pl.DataFrame:
    """Distinct (mmsi, imo, name, callsign) seen in the store's vessel_reports, with their ship type and length."""
    con = connect(store)
    cols = {r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE vessel_reports)").fetchall()}
    # features are optional: a table written without them (another tool's Parquet) screens on ids and names
    ship_type = "mode(ship_type)" if "ship_type" in cols else "NULL::INTEGER"
    length = "max(to_bow + to_stern)" if {"to_bow", "to_stern"} <= cols else "NULL::INTEGER"
    return con.execute(
        f"SELECT mmsi, imo, name, callsign, {ship_type} AS ship_type, {length} AS length "
        "FROM vessel_reports GROUP BY mmsi, imo, name, callsign"
    ).pl()


def screen_store(store: Store, index: ListIndex | None = None, params: ScreenParams | None = None) -> pl.DataFrame:
    """Screen every vessel identity seen in the store."""
    return screen_vessels(store_vessels(store), index if index is not None else default_index(store), params)


RESULT_COLUMNS = ("mmsi", "imo", "name", "callsign", *MATCH_SCHEMA)
