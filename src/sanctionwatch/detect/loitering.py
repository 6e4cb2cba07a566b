"""loitering: one vessel slow (< 2 kn, smoothed) for hours away from any port (GFW loitering definition)."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, new_segment, point_rows, runs, sample_idx, segment_ids
from sanctionwatch.detect.near import near_any_port
from sanctionwatch.detect.params import LoiteringParams

HOUR_MS = 3_600_000


def loitering(track: pl.DataFrame, ports: pl.DataFrame, params: LoiteringParams = LoiteringParams()) -> list[dict]:
    """Loitering events from main-track fixes (sorted by mmsi, t, with `spd`) of one or many vessels."""
    if track.height == 0:
        return []
    smooth = track.select(pl.col("spd").rolling_median(params.smooth_points, center=True, min_samples=1)
                          .over("mmsi").alias("s"))["s"].fill_null(np.inf).to_numpy()
    mmsi, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    slow = smooth < params.max_speed_kn
    if params.class_a_only and "msg_type" in track.columns:
        slow &= track["msg_type"].is_in([1, 2, 3]).fill_null(False).to_numpy()
    cand = np.flatnonzero(slow)
    away = np.zeros(t.size, bool)
    away[cand] = ~near_any_port(track["lat"].to_numpy()[cand], track["lon"].to_numpy()[cand], ports,
                                params.min_port_distance_km, edge=True)
    seg = segment_ids(track)
    brk = new_segment(seg)
    brk[1:] |= np.diff(t) > params.max_report_gap_h * HOUR_MS
    starts, stops = runs(slow & away, brk)
    keep = []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        end = int(t[b]) if b < t.size and seg[b] == seg[a] and t[b] - t[b - 1] <= params.max_report_gap_h * HOUR_MS \
            else int(t[b - 1]) + 1000
        if end - t[a] >= params.min_duration_h * HOUR_MS:
            keep.append((a, b, end))
    pts = point_rows(track, [sample_idx(a, b) for a, b, _ in keep])
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    spd = track["spd"].to_numpy()
    out = []
    for (a, b, end), ev in zip(keep, pts, strict=True):
        hours = (end - t[a]) / HOUR_MS
        from sanctionwatch.geo.distance import haversine_km

        span = float(haversine_km(lat[a], lon[a], lat[b - 1], lon[b - 1]))
        out.append(event("loitering", int(mmsi[a]), int(t[a]), end, lat=float(np.median(lat[a:b])),
                         lon=float(np.median(lon[a:b])), confidence=min(0.95, 0.6 + 0.05 * hours),
                         rule=f"median-smoothed speed < {params.max_speed_kn} kn for {hours:.1f} h "
                              f"(>= {params.min_duration_h} h), > {params.min_port_distance_km} km from any port area",
                         hours=round(hours, 2), n_positions=b - a, mean_speed_kn=round(float(np.nanmean(spd[a:b])), 2),
                         net_displacement_km=round(span, 2), positions=ev,
                         thresholds={"max_speed_kn": params.max_speed_kn, "min_duration_h": params.min_duration_h,
                                     "min_port_distance_km": params.min_port_distance_km,
                                     "max_report_gap_h": params.max_report_gap_h}))
    return out
