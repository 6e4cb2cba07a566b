"""identity_change by handover: one MMSI falls silent for good and a brand-new one continues its track.

An identity swapped at sea (a hull broadcasting another ship's MMSI, name and IMO) leaves no static-data
link between old and new; the track does. Proximity alone is not evidence (in busy waters ships start and
stop transmitting next to each other all the time, and every receiver outage or file edge ends and starts
hundreds of tracks at once), so a handover needs all of:

- the old MMSI is never heard again and the new one was never heard before, in the whole input (so each
  MMSI offers at most one end and one start: candidates are bounded by the number of MMSIs, not by silences);
- the new first fix is within `handover_max_min` and `handover_max_km` of where the old track, carried on at
  its last velocity, would be, and speed and course agree (kinematic continuity);
- the feed was receiving there a full window before the start and a full window after the end (otherwise
  the start/end is the edge of a file or of a coverage hole, not a switch);
- few other tracks start or end nearby around that time (local density of track boundaries), otherwise a
  coincidence is likely.

Candidates are found by joining ends to starts on (time bucket, grid cell) keys with a 2 x 3 x 3 neighbourhood
and kept to the `handover_max_candidates` nearest per end: no all-pairs loop, memory linear in MMSIs.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event
from sanctionwatch.detect.identity import flag_of
from sanctionwatch.detect.params import IdentityParams

KM_PER_DEG = 111.195
KN = 1.852  # km/h per knot


def _boundaries(df: pl.DataFrame, w: int, min_span: int) -> pl.DataFrame:
    """Per MMSI: first and last fix, and a velocity (km/h east, north) over the first/last window of fixes."""
    t = pl.col("t")

    def vel(sel: pl.Expr, first: bool) -> list[pl.Expr]:
        # edge fix and the farthest fix within the window next to it: their displacement / elapsed time
        lat, lon, tt = (pl.col(c).filter(sel) for c in ("lat", "lon", "t"))
        pick = (lambda e: e.last()) if first else (lambda e: e.first())
        return [pick(lat).alias("_la"), pick(lon).alias("_lo"), pick(tt).alias("_t")]

    first = df.group_by("mmsi").agg(
        t.first().alias("t"), pl.col("lat").first().alias("lat"), pl.col("lon").first().alias("lon"),
        pl.col("at").first().alias("at"), *vel(t <= t.first() + w, True))
    last = df.group_by("mmsi").agg(
        t.last().alias("t"), pl.col("lat").last().alias("lat"), pl.col("lon").last().alias("lon"),
        pl.col("at").last().alias("at"), *vel(t >= t.last() - w, False))

    def with_v(b: pl.DataFrame, sign: float) -> pl.DataFrame:
        dt_h = (pl.col("t") - pl.col("_t")).abs() / 3.6e6
        coslat = (pl.col("lat").radians()).cos()
        ok = (pl.col("t") - pl.col("_t")).abs() >= min_span
        ve = sign * (pl.col("lon") - pl.col("_lo")) * KM_PER_DEG * coslat / dt_h
        vn = sign * (pl.col("lat") - pl.col("_la")) * KM_PER_DEG / dt_h
        return b.with_columns(pl.when(ok).then(ve).alias("ve"), pl.when(ok).then(vn).alias("vn")).drop(
            "_la", "_lo", "_t")

    # first window: velocity = (later - first) / dt -> sign -1 on (first - later); last: (last - earlier) / dt
    return with_v(first, -1.0), with_v(last, 1.0)


def _cell(lat: pl.Expr, lon: pl.Expr, deg: float) -> tuple[pl.Expr, pl.Expr]:
    return (lat / deg).floor().cast(pl.Int32), (lon / deg).floor().cast(pl.Int32)


def _near_counts(points: pl.DataFrame, table: pl.DataFrame, deg: float, b_ms: int, dbs: range) -> pl.Series:
    """For each row of points (qid, lat, lon, t): rows of table (lat, lon, t, mmsi) in the 3 x 3 cells around it
    and the time buckets `b + k` (k in dbs), excluding the pair's own MMSIs (old, new); only cells in use are read."""
    cy, cx = _cell(pl.col("lat"), pl.col("lon"), deg)
    offs = pl.DataFrame({"dy": [dy for dy in (-1, 0, 1) for _ in (-1, 0, 1) for _ in dbs],
                         "dx": [dx for _ in (-1, 0, 1) for dx in (-1, 0, 1) for _ in dbs],
                         "db": [db for _ in (-1, 0, 1) for _ in (-1, 0, 1) for db in dbs]},
                        schema={"dy": pl.Int32, "dx": pl.Int32, "db": pl.Int64})
    q = points.with_columns(cy.alias("cy"), cx.alias("cx"), (pl.col("t") // b_ms).alias("b")).join(
        offs, how="cross").select("qid", "old", "new", (pl.col("cy") + pl.col("dy")).alias("cy"),
                                  (pl.col("cx") + pl.col("dx")).alias("cx"), (pl.col("b") + pl.col("db")).alias("b"))
    keys = q.select("cy", "cx", "b").unique()
    tb = table.select(cy.alias("cy"), cx.alias("cx"), (pl.col("t") // b_ms).alias("b"), "mmsi").join(
        keys, on=["cy", "cx", "b"], how="semi").unique()
    hit = q.join(tb, on=["cy", "cx", "b"]).filter((pl.col("mmsi") != pl.col("old")) & (pl.col("mmsi") != pl.col("new")))
    n = hit.group_by("qid").agg(pl.col("mmsi").n_unique().alias("n"))
    return points.select("qid").join(n, on="qid", how="left")["n"].fill_null(0)


def handovers(tracks: pl.DataFrame, params: IdentityParams = IdentityParams(), data_start_ms: int | None = None,
              data_end_ms: int | None = None, report: dict | None = None) -> list[dict]:
    """Handover events from all fixes (build_tracks output: mmsi, t, seg, lat, lon, source, src_line): one-way
    handovers (below) and round trips (`round_trips`).

    `report`, when given, receives how many candidates each test kept (the detect run report's `handover`)."""
    if tracks.height == 0:
        return []
    p = params
    at = (pl.col("source").cast(pl.String) + ":" + pl.col("src_line").cast(pl.String)).alias("at")
    cols = ["mmsi", "t", "lat", "lon", at] + (["seg"] if "seg" in tracks.columns else [])
    df = tracks.select(cols).filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    if df.height == 0:
        return []
    df = df.sort("mmsi", "t")
    trips = round_trips(df, p, report)
    taken = {(e["mmsi"], e["other_mmsi"]) for e in trips}
    return trips + [e for e in _one_way(df.drop("seg", strict=False), p, data_start_ms, data_end_ms, report)
                    if (e["mmsi"], e["other_mmsi"]) not in taken]


def _one_way(df: pl.DataFrame, p: IdentityParams, data_start_ms: int | None, data_end_ms: int | None,
             report: dict | None) -> list[dict]:
    """One MMSI's last fix in the store meets another's first (see the module docstring)."""
    w = int(p.handover_max_min * 60_000)
    lo = data_start_ms if data_start_ms is not None else int(df["t"].min())
    hi = data_end_ms if data_end_ms is not None else int(df["t"].max())
    first, last = _boundaries(df, w, int(p.handover_min_track_min * 60_000))
    cy, cx = _cell(pl.col("lat"), pl.col("lon"), p.handover_cell_deg)
    ends = last.filter(pl.col("t") < hi - w).select(
        pl.col("mmsi").alias("old"), pl.col("t").alias("t1"), pl.col("lat").alias("lat1"), pl.col("lon").alias("lon1"),
        pl.col("at").alias("at1"), pl.col("ve").alias("ve1"), pl.col("vn").alias("vn1"), (pl.col("t") // w).alias("b"),
        cy.alias("cy"), cx.alias("cx"))
    starts = first.filter(pl.col("t") > lo + w).select(
        pl.col("mmsi").alias("new"), pl.col("t").alias("t0"), pl.col("lat").alias("lat0"), pl.col("lon").alias("lon0"),
        pl.col("at").alias("at0"), pl.col("ve").alias("ve0"), pl.col("vn").alias("vn0"), (pl.col("t") // w).alias("b0"),
        cy.alias("cy0"), cx.alias("cx0"))
    counts = {"ends": ends.height, "starts": starts.height}
    if ends.height == 0 or starts.height == 0:
        _merge(report, counts)
        return []
    # a start in bucket b0 pairs with ends in b0 or b0 - 1 (t0 - t1 <= w), cells +-1 (cell >= max_km)
    offs = pl.DataFrame({"k": [k for k in (0, 1) for _ in range(9)], "dy": [dy for _ in (0, 1) for dy in (-1, 0, 1)
                                                                            for _ in range(3)],
                         "dx": [dx for _ in (0, 1) for _ in range(3) for dx in (-1, 0, 1)]},
                        schema={"k": pl.Int64, "dy": pl.Int32, "dx": pl.Int32})
    keyed = starts.join(offs, how="cross").with_columns(
        (pl.col("b0") - pl.col("k")).alias("b"), (pl.col("cy0") + pl.col("dy")).alias("cy"),
        (pl.col("cx0") + pl.col("dx")).alias("cx")).drop("k", "dy", "dx")
    cand = keyed.join(ends, on=["b", "cy", "cx"]).filter(
        (pl.col("old") != pl.col("new")) & (pl.col("t0") >= pl.col("t1")) & (pl.col("t0") - pl.col("t1") <= w))
    from sanctionwatch.geo.distance import haversine_km

    if cand.height:
        d = haversine_km(cand["lat1"].to_numpy(), cand["lon1"].to_numpy(), cand["lat0"].to_numpy(),
                         cand["lon0"].to_numpy())
        cand = cand.with_columns(pl.Series("km", np.asarray(d, float))).filter(pl.col("km") <= p.handover_max_km)
        # bounded fan-out: the nearest few starts per end (a port full of boundaries cannot blow up memory)
        cand = cand.sort("km", "t0", "new").group_by("old", maintain_order=True).head(p.handover_max_candidates)
    counts["proximity_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts)
        return []
    # kinematic continuity: both velocities known; the new first fix is where the old track was heading;
    # speeds agree; courses agree when under way
    dt_h = (pl.col("t0") - pl.col("t1")) / 3.6e6
    coslat = pl.col("lat1").radians().cos()
    pe = (pl.col("lon0") - pl.col("lon1")) * KM_PER_DEG * coslat - pl.col("ve1") * dt_h
    pn = (pl.col("lat0") - pl.col("lat1")) * KM_PER_DEG - pl.col("vn1") * dt_h
    s1 = (pl.col("ve1") ** 2 + pl.col("vn1") ** 2).sqrt() / KN
    s0 = (pl.col("ve0") ** 2 + pl.col("vn0") ** 2).sqrt() / KN
    c1 = pl.arctan2(pl.col("ve1"), pl.col("vn1")).degrees()
    c0 = pl.arctan2(pl.col("ve0"), pl.col("vn0")).degrees()
    dc = ((c0 - c1 + 540) % 360 - 180).abs()
    cand = cand.with_columns((pe ** 2 + pn ** 2).sqrt().alias("pred_km"), s1.alias("sog1"), s0.alias("sog0"),
                             dc.alias("dcourse"))
    under_way = (pl.col("sog1") >= p.handover_underway_kn) & (pl.col("sog0") >= p.handover_underway_kn)
    kin = (pl.col("ve1").is_not_null() & pl.col("ve0").is_not_null() & (pl.col("pred_km") <= p.handover_max_km)
           & ((pl.col("sog1") - pl.col("sog0")).abs() <= p.handover_speed_tol_kn)
           & (~under_way | (pl.col("dcourse") <= p.handover_course_tol_deg)))
    cand = cand.filter(kin)
    counts["kinematic_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts)
        return []
    cand = cand.sort("pred_km", "t1", "old", "new").unique(["new"], keep="first").unique(["old"], keep="first")
    cand = cand.with_row_index("qid")
    # coverage: any fix received nearby a full window before the start and after the end (edge of a file,
    # of a receiver's range or of an outage otherwise); the pair's own fixes count (the old one received before
    # the start shows the feed was live there)
    cb = max(1, w // 2)
    allfix = df.select("mmsi", "t", "lat", "lon")
    before = cand.select("qid", "old", "new", pl.col("lat0").alias("lat"), pl.col("lon0").alias("lon"),
                         (pl.col("t0") - w).alias("t")).with_columns(pl.lit(-1, pl.Int32).alias("old"),
                                                                       pl.lit(-1, pl.Int32).alias("new"))
    after = before.with_columns((cand["t1"] + w).alias("t"), cand["lat1"].alias("lat"), cand["lon1"].alias("lon"))
    cov_deg = p.handover_coverage_cell_deg
    seen_before = _near_counts(before, allfix, cov_deg, cb, range(0, 1))
    seen_after = _near_counts(after, allfix, cov_deg, cb, range(0, 1))
    cand = cand.with_columns(seen_before.alias("cov_before"), seen_after.alias("cov_after")).filter(
        (pl.col("cov_before") > 0) & (pl.col("cov_after") > 0))
    counts["covered_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts)
        return []
    # density: other track boundaries (first or last fix of any other MMSI) near the pair within +- the
    # density window; where ships often appear/disappear (port, edge of coverage) a handover is chance
    bnd = pl.concat([first.select("mmsi", "t", "lat", "lon"), last.select("mmsi", "t", "lat", "lon")])
    dw = int(p.handover_density_window_h * 3.6e6)
    mid = cand.select("qid", "old", "new", pl.col("lat1").alias("lat"), pl.col("lon1").alias("lon"),
                      pl.col("t1").alias("t"))
    cand = cand.with_columns(_near_counts(mid, bnd, p.handover_density_cell_deg, dw, range(-1, 2)).alias("nearby"))
    cand = cand.filter(pl.col("nearby") <= p.handover_max_nearby_boundaries)
    counts["kept"] = cand.height
    _merge(report, counts)
    out = []
    for r in cand.sort("t1", "old").iter_rows(named=True):
        mins = (r["t0"] - r["t1"]) / 60_000
        of, nf = flag_of(r["old"]), flag_of(r["new"])
        out.append(event("identity_change", int(r["old"]), int(r["t1"]), int(r["t0"]), other_mmsi=int(r["new"]),
                         lat=r["lat1"], lon=r["lon1"], country=nf, confidence=0.7 if r["nearby"] == 0 else 0.55,
                         rule=f"handover: MMSI {r['old']} fell silent for good and MMSI {r['new']} (never heard before)"
                              f" started {mins:.1f} min later {r['km']:.2f} km away, on the same course and speed "
                              f"({r['sog1']:.1f} -> {r['sog0']:.1f} kn, {r['pred_km']:.2f} km from the extrapolated "
                              f"track; {r['nearby']} other track starts/ends nearby)",
                         scope="track", changes={"mmsi": {"old": str(r["old"]), "new": str(r["new"])},
                                                 **({"flag": {"old": of, "new": nf, "from": "MMSI MID (ITU table)"}}
                                                    if of != nf else {})},
                         last_old={"ts_ms": r["t1"], "lat": r["lat1"], "lon": r["lon1"], "at": r["at1"],
                                   "sog_kn": round(r["sog1"], 1)},
                         first_new={"ts_ms": r["t0"], "lat": r["lat0"], "lon": r["lon0"], "at": r["at0"],
                                    "sog_kn": round(r["sog0"], 1)},
                         distance_km=round(float(r["km"]), 3), minutes=round(mins, 1),
                         extrapolation_error_km=round(float(r["pred_km"]), 3),
                         course_change_deg=round(float(r["dcourse"]), 1), nearby_boundaries=int(r["nearby"]),
                         thresholds={k: getattr(p, k) for k in (
                             "handover_max_min", "handover_max_km", "handover_speed_tol_kn", "handover_course_tol_deg",
                             "handover_density_window_h", "handover_max_nearby_boundaries")}))
    return out


def _merge(report: dict | None, counts: dict, prefix: str = "") -> None:
    if report is not None:
        counts = {prefix + k: v for k, v in counts.items()}
        for k, v in counts.items():
            report[k] = report.get(k, 0) + v


def round_trips(df: pl.DataFrame, p: IdentityParams = IdentityParams(), report: dict | None = None) -> list[dict]:
    """Identity borrowed for a while: MMSI A falls silent, MMSI B appears where A stopped, and when B's track
    ends A is heard again where B stopped (a hull broadcasting another identity for one voyage, then back).

    Input: fixes sorted by (mmsi, t) with mmsi, t, lat, lon, at and optionally seg (a twin on a shared MMSI has
    its own segment, so B may be a real ship transmitting elsewhere at the same time). Needed, all of:
    - A is silent (no fix anywhere) for >= `handover_return_min_silence_h` (a silence a gap would report);
    - B has a piece of track (its segment, bounded by silences of that length or the segment's ends) that
      starts within `handover_max_min` / `handover_max_km` after A's last fix and ends as close before
      A's next fix: both ends of the silence meet B's track, which a chance neighbour does not do twice;
    - A was seen again >= `handover_return_min_move_km` from where it fell silent (the hull sailed under B:
      two berth neighbours powering on and off in turn never move).
    Two events: A -> B at the first switch and B -> A at the return. Candidates meet in (time bucket, cell)
    keys as for one-way handovers: linear in silences and pieces.
    """
    if df.height == 0:
        return []
    w = int(p.handover_max_min * 60_000)
    s_ms = int(p.handover_return_min_silence_h * 3.6e6)
    seg = "seg" if "seg" in df.columns else None
    nxt = [pl.col(c).shift(-1).over("mmsi") for c in ("t", "lat", "lon", "at")]
    sil = df.with_columns(*[e.alias(f"{c}2") for e, c in zip(nxt, ("t", "lat", "lon", "at"), strict=True)]).filter(
        pl.col("t2") - pl.col("t") >= s_ms)
    cy, cx = _cell(pl.col("lat"), pl.col("lon"), p.handover_cell_deg)
    sil = sil.select(pl.col("mmsi").alias("old"), pl.col("t").alias("t1"), pl.col("lat").alias("lat1"),
                     pl.col("lon").alias("lon1"), pl.col("at").alias("at1"), pl.col("t2"), pl.col("lat2"),
                     pl.col("lon2"), pl.col("at2"), (pl.col("t") // w).alias("b"), cy.alias("cy"), cx.alias("cx"))
    keys = ["mmsi"] + ([seg] if seg else [])
    pieces = df.sort(*keys, "t").with_columns(
        ((pl.col("t") - pl.col("t").shift(1).over(keys)).fill_null(s_ms) >= s_ms).cum_sum().over(keys).alias("_p"))
    pieces = pieces.group_by(*keys, "_p").agg(
        pl.col("t").first().alias("t0"), pl.col("lat").first().alias("lat0"), pl.col("lon").first().alias("lon0"),
        pl.col("at").first().alias("at0"), pl.col("t").last().alias("t3"), pl.col("lat").last().alias("lat3"),
        pl.col("lon").last().alias("lon3"), pl.col("at").last().alias("at3"), pl.len().alias("n")).filter(
        pl.col("n") >= 2)
    counts = {"silences": sil.height, "pieces": pieces.height}
    if sil.height == 0 or pieces.height == 0:
        _merge(report, counts, "round_trip_")
        return []
    cy0, cx0 = _cell(pl.col("lat0"), pl.col("lon0"), p.handover_cell_deg)
    offs = pl.DataFrame({"k": [k for k in (0, 1) for _ in range(9)],
                         "dy": [dy for _ in (0, 1) for dy in (-1, 0, 1) for _ in range(3)],
                         "dx": [dx for _ in (0, 1) for _ in range(3) for dx in (-1, 0, 1)]},
                        schema={"k": pl.Int64, "dy": pl.Int32, "dx": pl.Int32})
    keyed = pieces.select(pl.col("mmsi").alias("new"), "t0", "lat0", "lon0", "at0", "t3", "lat3", "lon3", "at3",
                          (pl.col("t0") // w).alias("b0"), cy0.alias("cy0"), cx0.alias("cx0")).join(
        offs, how="cross").with_columns((pl.col("b0") - pl.col("k")).alias("b"), (pl.col("cy0") + pl.col("dy"))
                                        .alias("cy"), (pl.col("cx0") + pl.col("dx")).alias("cx"))
    cand = keyed.join(sil, on=["b", "cy", "cx"]).filter(
        (pl.col("old") != pl.col("new")) & (pl.col("t0") >= pl.col("t1")) & (pl.col("t0") - pl.col("t1") <= w)
        & (pl.col("t3") <= pl.col("t2")) & (pl.col("t2") - pl.col("t3") <= w))
    counts["time_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts, "round_trip_")
        return []
    from sanctionwatch.geo.distance import haversine_km

    def km(a: str, b: str) -> pl.Series:
        return pl.Series(np.asarray(haversine_km(cand[f"lat{a}"].to_numpy(), cand[f"lon{a}"].to_numpy(),
                                                 cand[f"lat{b}"].to_numpy(), cand[f"lon{b}"].to_numpy()), float))

    cand = cand.with_columns(km("1", "0").alias("km_out"), km("3", "2").alias("km_back"), km("1", "2").alias("moved"))
    cand = cand.filter((pl.col("km_out") <= p.handover_max_km) & (pl.col("km_back") <= p.handover_max_km)
                       & (pl.col("moved") >= p.handover_return_min_move_km))
    counts["kept"] = cand.height
    _merge(report, counts, "round_trip_")
    cand = (cand.with_columns((pl.col("km_out") + pl.col("km_back")).alias("_d"))
            .sort("_d", "t1", "old", "new").unique(["old", "t1"], keep="first").unique(["new", "t0"], keep="first"))
    out = []
    th = {k: getattr(p, k) for k in ("handover_max_min", "handover_max_km", "handover_return_min_silence_h",
                                      "handover_return_min_move_km")}
    for r in cand.sort("t1", "old").iter_rows(named=True):
        a, b = int(r["old"]), int(r["new"])
        fa, fb = flag_of(a), flag_of(b)
        hours = (r["t2"] - r["t1"]) / 3.6e6
        common = dict(scope="track", pattern="round_trip", silence_h=round(hours, 2), moved_km=round(r["moved"], 3),
                      old_last={"ts_ms": r["t1"], "lat": r["lat1"], "lon": r["lon1"], "at": r["at1"]},
                      other_first={"ts_ms": r["t0"], "lat": r["lat0"], "lon": r["lon0"], "at": r["at0"]},
                      other_last={"ts_ms": r["t3"], "lat": r["lat3"], "lon": r["lon3"], "at": r["at3"]},
                      old_again={"ts_ms": r["t2"], "lat": r["lat2"], "lon": r["lon2"], "at": r["at2"]},
                      thresholds=th)
        story = (f"MMSI {a} fell silent for {hours:.1f} h; MMSI {b} appeared {(r['t0'] - r['t1']) / 60_000:.1f} min "
                 f"later {r['km_out']:.2f} km away and its track ended {(r['t2'] - r['t3']) / 60_000:.1f} min before "
                 f"{a} was heard again {r['km_back']:.2f} km from it, {r['moved']:.1f} km from where {a} fell silent: "
                 "one hull under two identities")

        def changes(o: int, n: int, fo: str | None, fn: str | None) -> dict:
            return {"mmsi": {"old": str(o), "new": str(n)},
                    **({"flag": {"old": fo, "new": fn, "from": "MMSI MID (ITU table)"}} if fo != fn else {})}

        out.append(event("identity_change", a, r["t1"], r["t0"], other_mmsi=b, lat=r["lat1"], lon=r["lon1"],
                         country=fb, confidence=0.8, rule=f"round trip, switch: {story}",
                         changes=changes(a, b, fa, fb), distance_km=round(r["km_out"], 3), **common))
        out.append(event("identity_change", b, r["t3"], r["t2"], other_mmsi=a, lat=r["lat3"], lon=r["lon3"],
                         country=fa, confidence=0.8, rule=f"round trip, return: {story}",
                         changes=changes(b, a, fb, fa), distance_km=round(r["km_back"], 3), **common))
    return out
