"""Derive the shipped DPRK area polygons: sea within 12 nm / 24 nm of the DPRK coast.

Method (reproducible, no unlicensed inputs): take the 1 km land mask of `global-land-mask` (GLOBE
DEM derived), keep land inside a hand-drawn DPRK outline whose edges follow the Yalu/Tumen rivers
and the DMZ, find coast cells (DPRK land with a water neighbour), buffer them by the distance in a
sinusoidal projection, and clip to a hand-drawn DPRK maritime sector so the band does not spill into
Chinese, Russian or ROK-held waters. The result approximates a normal-baseline territorial sea
(UNCLOS Art. 3: 12 nm) and contiguous zone (Art. 33: 24 nm); it is not a legal boundary.
"""

from __future__ import annotations

import json

import numpy as np
import shapely
from global_land_mask import globe
from shapely.geometry import MultiPoint, Polygon, mapping
from shapely.ops import transform

NM_KM = 1.852
STEP_DEG = 0.01  # grid step (~1 km), the land mask's own resolution
_LON0 = 127.5  # sinusoidal central meridian
_KM_PER_DEG = 111.195

# DPRK land outline (lon, lat), drawn inside the Yalu/Tumen rivers and north of the DMZ / ROK islands
# (Baengnyeong, Yeonpyeong, Gyodong and Ganghwa stay outside); open sea on the coastal sides.
DPRK_OUTLINE = [
    (124.33, 39.86), (124.60, 40.02), (125.50, 40.25), (126.50, 40.90), (127.50, 41.30), (128.30, 41.70),
    (129.30, 42.10), (129.90, 42.35), (130.35, 42.45), (130.68, 42.30), (131.20, 41.85), (130.00, 39.20),
    (129.30, 38.61), (128.36, 38.61), (127.20, 38.20), (126.68, 37.80), (126.20, 37.83), (125.75, 37.74),
    (124.95, 38.00), (124.50, 38.15), (124.00, 38.60), (124.05, 39.60),
]
# Sea sector the bands are clipped to: Yalu mouth -> SW (China), Tumen mouth -> SE (Russia), DMZ parallel
# at 38.61N east (ROK), and the same southern edge as the outline in the West Sea.
DPRK_SECTOR = [
    (124.33, 39.86), (124.60, 40.02), (125.50, 40.25), (126.50, 40.90), (127.50, 41.30), (128.30, 41.70),
    (129.30, 42.10), (129.90, 42.35), (130.35, 42.45), (130.68, 42.30), (131.20, 41.85), (132.50, 41.00),
    (132.50, 38.61), (128.36, 38.61), (127.20, 38.20), (126.68, 37.80), (126.20, 37.83), (125.75, 37.74),
    (124.95, 38.00), (124.50, 38.15), (123.50, 37.90), (123.60, 39.30),
]


def _fwd(lon, lat):
    """Sinusoidal projection to km."""
    lat = np.asarray(lat)
    return (np.asarray(lon) - _LON0) * np.cos(np.radians(lat)) * _KM_PER_DEG, lat * _KM_PER_DEG


def _inv(x, y):
    """Inverse sinusoidal projection to degrees."""
    lat = np.asarray(y) / _KM_PER_DEG
    return np.asarray(x) / (np.cos(np.radians(lat)) * _KM_PER_DEG) + _LON0, lat


def coast_points() -> np.ndarray:
    """(n, 2) lon/lat of DPRK coast cells on a 0.01 deg grid."""
    outline = Polygon(DPRK_OUTLINE)
    lo0, la0, lo1, la1 = outline.bounds
    lons = np.arange(lo0 - 0.05, lo1 + 0.05, STEP_DEG)
    lats = np.arange(la0 - 0.05, la1 + 0.05, STEP_DEG)
    glon, glat = np.meshgrid(lons, lats)
    land = globe.is_land(glat, glon)
    dprk = land & shapely.contains_xy(outline, glon, glat)
    water = ~land
    near_water = np.zeros_like(water)
    near_water[1:, :] |= water[:-1, :]
    near_water[:-1, :] |= water[1:, :]
    near_water[:, 1:] |= water[:, :-1]
    near_water[:, :-1] |= water[:, 1:]
    coast = dprk & near_water
    return np.column_stack([glon[coast], glat[coast]])


def band(distance_nm: float, coast: np.ndarray | None = None) -> shapely.Geometry:
    """Land plus sea within `distance_nm` of the DPRK coast, clipped to the DPRK sector, in lon/lat."""
    coast = coast_points() if coast is None else coast
    x, y = _fwd(coast[:, 0], coast[:, 1])
    buf = MultiPoint(np.column_stack([x, y])).buffer(distance_nm * NM_KM, quad_segs=4)
    sector = transform(lambda a, b: _fwd(a, b), Polygon(DPRK_SECTOR))
    geom = transform(lambda a, b: _inv(a, b), buf.intersection(sector))
    return shapely.make_valid(geom.simplify(0.005)).buffer(0)


def feature_collection() -> dict:
    """The GeoJSON FeatureCollection shipped as data/areas/dprk.geojson."""
    coast = coast_points()
    method = ("global-land-mask coast cells inside a hand-drawn DPRK outline, buffered in a sinusoidal "
              "projection, clipped to a hand-drawn DPRK sector (sanctionwatch.geo.areas_build)")
    feats = []
    for area_id, nm, name, desc in [
        ("dprk_12nm", 12, "DPRK territorial sea (approx., 12 nm)",
         "Land and sea within 12 nm of the DPRK coast (UNCLOS Art. 3 distance); approximation, not a legal line."),
        ("dprk_24nm", 24, "DPRK approaches (approx., 24 nm)",
         "Land and sea within 24 nm of the DPRK coast (UNCLOS Art. 33 contiguous-zone distance)."),
    ]:
        geom = band(nm, coast)
        feats.append({"type": "Feature", "geometry": mapping(geom),
                      "properties": {"area_id": area_id, "name": name, "description": desc,
                                     "source": method, "distance_nm": nm}})
    return {"type": "FeatureCollection", "features": feats}


def to_geojson_text(fc: dict) -> str:
    """Compact GeoJSON text with coordinates rounded to 1e-4 deg (~10 m)."""
    def rnd(o):
        if isinstance(o, float):
            return round(o, 4)
        if isinstance(o, list | tuple):
            return [rnd(v) for v in o]
        if isinstance(o, dict):
            return {k: rnd(v) for k, v in o.items()}
        return o
    return json.dumps(rnd(fc), separators=(",", ":")) + "\n"
