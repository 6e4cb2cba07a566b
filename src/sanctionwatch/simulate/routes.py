"""Ports and sea routes: WPI ports via the gazetteer, searoute sea lanes repaired so no leg crosses land.

searoute's Eurostat MARNET graph is coarse (it clips islands off southern Korea and headlands near
Dalian), so every route is densified and checked against `global-land-mask` (1 km grid); land runs
outside the port circles are replaced by a shortest 8-connected path over a 0.01 deg sea grid, then
string-pulled back to straight legs.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import os
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import polars as pl
import searoute
from global_land_mask import globe

from sanctionwatch.geo.distance import haversine_km
from sanctionwatch.geo.gazetteer import load_ports

DENSIFY_KM = 1.0
CHECK_KM = 0.03
GRID_DEG = 1 / 120  # the land mask pixel (30 arc seconds)
# A pixel's centre is within ~0.6 km of all its points: grid cells inside port areas count as passable only
# 0.6 km inside the area's edge, and runs to repair start 1.2 km inside it, so every repaired leg is clean.
GRID_SHRINK_KM = 0.6
LAND_MARGIN_DEG = 0.0002  # ~20 m = 4 sigma of the simulated GNSS noise
RUN_SHRINK_KM = 1.2


@dataclass(frozen=True)
class Port:
    """A port as the simulator needs it (from the gazetteer)."""

    locode: str
    name: str
    country: str
    lat: float
    lon: float
    radius_km: float
    area_km: float  # radius of the port area: gazetteer radius, widened for river ports (see _area_km)


@functools.lru_cache(maxsize=1)
def _port_table() -> dict[str, Port]:
    df = load_ports().filter(pl.col("locode").is_not_null()).unique("locode", keep="first", maintain_order=True)
    return {r["locode"]: r for r in df.iter_rows(named=True)}


def _area_km(lat: float, lon: float, radius_km: float) -> float:
    """Port-area radius: the gazetteer radius, or 2 km past the nearest 1-km sea pixel if that is farther.

    River ports (Shanghai, Nampo, Songnim) sit inland of the land mask's coastline: their access channel
    is narrower than the mask's 1 km pixels, so the port area must reach the open water.
    """
    g = np.arange(-0.6, 0.6, 1 / 120)
    la, lo = np.meshgrid(lat + g, lon + g, indexing="ij")
    sea = ~globe.is_land(la, lo)
    if not sea.any():
        return radius_km
    return float(max(radius_km, haversine_km(la[sea], lo[sea], lat, lon).min() + 2.0))


@functools.cache
def port(locode: str) -> Port:
    """The gazetteer port with this UN/LOCODE (KeyError naming it if unknown)."""
    try:
        r = _port_table()[locode]
    except KeyError:
        raise KeyError(f"port {locode!r} not in the gazetteer (sanctionwatch.geo.gazetteer.load_ports)") from None
    return Port(r["locode"], r["name"], r["country"], r["lat"], r["lon"], r["radius_km"],
                _area_km(r["lat"], r["lon"], r["radius_km"]))


def major_ports(n: int) -> list[Port]:
    """The `n` first 'Large' harbours of the gazetteer with a LOCODE (for the global preset)."""
    df = load_ports().filter(pl.col("locode").is_not_null() & (pl.col("harbor_size") == "Large")
                             & (pl.col("kind") == "port")).unique("locode", keep="first").sort("locode")
    return [port(c) for c in df["locode"].to_list()[:n]]


def _densify(lat: np.ndarray, lon: np.ndarray, step_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Insert points so no segment is longer than step_km (linear in lat/lon; legs are short)."""
    seg = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    k = np.maximum(1, np.ceil(seg / step_km).astype(int))
    idx = np.repeat(np.arange(len(seg)), k)
    first = np.repeat(np.cumsum(k) - k, k)
    frac = (np.arange(int(k.sum())) - first) / np.repeat(k, k)
    out_lat = np.append(lat[idx] + (lat[idx + 1] - lat[idx]) * frac, lat[-1])
    out_lon = np.append(lon[idx] + (lon[idx + 1] - lon[idx]) * frac, lon[-1])
    return out_lat, out_lon


