#!/usr/bin/env python
"""Our vessel matcher vs nomenklatura's logic-v1 (the yente/OpenSanctions anchor) on the same candidate pairs.

Queries:
* positives, aliases: every name, alias and former name of every listed vessel (with `--orgs` also companies
  and organisations), as written and rewritten as AIS/other lists write it (lists/scorecard.py variants),
  queried by name alone; the target is its own designation.
* positives, real: AIS vessels in ../shared/data/ais that a listed strong id (IMO, MMSI) pins to a designation
  (TERIBERKA, ANATOLY KOLODKIN, LIGOVSKY PROSPECT, NS LEADER, ...), queried with everything they send.
* negatives: every other AIS vessel identity in those files, with its own MMSI, IMO, call sign, flag (MID),
  type and length. Caveat: "not pinned by a strong id" is not proof of "not designated" (the Baltic snapshot
  has no IMOs; some exact-name, same-flag hits are probably the listed ship), so precision is a lower bound.

Candidate pairs (query, designation) are generated once, looser than either matcher (our blocking at name
score >= 0.80 plus strong-id pairs), and both score the same pairs: ours = name_weight of the evaluated hit
(strong 1.0, rejected 0, below our 0.90 name threshold 0); logic-v1 = `LogicV1.compare(query, listed)`,
alert at its yente default 0.70. Reported: recall (positive queries whose target alerts), pair precision
(target pairs / alerted pairs), alert rate (negative vessels with any alert), each at the default operating
points and at equal recall (the threshold on each score that reaches a given recall).

    .venv/bin/python benchmarks/bench_screen_vs_logicv1.py [--orgs] [--limit N] [--out /work/notes/x.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import polars as pl

from sanctionwatch.lists.index import ListIndex
from sanctionwatch.lists.params import ScreenParams

V1_THRESHOLD = 0.70  # yente's default match threshold for logic-v1
CANDIDATE_THRESHOLD = 0.80  # looser than our 0.90 so logic-v1 sees pairs our threshold would drop


def ais_vessels(ais_dir: Path) -> pl.DataFrame:
    """Distinct vessel identities (with ship_type, length) of every AIS file, via the product's ingest."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.lists.screen import store_vessels
    from sanctionwatch.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        st = Store(Path(tmp) / "store")
        ingest(st, sorted(str(p) for p in ais_dir.iterdir() if p.is_file() and p.name != "PROVENANCE.md"))
        return store_vessels(st).filter(pl.col("name").is_not_null())


def alias_queries(index: ListIndex, orgs: bool) -> pl.DataFrame:
    """(name, target designation, kind) for every listed name and its generated variants."""
    from sanctionwatch.lists.scorecard import _variants

    schemas = ["Vessel", "Company", "Organization"] if orgs else ["Vessel"]
    base = index.names.filter(pl.col("schema").is_in(schemas)).join(
        index.entries.select("entry_id", "designation_id"), on="entry_id").select(
        "name", "designation_id", "schema").unique()
    out = [base.with_columns(pl.lit("as listed").alias("variant"))]
    vs = base.filter((pl.col("schema") == "Vessel") & ~pl.col("name").str.to_uppercase().str.contains(r" [IVX]+$"))
    for kind, variant in _variants(vs["name"]).items():
        out.append(vs.with_columns(variant.alias("name"), pl.lit(kind).alias("variant")))
    return pl.concat(out).unique(["name", "designation_id"])


def _query_entity(row: dict, eid: str):
    """The query as a FtM entity (Vessel, or the alias's schema) with every name and id it carries."""
    from followthemoney import model

    from sanctionwatch.detect.identity import flag_of
    from sanctionwatch.lists.ids import imo_check_ok

    e = model.make_entity(row.get("schema") or "Vessel")
    e.id = eid
    for n in row["names"] or []:
        e.add("name", n)
    if e.schema.is_a("Vessel"):
        if row.get("mmsi"):
            e.add("mmsi", str(row["mmsi"]))
            if f := flag_of(int(row["mmsi"])):
                e.add("flag", f.lower(), quiet=True)
        for imo in row["imos"] or []:
            if imo_check_ok(str(imo).zfill(7)):
                e.add("imoNumber", f"IMO{str(imo).zfill(7)}")
        for cs in row["callsigns"] or []:
            e.add("callSign", cs)
    return e


def designation_entities(merged: list[dict], index: ListIndex) -> dict:
    """designation_id -> one FtM entity with the properties of all its list entries."""
    from followthemoney import model

    ent_to_des = dict(index.entries.select("entity_id", "designation_id").unique("entity_id").rows())
    props: dict[str, tuple[str, dict]] = {}
    for m in merged:
        d = ent_to_des.get(m["id"])
        if d is None:
            continue
        _schema, have = props.setdefault(d, (m["schema"], {}))
        for k, vs in m["properties"].items():
            have.setdefault(k, [])
            have[k].extend(v for v in vs if v not in have[k])
    return {d: model.get_proxy({"id": d, "schema": s, "properties": p}) for d, (s, p) in props.items()}


