"""loitering: one vessel slow (< 2 kn, smoothed) for hours away from any port (GFW loitering definition).

Two kinds of slow stretch at sea are not loitering (docs/detectors.md "loitering"):
- the vessel says why it is slow: its reported navigational status (ITU-R M.1371 message 1-3 field, e.g.
  7 'engaged in fishing') is one of `LoiteringParams.explained_nav_status` on most fixes around (a rolling
  median over the same window as the speed, so one stale status does not split or make a run);
- the stretch is not physically joined to the rest of the vessel's fixes: the vessel's fix right before its
  first or right after its last (any track segment) is farther than the vessel could sail at the fastest
  speed it ever reports (a drift broadcast at a made-up position in place of the real track: one side of the
  jump is not this ship, so its "loitering" is not evidence; the spoofing detector reports the jump). When
  the MMSI is also heard elsewhere *during* the stretch, two transmitters share it at once (a second hull):
  the jump says nothing about this one's drift, and the stretch is judged as any other.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, new_segment, point_rows, runs, sample_idx, segment_ids
from sanctionwatch.detect.near import near_any_port
from sanctionwatch.detect.params import LoiteringParams
from sanctionwatch.geo.distance import haversine_km

HOUR_MS = 3_600_000
KN_KMH = 1.852


def _explained_by_status(track: pl.DataFrame, params: LoiteringParams) -> np.ndarray:
    """Per fix: the vessel reports a status that explains slow movement (rolling median of the 0/1 flag)."""
    if not params.explained_nav_status or "nav_status" not in track.columns:
        return np.zeros(track.height, bool)
    codes = [int(c) for c in params.explained_nav_status]  # `--set` overrides arrive as strings
    flag = pl.col("nav_status").cast(pl.Int64).is_in(codes).fill_null(False).cast(pl.Float64)
    med = track.select(flag.rolling_median(params.smooth_points, center=True, min_samples=1).over("mmsi")
                       .alias("e"))["e"].to_numpy()
    return med > 0.5


def _jumps(fixes: pl.DataFrame, params: LoiteringParams) -> tuple[np.ndarray, np.ndarray]:
    """Per on-track fix (in main-track order): (step in from the previous fix, step out to the next fix) is
    farther than noise + jump_speed_factor x max(the vessel's fastest reported SOG, jump_min_speed_kn) x time
    (neighbours in time over all segments; a vessel with no SOG at all is not tested)."""
    m, t = fixes["mmsi"].to_numpy(), fixes["t"].to_numpy()
    lat, lon = fixes["lat"].to_numpy(), fixes["lon"].to_numpy()
    n = fixes.height
    vmax = fixes.select(pl.col("sog").cast(pl.Float64).filter(pl.col("sog") <= params.jump_max_sog_kn).max()
                        .over("mmsi").alias("v"))["v"].to_numpy().astype(float)
    bad = np.zeros(max(n - 1, 0), bool)
    if n > 1:
        d = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
        dt_h = (t[1:] - t[:-1]) / HOUR_MS
        v = np.fmax(vmax[1:], params.jump_min_speed_kn)
        reach = params.jump_noise_km + params.jump_speed_factor * v * KN_KMH * dt_h
        bad = (m[1:] == m[:-1]) & np.isfinite(vmax[1:]) & (d > reach)
    jump_in = np.r_[False, bad]
    jump_out = np.r_[bad, False]
    on = fixes["on_track"].to_numpy()
    return jump_in[on], jump_out[on]


def _concurrent(fixes: pl.DataFrame, mmsi: np.ndarray, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
    """Per stretch: the MMSI has an off-track fix strictly between t0 and t1 (another transmitter meanwhile)."""
    off = fixes.filter(~pl.col("on_track")).select("mmsi", "t").sort("mmsi", "t")
    om, ot = off["mmsi"].to_numpy(), off["t"].to_numpy()
    out = np.zeros(mmsi.size, bool)
    for i in range(mmsi.size):
        lo, hi = np.searchsorted(om, mmsi[i], "left"), np.searchsorted(om, mmsi[i], "right")
        k = lo + int(np.searchsorted(ot[lo:hi], t0[i], "right"))
        out[i] = k < hi and ot[k] < t1[i]
    return out


def _status_codes(track: pl.DataFrame) -> np.ndarray:
    """nav_status per fix as int64, -1 where none was reported (a null, or NaN from a float column)."""
    s = track["nav_status"]
    if s.dtype.is_float():
        s = s.fill_nan(None)
    return s.fill_null(-1).cast(pl.Int64).to_numpy()


def loitering(track: pl.DataFrame, ports: pl.DataFrame, params: LoiteringParams = LoiteringParams(),
              fixes: pl.DataFrame | None = None) -> list[dict]:
    """Loitering events from main-track fixes (sorted by mmsi, t, with `spd`) of one or many vessels.

    `fixes`: all of these vessels' fixes with `seg`/`on_track` (tracks.build_tracks, whose on-track rows are
    `track`): enables the jump test at the ends of a slow stretch; without it that test is skipped.
    """
    if track.height == 0:
        return []
    smooth = track.select(pl.col("spd").rolling_median(params.smooth_points, center=True, min_samples=1)
                          .over("mmsi").alias("s"))["s"].fill_null(np.inf).to_numpy()
    mmsi, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    slow = smooth < params.max_speed_kn
    if params.class_a_only and "msg_type" in track.columns:
        slow &= track["msg_type"].is_in([1, 2, 3]).fill_null(False).to_numpy()
    slow &= ~_explained_by_status(track, params)
    cand = np.flatnonzero(slow)
    away = np.zeros(t.size, bool)
    away[cand] = ~near_any_port(track["lat"].to_numpy()[cand], track["lon"].to_numpy()[cand], ports,
                                params.min_port_distance_km, edge=True)
    seg = segment_ids(track)
    brk = new_segment(seg)
    # stretches: slow at sea within one segment, whatever the silences inside; the jump test is on their ends
    st_a, st_b = runs(slow & away, brk)
    jumped = np.zeros(st_a.size, bool)
    if fixes is not None and st_a.size:
        if int(fixes["on_track"].sum()) != track.height:
            raise ValueError("loitering: `fixes` must be the tracks whose on-track rows are `track`")
        j_in, j_out = _jumps(fixes, params)
        jumped = j_in[st_a] | j_out[st_b - 1]
        if jumped.any():  # heard elsewhere during the stretch: two transmitters at once, not a replaced track
            jumped[_concurrent(fixes, mmsi[st_a], t[st_a], t[st_b - 1]) & jumped] = False
    brk[1:] |= np.diff(t) > params.max_report_gap_h * HOUR_MS
    starts, stops = runs(slow & away, brk)
    keep = []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        if jumped[int(np.searchsorted(st_a, a, side="right")) - 1]:
            continue
        end = int(t[b]) if b < t.size and seg[b] == seg[a] and t[b] - t[b - 1] <= params.max_report_gap_h * HOUR_MS \
            else int(t[b - 1]) + 1000
        if end - t[a] >= params.min_duration_h * HOUR_MS:
            keep.append((a, b, end))
    pts = point_rows(track, [sample_idx(a, b) for a, b, _ in keep])
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    spd = track["spd"].to_numpy()
    nav = _status_codes(track) if "nav_status" in track.columns else None
    out = []
    for (a, b, end), ev in zip(keep, pts, strict=True):
        hours = (end - t[a]) / HOUR_MS
        span = float(haversine_km(lat[a], lon[a], lat[b - 1], lon[b - 1]))
        status = {}
        if nav is not None:
            codes, counts = np.unique(nav[a:b], return_counts=True)
            status = {("unknown" if c < 0 else str(int(c))): int(k) for c, k in zip(codes, counts, strict=True)}
        out.append(event("loitering", int(mmsi[a]), int(t[a]), end, lat=float(np.median(lat[a:b])),
                         lon=float(np.median(lon[a:b])), confidence=min(0.95, 0.6 + 0.05 * hours),
                         rule=f"median-smoothed speed < {params.max_speed_kn} kn for {hours:.1f} h "
                              f"(>= {params.min_duration_h} h), > {params.min_port_distance_km} km from any port area",
                         hours=round(hours, 2), n_positions=b - a, mean_speed_kn=round(float(np.nanmean(spd[a:b])), 2),
                         net_displacement_km=round(span, 2), nav_status_reported=status, positions=ev,
                         thresholds={"max_speed_kn": params.max_speed_kn, "min_duration_h": params.min_duration_h,
                                     "min_port_distance_km": params.min_port_distance_km,
                                     "max_report_gap_h": params.max_report_gap_h,
                                     "explained_nav_status": [int(c) for c in params.explained_nav_status],
                                     "jump_speed_factor": params.jump_speed_factor}))
    return out
