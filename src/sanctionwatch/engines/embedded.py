"""Embedded engine: runs the detector functions over a store on this machine (Polars/numba, all cores).

The per-vessel work is one pure function over a partition of whole vessels (`vessel_events`), the very
function a Spark executor would call per `groupBy(mmsi)` group; encounters and gap coverage work on
(time bucket, cell) keyed tables; identity and destination checks on static reports.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
import pyarrow as pa

from sanctionwatch.detect import evidence
from sanctionwatch.detect.areas import sanctioned_areas
from sanctionwatch.detect.destinations import destination_mismatches, resolved_declarations
from sanctionwatch.detect.encounters import encounters
from sanctionwatch.detect.gaps import coverage_table, gaps, rate_gaps
from sanctionwatch.detect.identity import identity_changes
from sanctionwatch.detect.loitering import loitering
from sanctionwatch.detect.near import ports_table
from sanctionwatch.detect.params import DEFAULT, DetectParams
from sanctionwatch.detect.port_calls import port_calls
from sanctionwatch.detect.spoofing import spoofing
from sanctionwatch.detect.tracks import build_tracks, main_track
from sanctionwatch.store.layout import Store

POSITION_COLS = ["ts", "mmsi", "lat", "lon", "sog", "msg_type", "source", "src_line"]
REPORT_COLS = ["ts", "mmsi", "imo", "name", "callsign", "destination", "source", "src_line"]


def load(store: Store) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Positions and static reports of a store (only the columns detectors read)."""
    from sanctionwatch.store.duck import connect

    con = connect(store)
    pos = pl.from_arrow(con.sql(f"SELECT {', '.join(POSITION_COLS)} FROM positions").arrow())
    rep = pl.from_arrow(con.sql(f"SELECT {', '.join(REPORT_COLS)} FROM vessel_reports").arrow())
    con.close()
    return pos, rep  # type: ignore[return-value]


def vessel_events(positions: pl.DataFrame, params: DetectParams = DEFAULT, ports: pl.DataFrame | None = None,
                  areas: pl.DataFrame | None = None, data_end_ms: int | None = None
                  ) -> tuple[list[dict], pl.DataFrame, dict]:
    """Per-vessel detectors over a partition of whole vessels: (events, main track, track report)."""
    ports = ports_table() if ports is None else ports
    if areas is None:
        from sanctionwatch.geo.areas import load_areas

        areas = load_areas()
    tracks, report = build_tracks(positions, params.track)
    main = main_track(tracks)
    calls = port_calls(main, ports, params.port_call, params.area.port_countries)
    ev = calls + gaps(main, params.gap, data_end_ms) + loitering(main, ports, params.loitering)
    ev += spoofing(tracks, params.spoofing, params.track)
    ev += sanctioned_areas(main, areas, params.area, calls)
    return ev, main, report


def _partitions(df: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    """Split into n partitions of whole vessels (by MMSI hash)."""
    if n <= 1 or df.height == 0:
        return [df]
    key = df["mmsi"].cast(pl.Int64).hash() % n
    return [df.filter(key == k) for k in range(n)]


def detect(positions: pl.DataFrame, reports: pl.DataFrame, params: DetectParams = DEFAULT, threads: int = 2,
           ports: pl.DataFrame | None = None) -> tuple[pa.Table, dict]:
    """All maritime detectors over in-memory tables: (events table, run report with counts and timings)."""
    t0 = time.perf_counter()
    ports = ports_table() if ports is None else ports
    from sanctionwatch.geo.areas import load_areas

    areas = load_areas()
    ends = [int(x.timestamp() * 1000) for x in (positions["ts"].max(), reports["ts"].max()) if x is not None]
    data_end = max(ends) if ends else None
    parts = _partitions(positions, threads)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        results = list(pool.map(lambda p: vessel_events(p, params, ports, areas, data_end), parts))
    timings = {"vessel_detectors_s": time.perf_counter() - t0}
    events = [e for r in results for e in r[0]]
    main = pl.concat([r[1] for r in results]).sort("mmsi", "t") if results else pl.DataFrame()
    track_report: dict = {}
    for r in results:
        for k, v in r[2].items():
            track_report[k] = track_report.get(k, []) + v if isinstance(v, list) else track_report.get(k, 0) + v
    t1 = time.perf_counter()
    gap_ev = [e for e in events if e["type"] == "gap"]
    if gap_ev:
        rate_gaps(gap_ev, coverage_table(main, params.gap), params.gap)
    timings["gap_coverage_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    events += encounters(main, ports, params.encounter)
    timings["encounters_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    events += identity_changes(reports, params.identity)
    calls = [e for e in events if e["type"] == "port_call"]
    last_seen = {}
    if main.height:
        last_seen = dict(main.group_by("mmsi").agg(pl.col("t").max()).iter_rows())
    events += destination_mismatches(calls, resolved_declarations(reports), ports, last_seen, data_end,
                                     params.destination)
    timings["reports_s"] = time.perf_counter() - t1
    seen: set[str] = set()
    uniq = [e for e in events if not (e["event_id"] in seen or seen.add(e["event_id"]))]  # type: ignore[func-returns-value]
    uniq.sort(key=lambda e: (e["start"], e["type"], e["mmsi"] or 0))
    table = evidence.table(uniq)
    counts = {t: int(c) for t, c in zip(*np.unique(np.array([e["type"] for e in uniq] or [""]), return_counts=True),
                                         strict=True) if t}
    timings["total_s"] = time.perf_counter() - t0
    report = {"positions": positions.height, "vessel_reports": reports.height, "events": table.num_rows,
              "by_type": counts, "tracks": track_report, "timings": {k: round(v, 3) for k, v in timings.items()}}
    return table, report


def run(store: Store, params: DetectParams = DEFAULT, threads: int = 2) -> dict:
    """Detect over a store and replace its maritime events atomically; returns the run report."""
    from sanctionwatch.store.events import write_events

    t0 = time.perf_counter()
    pos, rep = load(store)
    read_s = time.perf_counter() - t0
    table, report = detect(pos, rep, params, threads)
    write_events(store, "maritime", table)
    report["timings"]["read_s"] = round(read_s, 3)
    return report
