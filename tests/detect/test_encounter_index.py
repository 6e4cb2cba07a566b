"""Encounter pairing: grid + time buckets equal brute force, and any partition of cells gives the same pairs."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.encounters import crowded, keyed, pair_candidates
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


def _edge_packed() -> pl.DataFrame:
    """Points at every latitude band (equator to 89.9 deg), across the dateline, half packed against cell edges."""
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
    return b


def test_pruned_halo_still_meets_every_close_pair():
    """Halo rows go only to neighbour cells a partner within reach could lie in: brute force at every latitude
    band (equator to 89.9 deg), across the dateline, with points packed against cell edges."""
    b = _edge_packed()
    own, halo = keyed(b)
    assert halo.height < 5 * own.height  # pruned (9 x without)
    got = {tuple(r) for r in pair_candidates(own, halo).select("a", "b", "bucket").iter_rows()}
    want = _brute(b, EncounterParams().max_distance_km)
    assert len(want) > 500
    assert got == want


def test_crowding_prepass_keeps_every_pair_and_drops_loners():
    """crowded(): the pairs found after it equal those found without it; isolated steps are dropped."""
    rng = np.random.default_rng(12)
    b = _buckets(seed=7)
    n = 4000  # loners: one vessel each, spread worldwide
    loners = pl.DataFrame({"mmsi": pl.Series(np.arange(n) + 600_000_000, dtype=pl.Int32),
                           "bucket": rng.integers(0, 3, n).astype(np.int64), "lat": rng.uniform(-70, 70, n),
                           "lon": rng.uniform(-180, 180, n), "sog": np.zeros(n), "t0": np.zeros(n, np.int64),
                           "t1": np.zeros(n, np.int64), "i0": np.arange(n), "i1": np.arange(n),
                           "obs": np.ones(n, bool), "prev_t": pl.Series([None] * n, dtype=pl.Int64),
                           "next_t": pl.Series([None] * n, dtype=pl.Int64)})
    m = 2000  # isolated pairs 0.45 km apart, straddling coarse-cell lines (lat exactly, lon ~4 % by chance)
    lat1 = np.round(rng.uniform(-80, 80, m), 1) - rng.uniform(0, 0.45, m) / 111.195
    north = rng.random(m) < 0.5
    dlat = np.where(north, 0.45 / 111.195, 0.0)
    dlon = np.where(north, 0.0, 0.45 / (111.195 * np.cos(np.radians(lat1))))
    lon1 = rng.uniform(-180, 180, m)
    pairs = pl.DataFrame({"mmsi": pl.Series(np.r_[np.arange(m), np.arange(m) + m] + 700_000_000, dtype=pl.Int32),
                          "bucket": np.r_[np.arange(m), np.arange(m)].astype(np.int64),
                          "lat": np.r_[lat1, lat1 + dlat], "lon": (np.r_[lon1, lon1 + dlon] + 180) % 360 - 180,
                          "sog": np.zeros(2 * m), "t0": np.zeros(2 * m, np.int64), "t1": np.zeros(2 * m, np.int64),
                          "i0": np.arange(2 * m), "i1": np.arange(2 * m), "obs": np.ones(2 * m, bool),
                          "prev_t": pl.Series([None] * 2 * m, dtype=pl.Int64),
                          "next_t": pl.Series([None] * 2 * m, dtype=pl.Int64)})
    for data in (pl.concat([b, loners]), _edge_packed(), pairs):
        whole = {tuple(r) for r in pair_candidates(*keyed(data)).select("a", "b", "bucket").iter_rows()}
        kept = crowded(data)
        assert {tuple(r) for r in pair_candidates(*keyed(kept)).select("a", "b", "bucket").iter_rows()} == whole
    assert crowded(loners).height < 0.05 * n
    assert len({tuple(r) for r in pair_candidates(*keyed(pairs)).select("a", "b", "bucket").iter_rows()}) == m
