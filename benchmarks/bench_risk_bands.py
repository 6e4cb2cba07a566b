"""Risk bands on real traffic and on the demo scenario: the alert rate an analyst would get.

    .venv/bin/python benchmarks/bench_risk_bands.py                  # every file in ../shared/data/ais
    .venv/bin/python benchmarks/bench_risk_bands.py --store DIR      # an existing store (ingested + detected)
    .venv/bin/python benchmarks/bench_risk_bands.py --preset sea-of-japan --seed 2017   # the demo

Real traffic (default): every AIS file of ../shared/data/ais in one store (ingest, detect, screen against
the shipped lists, risk), as a new user would. Prints vessels per band, how many vessels are in the high
band from name evidence alone (target: at most 0.5 %), name-only vessels per band, and the high/review
vessels with their reasons. Scenario mode: the same counts plus the rank of every labelled story vessel
(non-control label other than a non-DPRK port call) and whether the top 10 are all story vessels.
Results are recorded in docs/risk.md (measured section).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import polars as pl

from sanctionwatch.risk.run import compute_risk, list_hits
from sanctionwatch.risk.score import band_counts
from sanctionwatch.risk.weights import RiskWeights
from sanctionwatch.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def build_real(root: Path) -> Store:
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines.embedded import run

    st = Store(root / "store")
    files = sorted(str(p) for p in (SHARED / "ais").iterdir() if p.name != "PROVENANCE.md")
    ingest(st, files)
    run(st)
    return st


def build_scenario(root: Path, preset: str, seed: int) -> tuple[Store, list[dict]]:
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines.embedded import run
    from sanctionwatch.simulate import run as simulate

    s = simulate(preset, root / "scen", seed=seed, csv=False)
    st = Store(root / "store")
    ingest(st, [str(root / "scen" / s["files"]["nmea"])])
    run(st)
    return st, [json.loads(x) for x in (root / "scen" / "labels.jsonl").read_text().splitlines()]


def report(ranked: pl.DataFrame, w: RiskWeights) -> None:
    n = ranked.height
    counts = band_counts(ranked)
    print(f"vessels {n:,}: " + ", ".join(f"{b} {k:,} ({100 * k / max(1, n):.2f} %)" for b, k in counts.items()))
    print(f"with any evidence: {ranked.filter(pl.col('n_evidence') > 0).height:,}")
    high = ranked.filter(pl.col("band") == "high")
    from_name = high.filter(pl.col("behaviour_points") < w.high_points)
    print(f"high band: {high.height:,}; of them high only thanks to name points: {from_name.height:,} "
          f"({100 * from_name.height / max(1, n):.2f} % of vessels; target <= 0.5 %)")
    name_only = ranked.filter((pl.col("name_points") > 0) & (pl.col("designation_points") == 0)
                              & (pl.col("behaviour_points") == 0))
    print(f"name-only vessels: {name_only.height:,} -> " + ", ".join(
        f"{b} {k:,}" for b, k in band_counts(name_only).items() if k))
    review = ranked.filter(pl.col("band") == "review")
    print(f"review: {review.filter(pl.col('behaviour_points') >= w.review_points).height:,} from behaviour, "
          f"{review.filter(pl.col('behaviour_points') < w.review_points).height:,} from a name match")
    with pl.Config(tbl_rows=25, fmt_str_lengths=160, tbl_width_chars=220):
        print(ranked.filter(pl.col("band") != "low").head(25).select("rank", "mmsi", "band", "points", "band_reason"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="an existing (ingested + detected) store instead of building one")
    ap.add_argument("--preset", help="simulate this scenario (sea-of-japan, smoke) instead of real traffic")
    ap.add_argument("--seed", type=int, default=2017)
    a = ap.parse_args()
    w = RiskWeights()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        labels: list[dict] = []
        if a.store:
            st = Store(a.store)
        elif a.preset:
            st, labels = build_scenario(Path(tmp), a.preset, a.seed)
        else:
            st = build_real(Path(tmp))
        t1 = time.perf_counter()
        hits = list_hits(st)
        t2 = time.perf_counter()
        res = compute_risk(st, w, hits=hits)
        t3 = time.perf_counter()
        print(f"build {t1 - t0:.1f} s, screen {t2 - t1:.1f} s, risk {t3 - t2:.2f} s; list hits {hits.height:,}: "
              + ", ".join(f"{k} {v}" for k, v in sorted(hits["match_kind"].value_counts().rows())))
        report(res.ranked, w)
        if labels:
            story: dict[int, set[str]] = defaultdict(set)
            for x in labels:
                if not x.get("control") and (x["type"] != "port_call" or (x.get("locode") or "").startswith("KP")):
                    story[x["mmsi"]].add(x["type"])
            designated = {x["mmsi"] for x in labels if x.get("imo") == 8937675}
            ranks = dict(zip(res.ranked["mmsi"], res.ranked["rank"], strict=True))
            top = res.ranked.head(10)["mmsi"].to_list()
            print(f"story vessels {len(story)} (+ designated {sorted(designated)}); ranks: "
                  + ", ".join(str(ranks.get(m)) for m in sorted(story, key=lambda m: ranks.get(m, 1 << 30))))
            print("top 10 not story/designated:", [m for m in top if m not in story and m not in designated])


if __name__ == "__main__":
    main()
