"""Related list hits for risk: store vessels whose registry owner / manager / operator leads to a designation.

One row per (vessel MMSI, registry company): the best path from the vessel through that company to a
designated entity (fewest hops, then highest factor; registry/graph.py `related_paths`), in the screening
hits layout with `match_kind = related`, the path as `reasons`, `hops` and `related_factor` =
hop_decay ** (hops - 1) x the path's match factors (risk/score.py multiplies `list_hit_related` by it).
One company is one piece of evidence however many designations it leads to (listed on several lists, or
linked to several); the other designations are named in the reasons.
"""

from __future__ import annotations

import polars as pl

from sanctionwatch.lists.index import ListIndex
from sanctionwatch.registry.graph import Graph, build_graph, related_paths
from sanctionwatch.registry.params import OwnershipParams
from sanctionwatch.registry.store import registry_rows
from sanctionwatch.store.layout import Store

RELATED_COLUMNS = {"mmsi": pl.Int64, "imo": pl.Utf8, "entity_id": pl.Utf8, "designation_id": pl.Utf8,
                   "caption": pl.Utf8, "sources": pl.Utf8, "dataset": pl.Utf8, "programs": pl.Utf8,
                   "match_kind": pl.Utf8, "field": pl.Utf8, "score": pl.Float64, "list_version": pl.Utf8,
                   "reasons": pl.Utf8, "hops": pl.Int64, "related_factor": pl.Float64}


def related_for(g: Graph, vessels: pl.DataFrame, params: OwnershipParams | None = None) -> pl.DataFrame:
    """RELATED_COLUMNS rows for `vessels` (mmsi, imo): see the module doc."""
    p = params or OwnershipParams()
    paths = related_paths(g, params=p)
    if paths.is_empty() or vessels.is_empty():
        return pl.DataFrame(schema=RELATED_COLUMNS)
    paths = paths.sort(["hops", "factor", "target"], descending=[False, True, False])
    per = paths.group_by("vessel", "first_company", maintain_order=True).agg(
        pl.all().first(), pl.col("target").slice(1).alias("also"))
    nodes = g.nodes.select(pl.col("key").alias("target"), pl.col("label").alias("caption"), "sources", "programs")
    per = per.join(nodes, on="target", how="left").with_columns(
        pl.col("vessel").str.strip_prefix("imo-").alias("imo"))
    v = vessels.select(pl.col("mmsi").cast(pl.Int64), pl.col("imo").cast(pl.Utf8).str.zfill(7)).drop_nulls().unique()
    out = per.join(v, on="imo")
    factor = (pl.lit(p.hop_decay) ** (pl.col("hops") - 1).cast(pl.Float64)) * pl.col("factor")
    also = pl.when(pl.col("also").list.len() > 0).then(pl.concat_str([
        pl.lit("; the same company also leads to "), pl.col("also").list.join(", ")])).otherwise(pl.lit(""))
    return out.select(
        "mmsi", "imo", pl.col("target").alias("entity_id"), pl.col("target").alias("designation_id"), "caption",
        "sources", pl.col("sources").str.split(" ").list.first().alias("dataset"), "programs",
        pl.lit("related").alias("match_kind"), pl.lit("registry").alias("field"), pl.lit(1.0).alias("score"),
        pl.col("sources").str.split(" ").list.get(1, null_on_oob=True).str.strip_suffix(",").alias("list_version"),
        pl.concat_str([pl.format("{} hop(s): ", "hops"), pl.col("path"), also]).alias("reasons"), "hops",
        factor.round(4).alias("related_factor"),
    ).select([pl.col(c).cast(t) for c, t in RELATED_COLUMNS.items()])


def related_hits(store: Store, index: ListIndex | None = None, params: OwnershipParams | None = None) -> pl.DataFrame:
    """Related hits of every store vessel (by the IMO it sends) from the store's registry imports; empty when
    no registry was loaded."""
    rows = registry_rows(store)
    if rows.is_empty():
        return pl.DataFrame(schema=RELATED_COLUMNS)
    from sanctionwatch.lists.screen import default_index, store_vessels

    idx = index if index is not None else default_index(store)
    return related_for(build_graph(idx, rows, params), store_vessels(store).select("mmsi", "imo"), params)
