"""Benchmark: `global` generation throughput and memory, and our encoder vs pyais' encoder (same run).

    .venv/bin/python benchmarks/bench_simulate.py --messages 1000000 [--out /tmp/sw-bench] [--no-csv]

Prints messages/minute of wall and CPU time for the whole run (route library excluded and reported
separately: it is built once and cached), peak RSS, and the encoder speed ratio against
`pyais.encode_dict` on the same type 1 messages.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pyais

from sanctionwatch.ais import encode as enc
from sanctionwatch.simulate import run


def encoder_ratio(n_ours: int = 200_000, n_pyais: int = 10_000) -> tuple[float, float]:
    """Type 1 messages/s: our vectorised encoder (full tag-blocked lines) vs pyais.encode_dict."""
    rng = np.random.default_rng(0)
    cols = [rng.integers(200_000_000, 799_999_999, n_ours), rng.integers(0, 9, n_ours), rng.normal(0, 5, n_ours),
            rng.uniform(0, 20, n_ours), rng.uniform(-180, 180, n_ours), rng.uniform(-90, 90, n_ours),
            rng.uniform(0, 360, n_ours), rng.uniform(0, 360, n_ours), rng.integers(0, 60, n_ours)]
    t = time.perf_counter()
    p = enc.class_a_payload(*cols)
    lines = enc.join_rows(enc.frame_lines(p, 0, np.full(n_ours, 1_767_571_200), enc.station_matrix(["S"], np.zeros(
        n_ours, int)), np.full(n_ours, 65, np.uint8)))
    ours = n_ours / (time.perf_counter() - t)
    assert lines.count(b"\n") == n_ours
    t = time.perf_counter()
    for i in range(n_pyais):
        pyais.encode_dict({"type": 1, "mmsi": int(cols[0][i]), "status": int(cols[1][i]), "speed": float(cols[3][i]),
                           "lon": float(cols[4][i]), "lat": float(cols[5][i]), "course": float(cols[6][i]),
                           "heading": int(cols[7][i]), "second": int(cols[8][i])}, talker_id="AI")
    theirs = n_pyais / (time.perf_counter() - t)
    return ours, theirs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-csv", action="store_true")
    ap.add_argument("--gz", action="store_true")
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix="sw-bench-"))
    c0, w0 = time.process_time(), time.perf_counter()
    s = run("global", out, seed=1, messages=a.messages, csv=not a.no_csv, gz=a.gz)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    gen_wall = wall - s["seconds_route_build"]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    print(f"global: {s['messages']:,} messages, {s['lines']:,} lines, {s['vessels']} vessels, {s['routes']} routes "
          f"({len(s['routes_skipped'])} pairs skipped), csv={'no' if a.no_csv else 'yes'}, gz={a.gz}")
    print(f"  wall {wall:.1f} s (route library {s['seconds_route_build']:.1f} s), CPU {cpu:.1f} s")
    print(f"  throughput: {s['messages'] / gen_wall * 60 / 1e6:.2f} M msg/min wall (generation only), "
          f"{s['messages'] / cpu * 60 / 1e6:.2f} M msg/min per CPU second incl. routes")
    print(f"  peak RSS {rss_mb:.0f} MB, output {size:.0f} MB in {out}")
    ours, theirs = encoder_ratio()
    print(f"encoder: ours {ours:,.0f} msg/s vs pyais.encode_dict {theirs:,.0f} msg/s -> {ours / theirs:.0f}x")


if __name__ == "__main__":
    main()