def _bad(lat: np.ndarray, lon: np.ndarray, ends: list[Port], shrink_km: float = 0.0) -> np.ndarray:
    """Points on or within ~20 m of land, and outside every end port's area (shrunk by shrink_km).

    The margin keeps legs off the exact pixel edges of the mask, so GNSS noise cannot push a report ashore.
    """
    m = LAND_MARGIN_DEG
    land = globe.is_land(lat, lon)
    for dlat, dlon in ((m, 0.0), (-m, 0.0), (0.0, m), (0.0, -m)):
        land |= globe.is_land(np.clip(lat + dlat, -90, 90), np.clip(lon + dlon, -180, 180))
    for p in ends:
        land &= haversine_km(lat, lon, p.lat, p.lon) > p.area_km - shrink_km
    return land


def _segment_ok(a: tuple[float, float], b: tuple[float, float], ends: list[Port]) -> bool:
    lat, lon = _densify(np.array([a[0], b[0]]), np.array([a[1], b[1]]), CHECK_KM)
    return not _bad(lat, lon, ends).any()


@numba.njit(cache=True)
def _astar(sea, sy, sx, gy, gx, kx):  # pragma: no cover - compiled
    """A* over an 8-connected grid without diagonal corner cutting; returns the predecessor of each cell."""
    ny, nx = sea.shape
    dist = np.full(ny * nx, np.inf)
    prev = np.full(ny * nx, -1, np.int64)
    s0 = sy * nx + sx
    dist[s0] = 0.0
    dg = np.hypot(1.0, kx)
    heap = [(np.hypot(sy - gy, kx * (sx - gx)), 0.0, s0)]
    dys = (1, -1, 0, 0, 1, 1, -1, -1)
    dxs = (0, 0, 1, -1, 1, -1, 1, -1)
    ws = (1.0, 1.0, kx, kx, dg, dg, dg, dg)
    while len(heap) > 0:
        _, d, cur = heapq.heappop(heap)
        cy, cx = cur // nx, cur % nx
        if cy == gy and cx == gx:
            break
        if d > dist[cur]:
            continue
        for k in range(8):
            y, x = cy + dys[k], cx + dxs[k]
            if y < 0 or y >= ny or x < 0 or x >= nx or not sea[y, x]:
                continue
            if k >= 4 and not (sea[cy + dys[k], cx] and sea[cy, cx + dxs[k]]):
                continue
            nd = d + ws[k]
            c = y * nx + x
            if nd < dist[c]:
                dist[c] = nd
                prev[c] = cur
                heapq.heappush(heap, (nd + np.hypot(y - gy, kx * (x - gx)), nd, c))
    return prev


def _snap(sea: np.ndarray, cell: tuple[int, int]) -> tuple[int, int] | None:
    """The cell itself if passable, else a passable neighbour (float rounding at pixel edges), else None."""
    y0, x0 = cell
    for dy, dx in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        y, x = y0 + dy, x0 + dx
        if 0 <= y < sea.shape[0] and 0 <= x < sea.shape[1] and sea[y, x]:
            return (y, x)
    return None


