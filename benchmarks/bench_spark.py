"""Embedded vs Spark (local) detect throughput on a tiled simulated store of N positions.

The smoke scenario (20 vessels, 2 days) is simulated once, then tiled: copy k gets MMSI + k * 1000 and is
moved by whole 0.7-degree steps so copies never meet (the workload grows linearly, not quadratically).
Run: .venv/bin/python benchmarks/bench_spark.py --positions 1000000 [--workdir /tmp/bench_spark] [--master local[2]]
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def build(workdir: Path, positions: int) -> Path:
    """A store with about `positions` rows (tiles of the smoke scenario); reused when present."""
    store = workdir / f"store_{positions}"
    if (store / "positions").exists():
        return store
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.simulate import run
    from sanctionwatch.store.layout import Store

    seed_dir = workdir / "smoke"
    if not (seed_dir / "store").exists():
        run("smoke", seed_dir, seed=3, csv=False)
        ingest(Store(seed_dir / "store"), [str(seed_dir / "traffic.nmea")])
    for table in ("positions", "vessel_reports"):
        files = sorted(glob.glob(str(seed_dir / "store" / table / "*" / "*.parquet")))
        base = pa.concat_tables([_plain(pq.read_table(f, partitioning=None)) for f in files])
        total = sum(pq.read_metadata(f).num_rows for f in glob.glob(str(seed_dir / "store" / "positions" / "*" / "*.parquet")))
        copies = max(1, round(positions / total))
        out = store / table / "day=2026-01-05"
        out.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(out / "tiled.parquet", base.schema) as w:
            for k in range(copies):
                t = base.set_column(base.schema.get_field_index("mmsi"), "mmsi",
                                    pc.add(base["mmsi"], pa.scalar(k * 1000, pa.int32())))
                if "lat" in t.column_names:
                    t = t.set_column(t.schema.get_field_index("lat"), "lat", pc.add(t["lat"], -0.7 * (k // 40)))
                    t = t.set_column(t.schema.get_field_index("lon"), "lon", pc.add(t["lon"], 0.7 * (k % 40)))
                w.write_table(t)
    return store


def _plain(t: pa.Table) -> pa.Table:
    """Dictionary columns decoded (files of one table may differ in dictionary index width)."""
    return pa.Table.from_arrays([c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in t.columns],
                                names=t.column_names)


def main() -> None:
    """Time both engines on the same store and print throughput and the ratio."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--positions", type=int, default=1_000_000)
    ap.add_argument("--workdir", default="/tmp/bench_spark")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--driver-memory", default="8g", help="handovers/reports are still collected to the driver")
    a = ap.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    store = build(Path(a.workdir), a.positions)
    from sanctionwatch.engines.embedded import detect, load
    from sanctionwatch.engines.spark import session
    from sanctionwatch.engines.spark_detect import detect as spark_detect
    from sanctionwatch.store.layout import Store

    t0 = time.perf_counter()
    pos, rep = load(Store(store))
    ref, _ = detect(pos, rep, threads=a.threads)
    emb_s = time.perf_counter() - t0
    n = pos.height
    print(f"embedded ({a.threads} threads): {n} positions, {ref.num_rows} events in {emb_s:.1f} s "
          f"= {n / emb_s:,.0f} positions/s", flush=True)
    del pos, rep
    t0 = time.perf_counter()
    spark = session(a.master, conf={"spark.driver.memory": a.driver_memory})
    start_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    table, report = spark_detect(spark, str(store))
    sp_s = time.perf_counter() - t0
    print(f"spark ({a.master}): session start {start_s:.1f} s; {report['positions']} positions, {table.num_rows} events "
          f"in {sp_s:.1f} s = {n / sp_s:,.0f} positions/s; stages {report['timings']}")
    a, b = set(table["event_id"].to_pylist()), set(ref["event_id"].to_pylist())
    print(f"spark/embedded time ratio: {sp_s / emb_s:.1f}x; same event ids: {a == b} "
          f"(only spark: {len(a - b)}, only embedded: {len(b - a)})")
    if a != b:
        kinds = dict(zip(ref["event_id"].to_pylist() + table["event_id"].to_pylist(),
                         ref["type"].to_pylist() + table["type"].to_pylist(), strict=True))
        print("differing types:", sorted({kinds[x] for x in a ^ b}))
    spark.stop()


if __name__ == "__main__":
    main()
