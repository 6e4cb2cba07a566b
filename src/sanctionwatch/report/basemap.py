"""Coastlines for static maps: decode the vendored Natural Earth TopoJSON (world-atlas) into shapely polygons."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely

TOPO = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "countries-50m.topo.json"


def _arcs(topo: dict) -> list[np.ndarray]:
    """Absolute coordinates of every arc (quantized, delta-encoded in the file)."""
    scale = np.array(topo["transform"]["scale"])
    translate = np.array(topo["transform"]["translate"])
    return [np.cumsum(np.array(a, dtype=float), axis=0) * scale + translate for a in topo["arcs"]]


def _ring(arcs: list[np.ndarray], refs: list[int]) -> np.ndarray:
    parts = []
    for i, r in enumerate(refs):
        a = arcs[r] if r >= 0 else arcs[~r][::-1]
        parts.append(a if i == 0 else a[1:])
    return np.concatenate(parts)


@lru_cache(maxsize=1)
def land_polygons() -> list[shapely.Polygon]:
    """All country polygons as shapely Polygons (lon/lat)."""
    topo = json.loads(TOPO.read_text())
    arcs = _arcs(topo)
    out: list[shapely.Polygon] = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs", [])
        if geom["type"] == "Polygon":
            polys = [polys]
        elif geom["type"] != "MultiPolygon":
            continue
        for poly in polys:
            rings = [_ring(arcs, r) for r in poly]
            if len(rings[0]) >= 4:
                out.append(shapely.Polygon(rings[0], [r for r in rings[1:] if len(r) >= 4]))
    return out
