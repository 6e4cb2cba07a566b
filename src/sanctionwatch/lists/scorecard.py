"""Screening scorecard built from the lists themselves and real AIS names (the numbers in docs/screening.md).

* alias recall: every name/alias of every listed vessel and company, queried as written, finds its entry.
* variant recall: each listed vessel name rewritten as AIS and other lists write it (spaces removed, `NO.`
  before the hull number, underscores and mixed case, Revised Romanisation of McCune-Reischauer initials
  and `YO` -> `YEO`), screened against vessels, finds its entity.
* AIS name-hit rate: share of distinct real AIS ship names (not confirmed by MMSI/IMO) with any name match,
  split into exact-name hits (namesakes: the name really is on a list) and fuzzy-only hits.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from sanctionwatch.lists.index import ListIndex
from sanctionwatch.lists.match import match_names
from sanctionwatch.lists.params import ScreenParams
from sanctionwatch.lists.screen import screen_vessels

ORG_SCHEMAS = ("Vessel", "Company", "Organization")


def _recall(queries: pl.DataFrame, index: ListIndex, params: ScreenParams, schemas, on: str) -> dict:
    """Share of queries (query_id, name, target) whose matches include `target` (an entry or entity id)."""
    m = match_names(queries.select("query_id", "name"), index, params, schemas)
    found = m.join(queries.select("query_id", "target"), on="query_id").filter(pl.col(on) == pl.col("target"))
    hit = queries["query_id"].is_in(found["query_id"].implode())
    misses = queries.filter(~hit).head(20).select("name", "target").rows()
    return {"queries": queries.height, "found": int(hit.sum()), "recall": int(hit.sum()) / max(queries.height, 1),
            "misses": misses}


def alias_recall(index: ListIndex, params: ScreenParams | None = None) -> dict:
    """Every name of every Vessel/Company/Organization entry finds that entry (all schemas searched)."""
    p = params or ScreenParams()
    q = index.names.filter(pl.col("schema").is_in(ORG_SCHEMAS)).select(
        pl.col("name"), pl.col("entry_id").alias("target")).with_row_index("query_id")
    return _recall(q.with_columns(pl.col("query_id").cast(pl.Int64)), index, p, None, "entry_id")


def _variants(names: pl.Series) -> dict[str, pl.Series]:
    up = names.str.to_uppercase()
    rr = up
    for mr, r in (("K", "G"), ("P", "B"), ("T", "D"), ("CH", "J")):
        rr = rr.str.replace_all(rf"\b{mr}", r)
    return {
        "no_spaces": up.str.replace_all(r"\s+", ""),
        "no_before_number": up.str.replace(r" ([0-9]+)$", " NO.$1"),
        "underscore_mixed_case": names.str.to_titlecase().str.replace_all(" ", "_", literal=True),
        "revised_romanisation": rr.str.replace_all("YO", "YEO", literal=True),
    }


def variant_recall(index: ListIndex, params: ScreenParams | None = None) -> dict[str, dict]:
    """Per variant kind, recall of the vessel entity when a vessel's name is written differently."""
    p = params or ScreenParams()
    base = index.names.filter(pl.col("schema") == "Vessel").select("name", "entity_id").unique()
    # Roman hull numbers glued to the name (`DREAMII`) are not recoverable; such names are left out.
    base = base.filter(~pl.col("name").str.to_uppercase().str.contains(r" [IVX]+$"))
    out = {}
    for kind, variant in _variants(base["name"]).items():
        q = pl.DataFrame({"name": variant, "target": base["entity_id"]}).filter(
            pl.col("name") != base["name"].str.to_uppercase()) if kind != "underscore_mixed_case" else \
            pl.DataFrame({"name": variant, "target": base["entity_id"]})
        q = q.unique().with_row_index("query_id").with_columns(pl.col("query_id").cast(pl.Int64))
        out[kind] = _recall(q, index, p, p.vessel_name_schemas, "entity_id")
    return out


def ais_names(shared_data: Path) -> dict[str, pl.DataFrame]:
    """Real AIS vessel identities (mmsi, imo, name, callsign) from the shipped samples."""
    ais = Path(shared_data) / "ais"
    dt = json.loads((ais / "digitraffic_baltic_latest_20251212.json").read_text())["vessels"]
    digitraffic = pl.DataFrame({"mmsi": [int(v["mmsi"]) for v in dt], "name": [v.get("name") for v in dt]})
    noaa = pl.read_csv(ais / "NYHarbor_2020_06_30_first_hour.csv", infer_schema=False).select(
        pl.col("MMSI").cast(pl.Int64).alias("mmsi"),
        pl.col("IMO").str.replace("IMO", "").cast(pl.Int64, strict=False).alias("imo"),
        pl.col("VesselName").alias("name"), pl.col("CallSign").alias("callsign"),
    ).unique()
    return {"digitraffic_2025": digitraffic, "noaa_nyharbor_2020": noaa}


def ais_hit_rate(vessels: pl.DataFrame, index: ListIndex, params: ScreenParams | None = None) -> dict:
    """Name-hit rates on real AIS names; vessels confirmed by a strong id (MMSI/IMO/call sign) are excluded."""
    p = params or ScreenParams()
    m = screen_vessels(vessels, index, p)
    strong = m.filter(pl.col("match_kind") == "strong")["mmsi"].unique()
    names = vessels.filter(~pl.col("mmsi").is_in(strong.implode()))["name"].drop_nulls().unique()
    nm = m.filter((pl.col("field") == "name") & ~pl.col("mmsi").is_in(strong.implode()))
    exact = nm.filter(pl.col("algorithm").str.starts_with("equal normalised names"))["name"].unique()
    anyhit = nm["name"].unique()
    fuzzy_only = anyhit.filter(~anyhit.is_in(exact.implode()))
    n = max(names.len(), 1)
    return {"names": names.len(), "strong_id_vessels": strong.len(), "name_hits": anyhit.len(),
            "hit_rate": anyhit.len() / n, "exact_name_hits": exact.len(), "fuzzy_only_hits": fuzzy_only.len(),
            "fuzzy_only_rate": fuzzy_only.len() / n, "fuzzy_examples": fuzzy_only.sort().head(15).to_list()}
