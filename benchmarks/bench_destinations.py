"""Benchmark geo: destination resolution (coverage + throughput vs an unblocked rapidfuzz scan), nearest-port
index (vs brute-force numpy) and point-in-area. Prints numbers only; run from the repo root:

    .venv/bin/python benchmarks/bench_destinations.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from pathlib import Path

import numpy as np
import polars as pl
from pyais import decode
from rapidfuzz import fuzz, process

from sanctionwatch.geo.areas import points_in_areas
from sanctionwatch.geo.destinations import _tables_for, resolve_destinations
from sanctionwatch.geo.distance import PointIndex, haversine_km
from sanctionwatch.geo.gazetteer import load_ports


def baltic(shared: Path) -> list[str]:
    """All destination fields of the Digitraffic snapshot (one per vessel)."""
    doc = json.loads((shared / "ais" / "digitraffic_baltic_latest_20251212.json").read_text())
    return [v["destination"] for v in doc["vessels"] if v.get("destination") is not None]


def amsa(shared: Path) -> list[str]:
    """Destinations of all type-5 messages in the AMSA feed (pyais decode, multi-part joined)."""
    out, parts, bad = [], {}, 0
    rx = re.compile(rb"(![A-Z]{2}VD[MO],(\d),(\d),(\d?),[AB12]?,[^,]*,\d\*[0-9A-F]{2})")
    with gzip.open(shared / "ais" / "amsa_risky_ais.txt.gz", "rb") as fh:
        for line in fh:
            m = rx.search(line)
            if not m:
                continue
            tot, sid = int(m.group(2)), m.group(4)
            try:
                if tot == 1:
                    msg = decode(m.group(1))
                else:
                    parts.setdefault(sid, []).append(m.group(1))
                    if len(parts[sid]) < tot:
                        continue
                    msg = decode(*parts.pop(sid))
            except Exception:  # corrupt sentences are part of this file: count them, keep going
                bad += 1
                continue
            d = msg.asdict()
            if d.get("msg_type") == 5 and d.get("destination") is not None:
                out.append(d["destination"])
    print(f"amsa: {len(out)} type-5 destinations, {bad} undecodable sentences skipped")
    return out


def shares(name: str, raw: list[str]) -> None:
    """Print distinct and record-weighted status shares."""
    s = pl.Series(raw)
    res = resolve_destinations(s)
    for label, df in (("distinct", res.unique("raw")), ("records", res)):
        vc = df["status"].value_counts(normalize=True).sort("status")
        txt = ", ".join(f"{st} {p:.1%}" for st, p in vc.iter_rows())
        print(f"{name:12s} {label:8s} n={df.height:6d}: {txt}")


def timed(fn, *a, repeat: int = 3) -> float:
    """Best wall time of a few runs."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*a)
        best = min(best, time.perf_counter() - t)
    return best


def bench_resolve(raw: list[str]) -> None:
    """Ours (exact joins + blocked fuzzy) vs a plain rapidfuzz extractOne over every alias key."""
    distinct = pl.Series(raw).unique()
    _tables_for(None)  # build tables outside the timing
    resolve_destinations(pl.Series(["warm"]))
    t_ours = timed(lambda: (_tables_for.cache_clear(), _tables_for(None), resolve_destinations(distinct)), repeat=1)
    t_ours_warm = timed(resolve_destinations, distinct)
    keys = list(_tables_for(None).by_nospace)
    cleaned = [re.sub(r"[^A-Z0-9]", "", x.upper()) for x in distinct.to_list()]
    t_ref = timed(lambda: [process.extractOne(c, keys, scorer=fuzz.ratio, score_cutoff=90) for c in cleaned], repeat=1)
    n = distinct.len()
    print(f"resolve {n} distinct strings: ours {n / t_ours_warm:,.0f}/s warm ({t_ours_warm * 1e3:.0f} ms), "
          f"{t_ours * 1e3:.0f} ms incl. table build; unblocked rapidfuzz scan over {len(keys)} keys "
          f"{n / t_ref:,.0f}/s ({t_ref * 1e3:.0f} ms) -> ratio {t_ref / t_ours_warm:.1f}x")
    big = pl.Series(raw * (1_000_000 // len(raw) + 1))[:1_000_000]
    t_big = timed(resolve_destinations, big, repeat=1)
    print(f"resolve column of 1,000,000 strings ({big.n_unique()} distinct): {t_big:.2f} s, {1e6 / t_big:,.0f} rows/s")


def bench_nearest() -> None:
    """Grid index vs chunked brute-force haversine over all ports."""
    ports = load_ports()
    plat, plon, prad = (ports[c].to_numpy() for c in ("lat", "lon", "radius_km"))
    rng = np.random.default_rng(0)
    n = 1_000_000
    pick = rng.integers(0, ports.height, n)
    lat = np.clip(plat[pick] + rng.normal(0, 0.05, n), -90, 90)
    lon = (plon[pick] + rng.normal(0, 0.05, n) + 180) % 360 - 180
    t0 = time.perf_counter()
    idx = PointIndex.build(plat, plon, prad)
    t_build = time.perf_counter() - t0
    t_q = timed(idx.nearest_within, lat, lon, repeat=1)
    m = 20_000

    def brute():
        for i in range(0, m, 2000):
            d = haversine_km(lat[i:i + 2000, None], lon[i:i + 2000, None], plat[None], plon[None])
            d[d > prad[None]] = np.inf
            d.argmin(1)

    t_b = timed(brute, repeat=1) * n / m
    print(f"nearest port within radius, {n:,} points x {ports.height} ports: index {n / t_q:,.0f} pts/s "
          f"({t_q:.2f} s, build {t_build * 1e3:.0f} ms); brute-force numpy (extrapolated from {m:,}) "
          f"{n / t_b:,.0f} pts/s -> ratio {t_b / t_q:.0f}x")


def bench_areas() -> None:
    """Point-in-area over 1M points around Korea."""
    rng = np.random.default_rng(1)
    n = 1_000_000
    lat, lon = rng.uniform(36, 44, n), rng.uniform(122, 133, n)
    points_in_areas(lat[:10], lon[:10])
    t = timed(points_in_areas, lat, lon, repeat=1)
    print(f"points_in_areas: {n:,} points x 2 areas in {t:.2f} s ({n / t:,.0f} pts/s)")


def main() -> None:
    """Run all geo benchmarks."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "data"))
    shared = Path(ap.parse_args().shared)
    b, a = baltic(shared), amsa(shared)
    shares("digitraffic", b)
    shares("amsa", a)
    bench_resolve(b)
    bench_nearest()
    bench_areas()


if __name__ == "__main__":
    main()
