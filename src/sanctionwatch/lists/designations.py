"""One designation per listed vessel or entity, merged across UN, OFAC, UK and OpenSanctions.

Entries are grouped in two passes:
1. by IMO number: vessels sharing a check-digit-valid IMO; organisations sharing an IMO company number
   (`owner_imo`, e.g. UN KPe.066 = OFAC 23714 KOREA YUJONG SHIPPING);
2. by the other strong ids, MMSI first, then call sign: an entry joins a group through an id only when that id
   points to exactly one group that has an IMO (or, among entries without an IMO, to one group). Entries
   with two different valid IMOs are never merged: call sign E5U4542 is listed for IMO 9234616 and 9546722,
   MMSIs and call signs are reassigned when ships change flag.

`designation_id` is `imo-<lowest IMO>` for vessels with an IMO (the same id `entity_id` already uses), else
the lowest entry id of the group. It is computed once per index build (tens of thousands of entries).
"""

from __future__ import annotations

import polars as pl


class _Union:
    def __init__(self, items: list[str]) -> None:
        self.parent = {i: i for i in items}

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def designation_ids(entries: pl.DataFrame, idents: pl.DataFrame) -> pl.DataFrame:
    """entry_id -> designation_id for every entry (entries: entry_id, schema; idents: entry_id, kind, value, valid)."""
    ids = entries["entry_id"].to_list()
    uf = _Union(ids)
    ok = idents.filter(pl.col("valid") & pl.col("entry_id").is_in(entries["entry_id"].implode()))
    imo = ok.filter(pl.col("kind").is_in(["imo", "owner_imo"]))
    for _, vals in imo.group_by("kind", "value").agg(pl.col("entry_id").unique()).select("kind", "entry_id").rows():
        for other in vals[1:]:
            uf.union(vals[0], other)
    anchored = {uf.find(e) for e in imo["entry_id"].unique().to_list()}
    for kind in ("mmsi", "callsign"):
        groups = ok.filter(pl.col("kind") == kind).group_by("value").agg(pl.col("entry_id").unique())
        for _, members in groups.rows():
            roots = {uf.find(m) for m in members}
            anchors = roots & anchored
            if len(anchors) > 1:
                continue  # the id names two different hulls: no merge
            target = next(iter(anchors)) if anchors else min(roots)
            for r in roots - anchors:
                uf.union(target, r)
    root = {e: uf.find(e) for e in ids}
    imos = imo.filter(pl.col("kind") == "imo").select(
        pl.col("entry_id").replace_strict(root).alias("root"), "value").group_by("root").agg(pl.col("value").min())
    out = pl.DataFrame({"entry_id": ids, "root": [root[e] for e in ids]}, schema={"entry_id": pl.Utf8,
                                                                                 "root": pl.Utf8})
    first = out.group_by("root").agg(pl.col("entry_id").min().alias("first"))
    out = out.join(imos, on="root", how="left").join(first, on="root", how="left")
    return out.select("entry_id", pl.when(pl.col("value").is_not_null()).then(pl.lit("imo-") + pl.col("value"))
                      .otherwise(pl.col("first")).alias("designation_id"))


def designation_sources(entries: pl.DataFrame) -> pl.DataFrame:
    """designation_id -> `sources`: the datasets (with list versions) listing it, comma-joined, sorted."""
    return entries.select("designation_id", pl.format("{} {}", "dataset", "list_version").alias("s")).unique() \
        .group_by("designation_id").agg(pl.col("s").sort().str.join(", ").alias("sources"))
