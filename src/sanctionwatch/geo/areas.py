"""Sanctioned-area polygons (GeoJSON) and a vectorised point-in-area test (shapely 2 `contains_xy`)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import shapely
from shapely.geometry import shape


def default_areas_dir() -> Path:
    """Folder of the GeoJSON areas shipped with the package."""
    return Path(str(resources.files("sanctionwatch") / "data" / "areas"))


def configured_areas_path() -> Path:
    """The `areas_path` setting when the registry has it and it is non-empty, else the shipped folder."""
    from sanctionwatch import settings

    value = settings.SETTINGS["areas_path"].value() if "areas_path" in settings.SETTINGS else ""
    return Path(value).expanduser() if value else default_areas_dir()


def load_areas(path: str | Path | None = None) -> pl.DataFrame:
    """Areas from a GeoJSON file or a folder of them: area_id, name, description, source, geometry (shapely).

    Each feature needs properties `area_id` and `name`; a feature without them, or with an invalid
    geometry, raises ValueError naming the file and feature index.
    """
    path = Path(path) if path else configured_areas_path()
    files = sorted(path.glob("*.geojson")) if path.is_dir() else [path]
    if not files:
        raise ValueError(f"no .geojson files in {path}")
    rows = []
    for f in files:
        doc = json.loads(f.read_text(encoding="utf-8"))
        feats = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
        for i, feat in enumerate(feats):
            props = feat.get("properties") or {}
            if not props.get("area_id") or not props.get("name"):
                raise ValueError(f"{f}: feature {i} lacks 'area_id'/'name' properties")
            geom = shape(feat["geometry"])
            if geom.is_empty or not geom.is_valid or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError(f"{f}: feature {i} ({props['area_id']}) has an empty/invalid/non-polygon geometry")
            # prepared once here, in one thread: preparing a shared geometry lazily from several detector
            # threads at once races inside GEOS (it aborted the interpreter in the test suite)
            shapely.prepare(geom)
            rows.append({"area_id": props["area_id"], "name": props["name"],
                         "description": props.get("description", ""), "source": props.get("source", str(f)),
                         "geometry": geom})
    ids = [r["area_id"] for r in rows]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"duplicate area_id(s) {sorted(dup)} in {path}")
    return pl.DataFrame(rows, schema={"area_id": pl.String, "name": pl.String, "description": pl.String,
                                      "source": pl.String, "geometry": pl.Object})


def points_in_areas(lat, lon, areas: pl.DataFrame | None = None) -> pl.DataFrame:
    """One boolean column per area_id: is each (lat, lon) inside it (boundary counts as inside)."""
    areas = load_areas() if areas is None else areas
    lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
    cols = {}
    for area_id, geom in zip(areas["area_id"], areas["geometry"], strict=True):
        cols[area_id] = shapely.intersects_xy(geom, lon, lat)
    return pl.DataFrame(cols)


def area_of_points(lat, lon, areas: pl.DataFrame | None = None) -> pl.Series:
    """First matching area_id per point (areas in file order, so list the most specific first), else null."""
    hits = points_in_areas(lat, lon, areas)
    out = pl.Series("area_id", [None] * hits.height, dtype=pl.String)
    for col in reversed(hits.columns):
        out = pl.select(pl.when(hits[col]).then(pl.lit(col)).otherwise(out)).to_series().alias("area_id")
    return out
