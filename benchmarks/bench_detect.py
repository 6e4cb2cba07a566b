"""Benchmark: all maritime detectors over 1M/3M/10M synthetic positions, vs a DuckDB SQL gap query (reference).

Usage: .venv/bin/python benchmarks/bench_detect.py [--sizes 1000000,3000000,10000000] [--threads 2] [--repeat 2]

Synthetic traffic (seeded): vessels moving at 8-15 kn, moored at gazetteer ports, drifting, in side-by-side
pairs, some with 8 h holes and off-track jumps, ~2,000 fixes per vessel over one day, in the Sea of Japan /
Yellow Sea box. Written as store Parquet (one day partition), then `engines.embedded.run` (read, all
detectors, write events) is timed end to end. The reference is DuckDB computing only the gap candidates
(LAG window per MMSI) over the same files: a lower bound for one detector, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from sanctionwatch.store.files import write_parquet_atomic
from sanctionwatch.store.layout import Store
from sanctionwatch.store.schemas import conform

T0_MS = 1_767_571_200_000  # 2026-01-05T00:00:00Z
PER_VESSEL = 2000


def synth(n_pos: int, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Synthetic positions and static reports (vectorised, no per-row Python)."""
    from sanctionwatch.detect.near import ports_table

    rng = np.random.default_rng(seed)
    nv = max(10, n_pos // PER_VESSEL)
    kind = rng.choice(4, nv, p=[0.55, 0.30, 0.10, 0.05])  # moving, moored, drifting, paired drifter
    counts = rng.multinomial(n_pos - nv, np.ones(nv) / nv) + 1
    vid = np.repeat(np.arange(nv), counts)
    k = kind[vid]
    step = np.where(k == 0, rng.uniform(10, 60, vid.size), 180.0)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    cs = np.cumsum(step)
    t_s = cs - np.repeat(cs[first] - step[first], counts)  # seconds since the vessel's first fix
    ports = ports_table().filter(pl.col("lat").is_between(30, 45) & pl.col("lon").is_between(120, 140))
    pi = rng.integers(0, ports.height, nv)
    lat0 = np.where(kind == 1, ports["lat"].to_numpy()[pi], rng.uniform(33, 42, nv))
    lon0 = np.where(kind == 1, ports["lon"].to_numpy()[pi], rng.uniform(124, 136, nv))
    pair = np.flatnonzero(kind == 3)
    lat0[pair[1::2]] = lat0[pair[::2][: len(pair[1::2])]] + 0.0005
    lon0[pair[1::2]] = lon0[pair[::2][: len(pair[1::2])]]
    speed = np.select([kind == 0, kind == 1], [rng.uniform(8, 15, nv), 0.0], rng.uniform(0.2, 1.0, nv))
    speed[pair[1::2]] = speed[pair[::2][: len(pair[1::2])]]
    head = rng.uniform(0, 2 * np.pi, nv)
    head[pair[1::2]] = head[pair[::2][: len(pair[1::2])]]
    km = speed[vid] * 1.852 * t_s / 3600
    lat = lat0[vid] + km * np.cos(head[vid]) / 111.195 + rng.normal(0, 0.00005, vid.size)
    lon = lon0[vid] + km * np.sin(head[vid]) / (111.195 * np.cos(np.radians(lat0[vid]))) + rng.normal(0, 0.00005,
                                                                                                  vid.size)
    keep = np.ones(vid.size, bool)
    holed = rng.random(nv) < 0.03  # 8 h transponder-off holes
    hs = rng.uniform(2, 12, nv) * 3600
    keep &= ~(holed[vid] & (t_s >= hs[vid]) & (t_s < hs[vid] + 8 * 3600))
    jump = rng.random(vid.size) < 0.0005  # off-track fixes 200 km away
    lat = np.where(jump, lat + 1.8, lat)
    mmsi = (412_000_000 + np.arange(nv)).astype(np.int32)
    pos = pl.DataFrame({
        "ts": pl.Series(T0_MS + (t_s * 1000).astype(np.int64)).cast(pl.Datetime("ms", "UTC")),
        "mmsi": mmsi[vid], "lat": np.clip(lat, -89.9, 89.9), "lon": (lon + 180) % 360 - 180,
        "sog": pl.Series(speed[vid] + rng.normal(0, 0.1, vid.size), dtype=pl.Float32).abs(),
        "msg_type": pl.Series(np.ones(vid.size), dtype=pl.Int8),
        "src_line": np.arange(1, vid.size + 1)}).with_columns(pl.lit("bench.nmea").alias("source")).filter(
        pl.Series(keep))
    nr = nv * 4
    rv = np.repeat(np.arange(nv), 4)
    rep = pl.DataFrame({
        "ts": pl.Series(T0_MS + np.tile([0, 6, 12, 18], nv) * 3_600_000).cast(pl.Datetime("ms", "UTC")),
        "mmsi": mmsi[rv], "msg_type": pl.Series(np.full(nr, 5), dtype=pl.Int8),
        "imo": pl.Series(9_000_000 + rv, dtype=pl.Int32), "name": pl.Series([f"SHIP {i}" for i in rv]),
        "destination": ports["locode"].gather(rng.integers(0, ports.height, nr)),
        "src_line": np.arange(1, nr + 1)}).with_columns(pl.lit("bench.nmea").alias("source"))
    return pos, rep


def write_store(root: Path, pos: pl.DataFrame, rep: pl.DataFrame, chunk: int = 1_000_000) -> Store:
    """Write the synthetic tables as store Parquet files (one day partition, 1M-row files)."""
    st = Store(root)
    for name, df in (("positions", pos), ("vessel_reports", rep)):
        for i in range(0, df.height, chunk):
            tbl = conform(df.slice(i, chunk).to_arrow(compat_level=pl.CompatLevel.oldest()), name)
            write_parquet_atomic(tbl, st.table_dir(name) / "day=2026-01-05" / f"bench-{i // chunk:05d}.parquet")
    return st


def reference_gaps(st: Store) -> tuple[float, int]:
    """DuckDB: gap candidates (>= 6 h between consecutive fixes of one MMSI) over the store."""
    from sanctionwatch.store.duck import connect

    con = connect(st, threads=2)
    t = time.perf_counter()
    n = con.sql("""SELECT count(*) FROM (SELECT ts - lag(ts) OVER (PARTITION BY mmsi ORDER BY ts) AS d
                   FROM positions) WHERE d >= INTERVAL 6 HOUR""").fetchone()[0]
    return time.perf_counter() - t, int(n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,3000000,10000000")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="runs per size; the best is reported, all are printed")
    a = ap.parse_args()
    from sanctionwatch.engines.embedded import run

    print(f"cores={os.cpu_count()} load(1m)={os.getloadavg()[0]:.1f}")
    print("positions  vessels  events  detect_s  cpu_s  Mpos/s  read_s  ref_gap_sql_s  ratio_vs_ref  by_type")
    base = None
    for n in [int(x) for x in a.sizes.split(",")]:
        pos, rep = synth(n)
        n_pos, n_ves = pos.height, pos["mmsi"].n_unique()
        with tempfile.TemporaryDirectory() as d:
            st = write_store(Path(d), pos, rep)
            del pos, rep  # keep only the store: the run reads it like a real one (less memory pressure)
            ref_s, _ = reference_gaps(st)
            runs = []
            for _ in range(a.repeat):  # the first run in a process also pays page faults of the big allocations
                t, c = time.perf_counter(), time.process_time()
                report = run(st, threads=a.threads)
                runs.append((time.perf_counter() - t, time.process_time() - c))
            total, cpu = min(runs)
            print(f"           runs (wall s, cpu s): {[(round(w, 1), round(c, 1)) for w, c in runs]}")
        rate = n_pos / total / 1e6
        base = base or total / n_pos
        print(f"{n_pos:>9}  {n_ves:>7}  {report['events']:>6}  {total:8.1f}  {cpu:5.1f}  {rate:6.2f}  "
              f"{report['timings']['read_s']:6.1f}  {ref_s:13.2f}  {total / ref_s:12.1f}  {report['by_type']}")
        print(f"           linearity (s per position vs first size): {total / n_pos / base:.2f}x; "
              f"load(1m)={os.getloadavg()[0]:.1f}; timings {report['timings']}", flush=True)


if __name__ == "__main__":
    pa.set_cpu_count(2)
    main()
