"""Port proximity: exact range per fix, and independent of which other fixes share the call (partition-safe)."""

from __future__ import annotations

import numpy as np

from sanctionwatch.detect.near import lookup, search_radius
from sanctionwatch.geo.distance import haversine_km


def test_lookup_exact_and_partition_independent(ports):
    rng = np.random.default_rng(0)
    sub = ports.filter(ports["lat"].is_between(30, 45) & ports["lon"].is_between(120, 140))
    i = rng.integers(0, sub.height, 4000)
    # fixes scattered 0-20 km around real ports, so many sit near range edges
    b, r = rng.uniform(0, 2 * np.pi, i.size), rng.uniform(0, 20, i.size)
    lat = sub["lat"].to_numpy()[i] + r * np.cos(b) / 111.195
    lon = sub["lon"].to_numpy()[i] + r * np.sin(b) / (111.195 * np.cos(np.radians(sub["lat"].to_numpy()[i])))
    best, d = lookup(lat, lon, sub, "margin", 10.0)
    rad = search_radius(sub, "margin", 10.0)
    hit = best >= 0
    assert hit.mean() > 0.5 and (~hit).sum() > 100
    assert np.all(d[hit] <= rad[best[hit]])
    np.testing.assert_allclose(d[hit], haversine_km(lat[hit], lon[hit], sub["lat"].to_numpy()[best[hit]],
                                                    sub["lon"].to_numpy()[best[hit]]))
    # brute force: a fix with no port found really has none in range
    miss = np.flatnonzero(~hit)
    dd = haversine_km(lat[miss][:, None], lon[miss][:, None], sub["lat"].to_numpy()[None, :],
                      sub["lon"].to_numpy()[None, :])
    assert not np.any(dd <= rad[None, :] - 1e-9)
    # the same fixes looked up in two halves give the same answers
    half = np.arange(i.size) % 2 == 0
    b1, _ = lookup(lat[half], lon[half], sub, "margin", 10.0)
    b2, _ = lookup(lat[~half], lon[~half], sub, "margin", 10.0)
    assert np.array_equal(b1, best[half]) and np.array_equal(b2, best[~half])
