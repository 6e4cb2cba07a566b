"""gap: >= min_gap_h without a report, classified by where it started, whether it ended, and what the data saw.

Every gap carries `gap_class` = {"start": "at_sea" | "in_port", "end": "closed" | "open",
"coverage": "received_nearby" | "coverage_hole" | "no_data"}, `dark` (true only when it started at sea and
other vessels kept being received near its last or next fix: the silence can be read as AIS switched
off) and `near_area` (the nearest sanctioned port/area within `near_area_km` of the last or next fix).
The `rule` sentence names the class; an open gap says "not seen since T at PLACE" and claims no end
beyond the end of the data. Gaps the data could not have seen (`no_data`: the store holds almost no fix
at all during the silence, e.g. between two archive files years apart), open gaps in port or without
coverage, and silences inside one port stay are not reported; they are counted in the run report. Nor is
a silence the data's own coverage explains: one within `revisit_factor` x the vessel's normal revisit in its
state (stopped / under way; a moored ship under satellite coverage is heard every 3-6 h), one right after the
vessel's first fix (revisit unknown), one between set-aside (off-main-track) positions, or one while the hull
broadcast a borrowed MMSI (`borrowed_identity`, a cross-vessel step run after `rate_gaps` by both engines).
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, iso, new_vessel, point_rows
from sanctionwatch.detect.params import AreaParams, GapParams

HOUR_MS = 3_600_000


def coverage_table(positions: pl.DataFrame, params: GapParams = GapParams()) -> pl.DataFrame:
    """Distinct (cell, hour, vessel) receptions: the reception map gaps are judged against."""
    c = params.coverage_cell_deg
    return (positions.lazy().select(
        (pl.col("lat") / c).floor().cast(pl.Int32).alias("cy"), (pl.col("lon") / c).floor().cast(pl.Int32).alias("cx"),
        (pl.col("t") // HOUR_MS).alias("h"), "mmsi").unique().collect())


def _port_at(lat: np.ndarray, lon: np.ndarray, ports: pl.DataFrame | None, margin_km: float) -> list[dict | None]:
    """Port area (radius + margin) each point lies in, or None."""
    if ports is None or lat.size == 0:
        return [None] * lat.size
    from sanctionwatch.detect.near import lookup

    best, _ = lookup(lat, lon, ports, "margin", margin_km)
    out: list[dict | None] = []
    for b in best.tolist():
        if b < 0:
            out.append(None)
        else:
            r = ports.row(int(b), named=True)
            out.append({"port_id": r["port_id"], "name": r["name"], "locode": r["locode"], "country": r["country"]})
    return out


def _stopped(track: pl.DataFrame, t: np.ndarray, first: np.ndarray, max_kn: float) -> np.ndarray:
    """Per fix: stopped (SOG, else the implied speed from the previous fix of the vessel, below max_kn)."""
    from sanctionwatch.geo.distance import haversine_km

    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    km = np.r_[0.0, np.asarray(haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]), float)] if t.size > 1 else np.zeros(t.size)
    hours = np.maximum(np.r_[0, np.diff(t)] / HOUR_MS, 1e-9)
    implied = np.where(first, np.inf, km / hours / 1.852)
    sog = track["sog"].cast(pl.Float64).to_numpy() if "sog" in track.columns else np.full(t.size, np.nan)
    return np.where(np.isnan(sog), implied, sog) < max_kn


def _revisits(key: np.ndarray, vstart: np.ndarray, t: np.ndarray, stopped: np.ndarray, a: np.ndarray,
              b: np.ndarray, window_ms: int) -> tuple[np.ndarray, np.ndarray]:
    """The vessel's own normal revisit around each silence (a = last fix, b = next fix or -1), in hours:
    the longest interval between consecutive fixes within `window_ms` before a, and within `window_ms`
    after b, counting only intervals that start in the state (stopped or not) of a, resp. b (before a: any
    state when none starts in a's). NaN: no interval (nothing shows how often the data hears this vessel).

    `key` is monotonic over the whole table (vessel number << 42, then time), so one searchsorted bounds
    each window inside its own vessel."""
    step = np.r_[np.diff(t), 0] / HOUR_MS  # interval from each fix to the next (used only inside a vessel)
    lo = np.maximum(np.searchsorted(key, key[a] - window_ms, side="left"), vstart[a])
    bb = np.where(b >= 0, b, a)
    hi = np.searchsorted(key, key[bb] + window_ms, side="right") - 1  # last fix within the window after b
    r_start, r_end = np.full(a.size, np.nan), np.full(a.size, np.nan)
    for k, (i, j, l0, h1) in enumerate(zip(a.tolist(), b.tolist(), lo.tolist(), hi.tolist(), strict=True)):
        w = step[l0:i]  # intervals ending at or before the last fix; same state first, else any state
        if w.size:
            same = w[stopped[l0:i] == stopped[i]]
            r_start[k] = (same if same.size else w).max()
        if j >= 0:
            w = step[j:h1][stopped[j:h1] == stopped[j]]  # intervals ending at or before the window's last fix
            if w.size:
                r_end[k] = w.max()
    return r_start, r_end


def gaps(track: pl.DataFrame, params: GapParams = GapParams(), data_end_ms: int | None = None,
         ports: pl.DataFrame | None = None, areas: pl.DataFrame | None = None,
         area_params: AreaParams = AreaParams()) -> list[dict]:
    """Gap candidates (coverage not yet applied: see rate_gaps) from fixes sorted by (mmsi, t).

    Each candidate records the port area its last/next fix is in (`start_port`, `end_port`) and the
    sanctioned place nearest them (`near_area`); `rate_gaps` adds coverage and the class.
    """
    if track.height == 0:
        return []
    mmsi, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    first = new_vessel(mmsi)
    dt = np.r_[0, np.diff(t)]
    gmin = params.min_gap_h * HOUR_MS
    idx = np.flatnonzero(~first & (dt >= gmin))  # i: first fix after the gap, i-1: last before
    # positions in the lookback window before each gap, same vessel: search a key that is monotonic over the
    # whole table (vessel number, then time), all in int64
    vidx = np.cumsum(first) - 1
    t_rel = t - t.min()
    key = (vidx << 42) + t_rel
    look = int(params.lookback_h * HOUR_MS)
    vstart = np.flatnonzero(first)[vidx]

    def n_before(i: np.ndarray) -> np.ndarray:
        """Fixes in [t_i - lookback, t_i] of the same vessel, for row indices i."""
        lo = np.searchsorted(key, (vidx[i] << 42) + np.maximum(t_rel[i] - look, 0), side="left")
        return i + 1 - np.maximum(lo, vstart[i])

    before = n_before(idx - 1) if idx.size else idx
    cands = [(int(i - 1), int(i), int(t[i]), int(nb)) for i, nb in zip(idx.tolist(), np.atleast_1d(before).tolist(),
                                                                          strict=True)]
    if data_end_ms is not None:  # silent until the end of the feed: went dark and never came back
        last = np.flatnonzero(np.r_[first[1:], True])
        last = last[data_end_ms - t[last] >= gmin]
        cands += [(int(j), -1, int(data_end_ms), int(nb)) for j, nb in zip(last.tolist(), n_before(last).tolist(),
                                                                            strict=True)]
    if not cands:
        return []
    pts = point_rows(track, [[a] + ([b] if b >= 0 else []) for a, b, _, _ in cands])
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    a_i = np.array([c[0] for c in cands])
    b_i = np.array([c[1] for c in cands])
    closed = b_i >= 0
    stopped = _stopped(track, t, first, params.stopped_max_kn)
    on_track = track["on_track"].to_numpy() if "on_track" in track.columns else None
    r_start, r_end = _revisits(key, vstart, t, stopped, a_i, b_i, int(params.revisit_window_h * HOUR_MS))
    # last and next fixes of every candidate in one batch (next = last for open gaps)
    ends = np.r_[a_i, np.where(closed, b_i, a_i)]
    port_of = _port_at(lat[ends], lon[ends], ports, params.in_port_margin_km)
    near: list = [(None, [])] * ends.size
    if ports is not None and areas is not None:
        from sanctionwatch.detect.near import near_sanctioned

        countries = dict(kv.split("=", 1) for kv in area_params.area_countries if "=" in kv)
        near = near_sanctioned(lat[ends], lon[ends], ports, areas, area_params.port_countries, countries,
                               params.near_area_km)
    from sanctionwatch.geo.distance import haversine_km

    n = len(cands)
    out = []
    for k, ((a, b, end, nb), ev) in enumerate(zip(cands, pts, strict=True)):
        hours = (end - t[a]) / HOUR_MS
        moved = round(float(haversine_km(lat[a], lon[a], lat[b], lon[b])), 2) if b >= 0 else None
        (na, ins_a), (nb_, ins_b) = near[k], near[n + k]
        options = [(x, at) for x, at in ((na, "last_fix"), (nb_ if b >= 0 else None, "next_fix")) if x is not None]
        near_area = None
        if options:  # ports before areas (see near_sanctioned), then the closer one
            x, at = min(options, key=lambda o: (o[0]["kind"] != "port", o[0]["distance_km"]))
            near_area = {**x, "at": at}
        rs, re_ = r_start[k], r_end[k] if b >= 0 else np.nan
        off_track = on_track is not None and not on_track[a] and (b < 0 or not on_track[b])
        revisit = {"state_at_last_fix": "stopped" if stopped[a] else "under_way",
                   "state_at_next_fix": ("stopped" if stopped[b] else "under_way") if b >= 0 else None,
                   "own_revisit_before_h": None if np.isnan(rs) else round(float(rs), 2),
                   "own_revisit_after_h": None if np.isnan(re_) else round(float(re_), 2),
                   "window_h": params.revisit_window_h, "factor": params.revisit_factor}
        out.append(event("gap", int(mmsi[a]), int(t[a]), end, lat=lat[a], lon=lon[a],
                         country=near_area["country"] if near_area else None, confidence=0.5,
                         rule=f"no report for {hours:.1f} h (>= {params.min_gap_h} h)",
                         hours=round(hours, 2), positions_before=nb, open_ended=b < 0, moved_km=moved,
                         start_port=port_of[k], end_port=port_of[n + k] if b >= 0 else None,
                         near_area=near_area, near_sanctioned_area=near_area is not None,
                         inside_areas=sorted(set(ins_a) | (set(ins_b) if b >= 0 else set())),
                         revisit=revisit, off_main_track=bool(off_track),
                         positions=ev, thresholds={"min_gap_h": params.min_gap_h, "lookback_h": params.lookback_h,
                                                   "min_positions_before": params.min_positions_before,
                                                   "near_area_km": params.near_area_km}))
    return out


def _place(fix: dict, port: dict | None) -> str:
    """'at Fremantle (AUFRE)' or 'at 39.650 N 128.100 E'."""
    if port:
        return f"at {port['name']}" + (f" ({port['locode']})" if port.get("locode") else "")
    la, lo = fix["lat"], fix["lon"]
    return f"at {abs(la):.3f} {'N' if la >= 0 else 'S'} {abs(lo):.3f} {'E' if lo >= 0 else 'W'}"


def _why(ev: dict, cls: dict, dark: bool, end_ms: int, params: GapParams) -> str:
    """The rule sentence: class first, then what was (not) seen, where, and near which sanctioned place."""
    coverage = {"received_nearby": "others received nearby", "coverage_hole": "coverage hole (few others received)",
                "no_data": "no data in the store"}[cls["coverage"]]
    start = "started in port" if cls["start"] == "in_port" else "started at sea"
    last = ev["positions"][0]
    where = _place(last, ev.get("start_port"))
    if cls["end"] == "open":
        head = (f"{'dark ' if dark else ''}gap ({start}, still open, {coverage}): not seen since {last['ts']} {where}; "
                f"silent >= {ev['hours']:.1f} h until the end of the data ({iso(end_ms)})")
    else:
        head = (f"{'dark ' if dark else ''}gap ({start}, closed, {coverage}): no report for {ev['hours']:.1f} h "
                f"(>= {params.min_gap_h} h) after {last['ts']} {where}; seen again {ev['moved_km']} km away")
    rv = ev.get("revisit") or {}
    normal = max((x for x in (rv.get("own_revisit_before_h"), rv.get("own_revisit_after_h")) if x is not None),
                 default=None)
    if normal:
        head += f"; {ev['hours'] / normal:.1f} x its normal revisit here ({normal:.2f} h)"
    na = ev.get("near_area")
    if na:
        kind = "sanctioned port" if na["kind"] == "port" else "sanctioned area"
        fix = "last fix" if na["at"] == "last_fix" else "next fix"
        head += f"; {fix} {na['distance_km']} km from {na['name']} ({kind})"
    if ev.get("inside_areas"):
        head += f", inside {', '.join(ev['inside_areas'])}"
    return head


RATE_BATCH_GAPS = 2000  # gaps per coverage join in rate_gaps (bounds memory; results do not depend on it)


def rate_gaps(events: list[dict], coverage: pl.DataFrame, params: GapParams = GapParams(),
              counter: dict[str, int] | None = None, data_hours: np.ndarray | None = None) -> list[dict]:
    """Classify gap candidates by coverage, set `gap_class`, `dark`, confidence and the rule sentence;
    returns the reported gaps and counts the others in `counter` by reason.

    `coverage`: the reception map (coverage_table) around the gaps; `data_hours`: sorted distinct hours
    (epoch ms // 1 h) with any fix in the store (default: the hours of `coverage`, which must then be the
    whole map). Work is linear in the number of gaps x sampled hours (at most coverage_max_hours each).
    """
    if not events:
        return events
    from sanctionwatch.store.events import evidence_json

    counter = counter if counter is not None else {}
    if data_hours is None:
        data_hours = np.sort(coverage["h"].unique().to_numpy()) if coverage.height else np.zeros(0, np.int64)
    data_hours = np.asarray(data_hours, np.int64)
    c = params.coverage_cell_deg
    evs = [json.loads(e["evidence"]) for e in events]
    ks, hs, cells = [], [], []
    n_h, share = [], []
    for k, (e, ev) in enumerate(zip(events, evs, strict=True)):
        h0, h1 = int(e["start"].timestamp() * 1000) // HOUR_MS + 1, int(e["end"].timestamp() * 1000) // HOUR_MS
        span = max(1, h1 - h0)
        with_data = int(np.searchsorted(data_hours, h1, "left") - np.searchsorted(data_hours, h0, "left"))
        share.append(with_data / span if h1 > h0 else 1.0)
        hrs = np.arange(h0, max(h0, h1))
        if hrs.size > params.coverage_max_hours:
            hrs = np.linspace(h0, h1 - 1, params.coverage_max_hours).round().astype(np.int64)
        ks.append(np.full(hrs.size, k))
        hs.append(hrs)
        n_h.append(hrs.size)
        for fix in ev["positions"][:2]:  # cells around the last fix and (closed gaps) the next one
            cells.append((k, int(np.floor(fix["lat"] / c)), int(np.floor(fix["lon"] / c)), e["mmsi"]))
    cell_df = pl.DataFrame(cells, schema={"k": pl.Int64, "cy0": pl.Int32, "cx0": pl.Int32, "own": pl.Int32},
                           orient="row")
    offs = pl.DataFrame({"dy": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dx": [-1, 0, 1] * 3},
                        schema={"dy": pl.Int32, "dx": pl.Int32})
    around = (cell_df.join(offs, how="cross")
              .select("k", "own", (pl.col("cy0") + pl.col("dy")).alias("cy"), (pl.col("cx0") + pl.col("dx")).alias("cx"))
              .unique())
    q = pl.DataFrame({"k": np.concatenate(ks), "h": np.concatenate(hs).astype(np.int64)}).join(
        around, on="k", maintain_order="left")  # k ascending: batches below are slices
    # joined in batches of gaps: the join multiplies each (gap, hour, cell) by the vessels received there, which
    # under a receiver outage (every vessel of a port silent at once) is large; batches bound the peak (issue 19)
    bounds = np.searchsorted(q["k"].to_numpy(), np.arange(0, len(events) + RATE_BATCH_GAPS, RATE_BATCH_GAPS))
    hits = []
    for a, b in itertools.pairwise(bounds.tolist()):
        part = q.slice(a, b - a)
        hits.append(part.join(coverage, on=["cy", "cx", "h"], how="inner").filter(pl.col("mmsi") != pl.col("own"))
                    .group_by("k").agg(pl.col("h").n_unique().alias("hours_seen"),
                                       pl.col("mmsi").n_unique().alias("others")))
    by_k = {r["k"]: r for h in hits for r in h.iter_rows(named=True)}

    def count(reason: str) -> None:
        counter[reason] = counter.get(reason, 0) + 1

    kept = []
    for k, (e, ev) in enumerate(zip(events, evs, strict=True)):
        r = by_k.get(k)
        frac = (r["hours_seen"] / max(1, n_h[k])) if r else 0.0
        opened = bool(ev["open_ended"])
        strong_before = ev["positions_before"] >= params.min_positions_before
        seen_h = (r or {}).get("hours_seen", 0)
        covered = frac >= params.nearby_min_share or (strong_before and seen_h >= params.dense_min_other_hours)
        cov = "no_data" if share[k] < params.min_data_share else "received_nearby" if covered else "coverage_hole"
        start = "in_port" if ev.get("start_port") else "at_sea"
        cls = {"start": start, "end": "open" if opened else "closed", "coverage": cov}
        dark = start == "at_sea" and cov == "received_nearby"
        conf = 0.4 + (0.25 if strong_before else 0.0) + 0.35 * frac
        if not dark:  # not evidence of AIS switched off: kept visible, weighted low
            conf = min(conf, 0.3)
        ev["coverage"] = {"hours_sampled": n_h[k], "hours_with_others_received": (r or {}).get("hours_seen", 0),
                          "other_vessels_received": (r or {}).get("others", 0),
                          "hours_with_any_data_share": round(share[k], 3),
                          "cells": f"3x3 cells of {c} deg around the last and next fix"}
        ev["gap_class"], ev["dark"] = cls, dark
        ev["reading"] = ("others were received nearby during the gap: transponder likely off" if dark else
                         "started in port: a berthed ship's silence is not dark activity" if start == "in_port" else
                         "little or no reception of other vessels nearby: possibly a coverage hole")
        end_ms = int(e["end"].timestamp() * 1000)
        ev["rule"] = _why(ev, cls, dark, end_ms, params)
        same_stay = (not opened and ev.get("start_port") and ev.get("end_port")
                     and ev["start_port"]["port_id"] == ev["end_port"]["port_id"])
        rv = ev.get("revisit") or {}
        normal = max((x for x in (rv.get("own_revisit_before_h"), rv.get("own_revisit_after_h")) if x is not None),
                     default=None)
        if cov == "no_data":
            count("gap_no_data")
        elif ev.get("off_main_track"):
            count("gap_off_main_track")  # between positions the track builder set aside (spoofed / second hull)
        elif rv and rv.get("own_revisit_before_h") is None:
            count("gap_revisit_unknown")  # no interval before the silence: how often this ship is heard is unknown
        elif rv and normal is not None and ev["hours"] < params.revisit_factor * normal:
            count("gap_within_normal_revisit")
        elif same_stay:
            count("gap_inside_one_port_stay")
        elif opened and start == "in_port":
            count("open_ended_gap_in_port")
        elif opened and (frac < params.open_ended_min_coverage or ev["hours"] < params.open_ended_min_h):
            count("open_ended_gap_without_coverage")
        else:
            e["evidence"] = evidence_json(**ev)
            e["confidence"] = round(conf, 3)
            kept.append(e)
    return kept


def borrowed_identity(events: list[dict], fixes: pl.DataFrame, params: GapParams = GapParams(),
                      counter: dict[str, int] | None = None) -> list[dict]:
    """Drop closed gaps during which the hull kept transmitting under another MMSI (counted
    `gap_borrowed_identity`): an MMSI twin's own identity falls silent while it broadcasts a borrowed one.

    Explained when another MMSI B was received, all within the silence,
    - within reach of A's last fix (`identity_max_speed_kn` from it, since it fell silent) at most
      `revisit_factor` x A's revisit before it (clipped to `identity_window_h`) later, but not within reach of
      it within one such revisit before it: B appears on A's path only once A is silent, and
    - within reach of A's next fix as shortly before it (A's revisit after), but not within one revisit after:
      B leaves A's path when A is heard again.
    - and B's own fix before the first (after the last) of these is not reachable from it, or B has none: B's
      track jumps onto A's path and off it again (two hulls on B).
    A ship that merely sails the same way (a convoy or STS partner, heard before and after) is within reach on
    both sides and explains nothing; B's real ship, elsewhere, is out of reach (two hulls on B).
    `fixes`: every fix of every vessel (mmsi, t, lat, lon). Work: per closed gap, the fixes of two windows of
    at most `identity_window_h` (fixes sorted by time once).
    """
    closed = [k for k, e in enumerate(events) if not json.loads(e["evidence"]).get("open_ended")]
    if not closed or fixes.height == 0:
        return events
    from sanctionwatch.geo.distance import haversine_km

    counter = counter if counter is not None else {}
    f = fixes.select("mmsi", "t", "lat", "lon").sort("mmsi", "t", "lat", "lon")  # ties: the engines' order
    m, t = f["mmsi"].to_numpy(), f["t"].to_numpy()
    lat, lon = f["lat"].to_numpy(), f["lon"].to_numpy()
    order = np.argsort(t, kind="stable")
    ts = t[order]
    kmh = params.identity_max_speed_kn * 1.852
    noise = params.identity_noise_km

    def reachable(i: int, j: int) -> bool:
        """Fix j reachable from fix i (either order in time) at the hull's top speed."""
        d = float(haversine_km(lat[i], lon[i], lat[j], lon[j]))
        return d <= noise + kmh * abs(int(t[j]) - int(t[i])) / HOUR_MS

    def window(h: float | None, factor: float = params.revisit_factor) -> int:
        w = factor * (h if h is not None else 0.0)
        return int(min(max(w, 1.0), params.identity_window_h) * HOUR_MS)

    def near(p: dict, t0: int, t1: int, own: int, after: bool) -> dict[int, int]:
        """Per other MMSI: its first (after=True) or last fix in (t0, t1) within reach of fix p."""
        rows = order[np.searchsorted(ts, t0, "right"):np.searchsorted(ts, t1, "left")]
        rows = rows[m[rows] != own]
        if rows.size == 0:
            return {}
        d = np.asarray(haversine_km(p["lat"], p["lon"], lat[rows], lon[rows]), float)
        dt_h = np.abs(t[rows] - p["t"]) / HOUR_MS
        rows = rows[d <= noise + kmh * dt_h]
        out: dict[int, int] = {}
        for r in (rows if after else rows[::-1]).tolist():
            out.setdefault(int(m[r]), r)
        return out

    drop = set()
    for k in closed:
        e = events[k]
        ev = json.loads(e["evidence"])
        rv = ev.get("revisit") or {}
        t1, t2 = int(e["start"].timestamp() * 1000), int(e["end"].timestamp() * 1000)
        p1 = {"t": t1, "lat": ev["positions"][0]["lat"], "lon": ev["positions"][0]["lon"]}
        p2 = {"t": t2, "lat": ev["positions"][-1]["lat"], "lon": ev["positions"][-1]["lon"]}
        w_out = window(rv.get("own_revisit_before_h"))
        out = near(p1, t1, min(t2, t1 + w_out), e["mmsi"], True)
        if not out:
            continue
        w_back = window(rv.get("own_revisit_after_h") or rv.get("own_revisit_before_h"))
        back = near(p2, max(t1, t2 - w_back), t2, e["mmsi"], False)
        # B within reach of A's last fix up to it (of its next fix from it on), within one revisit: B was there
        w_b, w_a = (window(h, 1.0) for h in (rv.get("own_revisit_before_h"), rv.get("own_revisit_after_h")
                                               or rv.get("own_revisit_before_h")))
        there_before = near(p1, t1 - w_b, t1 + 1, e["mmsi"], True)
        there_after = near(p2, t2 - 1, t2 + w_a, e["mmsi"], True)
        for b, r1 in out.items():
            r3 = back.get(b)
            if r3 is None or t[r3] <= t[r1] or b in there_before or b in there_after:
                continue
            jump_on = r1 == 0 or m[r1 - 1] != b or not reachable(r1 - 1, r1)
            jump_off = r3 + 1 >= m.size or m[r3 + 1] != b or not reachable(r3, r3 + 1)
            if jump_on and jump_off:
                drop.add(k)
                break
    for _ in drop:
        counter["gap_borrowed_identity"] = counter.get("gap_borrowed_identity", 0) + 1
    return [e for k, e in enumerate(events) if k not in drop]
