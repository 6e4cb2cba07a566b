"""Track pieces as numpy columns: sailing a route, holding at a berth or anchor, and slow drifting.

Every piece returns a dict of equal-length arrays (`t` epoch seconds as float, `lat`, `lon`, `sog` kn,
`cog` deg, `hdg` deg, `rot` deg/min, `status` ITU nav status) sampled at the AIS reporting times of
ITU-R M.1371 for the vessel's speed and state; positions are exact (noise is added at emission).
"""

from __future__ import annotations

import numba
import numpy as np

from sanctionwatch.geo.distance import haversine_km
from sanctionwatch.simulate.params import MovementParams, ReportingParams, ShipKind
from sanctionwatch.simulate.routes import Route

KM_PER_NM = 1.852
COLUMNS = ("t", "lat", "lon", "sog", "cog", "hdg", "rot", "status")
UNDER_WAY, AT_ANCHOR, MOORED, FISHING, UNDEFINED = 0, 1, 5, 7, 15


def empty() -> dict[str, np.ndarray]:
    """A piece with no samples."""
    return {c: np.zeros(0, dtype=np.int64 if c == "status" else np.float64) for c in COLUMNS}


def interval_s(sog: np.ndarray, status: np.ndarray, class_b: bool, rp: ReportingParams) -> np.ndarray:
    """Nominal reporting interval per sample (ITU-R M.1371-5 Table 1 / Table 2), times `interval_scale`."""
    sog = np.asarray(sog, dtype=float)
    if class_b:
        out = np.where(sog > 2.0, rp.class_b_moving_s, rp.class_b_slow_s)
    else:
        stopped = np.isin(status, (AT_ANCHOR, MOORED)) & (sog <= 3.0)
        out = np.select([stopped, sog <= 14.0, sog <= 23.0], [rp.moored_s, rp.slow_s, rp.mid_s], rp.fast_s)
    return out * rp.interval_scale


def bearing_deg(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Initial great-circle bearing from point 1 to point 2, degrees clockwise from north."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.mod(np.degrees(np.arctan2(y, x)), 360.0)


@numba.njit(cache=True)
def _rate_limit_loop(course, lim):  # pragma: no cover - compiled
    out = np.empty_like(course)
    out[0] = course[0]
    for i in range(1, len(course)):
        d = (course[i] - out[i - 1] + 180.0) % 360.0 - 180.0
        out[i] = (out[i - 1] + min(max(d, -lim[i]), lim[i])) % 360.0
    return out


def _rate_limited(course: np.ndarray, t: np.ndarray, max_deg_min: float) -> np.ndarray:
    """Heading that follows `course` but turns no faster than max_deg_min (ship type's turn rate)."""
    if len(course) == 0:
        return np.empty_like(course)
    return _rate_limit_loop(course.astype(np.float64), np.diff(t, prepend=t[0]) / 60.0 * max_deg_min)


def _rot(hdg: np.ndarray, t: np.ndarray) -> np.ndarray:
    d = (np.diff(hdg, prepend=hdg[:1]) + 180.0) % 360.0 - 180.0
    dt = np.maximum(np.diff(t, prepend=t[:1]), 1.0) / 60.0
    return d / dt


def transit(route: Route, t0: float, cruise_kn: float, kind: ShipKind, *, rng: np.random.Generator,
            rp: ReportingParams, mp: MovementParams, start_port: bool, end_port: bool,
            v_start_kn: float = 1.0, v_end_kn: float = 1.0) -> tuple[dict[str, np.ndarray], float]:
    """Sail a route from t0: accelerate out of / slow into ports, harbour speed limit near them."""
    step = 0.2
    s = np.unique(np.concatenate([np.arange(0.0, route.length_km, step), [route.length_km]]))
    if len(s) < 2:
        return empty(), t0
    mid = (s[:-1] + s[1:]) / 2
    a = kind.accel_kn_min * 60.0  # kn per hour
    v = np.full(len(mid), cruise_kn)
    v = np.minimum(v, np.sqrt(v_start_kn**2 + 2 * a * mid / KM_PER_NM))
    v = np.minimum(v, np.sqrt(v_end_kn**2 + 2 * a * (route.length_km - mid) / KM_PER_NM))
    if start_port:
        v = np.where(mid < mp.harbour_zone_km, np.minimum(v, mp.harbour_speed_kn), v)
    if end_port:
        v = np.where(route.length_km - mid < mp.harbour_zone_km, np.minimum(v, mp.harbour_speed_kn), v)
    v = np.maximum(v, 0.5)
    dt_s = np.diff(s) / KM_PER_NM / v * 3600.0
    t_cum = np.concatenate([[0.0], np.cumsum(dt_s)])
    iv = interval_s(v, np.zeros(len(v), np.int64), kind.class_b, rp)
    phase = np.concatenate([[0.0], np.cumsum(dt_s / iv)])
    k = np.arange(rng.uniform(0, 1), phase[-1], 1.0)
    tk = np.interp(k, phase, t_cum)
    sk = np.interp(tk, t_cum, s)
    lat = np.interp(sk, route.cum_km, route.lat)
    lon = np.interp(sk, route.cum_km, route.lon)
    seg = np.clip(np.searchsorted(route.cum_km, sk, side="right") - 1, 0, len(route.lat) - 2)
    cog = bearing_deg(route.lat[seg], route.lon[seg], route.lat[seg + 1], route.lon[seg + 1])
    sog = np.interp(sk, mid, v)
    t = t0 + tk
    hdg = _rate_limited(cog, t, kind.max_turn_deg_min)
    piece = {"t": t, "lat": lat, "lon": lon, "sog": sog, "cog": cog, "hdg": hdg, "rot": _rot(hdg, t),
             "status": np.full(len(t), UNDEFINED if kind.class_b else UNDER_WAY, np.int64)}
    return piece, t0 + float(t_cum[-1])


def hold(lat0: float, lon0: float, t0: float, t1: float, status: int, swing_m: float, *, kind: ShipKind,
         rng: np.random.Generator, rp: ReportingParams) -> dict[str, np.ndarray]:
    """Moored or anchored from t0 to t1: the hull swings slowly around its berth/anchor."""
    iv = float(interval_s(np.array([0.0]), np.array([status]), kind.class_b, rp)[0])
    t = t0 + np.arange(rng.uniform(0, iv), max(t1 - t0, 0.0), iv)
    n = len(t)
    ang = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.05, n))
    r = swing_m * (0.6 + 0.4 * np.sin(np.cumsum(rng.normal(0, 0.05, n))))
    dlat = r * np.cos(ang) / 111_320.0
    dlon = r * np.sin(ang) / (111_320.0 * np.cos(np.radians(lat0)))
    hdg = np.mod(np.degrees(ang) + 180.0, 360.0)
    return {"t": t, "lat": lat0 + dlat, "lon": lon0 + dlon, "sog": np.abs(rng.normal(0, 0.1, n)),
            "cog": rng.uniform(0, 360, n), "hdg": hdg, "rot": np.zeros(n),
            "status": np.full(n, UNDEFINED if kind.class_b else status, np.int64)}


