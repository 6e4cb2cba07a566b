"""identity_change by handover: one MMSI falls silent for good and a brand-new one continues its track.

An identity swapped at sea (a hull broadcasting another ship's MMSI, name and IMO) leaves no static-data
link between old and new; the track does. Proximity alone is not evidence (in busy waters ships start and
stop transmitting next to each other all the time, and every receiver outage or file edge ends and starts
hundreds of tracks at once), so a handover needs all of:

- the old MMSI is never heard again and the new one was never heard before, in the whole input (so each
  MMSI offers at most one end and one start: candidates are bounded by the number of MMSIs, not by silences);
- the new first fix is within the window and `handover_max_km` of where the old track, carried on at
  its last velocity, would be, and speed and course agree (kinematic continuity); or both report themselves
  stopped and the new fix is within `handover_moored_km` of the old (a moored hull);
- the window is `handover_max_min` where the feed hears the ships often, and follows the observed revisit of
  the two MMSIs where it does not (`handover_revisit_factor` x the longest pass interval next to the switch,
  up to `handover_max_window_h`): satellite AIS hears a moored ship every 3-6 h;
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


def _boundaries(df: pl.DataFrame, w: int, min_span: int, k: int = 3, cap: int | None = None
                ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per MMSI: first and last fix, and a velocity (km/h east, north) over the first/last window of fixes; the
    reported speed at that fix (`sog`, when the feed has it), the MMSI's fix count `n`, and its revisit `r`: the
    longest of the `k` pass intervals next to the fix (intervals >= min_span, up to `cap`; shorter ones are one
    pass's burst of reports), 0 unless at least two were seen (one interval is a silence, not a revisit: a
    sparse file holding each ship twice a day would otherwise open half-day windows)."""
    t = pl.col("t")
    d = t.diff()
    passes = d.filter((d >= min_span) & (d <= (cap if cap is not None else d.max())))

    def vel(sel: pl.Expr, first: bool) -> list[pl.Expr]:
        # edge fix and the farthest fix within the window next to it: their displacement / elapsed time
        lat, lon, tt = (pl.col(c).filter(sel) for c in ("lat", "lon", "t"))
        pick = (lambda e: e.last()) if first else (lambda e: e.first())
        return [pick(lat).alias("_la"), pick(lon).alias("_lo"), pick(tt).alias("_t")]

    sog = "sog" in df.columns
    first = df.group_by("mmsi").agg(
        t.first().alias("t"), pl.col("lat").first().alias("lat"), pl.col("lon").first().alias("lon"),
        pl.col("at").first().alias("at"), *vel(t <= t.first() + w, True),
        (pl.col("sog").first().cast(pl.Float64) if sog else pl.lit(None, pl.Float64)).alias("sog"),
        pl.len().alias("n"),
        pl.when(passes.head(k).len() >= 2).then(passes.head(k).max()).otherwise(0).alias("r"))
    last = df.group_by("mmsi").agg(
        t.last().alias("t"), pl.col("lat").last().alias("lat"), pl.col("lon").last().alias("lon"),
        pl.col("at").last().alias("at"), *vel(t >= t.last() - w, False),
        (pl.col("sog").last().cast(pl.Float64) if sog else pl.lit(None, pl.Float64)).alias("sog"),
        pl.len().alias("n"),
        pl.when(passes.tail(k).len() >= 2).then(passes.tail(k).max()).otherwise(0).alias("r"))

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


def _window(r_a: pl.Expr, r_b: pl.Expr, p: IdentityParams) -> pl.Expr:
    """Handover window (ms) for a pair: `handover_revisit_factor` x the longer of the two revisits, at least
    `handover_max_min`, at most `handover_max_window_h`, rounded up to whole floors (few distinct windows)."""
    w = int(p.handover_max_min * 60_000)
    wc = max(w, int(p.handover_max_window_h * 3.6e6))
    raw = (pl.max_horizontal(r_a, r_b).cast(pl.Float64) * p.handover_revisit_factor).clip(w, wc)
    return ((raw / w).ceil() * w).cast(pl.Int64).clip(w, wc)


def _sparse(r: pl.Expr, p: IdentityParams) -> pl.Expr:
    """A boundary whose own revisit asks for a window beyond the floor (`handover_max_min`)."""
    return r.cast(pl.Float64) * p.handover_revisit_factor > p.handover_max_min * 60_000


