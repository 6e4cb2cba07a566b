"""Benchmark: encounter detection on satellite-like (sparse) traffic, where the 10-minute grid interpolates.

Usage: .venv/bin/python benchmarks/bench_encounters_sparse.py [--sizes 1000000,3000000,10000000] [--days 3]

Synthetic worldwide traffic (seeded, vectorised): 55 % of vessels under way at 8-15 kn, 30 % moored at
gazetteer ports reporting every 3-6 h, 10 % drifting at sea at 0.2-1 kn and 5 % drifting in side-by-side
pairs, at sea one fix every 20-90 min (the satellite regime of issue 12). Times `tracks.main_track`
(input preparation) and the encounter stage (`encounters.encounters`: resample.grid + buckets + cell join +
runs) separately, with the grid/step row counts, so the interpolation's cost is visible and linearity can
be read off. bench_detect.py covers the whole detect run on dense terrestrial traffic.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import polars as pl

T0_MS = 1_767_571_200_000  # 2026-01-05T00:00:00Z


def synth(n_pos: int, days: float, seed: int = 0) -> pl.DataFrame:
    """Sparse positions (vectorised, no per-row Python)."""
    from sanctionwatch.detect.near import ports_table

    rng = np.random.default_rng(seed)
    kind_p = np.array([0.55, 0.30, 0.10, 0.05])
    mean_step_s = np.array([55, 4.5 * 60, 55, 55]) * 60.0
    per_vessel = (days * 86400 / mean_step_s * kind_p).sum()
    nv = max(10, int(n_pos / per_vessel))
    kind = rng.choice(4, nv, p=kind_p)
    counts = np.maximum(2, (days * 86400 / mean_step_s[kind]).astype(np.int64))
    vid = np.repeat(np.arange(nv), counts)
    k = kind[vid]
    step = np.where(k == 1, rng.uniform(3 * 3600, 6 * 3600, vid.size), rng.uniform(20 * 60, 90 * 60, vid.size))
    first = np.r_[0, np.cumsum(counts)[:-1]]
    cs = np.cumsum(step)
    t_s = cs - np.repeat(cs[first] - step[first], counts) + np.repeat(rng.uniform(0, 3600, nv), counts)
    ports = ports_table()
    pi = rng.integers(0, ports.height, nv)
    lat0 = np.where(kind == 1, ports["lat"].to_numpy()[pi], rng.uniform(-55, 60, nv))
    lon0 = np.where(kind == 1, ports["lon"].to_numpy()[pi], rng.uniform(-180, 180, nv))
    pair = np.flatnonzero(kind == 3)
    lead, follow = pair[::2][: len(pair[1::2])], pair[1::2]
    lat0[follow], lon0[follow] = lat0[lead] + 0.0008, lon0[lead]
    speed = np.select([kind == 0, kind == 1], [rng.uniform(8, 15, nv), 0.0], rng.uniform(0.2, 1.0, nv))
    speed[follow] = speed[lead]
    head = rng.uniform(0, 2 * np.pi, nv)
    head[follow] = head[lead]
    km = speed[vid] * 1.852 * t_s / 3600
    lat = lat0[vid] + km * np.cos(head[vid]) / 111.195 + rng.normal(0, 0.00005, vid.size)
    lon = lon0[vid] + km * np.sin(head[vid]) / (111.195 * np.cos(np.radians(lat0[vid]))) \
        + rng.normal(0, 0.00005, vid.size)
    mmsi = (201_000_000 + np.arange(nv)).astype(np.int32)
    return pl.DataFrame({
        "ts": pl.Series(T0_MS + (t_s * 1000).astype(np.int64)).cast(pl.Datetime("ms", "UTC")),
        "mmsi": mmsi[vid], "lat": np.clip(lat, -89.9, 89.9), "lon": (lon + 180) % 360 - 180,
        "sog": pl.Series(speed[vid] + rng.normal(0, 0.1, vid.size), dtype=pl.Float32).abs(),
        "msg_type": pl.Series(np.ones(vid.size), dtype=pl.Int8), "src_line": np.arange(1, vid.size + 1),
    }).with_columns(pl.lit("bench.nmea").alias("source"))


def main() -> None:
    from sanctionwatch.detect.encounters import encounters
    from sanctionwatch.detect.near import ports_table
    from sanctionwatch.detect.params import EncounterParams
    from sanctionwatch.detect.resample import grid
    from sanctionwatch.detect.tracks import build_tracks, main_track

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,3000000,10000000")
    ap.add_argument("--days", type=float, default=3.0)
    args = ap.parse_args()
    ports = ports_table()
    p = EncounterParams()
    print(f"cores={os.cpu_count()} load(1m)={os.getloadavg()[0]:.1f} days={args.days}")
    print("positions  vessels  grid_steps  interpolated  tracks_s  encounters_s  us/position  encounters")
    base = None
    for n in (int(s) for s in args.sizes.split(",")):
        pos = synth(n, args.days)
        t = time.perf_counter()
        main = main_track(build_tracks(pos.sort("mmsi", "ts"), presorted=True)[0])
        t_tracks = time.perf_counter() - t
        g = grid(main, p, p.prefilter_speed_kn)
        t = time.perf_counter()
        ev = encounters(main, ports, p)
        t_enc = time.perf_counter() - t
        us = t_enc / pos.height * 1e6
        base = base or us
        print(f"{pos.height:>9}  {pos['mmsi'].n_unique():>7}  {g.height:>10}  {int((~g['obs']).sum()):>12}  "
              f"{t_tracks:8.1f}  {t_enc:12.1f}  {us:11.2f}  {len(ev):>10}   (linearity {us / base:.2f}x)")


if __name__ == "__main__":
    main()
