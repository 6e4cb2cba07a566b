"""Tracks: per-MMSI time-ordered, deduplicated positions, split into physically possible segments.

Each position is attached to the open segment of its MMSI that it can be reached from (implied speed
<= max_speed_kn plus a noise allowance), closest first; otherwise it opens a new segment. The segment
with most positions is the vessel's main track (`on_track`); the others are the spoofing signal
(impossible jumps, one MMSI in two places), kept in the table and never silently dropped.
The main track is then cut into segments at silences longer than `TrackParams.max_silence_h` (`main_track`).
Works on any partition of whole vessels (one vessel, many, all) - the same function under Spark.
"""

from __future__ import annotations

import numba
import numpy as np
import polars as pl

from sanctionwatch.detect.params import TrackParams

KN_KMH = 1.852
_R = 6371.0088


@numba.njit(cache=True, nogil=True)
def _hav(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * _R * np.arcsin(np.sqrt(min(1.0, max(0.0, a))))


@numba.njit(cache=True, nogil=True)
def segment_kernel(mmsi: np.ndarray, t_ms: np.ndarray, lat: np.ndarray, lon: np.ndarray, max_kmh: float,
                   noise_km: float, max_segs: int) -> np.ndarray:
    """Segment id (unique within the input) per row; rows sorted by (mmsi, t)."""
    n = mmsi.shape[0]
    seg = np.empty(n, np.int64)
    s_id = np.empty(max_segs, np.int64)
    s_t = np.empty(max_segs, np.int64)
    s_lat = np.empty(max_segs)
    s_lon = np.empty(max_segs)
    nact = 0
    next_id = 0
    for i in range(n):
        if i == 0 or mmsi[i] != mmsi[i - 1]:
            nact = 0
        best = -1
        best_d = 1e18
        for k in range(nact):
            d = _hav(lat[i], lon[i], s_lat[k], s_lon[k])
            dt_h = (t_ms[i] - s_t[k]) / 3.6e6
            if d <= noise_km + max_kmh * dt_h and d < best_d:
                best, best_d = k, d
        if best < 0:
            if nact < max_segs:
                best = nact
                nact += 1
            else:  # replace the segment silent for longest
                best = 0
                for k in range(1, nact):
                    if s_t[k] < s_t[best]:
                        best = k
            s_id[best] = next_id
            next_id += 1
        seg[i] = s_id[best]
        s_t[best], s_lat[best], s_lon[best] = t_ms[i], lat[i], lon[i]
    return seg


def build_tracks(positions: pl.DataFrame, params: TrackParams = TrackParams(), presorted: bool = False
                 ) -> tuple[pl.DataFrame, dict]:
    """Sorted, deduplicated positions with `t` (ms), `seg` and `on_track`; plus a report of what was set aside.

    `presorted`: the caller guarantees rows are sorted by (mmsi, ts, lat, lon) (the engine sorts once).
    """
    n_in = positions.height
    no_pos = positions.filter(pl.col("lat").is_null() | pl.col("lon").is_null())
    bad = positions.filter((pl.col("lat").abs() > 90) | (pl.col("lon").abs() > 180))
    df = positions.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()
                          & (pl.col("lat").abs() <= 90) & (pl.col("lon").abs() <= 180))
    if "msg_type" in df.columns:
        df = df.filter(pl.col("msg_type") != 4)  # base stations are not vessels
    df = df.with_columns(pl.col("ts").dt.epoch("ms").alias("t"))
    if not presorted:
        df = df.sort(["mmsi", "t", "lat", "lon"])
    # exact duplicates (same vessel, time and position: the same report from two feeds) are adjacent now
    m, t, la, lo = (df[c].to_numpy() for c in ("mmsi", "t", "lat", "lon"))
    dup = np.zeros(df.height, bool)
    dup[1:] = (m[1:] == m[:-1]) & (t[1:] == t[:-1]) & (la[1:] == la[:-1]) & (lo[1:] == lo[:-1])
    n_dup = int(dup.sum())
    if n_dup:
        df = df.filter(pl.Series(~dup))
    seg = segment_kernel(df["mmsi"].to_numpy(), df["t"].to_numpy(), df["lat"].to_numpy(), df["lon"].to_numpy(),
                         params.max_speed_kn * KN_KMH, params.noise_km, params.max_segments)
    df = df.with_columns(pl.Series("seg", seg))
    # main track: the segment covering most 10-minute slots (time coverage, not fix count: a moored ship
    # reports every 3 min, a moving twin every 10 s)
    main = (df.group_by("mmsi", "seg").agg((pl.col("t") // 600_000).n_unique().alias("slots"), pl.len())
            .sort(["mmsi", "slots", "len", "seg"], descending=[False, True, True, False])
            .unique("mmsi", keep="first", maintain_order=True).select("mmsi", pl.col("seg").alias("_main")))
    df = df.join(main, on="mmsi", how="left", maintain_order="left").with_columns(
        (pl.col("seg") == pl.col("_main")).alias("on_track")).drop("_main")
    report = {"positions_in": n_in, "no_position": no_pos.height, "out_of_range": bad.height,
              "duplicates": n_dup, "off_track": int((~df["on_track"]).sum()),
              "no_position_samples": _samples(no_pos), "out_of_range_samples": _samples(bad)}
    return df, report


def _samples(df: pl.DataFrame, k: int = 5) -> list[str]:
    """A few `file:line` locations of set-aside rows, for the run report."""
    if df.height == 0 or "source" not in df.columns:
        return []
    return [f"{s}:{ln}" for s, ln in df.head(k).select(pl.col("source").cast(pl.String), "src_line").iter_rows()]


def with_steps(track: pl.DataFrame) -> pl.DataFrame:
    """Add dt_s, dist_km and implied speed_kn from the previous fix of the same MMSI (input sorted by mmsi, t)."""
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    same = np.zeros(track.height, bool)
    m = track["mmsi"].to_numpy()
    same[1:] = m[1:] == m[:-1]
    d = np.full(track.height, np.nan)
    if track.height > 1:
        from sanctionwatch.geo.distance import haversine_km

        d[1:] = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    t = track["t"].to_numpy()
    dt = np.full(track.height, np.nan)
    dt[1:] = (t[1:] - t[:-1]) / 1000.0
    d[~same], dt[~same] = np.nan, np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dt > 0, d / (dt / 3600.0) / KN_KMH, np.nan)
    return track.with_columns(pl.Series("dt_s", dt, nan_to_null=True), pl.Series("dist_km", d, nan_to_null=True),
                              pl.Series("speed_kn", v, nan_to_null=True))


def segment_starts(mmsi: np.ndarray, t: np.ndarray, max_silence_h: float) -> np.ndarray:
    """True where a row (sorted by mmsi, t) starts a segment: a new MMSI or a silence > max_silence_h before it."""
    brk = np.ones(mmsi.size, bool)
    if mmsi.size > 1:
        brk[1:] = (mmsi[1:] != mmsi[:-1]) | (np.diff(t) > max_silence_h * 3_600_000)
    return brk


def main_track(track: pl.DataFrame, params: TrackParams = TrackParams()) -> pl.DataFrame:
    """On-track fixes only, with steps, a speed column (`spd`: SOG, else implied speed) and `segment` - the
    per-vessel detectors' input.

    `segment` (unique within the input) numbers the pieces of the main track between silences longer than
    `max_silence_h` (GFW/gpsdio-segment style): every step inside a segment is physically possible (the
    main track is one reachable chain) and observed at most `max_silence_h` apart, so an event confined to
    a segment never spans a stretch without observations.
    """
    out = with_steps(track.filter(pl.col("on_track")))
    brk = segment_starts(out["mmsi"].to_numpy(), out["t"].to_numpy(), params.max_silence_h)
    return out.with_columns(pl.coalesce(pl.col("sog").cast(pl.Float64), pl.col("speed_kn")).alias("spd"),
                            pl.Series("segment", np.cumsum(brk) - 1, dtype=pl.Int64))


def all_fixes(track: pl.DataFrame) -> pl.DataFrame:
    """Every fix of every segment (the transponder was transmitting): the input of gap detection."""
    return track