def drift(lat0: float, lon0: float, t0: float, t1: float, *, kind: ShipKind, rng: np.random.Generator,
          rp: ReportingParams, mp: MovementParams, status: int = UNDER_WAY, radius_km: float | None = None,
          phase: tuple[float, float] | None = None, speed_kn: float | None = None) -> dict[str, np.ndarray]:
    """Slow movement inside a small area (loitering, fishing, ship-to-ship transfer).

    The path is a Lissajous curve around (lat0, lon0): smooth, bounded by `radius_km`, and its speed and
    course are the curve's exact derivative, so SOG/COG agree with the positions. Passing the same
    `phase`/`speed_kn` to two vessels puts them on the same curve (side by side when offset).
    """
    radius_km = mp.drift_radius_km if radius_km is None else radius_km
    speed_kn = rng.uniform(*mp.drift_speed_kn) if speed_kn is None else speed_kn
    ph = (rng.uniform(0, 2 * np.pi), rng.uniform(0, 2 * np.pi)) if phase is None else phase
    w = speed_kn * KM_PER_NM / 3600.0 / radius_km  # rad/s so that peak speed ~ speed_kn
    iv = float(interval_s(np.array([speed_kn]), np.array([status]), kind.class_b, rp)[0])
    t = t0 + np.arange(rng.uniform(0, iv), max(t1 - t0, 0.0), iv)
    tau = t - t0
    x = radius_km * np.sin(w * tau + ph[0])  # km east
    y = radius_km * np.sin(0.7 * w * tau + ph[1])  # km north
    vx = radius_km * w * np.cos(w * tau + ph[0])
    vy = radius_km * 0.7 * w * np.cos(0.7 * w * tau + ph[1])
    x0 = radius_km * np.sin(ph[0])
    y0 = radius_km * np.sin(ph[1])
    lat = lat0 + (y - y0) / 111.32
    lon = lon0 + (x - x0) / (111.32 * np.cos(np.radians(lat0)))
    sog = np.hypot(vx, vy) * 3600.0 / KM_PER_NM
    cog = np.mod(np.degrees(np.arctan2(vx, vy)), 360.0)
    hdg = _rate_limited(cog, t, kind.max_turn_deg_min)
    return {"t": t, "lat": lat, "lon": lon, "sog": sog, "cog": cog, "hdg": hdg, "rot": _rot(hdg, t),
            "status": np.full(len(t), UNDEFINED if kind.class_b else status, np.int64)}


def concat(pieces: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Join pieces in order (they must already be in time order)."""
    if not pieces:
        return empty()
    return {c: np.concatenate([p[c] for p in pieces]) for c in COLUMNS}


def implied_speed_kn(lat: np.ndarray, lon: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Speed between consecutive samples from distance/time (kn); NaN where dt == 0."""
    d = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]) / KM_PER_NM
    dt = np.diff(t) / 3600.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dt > 0, d / dt, np.nan)
