"""Vectorised great-circle helpers and a grid index for "nearest port within its radius" over many points.

The index buckets port unit vectors into a 3-D grid whose cell is at least the largest search radius,
so each query only looks at the 27 surrounding cells: O(points x ports-per-neighbourhood), no all-pairs loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius (Moritz 2000, Geodetic Reference System 1980)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between arrays (or scalars) of degrees; broadcasts like numpy."""
    p1, p2 = np.radians(np.asarray(lat1, dtype=np.float64)), np.radians(np.asarray(lat2, dtype=np.float64))
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def unit_vectors(lat, lon) -> np.ndarray:
    """(n, 3) unit vectors on the sphere for arrays of degrees."""
    la, lo = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _check_coords(lat: np.ndarray, lon: np.ndarray) -> None:
    """Raise with the first offending index when coordinates are out of range (NaN is allowed: no match)."""
    bad = (np.abs(lat) > 90) | (np.abs(lon) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{int(bad.sum())} coordinates out of range, first at index {i}: lat={lat[i]}, lon={lon[i]}")


@dataclass(frozen=True)
class PointIndex:
    """Grid index over reference points (ports), each with its own match radius in km."""

    xyz: np.ndarray  # (m, 3) unit vectors, sorted by cell key
    order: np.ndarray  # position in the original table for each sorted row
    radius_km: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    keys: np.ndarray  # sorted int64 cell keys
    cell: float  # cell edge in unit-vector space

    @classmethod
    def build(cls, lat, lon, radius_km) -> PointIndex:
        """Index points with per-point radii (km)."""
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        _check_coords(lat, lon)
        radius = np.broadcast_to(np.asarray(radius_km, dtype=np.float64), lat.shape).copy()
        cell = max(float(radius.max(initial=1.0)), 1.0) / EARTH_RADIUS_KM * 1.01  # chord <= arc
        xyz = unit_vectors(lat, lon)
        keys = _keys(_cells(xyz, cell))
        order = np.argsort(keys, kind="stable")
        return cls(xyz[order], order, radius[order], lat[order], lon[order], keys[order], cell)

    def nearest_within(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """For each query point: (index of the nearest reference point within its radius or -1, distance km or NaN)."""
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        _check_coords(lat, lon)
        n = lat.shape[0]
        best = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
        if ok.size == 0 or self.keys.size == 0:
            return best, dist
        qk = _keys(_cells(unit_vectors(lat[ok], lon[ok]), self.cell))
        qord = np.argsort(qk, kind="stable")
        qk = qk[qord]  # sorted needles: searchsorted runs far faster, and every neighbour key stays sorted
        ukeys, ustart, ucount = np.unique(self.keys, return_index=True, return_counts=True)
        q_idx, p_idx = [], []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    nk = qk + ((dx << 42) + (dy << 21) + dz)  # packed keys: a neighbour is a constant offset
                    pos = np.minimum(np.searchsorted(ukeys, nk), ukeys.size - 1)
                    cnt = np.where(ukeys[pos] == nk, ucount[pos], 0)
                    if not cnt.any():
                        continue
                    qi = np.repeat(qord, cnt)
                    starts = np.repeat(ustart[pos] - np.cumsum(cnt) + cnt, cnt)
                    q_idx.append(qi)
                    p_idx.append(starts + np.arange(qi.size))
        if not q_idx:
            return best, dist
        qi, pi = np.concatenate(q_idx), np.concatenate(p_idx)
        d = haversine_km(lat[ok][qi], lon[ok][qi], self.lat[pi], self.lon[pi])
        keep = d <= self.radius_km[pi]
        qi, pi, d = qi[keep], pi[keep], d[keep]
        order = np.lexsort((d, qi))
        first = np.ones(order.size, dtype=bool)
        first[1:] = qi[order][1:] != qi[order][:-1]
        sel = order[first]
        best[ok[qi[sel]]] = self.order[pi[sel]]
        dist[ok[qi[sel]]] = d[sel]
        return best, dist


def _cells(xyz: np.ndarray, cell: float) -> np.ndarray:
    """Integer grid cell of each unit vector."""
    return np.floor(xyz / cell).astype(np.int64)


def _keys(cells: np.ndarray) -> np.ndarray:
    """Pack three cell coordinates (each |c| < 2**20) into one int64 key."""
    off = cells + (1 << 20)
    return (off[:, 0] << 42) | (off[:, 1] << 21) | off[:, 2]


def nearest_port(lat, lon, ports: pl.DataFrame | None = None, within_km: float | None = None) -> pl.DataFrame:
    """For many positions, the nearest gazetteer port: port_id, locode, name, country, distance_km (null if none).

    By default a port counts only inside its own `radius_km` (port-call semantics, closed disc); with
    `within_km` every port counts up to that distance (e.g. "nearest port within 50 km" for context).
    """
    from sanctionwatch.geo.gazetteer import load_ports

    ports = load_ports() if ports is None else ports
    if within_km is None:
        idx = port_index(ports)
    else:
        if within_km <= 0:
            raise ValueError(f"within_km must be > 0, got {within_km}")
        idx = PointIndex.build(ports["lat"].to_numpy(), ports["lon"].to_numpy(), np.full(ports.height, within_km))
    best, dist = idx.nearest_within(lat, lon)
    hit = best >= 0
    take = pl.Series(np.where(hit, best, 0))
    sub = ports.select("port_id", "locode", "name", "country")[take]
    return sub.with_columns(
        [pl.when(pl.Series(hit)).then(pl.col(c)).otherwise(None).alias(c) for c in sub.columns]
    ).with_columns(pl.Series("distance_km", dist, nan_to_null=True))


_INDEX_CACHE: dict[int, tuple[pl.DataFrame, PointIndex]] = {}


def port_index(ports: pl.DataFrame) -> PointIndex:
    """Grid index over a ports table, cached per table object (the table is kept alive so its id stays unique)."""
    hit = _INDEX_CACHE.get(id(ports))
    if hit is None or hit[0] is not ports:
        if len(_INDEX_CACHE) > 8:
            _INDEX_CACHE.clear()
        idx = PointIndex.build(ports["lat"].to_numpy(), ports["lon"].to_numpy(), ports["radius_km"].to_numpy())
        hit = _INDEX_CACHE[id(ports)] = (ports, idx)
    return hit[1]


def lon_median(col: str = "lon") -> pl.Expr:
    """Median longitude of a group, taken relative to its first value and wrapped back to [-180, 180): a group
    straddling the antimeridian (179.9 and -179.9) has its median near 180, not near 0 as a plain median gives."""
    first = pl.col(col).first()
    rel = (pl.col(col) - first + 540.0) % 360.0 - 180.0
    return ((rel.median() + first + 540.0) % 360.0 - 180.0).alias(col)
