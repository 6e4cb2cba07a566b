"""Embedded engine: runs the detector functions over a store on this machine (Polars/numba, all cores).

The per-vessel work is one pure function over a partition of whole vessels (`vessel_events`), the very
function a Spark executor would call per `groupBy(mmsi)` group; encounters and gap coverage work on
(time bucket, cell) keyed tables; identity and destination checks on static reports.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import numpy as np
import polars as pl
import pyarrow as pa

from sanctionwatch.detect import evidence
from sanctionwatch.detect.areas import sanctioned_areas
from sanctionwatch.detect.destinations import (
    destination_mismatches,
    resolved_declarations,
    sanctioned_targets,
)
from sanctionwatch.detect.encounters import encounters
from sanctionwatch.detect.gaps import borrowed_identity, coverage_table, gaps, rate_gaps
from sanctionwatch.detect.handover import handovers
from sanctionwatch.detect.identity import identity_changes
from sanctionwatch.detect.loitering import loitering
from sanctionwatch.detect.near import ports_table
from sanctionwatch.detect.params import DEFAULT, DetectParams
from sanctionwatch.detect.port_calls import port_calls
from sanctionwatch.detect.quality import split_invalid
from sanctionwatch.detect.quality import summary as quality_summary
from sanctionwatch.detect.spoofing import spoofing
from sanctionwatch.detect.tracks import all_fixes, build_tracks, main_track
from sanctionwatch.progress import ProgressFn
from sanctionwatch.progress import report as report_progress
from sanctionwatch.store.layout import Store, write_tracks

# nav_status: loitering reads the reported navigational status (ITU-R M.1371; 7 = engaged in fishing)
POSITION_COLS = ["ts", "mmsi", "lat", "lon", "sog", "msg_type", "nav_status", "source", "src_line"]
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
                  areas: pl.DataFrame | None = None, data_end_ms: int | None = None, presorted: bool = False
                  ) -> tuple[list[dict], pl.DataFrame, pl.DataFrame, dict]:
    """Per-vessel detectors over a partition of whole vessels: (events, main track, all fixes, track report)."""
    ports = ports_table() if ports is None else ports
    if areas is None:
        from sanctionwatch.geo.areas import load_areas

        areas = load_areas()
    positions, invalid = split_invalid(positions)  # placeholder/invalid MMSIs: counted, never a vessel
    tracks, report = build_tracks(positions, params.track, presorted=presorted)
    report.update(invalid)
    main = main_track(tracks, params.track)
    calls = port_calls(main, ports, params.port_call, params.area.port_countries, data_end_ms, tracks,
                       params.track.max_silence_h)
    ev = calls + gaps(all_fixes(tracks), params.gap, data_end_ms, ports, areas, params.area)
    ev += loitering(main, ports, params.loitering, tracks)
    ev += spoofing(tracks, params.spoofing, params.track, report)
    ev += sanctioned_areas(main, areas, params.area, calls)
    return ev, main, tracks, report


FEED_END_QUANTILE = 0.9  # "end of data" = when 90 % of vessels had sent their last fix (a few late stragglers,
# e.g. one vessel of a feed extract running on, must not make everyone else look like they went dark)


def feed_end_ms(positions: pl.DataFrame) -> int | None:
    """End of the feed for 'silent until the end' rules: the FEED_END_QUANTILE of per-MMSI last fix times."""
    if positions.height == 0:
        return None
    last = positions.group_by("mmsi").agg(pl.col("ts").max())["ts"].dt.epoch("ms")
    return int(last.quantile(FEED_END_QUANTILE, interpolation="lower"))


def _partitions(df: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    """Split rows sorted by MMSI into n contiguous partitions of whole vessels (concatenation stays sorted)."""
    if n <= 1 or df.height == 0:
        return [df]
    m = df["mmsi"].to_numpy()
    cuts = [0]
    for k in range(1, n):
        i = int(np.searchsorted(m, m[min(df.height - 1, k * df.height // n)], side="left"))
        if i > cuts[-1]:
            cuts.append(i)
    cuts.append(df.height)
    return [df.slice(a, b - a) for a, b in itertools.pairwise(cuts) if b > a]


PARTS_PER_THREAD = 4  # vessel partitions per worker thread: finer progress and better balance (uneven
# partitions otherwise leave a thread idle); results do not depend on the partitioning (detectors are per vessel)


def detect(positions: pl.DataFrame, reports: pl.DataFrame, params: DetectParams = DEFAULT, threads: int = 2,
           ports: pl.DataFrame | None = None, progress: ProgressFn | None = None) -> tuple[pa.Table, dict]:
    """All maritime detectors over in-memory tables: (events table, run report with counts and timings).

    `progress(stage, done, total)` (sanctionwatch.progress): position rows through the per-vessel detectors,
    then the fleet-wide steps (gap coverage, encounters, identity, destinations)."""
    t0 = time.perf_counter()
    explained: dict[str, int] = {}
    ports = ports_table() if ports is None else ports
    from sanctionwatch.geo.areas import load_areas

    areas = load_areas()
    data_end = feed_end_ms(positions)
    positions = positions.sort(["mmsi", "ts", "lat", "lon"])  # once; partitions stay sorted
    parts = _partitions(positions, max(1, threads) * PARTS_PER_THREAD)
    results: list = [None] * len(parts)
    stage, done = "detect: per-vessel detectors (position rows)", 0
    report_progress(progress, stage, 0, positions.height)
    with ThreadPoolExecutor(max(1, threads)) as pool:
        futures = {pool.submit(vessel_events, p, params, ports, areas, data_end, True): i for i, p in enumerate(parts)}
        for f in as_completed(futures):  # reported from this thread, as partitions finish
            results[futures[f]] = f.result()
            done += parts[futures[f]].height
            report_progress(progress, stage, done, positions.height)
    fleet = "detect: fleet-wide steps (gap coverage, encounters, identity, destinations)"
    report_progress(progress, fleet, 0, 4)
    timings = {"vessel_detectors_s": time.perf_counter() - t0}
    events = [e for r in results for e in r[0]]
    main = pl.concat([r[1] for r in results])  # partitions are contiguous MMSI ranges: already sorted
    tracks = pl.concat([r[2] for r in results])
    track_report: dict = {}
    for r in results:
        for k, v in r[3].items():
            track_report[k] = track_report.get(k, []) + v if isinstance(v, list) else track_report.get(k, 0) + v
    t1 = time.perf_counter()
    gap_ev = [e for e in events if e["type"] == "gap"]
    if gap_ev:
        kept = rate_gaps(gap_ev, coverage_table(tracks, params.gap), params.gap, explained)
        kept = borrowed_identity(kept, tracks, params.gap, explained)  # an MMSI twin's own silent identity
        events = [e for e in events if e["type"] != "gap"] + kept
    timings["gap_coverage_s"] = time.perf_counter() - t1
    report_progress(progress, fleet, 1, 4)
    t1 = time.perf_counter()
    enc = encounters(main, ports, params.encounter)
    events = _drop_explained(events, enc, "loitering", params.loitering.max_encounter_overlap, explained)
    events += enc
    timings["encounters_s"] = time.perf_counter() - t1
    report_progress(progress, fleet, 2, 4)
    t1 = time.perf_counter()
    n_reports = reports.height
    reports, reports_invalid = split_invalid(reports)
    ids = identity_changes(reports, params.identity)
    linked = {(e["mmsi"], e["other_mmsi"]) for e in ids}
    t_start = int(tracks["t"].min()) if tracks.height else None
    handover_report: dict = {}
    ids += [e for e in handovers(tracks, params.identity, t_start, data_end, handover_report)
            if (e["mmsi"], e["other_mmsi"]) not in linked]
    events = _drop_explained(events, [e for e in ids if e["other_mmsi"]], "gap", 0.0, explained, starts_within_ms=3_600_000)
    events += ids
    report_progress(progress, fleet, 3, 4)
    calls = [e for e in events if e["type"] == "port_call"]
    last_seen = {}
    if main.height:
        last_seen = dict(main.group_by("mmsi").agg(pl.col("t").max()).iter_rows())
    events += destination_mismatches(calls, resolved_declarations(reports), ports, last_seen, data_end,
                                     params.destination, main.select("mmsi", "t", "lat", "lon"),
                                     sanctioned_targets(ports, params.area, params.destination, areas))
    timings["reports_s"] = time.perf_counter() - t1
    report_progress(progress, fleet, 4, 4)
    seen: set[str] = set()
    uniq = [e for e in events if not (e["event_id"] in seen or seen.add(e["event_id"]))]  # type: ignore[func-returns-value]
    uniq.sort(key=lambda e: (e["start"], e["type"], e["mmsi"] or 0))
    table = evidence.table(uniq)
    counts = {str(t): int(c) for t, c in zip(*np.unique(np.array([e["type"] for e in uniq] or [""]), return_counts=True),
                                         strict=True) if t}
    timings["total_s"] = time.perf_counter() - t0
    data_quality = quality_summary(track_report, reports_invalid)
    report = {"positions": positions.height, "vessel_reports": n_reports, "events": table.num_rows,
              "by_type": counts, "tracks": track_report, "data_quality": data_quality, "not_reported_explained": explained, "handover": handover_report,
              "timings": {k: round(v, 3) for k, v in timings.items()}}
    return table, report


def _drop_explained(events: list[dict], by: list[dict], type_: str, min_overlap: float, counter: dict[str, int],
                    starts_within_ms: int | None = None) -> list[dict]:
    """Drop `type_` events explained by `by` events of the same vessel (counted in the run report, by reason).

    Overlap mode: the share of the event's interval covered by one explaining event >= min_overlap
    (loitering inside an encounter). Start mode: an explaining event starts within `starts_within_ms` of it
    (a gap that is really a change of MMSI).
    """
    if not by:
        return events
    idx: dict[int, list[dict]] = {}
    for b in by:
        idx.setdefault(b["mmsi"], []).append(b)
        if b["other_mmsi"] is not None and starts_within_ms is None:
            idx.setdefault(b["other_mmsi"], []).append(b)
    out = []
    for e in events:
        drop = False
        if e["type"] == type_:
            for b in idx.get(e["mmsi"], []):
                if starts_within_ms is not None:
                    drop = abs((b["start"] - e["start"]).total_seconds() * 1000) <= starts_within_ms
                else:
                    ov = (min(b["end"], e["end"]) - max(b["start"], e["start"])).total_seconds()
                    drop = ov > 0 and ov >= min_overlap * (e["end"] - e["start"]).total_seconds()
                if drop:
                    key = f"{type_}_explained_by_{b['type']}"
                    counter[key] = counter.get(key, 0) + 1
                    break
        if not drop:
            out.append(e)
    return out


def run(store: Store, params: DetectParams = DEFAULT, threads: int = 2, progress: ProgressFn | None = None) -> dict:
    """Detect over a store, replace its maritime events atomically and rewrite its per-vessel `tracks` table
    (positions sorted by vessel: the dashboard's track reads); returns the run report. `progress`: reading,
    the detector stages (`detect`), writing (sanctionwatch.progress)."""
    from sanctionwatch.store.events import write_events

    t0 = time.perf_counter()
    report_progress(progress, "detect: reading the store", 0, 1)
    pos, rep = load(store)
    report_progress(progress, "detect: reading the store", 1, 1)
    read_s = time.perf_counter() - t0
    table, report = detect(pos, rep, params, threads, progress=progress)
    report_progress(progress, "detect: writing events and tracks", 0, 2)
    write_events(store, "maritime", table)
    report_progress(progress, "detect: writing events and tracks", 1, 2)
    t1 = time.perf_counter()
    cols = ["mmsi", "ts", "lat", "lon", "sog", "source", "src_line"]
    write_tracks(store, pos.select(cols).filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
                 .to_arrow())
    report["timings"]["tracks_write_s"] = round(time.perf_counter() - t1, 3)
    report_progress(progress, "detect: writing events and tracks", 2, 2)
    report["timings"]["read_s"] = round(read_s, 3)
    return report