def _bucket_join(ends: pl.DataFrame, starts: pl.DataFrame, b_ms: int, deg: float, s: str = "0", e: str = "1"
                 ) -> pl.DataFrame:
    """Pairs of an end (t{e}, lat{e}, lon{e}) and a later start (t{s}, ...) at most one bucket of `b_ms` apart in
    time and in neighbouring cells of `deg`: a start in bucket b pairs with ends in b or b - 1, cells +-1
    (the caller filters the exact time and distance). Linear in boundaries per (bucket, cell)."""
    cy0, cx0 = _cell(pl.col(f"lat{s}"), pl.col(f"lon{s}"), deg)
    cy1, cx1 = _cell(pl.col(f"lat{e}"), pl.col(f"lon{e}"), deg)
    offs = pl.DataFrame({"k": [k for k in (0, 1) for _ in range(9)],
                         "dy": [dy for _ in (0, 1) for dy in (-1, 0, 1) for _ in range(3)],
                         "dx": [dx for _ in (0, 1) for _ in range(3) for dx in (-1, 0, 1)]},
                        schema={"k": pl.Int64, "dy": pl.Int32, "dx": pl.Int32})
    keyed = starts.with_columns((pl.col(f"t{s}") // b_ms).alias("_b0"), cy0.alias("_cy0"), cx0.alias("_cx0")).join(
        offs, how="cross").select(pl.exclude("_b0", "_cy0", "_cx0", "k", "dy", "dx"),
                                  (pl.col("_b0") - pl.col("k")).alias("_b"), (pl.col("_cy0") + pl.col("dy")).alias("_cy"),
                                  (pl.col("_cx0") + pl.col("dx")).alias("_cx"))
    ek = ends.with_columns((pl.col(f"t{e}") // b_ms).alias("_b"), cy1.alias("_cy"), cx1.alias("_cx"))
    return keyed.join(ek, on=["_b", "_cy", "_cx"]).drop("_b", "_cy", "_cx")


def _tiered_join(ends: pl.DataFrame, starts: pl.DataFrame, p: IdentityParams, sparse_e: pl.Expr, sparse_s: pl.Expr,
                 s: str = "0", e: str = "1") -> pl.DataFrame:
    """All end/start pairs that a window could join: every pair in floor-window buckets, and in long-window
    buckets only pairs with a sparse side (its revisit asks for more). A receiver outage ends and starts
    hundreds of densely received tracks at once; they never enter the long buckets, so memory stays bounded."""
    w = int(p.handover_max_min * 60_000)
    wc = max(w, int(p.handover_max_window_h * 3.6e6))
    deg = p.handover_cell_deg
    parts = [_bucket_join(ends, starts, w, deg, s, e)]
    if wc > w:
        se, ss = ends.filter(sparse_e), starts.filter(sparse_s)
        if se.height:
            parts.append(_bucket_join(se, starts, wc, deg, s, e))
        if ss.height:
            parts.append(_bucket_join(ends.filter(~sparse_e), ss, wc, deg, s, e))
    return pl.concat(parts)


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
    cols = ["mmsi", "t", "lat", "lon", at] + [c for c in ("sog", "seg") if c in tracks.columns]
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
    wc = max(w, int(p.handover_max_window_h * 3.6e6))
    lo = data_start_ms if data_start_ms is not None else int(df["t"].min())
    hi = data_end_ms if data_end_ms is not None else int(df["t"].max())
    first, last = _boundaries(df, w, int(p.handover_min_track_min * 60_000), p.handover_revisit_intervals, wc)
    ends = last.filter(pl.col("t") < hi - w).select(
        pl.col("mmsi").alias("old"), pl.col("t").alias("t1"), pl.col("lat").alias("lat1"), pl.col("lon").alias("lon1"),
        pl.col("at").alias("at1"), pl.col("ve").alias("ve1"), pl.col("vn").alias("vn1"), pl.col("sog").alias("rep1"),
        pl.col("n").alias("n1"), pl.col("r").alias("r1"))
    starts = first.filter(pl.col("t") > lo + w).select(
        pl.col("mmsi").alias("new"), pl.col("t").alias("t0"), pl.col("lat").alias("lat0"), pl.col("lon").alias("lon0"),
        pl.col("at").alias("at0"), pl.col("ve").alias("ve0"), pl.col("vn").alias("vn0"), pl.col("sog").alias("rep0"),
        pl.col("n").alias("n0"), pl.col("r").alias("r0"))
    counts = {"ends": ends.height, "starts": starts.height,
              "sparse_ends": ends.filter(_sparse(pl.col("r1"), p)).height,
              "sparse_starts": starts.filter(_sparse(pl.col("r0"), p)).height}
    if ends.height == 0 or starts.height == 0:
        _merge(report, counts)
        return []
    # the window follows the revisit of the two MMSIs (floor handover_max_min); the pair may not reach past the
    # data's edges by a window (a file starting or ending is not a switch)
    cand = _tiered_join(ends, starts, p, _sparse(pl.col("r1"), p), _sparse(pl.col("r0"), p)).with_columns(
        _window(pl.col("r1"), pl.col("r0"), p).alias("win")).filter(
        (pl.col("old") != pl.col("new")) & (pl.col("t0") >= pl.col("t1")) & (pl.col("t0") - pl.col("t1") <= pl.col("win"))
        & (pl.col("t1") < hi - pl.col("win")) & (pl.col("t0") > lo + pl.col("win"))).unique(["old", "new"])
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
    # speeds agree; courses agree when under way. A hull reporting itself stopped (SOG < handover_underway_kn) at
    # its last (first) fix is moored: velocity 0 (on sparse tracks the window holds no second fix, and the
    # displacement since the previous fix is the approach, not the berth) - unless that displacement is faster
    # than the speed tolerance (a transponder sending 0 kn while it moves); a lone fix is no track
    def moored(i: str) -> pl.Expr:
        spd = (pl.col(f"ve{i}") ** 2 + pl.col(f"vn{i}") ** 2).sqrt() / KN
        return ((pl.col(f"rep{i}") < p.handover_underway_kn) & (spd.is_null() | (spd <= p.handover_speed_tol_kn))
                & (pl.col(f"n{i}") >= 2)).fill_null(False)

    cand = cand.with_columns(moored("1").alias("moored1"), moored("0").alias("moored0"))
    both = pl.col("moored1") & pl.col("moored0")
    cand = cand.with_columns(*[pl.when(both).then(0.0).otherwise(pl.col(c)).alias(c) for c in ("ve1", "vn1", "ve0", "vn0")])
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
           & (~both | (pl.col("km") <= p.handover_moored_km))
           & ((pl.col("sog1") - pl.col("sog0")).abs() <= p.handover_speed_tol_kn)
           & (~under_way | (pl.col("dcourse") <= p.handover_course_tol_deg)))
    cand = cand.filter(kin)
    counts["kinematic_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts)
        return []
    cand = cand.sort("pred_km", "t1", "old", "new").unique(["new"], keep="first", maintain_order=True).unique(
        ["old"], keep="first", maintain_order=True)
    cand = cand.with_row_index("qid")
    # coverage: any fix received nearby a full window before the start and after the end (edge of a file,
    # of a receiver's range or of an outage otherwise); the pair's own fixes count (the old one received before
    # the start shows the feed was live there)
    allfix = df.select("mmsi", "t", "lat", "lon")
    before = cand.select("qid", "win", pl.lit(-1, pl.Int32).alias("old"), pl.lit(-1, pl.Int32).alias("new"),
                         pl.col("lat0").alias("lat"), pl.col("lon0").alias("lon"), (pl.col("t0") - pl.col("win")).alias("t"))
    after = cand.select("qid", "win", pl.lit(-1, pl.Int32).alias("old"), pl.lit(-1, pl.Int32).alias("new"),
                        pl.col("lat1").alias("lat"), pl.col("lon1").alias("lon"), (pl.col("t1") + pl.col("win")).alias("t"))
    cov_deg = p.handover_coverage_cell_deg
    seen_before = _near_counts_by_window(before, allfix, cov_deg, lambda win: max(1, win // 2), range(0, 1))
    seen_after = _near_counts_by_window(after, allfix, cov_deg, lambda win: max(1, win // 2), range(0, 1))
    cand = cand.with_columns(seen_before.alias("cov_before"), seen_after.alias("cov_after")).filter(
        (pl.col("cov_before") > 0) & (pl.col("cov_after") > 0))
    counts["covered_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts)
        return []
    # density: other track boundaries (first or last fix of any other MMSI) near the pair within the density
    # window's bucket and both neighbours, buckets of half the pair's window when that is longer (so +- W/2..W);
    # where ships often appear/disappear (port, edge of coverage) a handover is chance. A boundary within its
    # own window of the data's edges is the edge (a ship first heard one revisit after the data starts was
    # there all along), as for the pair itself.
    own = _window(pl.col("r"), pl.col("r"), p)
    bnd = pl.concat([first.filter(pl.col("t") > lo + own).select("mmsi", "t", "lat", "lon"),
                     last.filter(pl.col("t") < hi - own).select("mmsi", "t", "lat", "lon")])
    dw = int(p.handover_density_window_h * 3.6e6)
    mid = cand.select("qid", "win", "old", "new", pl.col("lat1").alias("lat"), pl.col("lon1").alias("lon"),
                      pl.col("t1").alias("t"))
    cand = cand.with_columns(_near_counts_by_window(mid, bnd, p.handover_density_cell_deg,
                                                    lambda win: max(dw, win // 2), range(-1, 2)).alias("nearby"))
    cand = cand.filter(pl.col("nearby") <= p.handover_max_nearby_boundaries)
    counts["kept"] = cand.height
    counts["kept_long_window"] = cand.filter(pl.col("win") > w).height
    _merge(report, counts)
    out = []
    for r in cand.sort("t1", "old").iter_rows(named=True):
        mins = (r["t0"] - r["t1"]) / 60_000
        of, nf = flag_of(r["old"]), flag_of(r["new"])
        berth = r["moored1"] and r["moored0"]
        how = (f"both reporting themselves stopped ({r['rep1']:.1f} and {r['rep0']:.1f} kn)" if berth else
               f"on the same course and speed ({r['sog1']:.1f} -> {r['sog0']:.1f} kn, {r['pred_km']:.2f} km from the "
               "extrapolated track)")
        win_txt = (f"; window {r['win'] / 60_000:.0f} min = {p.handover_revisit_factor:g} x the observed revisit "
                   f"{max(r['r1'], r['r0']) / 60_000:.0f} min" if r["win"] > w else "")
        conf = (0.7 if r["nearby"] == 0 else 0.55) * (0.85 if r["win"] > w else 1.0)
        out.append(event("identity_change", int(r["old"]), int(r["t1"]), int(r["t0"]), other_mmsi=int(r["new"]),
                         lat=r["lat1"], lon=r["lon1"], country=nf, confidence=round(conf, 3),
                         rule=f"handover: MMSI {r['old']} fell silent for good and MMSI {r['new']} (never heard before)"
                              f" started {mins:.1f} min later {r['km']:.2f} km away, {how}{win_txt}; "
                              f"{r['nearby']} other track starts/ends nearby",
                         scope="track", changes={"mmsi": {"old": str(r["old"]), "new": str(r["new"])},
                                                 **({"flag": {"old": of, "new": nf, "from": "MMSI MID (ITU table)"}}
                                                    if of != nf else {})},
                         last_old={"ts_ms": r["t1"], "lat": r["lat1"], "lon": r["lon1"], "at": r["at1"],
                                   "sog_kn": round(r["sog1"], 1), "reported_sog_kn": r["rep1"]},
                         first_new={"ts_ms": r["t0"], "lat": r["lat0"], "lon": r["lon0"], "at": r["at0"],
                                    "sog_kn": round(r["sog0"], 1), "reported_sog_kn": r["rep0"]},
                         distance_km=round(float(r["km"]), 3), minutes=round(mins, 1), moored=berth,
                         window_min=round(r["win"] / 60_000, 1),
                         revisit_min={"old": round(r["r1"] / 60_000, 1), "new": round(r["r0"] / 60_000, 1)},
                         extrapolation_error_km=round(float(r["pred_km"]), 3),
                         course_change_deg=round(float(r["dcourse"]), 1), nearby_boundaries=int(r["nearby"]),
                         thresholds={k: getattr(p, k) for k in (
                             "handover_max_min", "handover_max_km", "handover_revisit_factor", "handover_max_window_h",
                             "handover_moored_km",
                             "handover_speed_tol_kn", "handover_course_tol_deg",
                             "handover_density_window_h", "handover_max_nearby_boundaries")}))
    return out


def _near_counts_by_window(points: pl.DataFrame, table: pl.DataFrame, deg: float, bucket, dbs: range) -> pl.Series:
    """`_near_counts` with the time bucket set per row from its window `win` (`bucket(win)` ms); rows of one
    window are counted together (windows are whole multiples of the floor, so there are few)."""
    parts = []
    for win in sorted(points["win"].unique().to_list()):
        sub = points.filter(pl.col("win") == win)
        parts.append(sub.select("qid").with_columns(_near_counts(sub.drop("win"), table, deg, int(bucket(win)), dbs)
                                                    .alias("n")))
    return points.select("qid").join(pl.concat(parts), on="qid", how="left")["n"].fill_null(0)


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
      ends within the revisit window (as for one-way handovers) and `handover_max_km` before A's next fix, and
      starts after A's last fix within that end's window (the ceiling when A's revisit there is unknown:
      fewer than 3 fixes), where A was or on B's course leading back to A's last fix within reach: both ends
      of the silence meet B's track, which a chance neighbour does not do twice;
    - A was seen again >= `handover_return_min_move_km` from where it fell silent (the hull sailed under B:
      two berth neighbours powering on and off in turn never move).
    Two events: A -> B at the first switch and B -> A at the return. Candidates meet in (time bucket, cell)
    keys as for one-way handovers: linear in silences and pieces.
    """
    if df.height == 0:
        return []
    w = int(p.handover_max_min * 60_000)
    wc = max(w, int(p.handover_max_window_h * 3.6e6))
    s_ms = int(p.handover_return_min_silence_h * 3.6e6)
    span = int(p.handover_min_track_min * 60_000)
    k = p.handover_revisit_intervals
    seg = "seg" if "seg" in df.columns else None
    nxt = [pl.col(c).shift(-1).over("mmsi") for c in ("t", "lat", "lon", "at")]
    sil = df.with_columns(*[e.alias(f"{c}2") for e, c in zip(nxt, ("t", "lat", "lon", "at"), strict=True)]).filter(
        pl.col("t2") - pl.col("t") >= s_ms)
    sil = sil.select(pl.col("mmsi").alias("old"), pl.col("t").alias("t1"), pl.col("lat").alias("lat1"),
                     pl.col("lon").alias("lon1"), pl.col("at").alias("at1"), pl.col("t2"), pl.col("lat2"),
                     pl.col("lon2"), pl.col("at2"))
    keys = ["mmsi"] + ([seg] if seg else [])
    # pieces of track (bounded by silences >= s_ms or segment ends) with their revisit at both ends (as for
    # one-way handovers: the longest of k pass intervals, 0 unless two were seen) and the velocity leaving
    # the first fix (to the first fix a pass later: satellite bursts are a minute long)
    t = pl.col("t")
    d = t.diff()
    passes = d.filter((d >= span) & (d < min(wc, s_ms)))
    later = t >= t.first() + span
    pieces = df.sort(*keys, "t").with_columns(
        ((pl.col("t") - pl.col("t").shift(1).over(keys)).fill_null(s_ms) >= s_ms).cum_sum().over(keys).alias("_p"))
    pieces = pieces.group_by(*keys, "_p").agg(
        t.first().alias("t0"), pl.col("lat").first().alias("lat0"), pl.col("lon").first().alias("lon0"),
        pl.col("at").first().alias("at0"), t.last().alias("t3"), pl.col("lat").last().alias("lat3"),
        pl.col("lon").last().alias("lon3"), pl.col("at").last().alias("at3"), pl.len().alias("n"),
        pl.when(passes.head(k).len() >= 2).then(passes.head(k).max()).otherwise(0).alias("r0"),
        pl.when(passes.tail(k).len() >= 2).then(passes.tail(k).max()).otherwise(0).alias("r3"),
        t.filter(later).first().alias("_tv"), pl.col("lat").filter(later).first().alias("_lav"),
        pl.col("lon").filter(later).first().alias("_lov"))
    dt_h = (pl.col("_tv") - pl.col("t0")) / 3.6e6
    pieces = pieces.with_columns(
        ((pl.col("_lov") - pl.col("lon0")) * KM_PER_DEG * pl.col("lat0").radians().cos() / dt_h).alias("ve0"),
        ((pl.col("_lav") - pl.col("lat0")) * KM_PER_DEG / dt_h).alias("vn0")).drop("_tv", "_lav", "_lov")
    # A's revisit before its silence (the piece ending at its last fix) and after it (the piece starting at
    # its next fix); fewer than 3 fixes before the silence: A's revisit there is unknown
    a_before = pieces.select(pl.col("mmsi").alias("old"), pl.col("t3").alias("t1"), pl.col("r3").alias("ra1"),
                             pl.col("n").alias("na1")).unique(["old", "t1"])
    a_after = pieces.select(pl.col("mmsi").alias("old"), pl.col("t0").alias("t2"), pl.col("r0").alias("ra2")
                            ).unique(["old", "t2"])
    sil = sil.join(a_before, on=["old", "t1"], how="left").join(a_after, on=["old", "t2"], how="left").with_columns(
        pl.col("ra1").fill_null(0), pl.col("na1").fill_null(k), pl.col("ra2").fill_null(0))
    pieces = pieces.filter(pl.col("n") >= 2).select(pl.col("mmsi").alias("new"), "t0", "lat0", "lon0", "at0", "t3",
                                                    "lat3", "lon3", "at3", "r0", "r3", "ve0", "vn0")
    counts = {"silences": sil.height, "pieces": pieces.height}
    if sil.height == 0 or pieces.height == 0:
        _merge(report, counts, "round_trip_")
        return []
    # candidates meet at the return (B's piece ends, A is heard again): that end is held to the one-way rules
    # (window from the revisit there, handover_max_km); the switch end (A's last fix, B's first) must be
    # within its own window - the ceiling when A's revisit before the silence is unknown - and B's first fix
    # where A was, or on B's course leading back to A's last fix within reach (B left A's berth during the
    # silence, e.g. a moored hull heard every few hours by satellite that sails under B)
    cand = _tiered_join(pieces, sil, p, _sparse(pl.col("r3"), p), _sparse(pl.col("ra2"), p), s="2", e="3")
    w_out = pl.when(pl.col("na1") < k).then(wc).otherwise(_window(pl.col("ra1"), pl.col("r0"), p))
    cand = cand.with_columns(_window(pl.col("r3"), pl.col("ra2"), p).alias("win_back"), w_out.alias("win_out")).filter(
        (pl.col("old") != pl.col("new")) & (pl.col("t3") <= pl.col("t2"))
        & (pl.col("t2") - pl.col("t3") <= pl.col("win_back")) & (pl.col("t0") >= pl.col("t1"))
        & (pl.col("t0") - pl.col("t1") <= pl.col("win_out"))).unique(["old", "t1", "new", "t0"], maintain_order=True)
    counts["time_pairs"] = cand.height
    if cand.height == 0:
        _merge(report, counts, "round_trip_")
        return []
    from sanctionwatch.geo.distance import haversine_km

    def km(a: str, b: str) -> pl.Series:
        return pl.Series(np.asarray(haversine_km(cand[f"lat{a}"].to_numpy(), cand[f"lon{a}"].to_numpy(),
                                                 cand[f"lat{b}"].to_numpy(), cand[f"lon{b}"].to_numpy()), float))

    cand = cand.with_columns(km("1", "0").alias("km_out"), km("3", "2").alias("km_back"), km("1", "2").alias("moved"))
    # B's backward course from its first fix: A's last fix along it (>= 0, within reach at B's speed over the
    # switch silence) and at most handover_max_km off it
    e_ = (pl.col("lon1") - pl.col("lon0")) * KM_PER_DEG * pl.col("lat0").radians().cos()
    n_ = (pl.col("lat1") - pl.col("lat0")) * KM_PER_DEG
    spd = (pl.col("ve0") ** 2 + pl.col("vn0") ** 2).sqrt()
    along = -(e_ * pl.col("ve0") + n_ * pl.col("vn0")) / spd
    cross = (e_ * pl.col("vn0") - n_ * pl.col("ve0")).abs() / spd
    reach = spd * (pl.col("t0") - pl.col("t1")) / 3.6e6 + p.handover_max_km
    led_back = ((spd >= p.handover_underway_kn * KN) & (along >= 0) & (along <= reach)
                & (cross <= p.handover_max_km)).fill_null(False)
    cand = cand.with_columns(led_back.alias("led_back"), cross.alias("cross_km")).filter(
        ((pl.col("km_out") <= p.handover_max_km) | pl.col("led_back")) & (pl.col("km_back") <= p.handover_max_km)
        & (pl.col("moved") >= p.handover_return_min_move_km))
    counts["kept"] = cand.height
    _merge(report, counts, "round_trip_")
    cand = (cand.with_columns((pl.col("km_out") + pl.col("km_back")).alias("_d"))
            .sort("_d", "t1", "old", "new").unique(["old", "t1"], keep="first", maintain_order=True)
            .unique(["new", "t0"], keep="first", maintain_order=True))
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
