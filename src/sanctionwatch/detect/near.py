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


SQUARE_DEG = 0.001  # fixes are looked up once per 0.001 deg square (~110 m): moored/slow ships repeat positions
SLACK_KM = 0.08  # half-diagonal of such a square: the square's centre is searched this much wider


def search_radius(ports: pl.DataFrame, mode: str, km: float) -> np.ndarray:
    """Per-port search radius: port radius + km ('margin') or max(port radius, km) ('floor')."""
    r = ports["radius_km"].to_numpy().astype(np.float64)
    return r + km if mode == "margin" else np.maximum(r, km)


def _index(ports: pl.DataFrame, mode: str, km: float, slack: float = SLACK_KM) -> PointIndex:
    """Index over ports with the search radius plus `slack` (SLACK_KM when queried with square centres)."""
    key = (id(ports), mode, float(km) + 1e6 * slack)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not ports:
        radius = search_radius(ports, mode, km) + slack
        hit = _CACHE[key] = (ports, PointIndex.build(ports["lat"].to_numpy(), ports["lon"].to_numpy(), radius))
    return hit[1]


COARSE_DEG = 0.25


def _coarse_keys(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Key of the COARSE_DEG x COARSE_DEG cell of each fix (NaN maps to an unused key)."""
    cy = np.floor(np.nan_to_num(lat, nan=-999.0) / COARSE_DEG).astype(np.int64)
    cx = np.floor(np.nan_to_num(lon, nan=-999.0) / COARSE_DEG).astype(np.int64)
    return cy * 100_000 + cx


_CELLS: dict[tuple[int, str, float], tuple[pl.DataFrame, np.ndarray]] = {}


def _port_cells(ports: pl.DataFrame, mode: str, km: float) -> np.ndarray:
    """Sorted coarse-cell keys within reach of some port (bounding box of its search radius)."""
    key = (id(ports), mode, float(km))
    hit = _CELLS.get(key)
    if hit is None or hit[0] is not ports:
        r = ports["radius_km"].to_numpy().astype(np.float64)
        radius = r + km if mode == "margin" else np.maximum(r, km)
        plat, plon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
        dlat = radius / 111.0 + 0.01
        dlon = radius / (111.0 * np.cos(np.radians(np.minimum(np.abs(plat) + dlat, 89.0)))) + 0.01
        keys = []
        for la, lo, a, b in zip(plat, plon, dlat, dlon, strict=True):  # ~4k ports, a few cells each
            ys = np.arange(np.floor((la - a) / COARSE_DEG), np.floor((la + a) / COARSE_DEG) + 1)
            xs = np.arange(np.floor((lo - b) / COARSE_DEG), np.floor((lo + b) / COARSE_DEG) + 1)
            keys.append((ys[:, None] * 100_000 + xs[None, :]).ravel().astype(np.int64))
        hit = _CELLS[key] = (ports, np.unique(np.concatenate(keys)))
    return hit[1]


def lookup(lat: np.ndarray, lon: np.ndarray, ports: pl.DataFrame, mode: str, km: float
           ) -> tuple[np.ndarray, np.ndarray]:
    """(row of the nearest port in range or -1, distance km) per fix.

    Deterministic per fix (independent of the other fixes in the call). The returned port is always in
    range of the fix; among several ports in range it is the one nearest the fix's ~110 m square centre.
    """
    lat, lon = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    best = np.full(lat.size, -1, np.int64)
    d = np.full(lat.size, np.nan)
    if lat.size == 0:
        return best, d
    # cheap pre-filter: only fixes in coarse cells that some port's range touches go to the exact index
    cand = np.flatnonzero(np.isin(_coarse_keys(lat, lon), _port_cells(ports, mode, km)))
    if cand.size:
        # one query per square, at its centre (so the answer depends only on the fix, never on which
        # other fixes share the call - partitions and engines agree), then the exact range check per fix
        qy = np.floor(lat[cand] / SQUARE_DEG).astype(np.int64)
        qx = np.floor(lon[cand] / SQUARE_DEG).astype(np.int64)
        _, first, inv = np.unique(qy * 1_000_000 + qx, return_index=True, return_inverse=True)
        best_u, _ = _index(ports, mode, km).nearest_within((qy[first] + 0.5) * SQUARE_DEG,
                                                           (qx[first] + 0.5) * SQUARE_DEG)
        best[cand] = best_u[inv]
    hit = np.flatnonzero(best >= 0)
    if hit.size:
        from sanctionwatch.geo.distance import haversine_km

        plat, plon = ports["lat"].to_numpy(), ports["lon"].to_numpy()
        d[hit] = haversine_km(lat[hit], lon[hit], plat[best[hit]], plon[best[hit]])
        out = hit[d[hit] > search_radius(ports, mode, km)[best[hit]]]
        if out.size:  # the centre's port is out of this fix's range: exact query for these fixes only
            best[out], d[out] = _index(ports, mode, km, 0.0).nearest_within(lat[out], lon[out])
    return best, d


def near_any_port(lat: np.ndarray, lon: np.ndarray, ports: pl.DataFrame, km: float, edge: bool = False
                  ) -> np.ndarray:
    """True where a fix is within `km` of a port area's edge (edge=True) or of max(radius, km) from its point."""
    best, _ = lookup(lat, lon, ports, "margin" if edge else "floor", km)
    return best >= 0


def near_sanctioned(lat: np.ndarray, lon: np.ndarray, ports: pl.DataFrame, areas: pl.DataFrame,
                    port_countries: tuple[str, ...], area_countries: dict[str, str], radius_km: float
                    ) -> list[tuple[dict | None, list[str]]]:
    """Per point: (nearest sanctioned place within radius_km, ids of the areas containing the point).

    Places are the ports of `port_countries` and every configured area (distance 0 inside). A port is
    preferred over an area when both are within reach: "40 km off Hungnam" says more than "inside the 24 nm
    zone", which `inside` still records. Few points (gap ends), so shapely per area is cheap.
    """
    import shapely

    from sanctionwatch.geo.distance import haversine_km

    lat, lon = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    n = lat.size
    best: list[dict | None] = [None] * n
    inside: list[list[str]] = [[] for _ in range(n)]
    if n == 0:
        return []
    sp = ports.filter(pl.col("country").is_in(list(port_countries)))
    if sp.height:
        plat, plon = sp["lat"].to_numpy(), sp["lon"].to_numpy()
        d = haversine_km(lat[:, None], lon[:, None], plat[None, :], plon[None, :])  # points x ~10 ports
        j = np.argmin(d, axis=1)
        for i in np.flatnonzero(d[np.arange(n), j] <= radius_km):
            r = sp.row(int(j[i]), named=True)
            best[i] = {"area_id": f"port:{r['port_id']}", "name": r["name"], "kind": "port",
                       "locode": r["locode"], "country": r["country"],
                       "distance_km": round(float(d[i, j[i]]), 1)}
    pts = shapely.points(lon, lat)
    for r in areas.iter_rows(named=True):
        geom = r["geometry"]  # prepared by load_areas; preparing here would race between detector threads
        ins = shapely.contains(geom, pts)
        line = shapely.shortest_line(geom, pts)  # from the area's nearest point to each point
        near = shapely.get_coordinates(shapely.get_point(line, 0))
        dk = np.where(ins, 0.0, haversine_km(lat, lon, near[:, 1], near[:, 0]))
        for i in range(n):
            if ins[i]:
                inside[i].append(r["area_id"])
            cur = best[i]
            if dk[i] <= radius_km and (cur is None or (cur["kind"] == "area" and dk[i] < cur["distance_km"])):
                best[i] = {"area_id": r["area_id"], "name": r["name"], "kind": "area", "locode": None,
                           "country": area_countries.get(r["area_id"]), "distance_km": round(float(dk[i]), 1)}
    return list(zip(best, inside, strict=True))
