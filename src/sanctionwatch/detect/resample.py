"""Regular time grid per vessel: observed steps (mean of the fixes in the step) plus interpolated steps.

GFW's encounter pipeline resamples every track to 10-minute steps before pairing vessels
(pipe-encounters `Resample(increment_s=600, max_gap_s=3600)`), so two ships whose receptions do not
coincide in time can still be compared at the same instant. Here:

* a step with at least one main-track fix of the vessel is **observed**: the mean position / speed of its
  fixes (what the encounter detector has always used on dense terrestrial data, unchanged);
* a step without a fix is **interpolated** linearly between the fix before and the fix after it, but only
  inside one track segment (`tracks.main_track`) and only when that silence is at most
  `EncounterParams.max_interp_gap_h` long. Nothing is extrapolated past the first or last fix of a
  segment (GFW extrapolates up to 1 h; we never invent positions outside the observations).
  The interpolated speed is the larger of the interpolated reported speed and the implied speed across
  the silence (the mean speed over the silence is at least the straight-line speed), so a ship that
  covered distance while silent is never made to look slow.

Every row keeps `obs` (observed or interpolated), the fix before (`prev_t`) and after (`next_t`) the step,
and `i0`/`i1`: row numbers of real fixes (for an interpolated step the two fixes it lies between), so
evidence always cites observations. Plain vectorised Polars/numpy, linear in the rows; works on any
partition of whole vessels (the Spark vessel stage calls it per partition).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.params import EncounterParams

MIN_MS = 60_000
KN_KMH = 1.852

GRID_SCHEMA = {"mmsi": pl.Int32, "bucket": pl.Int64, "lat": pl.Float64, "lon": pl.Float64, "sog": pl.Float64,
               "t0": pl.Int64, "t1": pl.Int64, "i0": pl.Int64, "i1": pl.Int64, "obs": pl.Boolean,
               "prev_t": pl.Int64, "next_t": pl.Int64}


def _segments(track: pl.DataFrame) -> np.ndarray:
    """Segment number per row (`segment` from tracks.main_track, else one per MMSI)."""
    if "segment" in track.columns:
        return track["segment"].to_numpy()
    m = track["mmsi"].to_numpy()
    return np.cumsum(np.r_[True, m[1:] != m[:-1]]) - 1 if m.size else np.zeros(0, np.int64)


def observed_steps(track: pl.DataFrame, step_ms: int) -> pl.DataFrame:
    """One row per (vessel, step) holding fixes: mean lat/lon/speed, first/last fix time and row, fix before/after."""
    b = (track.lazy().with_row_index("i").with_columns((pl.col("t") // step_ms).alias("bucket"))
         .group_by("mmsi", "bucket")
         .agg(pl.col("lat").mean(), pl.col("lon").mean(), pl.col("spd").mean().alias("sog"),
              pl.col("t").min().alias("t0"), pl.col("t").max().alias("t1"),
              pl.col("i").min().cast(pl.Int64).alias("i0"), pl.col("i").max().cast(pl.Int64).alias("i1"))
         .collect())
    m, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    i0, i1 = b["i0"].to_numpy(), b["i1"].to_numpy()
    n = t.size
    has_prev = (i0 > 0) & (m[np.maximum(i0 - 1, 0)] == m[i0]) if n else np.zeros(0, bool)
    has_next = (i1 < n - 1) & (m[np.minimum(i1 + 1, n - 1)] == m[i1]) if n else np.zeros(0, bool)
    prev_t = np.where(has_prev, t[np.maximum(i0 - 1, 0)], 0) if n else np.zeros(0, np.int64)
    next_t = np.where(has_next, t[np.minimum(i1 + 1, n - 1)], 0) if n else np.zeros(0, np.int64)
    return b.with_columns(pl.lit(True).alias("obs"),
                          pl.when(pl.Series(has_prev)).then(pl.Series(prev_t, dtype=pl.Int64)).alias("prev_t"),
                          pl.when(pl.Series(has_next)).then(pl.Series(next_t, dtype=pl.Int64)).alias("next_t"))


def interpolated_steps(track: pl.DataFrame, step_ms: int, max_gap_ms: int, max_speed_kn: float | None = None
                       ) -> pl.DataFrame:
    """Rows for the empty steps strictly inside silences <= max_gap_ms between consecutive fixes of a segment.

    `max_speed_kn`: silences whose implied speed exceeds it are skipped (every step of them would be
    dropped by the caller's speed filter anyway; saves rows on fast tracks).
    """
    n = track.height
    if n < 2:
        return pl.DataFrame(schema=GRID_SCHEMA)
    m, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    spd = track["spd"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    seg = _segments(track)
    dt = t[1:] - t[:-1]
    bk = t // step_ms
    nstep = bk[1:] - bk[:-1] - 1
    ok = (m[1:] == m[:-1]) & (seg[1:] == seg[:-1]) & (dt <= max_gap_ms) & (dt > 0) & (nstep > 0)
    k = np.flatnonzero(ok)
    from sanctionwatch.geo.distance import haversine_km

    km = haversine_km(lat[k], lon[k], lat[k + 1], lon[k + 1])
    implied = km / (dt[k] / 3.6e6) / KN_KMH
    if max_speed_kn is not None:
        keep = implied <= max_speed_kn
        k, implied = k[keep], implied[keep]
    cnt = nstep[k]
    if k.size == 0 or cnt.sum() == 0:
        return pl.DataFrame(schema=GRID_SCHEMA)
    rep = np.repeat(np.arange(k.size), cnt)
    off = np.arange(rep.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    a = k[rep]
    bucket = bk[a] + 1 + off
    tg = bucket * step_ms + step_ms // 2  # the step's centre
    f = (tg - t[a]) / (t[a + 1] - t[a])
    dlon = (lon[a + 1] - lon[a] + 180.0) % 360.0 - 180.0  # shortest way across the dateline
    s0, s1 = spd[a], spd[a + 1]
    s0 = np.where(np.isnan(s0), s1, s0)
    s1 = np.where(np.isnan(s1), s0, s1)
    with np.errstate(invalid="ignore"):
        sog = np.fmax(s0 + f * (s1 - s0), implied[rep])
    return pl.DataFrame({
        "mmsi": pl.Series(m[a], dtype=pl.Int32), "bucket": bucket.astype(np.int64),
        "lat": lat[a] + f * (lat[a + 1] - lat[a]), "lon": (lon[a] + f * dlon + 180.0) % 360.0 - 180.0,
        "sog": sog, "t0": tg.astype(np.int64), "t1": tg.astype(np.int64), "i0": a.astype(np.int64),
        "i1": (a + 1).astype(np.int64), "obs": np.zeros(a.size, bool), "prev_t": t[a].astype(np.int64),
        "next_t": t[a + 1].astype(np.int64)}, schema=GRID_SCHEMA)


def grid(track: pl.DataFrame, params: EncounterParams = EncounterParams(), max_speed_kn: float | None = None
         ) -> pl.DataFrame:
    """Observed and interpolated `bucket_min` steps of main-track fixes (sorted by mmsi, t, with `spd`)."""
    step = params.bucket_min * MIN_MS
    if track.height == 0:
        return pl.DataFrame(schema=GRID_SCHEMA)
    obs = observed_steps(track, step).select(list(GRID_SCHEMA)).cast(GRID_SCHEMA)  # type: ignore[arg-type]
    gap_ms = int(params.max_interp_gap_h * 3_600_000)
    interp = interpolated_steps(track, step, gap_ms, max_speed_kn)
    return pl.concat([obs, interp]) if interp.height else obs
