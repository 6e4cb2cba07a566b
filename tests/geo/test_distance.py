"""Distance helpers: haversine against known values, grid index against brute force."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionwatch.geo.distance import PointIndex, haversine_km, nearest_port
from sanctionwatch.geo.gazetteer import load_ports


def test_haversine_known_values():
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.195, abs=1e-3)  # one degree of meridian on R=6371.0088
    assert haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.195, abs=1e-3)  # across the dateline
    assert haversine_km(90, 0, -90, 0) == pytest.approx(np.pi * 6371.0088, rel=1e-9)
    # Vladivostok -> Nampo, cross-checked with the spherical law of cosines
    a, b = np.radians([43.1089, 131.8883]), np.radians([38.7167, 125.4])
    cos = np.sin(a[0]) * np.sin(b[0]) + np.cos(a[0]) * np.cos(b[0]) * np.cos(a[1] - b[1])
    assert haversine_km(43.1089, 131.8883, 38.7167, 125.4) == pytest.approx(6371.0088 * np.arccos(cos), rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180))
def test_haversine_symmetric_and_bounded(la1, lo1, la2, lo2):
    d = haversine_km(la1, lo1, la2, lo2)
    assert d == pytest.approx(haversine_km(la2, lo2, la1, lo1), abs=1e-6)
    assert 0 <= d <= np.pi * 6371.0088 + 1e-6


def _brute(lat, lon, plat, plon, prad):
    d = haversine_km(lat[:, None], lon[:, None], plat[None], plon[None])
    d[d > prad[None]] = np.inf
    best = d.argmin(1)
    return np.where(np.isinf(d.min(1)), -1, best)


def test_index_equals_brute_force_near_ports():
    ports = load_ports()
    rng = np.random.default_rng(7)
    pick = rng.integers(0, ports.height, 3000)
    # points scattered up to ~5 km around real ports, so most have one or several candidates
    lat = ports["lat"].to_numpy()[pick] + rng.normal(0, 0.02, pick.size)
    lon = ports["lon"].to_numpy()[pick] + rng.normal(0, 0.03, pick.size)
    lat = np.clip(lat, -90, 90)
    lon = (lon + 180) % 360 - 180
    plat, plon, prad = (ports[c].to_numpy() for c in ("lat", "lon", "radius_km"))
    idx = PointIndex.build(plat, plon, prad)
    got, dist = idx.nearest_within(lat, lon)
    want = _brute(lat, lon, plat, plon, prad)
    assert (got >= 0).sum() > 1000
    # ties at equal distance could differ; compare distances instead of ids
    gd = np.where(got >= 0, haversine_km(lat, lon, plat[got], plon[got]), np.inf)
    wd = np.where(want >= 0, haversine_km(lat, lon, plat[want], plon[want]), np.inf)
    np.testing.assert_allclose(gd, wd)
    np.testing.assert_allclose(dist[got >= 0], gd[got >= 0])


def test_index_dateline_and_nan():
    idx = PointIndex.build([0.0], [179.99], [5.0])
    got, dist = idx.nearest_within([0.0, 0.0, np.nan], [-179.99, 10.0, 0.0])
    assert got.tolist() == [0, -1, -1]
    assert dist[0] == pytest.approx(2.2239, abs=1e-3)


def test_index_rejects_out_of_range():
    with pytest.raises(ValueError, match="index 1"):
        PointIndex.build([0.0, 95.0], [0.0, 0.0], [1.0, 1.0])


def test_nearest_port_frame():
    out = nearest_port([39.1667, 42.24, 0.0], [127.45, 130.31, 0.0])
    assert out["locode"].to_list() == ["KPWON", "KPRJN", None]
    assert out["distance_km"][2] is None
    assert out.schema["distance_km"] == pl.Float64


def test_nearest_port_within_km_overrides_radius():
    # 20 km west of Nampo, in the Taedong estuary: outside every port radius, but Nampo is 20 km away
    lat, lon = 38.716667, 125.4 - 20 / (111.195 * np.cos(np.radians(38.716667)))
    assert nearest_port([lat], [lon])["locode"][0] is None
    got = nearest_port([lat], [lon], within_km=30.0)
    ports = load_ports()
    d = haversine_km(lat, lon, ports["lat"].to_numpy(), ports["lon"].to_numpy())
    assert got["port_id"][0] == ports["port_id"][int(d.argmin())] and d.min() <= 30
    assert got["distance_km"][0] == pytest.approx(d.min(), abs=1e-9)
    with pytest.raises(ValueError, match="within_km"):
        nearest_port([0.0], [0.0], within_km=0)


def test_radius_boundary_is_inclusive():
    idx = PointIndex.build([0.0], [0.0], [haversine_km(0, 0, 0, 0.01)])
    got, _ = idx.nearest_within([0.0, 0.0], [0.01, 0.0100001])
    assert got.tolist() == [0, -1]


def test_lon_median_across_the_antimeridian():
    """A group straddling 180 degrees has its median near 180, not near 0 (the encounter position bug)."""
    from sanctionwatch.geo.distance import lon_median

    df = pl.DataFrame({"g": [1, 1, 2, 2, 2, 3, 3], "lon": [179.9, -179.7, 10.0, 11.0, 12.5, -170.0, -171.0]})
    assert df.filter(pl.col("g") == 1)["lon"].median() == pytest.approx(0.1)  # the plain median: wrong side
    out = df.group_by("g", maintain_order=True).agg(lon_median("lon")).sort("g")["lon"].to_list()
    assert out[0] == pytest.approx(-179.9)
    assert out[1] == 11.0 and out[2] == pytest.approx(-170.5)
