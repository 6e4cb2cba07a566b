"""Port proximity for many fixes at once: nearest gazetteer port within a radius (grid index, cached)."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.geo.distance import PointIndex

_CACHE: dict[tuple[int, str, float], tuple[pl.DataFrame, PointIndex]] = {}


def ports_table() -> pl.DataFrame:
    """The gazetteer (geo.gazetteer.load_ports), loaded once."""
    from sanctionwatch.geo.gazetteer import load_ports

    return load_ports()


def _index(ports: pl.DataFrame, mode: str, km: float) -> PointIndex:
    """Index with radius = port radius + km ('margin') or max(port radius, km) ('floor')."""
    key = (id(ports), mode, float(km))
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not ports:
        r = ports["radius_km"].to_numpy().astype(np.float64)
        radius = r + km if mode == "margin" else np.maximum(r, km)
        hit = _CACHE[key] = (ports, PointIndex.build(ports["lat"].to_numpy(), ports["lon"].to_numpy(), radius))
    return hit[1]


def lookup(lat: np.ndarray, lon: np.ndarray, ports: pl.DataFrame, mode: str, km: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """(row of the nearest port in range or -1, distance km) per fix.

    Fixes are looked up once per ~100 m grid square (moored and slow ships repeat positions), then the
    exact distance to the found port is computed per fix.
    """
    lat, lon = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    if lat.size == 0:
        return np.zeros(0, np.int64), np.zeros(0)
    key = np.round(lat * 1000).astype(np.int64) * 1_000_000 + np.round(lon * 1000).astype(np.int64)
    _, first, inv = np.unique(key, return_index=True, return_inverse=True)
    best_u, _ = _index(ports, mode, km).nearest_within(lat[first], lon[first])
    best = best_u[inv]
    from sanctionwatch.geo.distance import haversine_km

    plat, plon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
    safe = np.where(best >= 0, best, 0)
    d = np.where(best >= 0, haversine_km(lat, lon, plat[safe], plon[safe]), np.nan)
    return best, d


def near_any_port(lat: np.ndarray, lon: np.ndarray, ports: pl.DataFrame, km: float, edge: bool = False
                  ) -> np.ndarray:
    """True where a fix is within `km` of a port area's edge (edge=True) or of max(radius, km) from its point."""
    best, _ = lookup(lat, lon, ports, "margin" if edge else "floor", km)
    return best >= 0
