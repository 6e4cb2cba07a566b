"""Benchmark (issue 19): detect when many vessels fall silent at once (a receiver outage every day).

Usage: .venv/bin/python benchmarks/bench_detect_outage.py --store-src STORE --days 20 [--threads 2]

STORE holds the five-minute DMA sample (`sanctionwatch ingest ../shared/data/ais/dma_aisabnormal_ais-sample.txt.gz
--store STORE`). Its positions are repeated once per day (1,490 vessels, then 24 h of silence, every day), so
every MMSI ends and starts a track at the same moment each day - the pattern that made the old handover join
all-pairs. Prints positions, peak RSS and the detect run's time per phase.
"""

from __future__ import annotations

import argparse
import resource
import time

import polars as pl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store-src", required=True)
    ap.add_argument("--days", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    from sanctionwatch.engines.embedded import detect, load
    from sanctionwatch.store.layout import Store

    pos, rep = load(Store(a.store_src))
    day = pl.duration(days=1)
    pos = pl.concat([pos.with_columns(pl.col("ts") + day * k) for k in range(a.days)])
    rep = pl.concat([rep.with_columns(pl.col("ts") + day * k) for k in range(a.days)])
    t0 = time.perf_counter()
    _, report = detect(pos, rep, threads=a.threads)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"days {a.days} positions {pos.height:,} vessels {pos['mmsi'].n_unique():,} wall {wall:.1f} s "
          f"peak RSS {rss:,.0f} MiB")
    print("timings", report["timings"])
    print("events", report["by_type"])


if __name__ == "__main__":
    main()