def run(index: ListIndex, merged: list[dict], vessels: pl.DataFrame, orgs: bool = False, limit: int | None = None,
        seed: int = 1) -> dict:
    """Both matchers on the same pairs; returns the metrics (and timings)."""
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    from sanctionwatch.lists.match import match_ids, match_names
    from sanctionwatch.lists.screen import screen_vessels

    p = ScreenParams()
    schemas = ("Vessel", "Company", "Organization") if orgs else ("Vessel",)
    t0 = time.perf_counter()
    strong = screen_vessels(vessels, index, p).filter(pl.col("match_kind") == "strong")
    real_pos = strong.select("mmsi", pl.col("designation_id").alias("target")).unique()
    aliases = alias_queries(index, orgs)
    if limit:
        aliases = aliases.sample(min(limit, aliases.height), seed=seed)
    pos_mmsi = real_pos["mmsi"].unique()
    # One query per vessel (MMSI) with all the names, IMOs and call signs it sent; one per alias name.
    per_vessel = vessels.group_by("mmsi").agg(pl.col("name").drop_nulls().unique().sort().alias("names"),
                                              pl.col("imo").drop_nulls().unique().alias("imos"),
                                              pl.col("callsign").drop_nulls().unique().alias("callsigns"))
    q = pl.concat([
        aliases.select(pl.concat_list("name").alias("names"), "schema", pl.col("designation_id").alias("target"),
                       pl.lit("alias").alias("set")),
        per_vessel.join(real_pos, on="mmsi").with_columns(pl.lit("Vessel").alias("schema"),
                                                          pl.lit("real").alias("set")),
        per_vessel.filter(~pl.col("mmsi").is_in(pos_mmsi.implode())).with_columns(
            pl.lit("Vessel").alias("schema"), pl.lit(None, dtype=pl.Utf8).alias("target"), pl.lit("negative")
            .alias("set")),
    ], how="diagonal_relaxed").with_row_index("qid").with_columns(pl.col("qid").cast(pl.Int64))
    # --- shared candidate pairs
    loose = ScreenParams(threshold=CANDIDATE_THRESHOLD)
    qn = q.select(pl.col("qid").alias("query_id"), pl.col("names").alias("name")).explode("name")
    nm = match_names(qn, index, loose, schemas)
    imo = pl.col("imos").cast(pl.Utf8).str.zfill(7)
    ids = pl.concat([q.select(pl.col("qid").alias("query_id"), "imos").explode("imos").drop_nulls("imos").select(
        "query_id", pl.lit("imo").alias("kind"), imo.alias("value")),
                     q.filter(pl.col("mmsi").is_not_null()).select(pl.col("qid").alias("query_id"), pl.lit("mmsi")
                                                                   .alias("kind"), pl.col("mmsi").cast(pl.Utf8)
                                                                   .alias("value"))])
    si = match_ids(ids, index)
    pairs = pl.concat([nm.select("query_id", "designation_id"), si.select("query_id", "designation_id")]).unique()
    pairs = pairs.rename({"query_id": "qid"}).join(q.select("qid", "set", "target"), on="qid")
    # positives whose target is not even a candidate count as misses for both
    t_pairs = time.perf_counter() - t0
    # --- ours: the alias names as name-only queries, the AIS vessels as sent (all identities of an MMSI)
    t0 = time.perf_counter()
    ours_p = ScreenParams(vessel_name_schemas=schemas)
    alias_q = q.filter(pl.col("set") == "alias").select("qid", pl.col("names").list.first().alias("name"))
    hits_a = screen_vessels(alias_q.select("name").unique(), index, ours_p)
    hits_b = screen_vessels(vessels, index, ours_p)
    t_ours = time.perf_counter() - t0
    ours_a = hits_a.join(alias_q, on="name").select("qid", "designation_id", "name_weight", "match_kind")
    ours_b = hits_b.join(q.filter(pl.col("mmsi").is_not_null()).select("qid", "mmsi"), on="mmsi").select(
        "qid", "designation_id", "name_weight", "match_kind")
    ours = pl.concat([ours_a, ours_b]).unique(["qid", "designation_id"])
    pairs = pairs.join(ours, on=["qid", "designation_id"], how="left").with_columns(
        pl.when(pl.col("match_kind").is_in(["strong", "name"])).then(pl.col("name_weight")).otherwise(0.0)
        .alias("ours"))
    # --- logic-v1
    algo, cfg = get_algorithm("logic-v1"), ScoringConfig.defaults()
    listed = designation_entities(merged, index)
    qrows = {r["qid"]: r for r in q.iter_rows(named=True)}
    t0 = time.perf_counter()
    v1 = []
    for qid, d in pairs.select("qid", "designation_id").iter_rows():
        other = listed.get(d)
        v1.append(algo.compare(_query_entity(qrows[qid], f"q{qid}"), other, cfg).score if other is not None
                  else 0.0)
    t_v1 = time.perf_counter() - t0
    pairs = pairs.with_columns(pl.Series("v1", v1, dtype=pl.Float64))
    return {"queries": {s: int((q["set"] == s).sum()) for s in ("alias", "real", "negative")},
            "pairs": pairs.height, "seconds": {"candidates": round(t_pairs, 2), "ours": round(t_ours, 2),
                                              "logic_v1": round(t_v1, 2)},
            "default": {"ours": metrics(pairs, q, "ours", 1e-9), "logic_v1": metrics(pairs, q, "v1", V1_THRESHOLD)},
            "equal_recall": equal_recall(pairs, q), "examples": examples(pairs, q)}


