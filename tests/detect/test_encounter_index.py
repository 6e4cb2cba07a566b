"""Encounter pairing: grid + time buckets equal brute force, and any partition of cells gives the same pairs."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.encounters import keyed, pair_candidates
from sanctionwatch.detect.params import EncounterParams
from sanctionwatch.geo.distance import haversine_km


def _buckets(seed: int = 3, n: int = 3000) -> pl.DataFrame:
    """Clustered random bucket rows (incl. high latitude and both sides of the dateline)."""
    rng = np.random.default_rng(seed)
    centres = np.array([[42.0, 131.5], [70.0, 20.0], [10.0, 179.999], [10.0, -179.999], [-33.0, 18.0]])
    c = centres[rng.integers(0, len(centres), n)]
    lat = c[:, 0] + rng.normal(0, 0.01, n)
    lon = (c[:, 1] + rng.normal(0, 0.01, n) + 180) % 360 - 180
    return pl.DataFrame({"mmsi": pl.Series(rng.permutation(n) + 200_000_000, dtype=pl.Int32),
                         "bucket": rng.integers(0, 3, n).astype(np.int64), "lat": lat, "lon": lon,
                         "sog": np.zeros(n), "t0": np.zeros(n, np.int64), "t1": np.zeros(n, np.int64),
                         "i0": np.arange(n), "i1": np.arange(n), "obs": np.ones(n, bool),
                         "prev_t": pl.Series([None] * n, dtype=pl.Int64), "next_t": pl.Series([None] * n, dtype=pl.Int64)})


def _brute(b: pl.DataFrame, km: float) -> set[tuple[int, int, int]]:
    out = set()
    for (bk,), g in b.partition_by("bucket", as_dict=True).items():
        lat, lon, m = g["lat"].to_numpy(), g["lon"].to_numpy(), g["mmsi"].to_numpy()
        d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
        i, j = np.nonzero((d <= km) & (m[:, None] < m[None, :]))
        out |= {(int(m[a]), int(m[c]), int(bk)) for a, c in zip(i, j, strict=True)}
    return out


def test_grid_pairs_equal_brute_force():
    b = _buckets()
    own, halo = keyed(b)
    got = {tuple(r) for r in pair_candidates(own, halo).select("a", "b", "bucket").iter_rows()}
    want = _brute(b, EncounterParams().max_distance_km)
    assert len(want) > 100  # the clusters are dense enough to matter
    assert got == want  # includes pairs across the dateline


def test_partitioned_by_cell_equals_whole():
    b = _buckets(seed=5)
    own, halo = keyed(b)
    whole = {tuple(r) for r in pair_candidates(own, halo).select("a", "b", "bucket").iter_rows()}
    parts = set()
    for k in range(4):  # a Spark groupBy on a cell hash: own and halo rows routed by their cell key
        sel = lambda df, k=k: df.filter(((pl.col("cy") * 7919 + pl.col("cx")) % 4) == k)  # noqa: E731
        parts |= {tuple(r) for r in pair_candidates(sel(own), sel(halo)).select("a", "b", "bucket").iter_rows()}
    assert parts == whole


def test_pruned_halo_still_meets_every_close_pair():
    """Halo rows go only to neighbour cells a partner within reach could lie in: brute force at every latitude
    band (equator to 89.9 deg), across the dateline, with points packed against cell edges."""
    rng = np.random.default_rng(11)
    n = 6000
    lat_c = rng.choice([0.0, 30.0, 60.0, 75.0, 85.0, 89.9, -45.0, -89.9], n)
    # snap half the points to within 50 m of a cell edge (the cases pruning could get wrong)
    lat = lat_c + rng.uniform(-0.02, 0.02, n)
    edge = rng.random(n) < 0.5
    lat = np.where(edge, np.round(lat / 0.01) * 0.01 + rng.normal(0, 0.0004, n), lat).clip(-89.99, 89.99)
    lon = (rng.choice([179.995, -179.995, 10.0, 131.5], n) + rng.uniform(-0.02, 0.02, n) + 180) % 360 - 180
    b = pl.DataFrame({"mmsi": pl.Series(np.arange(n) + 300_000_000, dtype=pl.Int32),
                      "bucket": rng.integers(0, 2, n).astype(np.int64), "lat": lat, "lon": lon,
                      "sog": np.zeros(n), "t0": np.zeros(n, np.int64), "t1": np.zeros(n, np.int64),
                      "i0": np.arange(n), "i1": np.arange(n), "obs": np.ones(n, bool),
                      "prev_t": pl.Series([None] * n, dtype=pl.Int64), "next_t": pl.Series([None] * n, dtype=pl.Int64)})
    own, halo = keyed(b)
    assert halo.height < 5 * own.height  # pruned (9 x without)
    got = {tuple(r) for r in pair_candidates(own, halo).select("a", "b", "bucket").iter_rows()}
    want = _brute(b, EncounterParams().max_distance_km)
    assert len(want) > 500
    assert got == want
