"""Tracks and events as GeoParquet or GeoJSON, readable by geopandas and MovingPandas without this package.

GeoParquet 1.1: a WKB `geometry` column plus the file-level 'geo' metadata (primary column, encoding,
geometry types, CRS OGC:CRS84 = WGS84 lon/lat), written with pyarrow. Files are written to a temporary name
in the target folder and renamed, so a reader never sees half a file.

Tracks export as one Point per fix (columns mmsi, ts, ...) - what `movingpandas.TrajectoryCollection(gdf,
"mmsi", t="ts")` takes - or, with `lines=True`, one LineString per vessel with its first/last time.

    >>> import polars as pl, pyarrow.parquet as pq, tempfile, pathlib
    >>> pts = pl.DataFrame({"mmsi": [1, 1, 2], "ts": [0, 60, 0], "lon": [10.0, 10.1, -5.0], "lat": [50.0, 50.1, 1.0]})
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> write_geoparquet(points_table(pts), out)
    >>> json.loads(pq.read_schema(out).metadata[b"geo"])["columns"]["geometry"]["geometry_types"]
    ['Point']
    >>> lines = lines_table(pts)
    >>> lines.num_rows, json.loads(to_geojson(lines))["features"][0]["geometry"]["type"]
    (2, 'LineString')
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

CRS84 = {"id": {"authority": "OGC", "code": "CRS84"}}


def _valid(df: pl.DataFrame) -> pl.DataFrame:
    return df.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null()
                     & pl.col("lat").is_finite() & pl.col("lon").is_finite())


def points_table(df: pl.DataFrame, keep_xy: bool = False) -> pa.Table:
    """Rows with lon/lat as an Arrow table with a WKB Point `geometry` (rows without a position dropped)."""
    df = _valid(df)
    geom = shapely.to_wkb(shapely.points(df["lon"].to_numpy(), df["lat"].to_numpy()))
    attrs = df if keep_xy else df.drop("lon", "lat")
    return attrs.to_arrow().append_column("geometry", pa.array(list(geom), pa.binary()))


def lines_table(df: pl.DataFrame, by: str = "mmsi", t: str = "ts") -> pa.Table:
    """One LineString per `by` group in `t` order (groups with one fix become a zero-length line of 2 equal
    points, so every vessel appears), with first/last time and the number of fixes."""
    df = _valid(df).sort(by, t)
    keys, idx, counts = np.unique(df[by].to_numpy(), return_index=True, return_counts=True)
    lon, lat = df["lon"].to_numpy(), df["lat"].to_numpy()
    single = counts == 1
    coords = np.column_stack([lon, lat])
    if single.any():  # duplicate lone fixes so a LineString is valid
        extra = idx[single]
        coords = np.concatenate([coords, coords[extra]])
        groups = np.concatenate([np.repeat(np.arange(len(keys)), counts), np.flatnonzero(single)])
        order = np.argsort(groups, kind="stable")
        coords, groups = coords[order], groups[order]
    else:
        groups = np.repeat(np.arange(len(keys)), counts)
    geom = shapely.to_wkb(shapely.linestrings(coords, indices=groups))
    summary = df.group_by(by, maintain_order=True).agg(pl.col(t).min().alias("start"), pl.col(t).max().alias("end"),
                                                       pl.len().alias("fixes"))
    return summary.to_arrow().append_column("geometry", pa.array(list(geom), pa.binary()))


def _geo_metadata(table: pa.Table) -> bytes:
    wkb = table.column("geometry").to_pylist()
    geoms = shapely.from_wkb(wkb) if wkb else np.array([])
    types = sorted({g.geom_type for g in geoms})
    bbox = list(shapely.total_bounds(geoms)) if len(geoms) else []
    col: dict[str, Any] = {"encoding": "WKB", "geometry_types": types, "crs": CRS84}
    if bbox and all(np.isfinite(bbox)):
        col["bbox"] = [float(v) for v in bbox]
    return json.dumps({"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": col}}).encode()


def _atomic(path: Path, write: Any) -> None:
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"output folder {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_geoparquet(table: pa.Table, path: str | Path) -> None:
    """Write `table` (with a WKB `geometry` column) as GeoParquet 1.1, write-then-rename."""
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = _geo_metadata(table)
    table = table.replace_schema_metadata(meta)
    _atomic(Path(path), lambda tmp: pq.write_table(table, tmp))


def _jsonable(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat().replace("+00:00", "Z")
    return v


def to_geojson(table: pa.Table) -> str:
    """A FeatureCollection: the geometry from WKB, every other column a property (times as ISO-8601;
    an `evidence` JSON string becomes an object)."""
    wkb = table.column("geometry").to_pylist()
    geoms = shapely.to_geojson(shapely.from_wkb(wkb)) if wkb else []
    props = table.drop_columns(["geometry"]).to_pylist()
    feats = []
    for g, p in zip(geoms, props, strict=True):
        p = {k: _jsonable(v) for k, v in p.items()}
        if isinstance(p.get("evidence"), str):
            with contextlib.suppress(json.JSONDecodeError):
                p["evidence"] = json.loads(p["evidence"])
        feats.append({"type": "Feature", "geometry": json.loads(g), "properties": p})
    return json.dumps({"type": "FeatureCollection", "features": feats}, default=str)


def write_geojson(table: pa.Table, path: str | Path) -> None:
    """Write `table` as a GeoJSON FeatureCollection (WGS84 lon/lat), write-then-rename."""
    text = to_geojson(table)
    _atomic(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write(table: pa.Table, path: str | Path) -> Path:
    """GeoParquet for .parquet / .geoparquet, GeoJSON for .geojson / .json."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".geoparquet"):
        write_geoparquet(table, path)
    elif suffix in (".geojson", ".json"):
        write_geojson(table, path)
    else:
        raise ValueError(f"{path.name}: export as .parquet/.geoparquet (GeoParquet) or .geojson")
    return path
