"""API latency on a large store: p50/p95 of the dashboard's common queries under a local load generator.

    .venv/bin/python benchmarks/bench_api.py --positions 10_000_000 --vessels 2_000

Builds a synthetic store (random-walk tracks, days of 10 s-60 s reports) through the real write path,
starts the app with uvicorn on 127.0.0.1 and issues a bounded number of requests from 4 client threads.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
import pyarrow as pa

from sanctionwatch.store import Store
from sanctionwatch.store.events import event_id, events_table, write_events

T0 = datetime(2017, 10, 1, tzinfo=UTC)


def build_store(root: Path, positions: int, vessels: int, days: int, seed: int = 7, tracks: bool = True) -> Store:
    """Synthetic tracks written day by day (time-ordered, like a real feed) through Store.stage/publish."""
    rng = np.random.default_rng(seed)
    st = Store(root)
    per_day = positions // days
    mmsis = 440_000_000 + np.arange(vessels, dtype=np.int32) * 7
    lon0 = rng.uniform(125, 140, vessels)
    lat0 = rng.uniform(33, 45, vessels)
    for d in range(days):
        who = rng.integers(0, vessels, per_day)
        t = np.sort(rng.integers(0, 86_400_000, per_day)) + int((T0 + timedelta(days=d)).timestamp() * 1000)
        lon = lon0[who] + rng.normal(0, 0.05, per_day) + d * 0.01
        lat = lat0[who] + rng.normal(0, 0.05, per_day)
        st.stage_day_partitions("positions", pa.table({
            "ts": pa.array(t).cast(pa.timestamp("ms", tz="UTC")), "mmsi": pa.array(mmsis[who]),
            "lat": lat, "lon": lon, "sog": rng.uniform(0, 14, per_day).astype(np.float32),
            "msg_type": pa.array(np.ones(per_day, np.int8)), "source": ["bench.nmea"] * per_day,
            "src_line": pa.array(np.arange(per_day, dtype=np.int64) + 1)}), "bench", d)
    st.stage_day_partitions("vessel_reports", pa.table({
        "ts": pa.array([T0] * vessels, pa.timestamp("ms", tz="UTC")), "mmsi": pa.array(mmsis),
        "msg_type": pa.array(np.full(vessels, 5, np.int8)), "name": [f"VESSEL {i}" for i in range(vessels)],
        "imo": pa.array(9_000_000 + np.arange(vessels, dtype=np.int32))}), "bench", 0)
    st.publish_import("bench", {"import_id": "bench"})
    if tracks:  # what `sanctionwatch detect` writes: positions sorted by vessel, for per-vessel reads
        from sanctionwatch.store import connect
        from sanctionwatch.store.layout import write_tracks

        write_tracks(st, connect(st).execute(
            "select mmsi, ts, lat, lon, sog, source, src_line from positions").arrow().read_all())
    ev = [{"event_id": event_id("gap", T0 + timedelta(hours=i), int(mmsis[i % vessels])), "type": "gap",
           "mmsi": int(mmsis[i % vessels]), "start": T0 + timedelta(hours=i), "end": T0 + timedelta(hours=i + 7),
           "lat": float(lat0[i % vessels]), "lon": float(lon0[i % vessels]), "confidence": 0.8, "evidence": "{}"}
          for i in range(5_000)]
    write_events(st, "maritime", events_table(ev))
    return st


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--positions", type=int, default=10_000_000)
    ap.add_argument("--vessels", type=int, default=2_000)
    ap.add_argument("--days", type=int, default=10)
    ap.add_argument("--requests", type=int, default=200, help="per endpoint")
    ap.add_argument("--no-tracks", action="store_true", help="no tracks table (per-vessel reads scan positions)")
    args = ap.parse_args()

    import uvicorn

    from sanctionwatch.web.app import create_app
    from sanctionwatch.web.security import RateLimiter

    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        st = build_store(Path(d), args.positions, args.vessels, args.days, tracks=not args.no_tracks)
        print(f"built store: {args.positions:,} positions, {args.vessels:,} vessels in {time.perf_counter() - t:.1f} s")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        app = create_app(st, limiter=RateLimiter(rate=1e9, burst=1e9))
        srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=srv.run, daemon=True).start()
        while not srv.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        rng = np.random.default_rng(1)
        mm = 440_000_000 + rng.integers(0, args.vessels, args.requests) * 7
        endpoints = {
            "track (zoom 6)": [f"/api/vessels/{m}/track?zoom=6" for m in mm],
            "vessel profile": [f"/api/vessels/{m}" for m in mm],
            "events page": [f"/api/events?limit=500&offset={o}" for o in rng.integers(0, 4_000, args.requests)],
            "events by vessel": [f"/api/events?mmsi={m}" for m in mm],
            "vessel search": [f"/api/vessels?q=VESSEL%20{i}" for i in rng.integers(0, args.vessels, args.requests)],
            "risk page": ["/api/risk?limit=100"] * args.requests,
        }
        print(f"{'endpoint':<18} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  (4 client threads, {args.requests} requests)")
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/api/health")
            for name, urls in endpoints.items():
                def one(u: str) -> float:
                    t0 = time.perf_counter()
                    r = client.get(u)
                    r.raise_for_status()
                    return (time.perf_counter() - t0) * 1000

                with ThreadPoolExecutor(4) as ex:
                    lat = sorted(ex.map(one, urls))
                p95 = lat[int(0.95 * (len(lat) - 1))]
                print(f"{name:<18} {statistics.median(lat):8.1f} {p95:8.1f} {lat[-1]:8.1f}")
        srv.should_exit = True


if __name__ == "__main__":
    main()
