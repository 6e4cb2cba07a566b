"""Areas: shipped DPRK polygons contain DPRK ports and exclude neighbours; compared with Park et al. 2020."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
import shapely
from shapely.geometry import shape

from sanctionwatch.geo.areas import area_of_points, load_areas, points_in_areas
from sanctionwatch.geo.gazetteer import load_ports


@pytest.fixture(scope="module")
def areas() -> pl.DataFrame:
    return load_areas()


def test_shipped_areas(areas):
    assert areas["area_id"].to_list() == ["dprk_12nm", "dprk_24nm"]
    g12, g24 = areas["geometry"]
    assert g12.is_valid and g24.is_valid and g24.contains(g12.buffer(-0.001))


def test_dprk_ports_inside_foreign_ports_outside(areas):
    ports = load_ports()
    kp = ports.filter(pl.col("country") == "KP")
    assert points_in_areas(kp["lat"], kp["lon"], areas)["dprk_12nm"].all()
    near = ports.filter(pl.col("country").is_in(["CN", "RU", "KR", "JP"]), pl.col("lat").is_between(35, 45),
                        pl.col("lon").is_between(120, 135))
    assert near.height > 20
    hit = points_in_areas(near["lat"], near["lon"], areas)
    assert not hit["dprk_24nm"].any(), near.filter(hit["dprk_24nm"])["name"].to_list()


def test_band_width_matches_distance(areas):
    """Sea points 5 nm off Wonsan are inside 12 nm; 18 nm off are in 24 nm but not 12 nm; 40 nm off in neither."""
    lat0, lon0 = 39.17, 127.45  # Wonsan, coast faces east
    dlon = np.array([5, 18, 40]) * 1.852 / (111.195 * np.cos(np.radians(lat0)))
    hits = points_in_areas(np.full(3, lat0), lon0 + 0.25 + dlon, areas)  # +0.25 deg: the Kalma peninsula coast
    assert hits["dprk_12nm"].to_list() == [True, False, False]
    assert hits["dprk_24nm"].to_list() == [True, True, False]
    assert area_of_points(np.full(3, lat0), lon0 + 0.25 + dlon, areas).to_list() == ["dprk_12nm", "dprk_24nm", None]


def test_east_band_agrees_with_park2020(areas, shared_data):
    """Reference-only comparison: sea points of our 12 nm band east of 128E lie in Park et al.'s DPRK polygon."""
    doc = json.loads((shared_data / "ports" / "dprk_eez_park2020" / "eez_prk.json").read_text())
    park = shape(doc["features"][0]["geometry"])
    g12 = areas["geometry"][0]
    rng = np.random.default_rng(3)
    lon = rng.uniform(128.0, 131.0, 40000)
    lat = rng.uniform(38.7, 42.4, 40000)
    from global_land_mask import globe

    ours = shapely.contains_xy(g12, lon, lat) & ~globe.is_land(lat, lon)
    shapely.prepare(park)
    agree = shapely.intersects_xy(park, lon[ours], lat[ours]).mean()  # 99.8 % when written
    assert ours.sum() > 1000 and agree >= 0.95


def test_bad_geojson_is_reported(tmp_path):
    p = tmp_path / "a.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]}))
    with pytest.raises(ValueError, match="feature 0 lacks"):
        load_areas(p)
    p.write_text(json.dumps({"type": "Feature", "properties": {"area_id": "a", "name": "x"},
                             "geometry": {"type": "Point", "coordinates": [0, 0]}}))
    with pytest.raises(ValueError, match="non-polygon"):
        load_areas(p)