def _grid_path(a: tuple[float, float], b: tuple[float, float], margin: float,
               ends: list[Port]) -> list[tuple[float, float]] | None:
    """Shortest sea path a->b over a GRID_DEG raster in the box around them (no diagonal corner cutting)."""
    lat0, lat1 = min(a[0], b[0]) - margin, max(a[0], b[0]) + margin
    lon0, lon1 = min(a[1], b[1]) - margin, max(a[1], b[1]) + margin
    lat0, lon0 = (np.floor(lat0 / GRID_DEG) + 0.5) * GRID_DEG, (np.floor(lon0 / GRID_DEG) + 0.5) * GRID_DEG
    ny, nx = int((lat1 - lat0) / GRID_DEG) + 1, int((lon1 - lon0) / GRID_DEG) + 1
    glat = lat0 + np.arange(ny) * GRID_DEG
    glon = lon0 + np.arange(nx) * GRID_DEG
    mlat, mlon = np.meshgrid(glat, glon, indexing="ij")
    sea = ~_bad(mlat.ravel(), mlon.ravel(), ends, GRID_SHRINK_KM).reshape(mlat.shape)  # port areas passable
    start = (round((a[0] - lat0) / GRID_DEG), round((a[1] - lon0) / GRID_DEG))
    goal = (round((b[0] - lat0) / GRID_DEG), round((b[1] - lon0) / GRID_DEG))
    start, goal = _snap(sea, start), _snap(sea, goal)
    if start is None or goal is None:
        return None
    kx = float(np.cos(np.radians((lat0 + lat1) / 2)))
    prev = _astar(sea, start[0], start[1], goal[0], goal[1], kx)
    g = goal[0] * nx + goal[1]
    if prev[g] < 0 and g != start[0] * nx + start[1]:
        return None
    cells = [g]
    while cells[-1] != start[0] * nx + start[1]:
        cells.append(int(prev[cells[-1]]))
    cells = [(c // nx, c % nx) for c in cells]
    return [(float(glat[y]), float(glon[x])) for y, x in reversed(cells)]


def _string_pull(pts: list[tuple[float, float]], ends: list[Port]) -> list[tuple[float, float]]:
    """Drop intermediate points while the straight leg stays at sea."""
    out = [pts[0]]
    i = 0
    while i < len(pts) - 1:
        j = len(pts) - 1
        while j > i + 1 and not _segment_ok(pts[i], pts[j], ends):
            j = max(i + 1, i + (j - i) // 2) if j - i > 40 else j - 1
        out.append(pts[j])
        i = j
    return out


def _repair(lat: np.ndarray, lon: np.ndarray, ends: list[Port]) -> tuple[np.ndarray, np.ndarray]:
    """Replace every run of bad points by a sea path between the good points around it."""
    bad = _bad(lat, lon, ends, RUN_SHRINK_KM)
    if not bad.any():
        return lat, lon
    out: list[tuple[float, float]] = []
    i, n = 0, len(lat)
    while i < n:
        if not bad[i]:
            out.append((lat[i], lon[i]))
            i += 1
            continue
        j = i
        while j < n and bad[j]:
            j += 1
        a = out[-1]
        path = None
        for _ in range(6):  # b may be a 1-pixel 'lake' on land: then skip on past the next bad run
            b = (lat[min(j, n - 1)], lon[min(j, n - 1)])
            for margin in (0.2, 0.5, 1.2):
                path = _grid_path(a, b, margin, ends)
                if path is not None:
                    break
            if path is not None or j >= n - 1:
                break
            j += 1
            while j < n - 1 and not bad[j]:
                j += 1
            while j < n - 1 and bad[j]:
                j += 1
        if path is None:
            raise ValueError(f"no sea path between {a} and {b}")
        fixed = [a, *path, b]  # path runs between the pixel centres of a and b
        out.extend(_string_pull(fixed, ends)[1:-1])
        if j >= n - 1:
            out.append(b)  # the route must end exactly at its destination
        i = j if j < n - 1 else n
    return np.array([p[0] for p in out]), np.array([p[1] for p in out])


def _simplify(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop points on straight stretches (collinear within numerical noise) before re-densifying."""
    if len(lat) < 3:
        return lat, lon
    d1 = np.stack([lat[1:-1] - lat[:-2], lon[1:-1] - lon[:-2]], 1)
    d2 = np.stack([lat[2:] - lat[1:-1], lon[2:] - lon[1:-1]], 1)
    cross = np.abs(d1[:, 0] * d2[:, 1] - d1[:, 1] * d2[:, 0])
    norm = np.hypot(*d1.T) * np.hypot(*d2.T) + 1e-300
    keep = np.concatenate([[True], cross / norm > 1e-9, [True]])
    return lat[keep], lon[keep]


@dataclass(frozen=True)
class Route:
    """A densified sea route: points every <= 1 km, cumulative distance in km."""

    lat: np.ndarray
    lon: np.ndarray
    cum_km: np.ndarray

    @property
    def length_km(self) -> float:
        return float(self.cum_km[-1])


def _make_route(lat: np.ndarray, lon: np.ndarray, ends: list[Port]) -> Route:
    for _ in range(4):  # repeat: a string-pulled leg can clip a pixel the coarser pass missed
        lat, lon = _densify(lat, lon, CHECK_KM)
        if not _bad(lat, lon, ends).any():
            break
        lat, lon = _repair(lat, lon, ends)
    else:
        raise ValueError(f"route from {lat[0]:.3f},{lon[0]:.3f} to {lat[-1]:.3f},{lon[-1]:.3f} still crosses land")
    lat, lon = _simplify(lat, lon)
    lat, lon = _densify(lat, lon, DENSIFY_KM)
    seg = haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    keep = np.concatenate([[True], seg > 1e-6])
    lat, lon = lat[keep], lon[keep]
    cum = np.concatenate([[0.0], np.cumsum(haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]))])
    return Route(lat, lon, cum)


ROUTE_VERSION = "2"  # bump when route construction changes: invalidates the on-disk cache


def cache_dir() -> Path:
    """Where built routes are cached (setting `cache_dir`, env SANCTIONWATCH_CACHE_DIR), as small .npz files."""
    from sanctionwatch import settings

    return Path(settings.get("cache_dir")).expanduser() / "routes"


@functools.lru_cache(maxsize=4096)
def route_between(a: tuple[float, float], b: tuple[float, float], ends: tuple[Port, ...] = ()) -> Route:
    """Sea route between two (lat, lon) points, cached on disk (building one takes 0.1-2 s)."""
    key = repr((ROUTE_VERSION, round(a[0], 6), round(a[1], 6), round(b[0], 6), round(b[1], 6),
                tuple((p.locode, p.area_km) for p in ends)))
    path = cache_dir() / (hashlib.sha1(key.encode()).hexdigest()[:20] + ".npz")
    if path.exists():
        z = np.load(path)
        if "error" in z:
            raise ValueError(str(z["error"]))
        return Route(z["lat"], z["lon"], z["cum_km"])
    try:
        r = _build_route(a, b, ends)
    except ValueError as e:
        _save(path, error=np.array(str(e)))
        raise
    _save(path, lat=r.lat, lon=r.lon, cum_km=r.cum_km)
    return r


def _save(path: Path, **arrays) -> None:
    """Best-effort cache write (atomic rename; a read-only home just means no cache)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass


def _build_route(a: tuple[float, float], b: tuple[float, float], ends: tuple[Port, ...]) -> Route:
    """Sea route between two (lat, lon) points via searoute, starting and ending exactly at them.

    The Corinth and Kiel canals and the Northwest Passage are excluded (narrower than the land mask).
    """
    feat = searoute.searoute([a[1], a[0]], [b[1], b[0]], restrictions=["northwest", "corinth", "kiel"])
    coords = np.array(feat.geometry["coordinates"], dtype=float)
    lon = np.concatenate([[a[1]], coords[:, 0], [b[1]]])
    lat = np.concatenate([[a[0]], coords[:, 1], [b[0]]])
    if haversine_km(a[0], a[1], b[0], b[1]) < 60 and _segment_ok(a, b, list(ends)):
        lat, lon = np.array([a[0], b[0]]), np.array([a[1], b[1]])  # short open-water hop: go straight
    return _make_route(lat, lon, list(ends))


def port_route(a: Port, b: Port) -> Route:
    """Sea route from port a to port b."""
    return route_between((a.lat, a.lon), (b.lat, b.lon), (a, b))


def point_route(a: Port | tuple[float, float], b: Port | tuple[float, float]) -> Route:
    """Sea route between a port or an open-sea point and another."""
    ends = tuple(p for p in (a, b) if isinstance(p, Port))
    pa = (a.lat, a.lon) if isinstance(a, Port) else a
    pb = (b.lat, b.lon) if isinstance(b, Port) else b
    return route_between(pa, pb, ends)


def offshore_point(p: Port, toward: Port, km: float) -> tuple[float, float]:
    """The first point of the sea route from p toward another port that is `km` (straight line) from p
    and clear of land (an anchorage, a loitering spot)."""
    r = port_route(p, toward)
    d = haversine_km(r.lat, r.lon, p.lat, p.lon)
    ok = (d >= km) & ~_bad(r.lat, r.lon, [])
    i = int(np.argmax(ok)) if ok.any() else len(r.lat) // 2
    return float(r.lat[i]), float(r.lon[i])