def metrics(pairs: pl.DataFrame, q: pl.DataFrame, col: str, t: float) -> dict:
    """Recall on positive queries, pair precision and negative alert rate when `col >= t` alerts."""
    alert = pairs.filter(pl.col(col) >= t)
    tp = alert.filter(pl.col("target") == pl.col("designation_id"))
    pos = q.filter(pl.col("set") != "negative")
    found = pos["qid"].is_in(tp["qid"].implode())
    out = {"threshold": t, "recall": round(float(found.mean()), 4), "alerts": alert.height,
           "precision": round(tp.height / max(alert.height, 1), 4),
           "alert_rate_negatives": round(alert.filter(pl.col("set") == "negative")["qid"].n_unique()
                                         / max(int((q["set"] == "negative").sum()), 1), 4)}
    for s in ("alias", "real"):
        sub = q.filter(pl.col("set") == s)
        out[f"recall_{s}"] = round(float(sub["qid"].is_in(tp["qid"].implode()).mean()), 4) if sub.height else None
    return out


def _threshold_for(pairs: pl.DataFrame, q: pl.DataFrame, col: str, recall: float) -> float | None:
    """Highest threshold on `col` at which the recall on positive queries reaches `recall`."""
    best = pairs.filter(pl.col("target") == pl.col("designation_id")).group_by("qid").agg(pl.col(col).max())
    n = int((q["set"] != "negative").sum())
    vals = sorted(best[col].to_list(), reverse=True)
    k = round(recall * n + 0.5 - 1e-9) if recall < 1 else n
    if k > len(vals) or k == 0:
        return None
    t = vals[k - 1]
    return t if t > 0 else None


def equal_recall(pairs: pl.DataFrame, q: pl.DataFrame) -> list[dict]:
    rows = []
    for r in (1.0, 0.99, 0.95, 0.90):
        row: dict = {"recall": r}
        for name, col in (("ours", "ours"), ("logic_v1", "v1")):
            t = _threshold_for(pairs, q, col, r)
            row[name] = metrics(pairs, q, col, t) if t is not None else None
        rows.append(row)
    return rows


def examples(pairs: pl.DataFrame, q: pl.DataFrame, n: int = 12) -> dict:
    """Negatives logic-v1 alerts on and we do not (and the reverse), for the docs."""
    neg = pairs.filter(pl.col("set") == "negative").join(
        q.select("qid", pl.col("names").list.join(" / ").alias("name"), "mmsi"), on="qid")
    only_v1 = neg.filter((pl.col("v1") >= V1_THRESHOLD) & (pl.col("ours") <= 0))
    only_ours = neg.filter((pl.col("v1") < V1_THRESHOLD) & (pl.col("ours") > 0))
    f = lambda d: d.sort("name").head(n).select("mmsi", "name", "designation_id", "ours", "v1").rows()  # noqa: E731
    return {"negatives_only_logic_v1": only_v1.height, "negatives_only_ours": only_ours.height,
            "only_logic_v1": f(only_v1), "only_ours": f(only_ours)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ais", type=Path, default=Path("../shared/data/ais"))
    ap.add_argument("--lists", type=Path, default=Path("../shared/data/sanctions"))
    ap.add_argument("--orgs", action="store_true", help="also company/organisation aliases (all 16,702 names)")
    ap.add_argument("--limit", type=int, default=None, help="sample this many alias queries")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from sanctionwatch.lists.index import build_index
    from sanctionwatch.lists.sources import SOURCES, load_source

    index, merged = build_index([load_source(s, args.lists / s.local) for s in SOURCES.values() if s.default])
    vessels = ais_vessels(args.ais)
    res = run(index, merged, vessels, orgs=args.orgs, limit=args.limit)
    # speed: screening 20,000 vessel identities (real identities repeated with fresh MMSIs)
    big = pl.concat([vessels.with_columns(pl.col("mmsi") + i * 7) for i in range(3)]).head(20_000)
    from sanctionwatch.lists.screen import screen_vessels

    screen_vessels(big.head(100), index)  # warm the blocking cache
    t0 = time.perf_counter()
    screen_vessels(big, index)
    res["seconds"]["screen_20000_vessels"] = round(time.perf_counter() - t0, 2)
    text = json.dumps(res, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
