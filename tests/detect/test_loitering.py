"""Loitering on hand-built tracks: a drift at sea is loitering; a drift the vessel explains by its navigational
status (engaged in fishing) is not, at anchor still is; a drift joined to the rest of the vessel's fixes only by a
jump faster than the vessel ever sails (a broadcast fake position) is not; a sparse honest approach still is."""

from __future__ import annotations

import json

import polars as pl

from sanctionwatch.detect.loitering import loitering
from sanctionwatch.detect.near import near_any_port
from sanctionwatch.detect.tracks import build_tracks, main_track
from tests.detect.conftest import cat, leg

SPOT = (42.3, 132.6)  # open sea off Primorye (the smoke preset's loitering spot)


def _status(df: pl.DataFrame, code: int) -> pl.DataFrame:
    return df.with_columns(pl.lit(code, pl.Int8).alias("nav_status"))


def _voyage(status: int = 0, step_s: float = 60.0, drift_step_s: float = 180.0) -> pl.DataFrame:
    """12 kn towards SPOT, 5 h drifting at ~0.5 kn with `status`, 12 kn away."""
    lat, lon = SPOT
    a = _status(leg(9, 0, 3, lat - 0.6, lon, lat, lon, step_s=step_s, sog=12.0), 0)
    d = _status(leg(9, 3.05, 5, lat, lon, lat + 0.04, lon, step_s=drift_step_s, sog=0.5), status)
    b = _status(leg(9, 8.1, 3, lat + 0.04, lon, lat + 0.64, lon, step_s=step_s, sog=12.0), 0)
    return cat(a, d, b)


def _run(pos: pl.DataFrame, with_fixes: bool = True) -> list[dict]:
    from sanctionwatch.detect.near import ports_table

    tr, _ = build_tracks(pos)
    return loitering(main_track(tr), ports_table(), fixes=tr if with_fixes else None)


def test_spot_is_at_sea(ports):
    assert not near_any_port([SPOT[0]], [SPOT[1]], ports, 10.0, edge=True)[0]


def test_drift_at_sea_is_loitering():
    ev = _run(_voyage())
    assert len(ev) == 1
    e = json.loads(ev[0]["evidence"])
    assert 4.5 <= e["hours"] <= 5.5 and e["nav_status_reported"] == {"0": e["n_positions"]}


def test_engaged_in_fishing_is_not_loitering_at_anchor_is():
    assert _run(_voyage(status=7)) == []
    assert len(_run(_voyage(status=1))) == 1  # a transfer at anchor looks exactly like this


def test_one_stale_fishing_status_neither_splits_nor_hides():
    pos = _voyage()
    mid = pos.filter(pl.col("sog") < 1).height // 2
    drift_rows = pos.with_row_index("i").filter(pl.col("sog") < 1)["i"].to_list()
    one = pl.Series("nav_status", [7 if i == drift_rows[mid] else s for i, s in enumerate(pos["nav_status"])],
                    dtype=pl.Int8)
    ev = _run(pos.with_columns(one))
    assert len(ev) == 1 and json.loads(ev[0]["evidence"])["hours"] >= 4.5


def test_drift_reached_only_by_a_jump_is_not_loitering():
    """Sails at 12 kn, then 'drifts' 80 km away 1.5 h later (29 kn: possible for the track builder's 50 kn limit,
    not for a ship whose fastest report is 12 kn), then is back on its line: the drift is not this ship's."""
    lat, lon = SPOT
    a = _status(leg(5, 0, 3, lat - 1.5, lon - 0.5, lat - 1.0, lon - 0.5, step_s=600, sog=12.0), 0)
    fake = _status(leg(5, 4.5, 5, lat, lon, lat + 0.03, lon, step_s=1800, sog=0.5), 0)
    b = _status(leg(5, 11, 3, lat - 0.6, lon - 0.5, lat - 0.1, lon - 0.5, step_s=600, sog=12.0), 0)
    pos = cat(a, fake, b)
    tr, _ = build_tracks(pos)
    assert tr["on_track"].all()  # one reachable chain for the track builder
    assert len(_run(pos, with_fixes=False)) == 1
    assert _run(pos) == []


def test_sparse_honest_approach_is_still_loitering():
    """Satellite-like cadence: a fix every 50 min under way, every 40 min drifting."""
    ev = _run(_voyage(step_s=3000, drift_step_s=2400))
    assert len(ev) == 1


def test_drift_of_one_of_two_hulls_on_one_mmsi_is_still_loitering():
    """A second hull broadcasts the MMSI 150 km away during the whole drift: the jumps between the two are
    another transmitter, not a replaced track, so the drift is judged as any other."""
    lat, lon = SPOT
    other = _status(leg(9, 2.5, 6.5, lat - 1.4, lon - 0.3, lat - 1.4, lon + 0.3, step_s=420, sog=3.0), 0)
    pos = cat(_voyage(step_s=600, drift_step_s=600), other)
    tr, _ = build_tracks(pos)
    assert tr.filter(~pl.col("on_track"))["lat"].max() < lat - 1  # the other hull is the secondary track
    assert len(_run(pos)) == 1


def test_unreported_status_on_some_fixes_is_counted_as_unknown():
    """Fixes without a navigational status (class B, CSV exports without the column) inside a drift: null in the
    column, never a crash (bench_detect's store had them: `cannot convert float NaN to integer`)."""
    pos = _voyage()
    drift = pos.with_row_index("i").filter(pl.col("sog") < 1)["i"].to_list()
    none = set(drift[::3])
    pos = pos.with_columns(pl.Series("nav_status", [None if i in none else s for i, s in enumerate(pos["nav_status"])],
                                     dtype=pl.Int8))
    ev = _run(pos)
    assert len(ev) == 1
    e = json.loads(ev[0]["evidence"])
    assert e["nav_status_reported"].get("unknown", 0) > 0
    assert sum(e["nav_status_reported"].values()) == e["n_positions"]
