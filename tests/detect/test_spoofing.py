"""Spoofing vs timestamp artefacts: off-track fixes on the ship's own path at another time are a clock problem."""

from __future__ import annotations

import polars as pl

from sanctionwatch.detect.spoofing import spoofing
from sanctionwatch.detect.tracks import build_tracks
from tests.detect.conftest import cat, leg, stay


def test_second_clock_is_not_spoofing_but_a_far_drift_is():
    m = 477000001
    real = leg(m, 0, 6, 41.0, 130.0, 41.0, 131.2, step_s=120)  # 100 km east at ~9 kn
    # a few of its sentences stamped 1.5 h late by a second clock: the same positions, the wrong time
    shifted = real.filter(pl.col("src_line").is_between(20, 26)).with_columns(
        pl.col("ts") + pl.duration(minutes=90), pl.col("src_line") + 10_000)
    counter: dict = {}
    tr, _ = build_tracks(cat(real, shifted))
    assert not tr["on_track"].all()  # the shifted fixes are unreachable in time: off the main track
    assert spoofing(tr, counter=counter) == []
    assert counter["spoofing_time_shifted"] == 1 and counter["spoofing_time_shifted_fixes"] == 7
    # broadcasting a drift 80 km away while sailing: spoofing
    fake = leg(m, 2, 1, 41.7, 130.5, 41.71, 130.51, step_s=300, source="fake.nmea")
    tr, _ = build_tracks(cat(real, fake))
    ev = spoofing(tr, counter={})
    assert len(ev) == 1 and ev[0]["mmsi"] == m


def test_jump_beyond_its_own_speed_under_sparse_coverage():
    """Satellite-like fixes (every 50 min): a 12 kn ship 'jumps' 84 km in 75 min to a fake drift (36 kn: under
    the 50 kn bound, far beyond its own speed) and comes back to its real path: the drift is the spoofing."""
    m = 477000002
    before = leg(m, 0, 10, 41.0, 128.0, 41.0, 130.0, step_s=3000, sog=12.0)  # ~168 km in 10 h: ~9 kn
    fake = leg(m, 11.25, 8, 41.6, 130.6, 41.62, 130.62, step_s=3000, sog=0.5, source="fake.nmea")
    after = leg(m, 20, 6, 41.0, 130.3, 41.0, 131.3, step_s=3000, sog=12.0)
    tr, _ = build_tracks(cat(before, fake, after))
    # the jump in is possible at 50 kn, the jump back (74 km in 45 min) is not: the 50 kn chain keeps the
    # drift and leaves the real return off its main track
    assert tr.filter(pl.col("source") == "fake.nmea")["on_track"].all() and not tr["on_track"].all()
    ev = spoofing(tr, counter={})
    assert len(ev) == 1 and '"kind":"impossible jump for its own speed"' in ev[0]["evidence"]
    t_fake = fake["ts"].dt.epoch("ms")
    assert ev[0]["start"].timestamp() * 1000 == t_fake.min()  # the fake drift, not the real return
    # the same ship never seen under way (SOG 0.2 kn throughout) is not tested against its own speed: only the
    # 50 kn jump is left, and it points at the real return (the off-track piece) instead of the drift
    slow = cat(before.with_columns(pl.lit(0.2, pl.Float32).alias("sog")), fake,
               after.with_columns(pl.lit(0.2, pl.Float32).alias("sog")))
    tr, _ = build_tracks(slow)
    ev = spoofing(tr, counter={})
    assert len(ev) == 1 and '"kind":"impossible jump"' in ev[0]["evidence"]
    assert ev[0]["start"].timestamp() * 1000 == after["ts"].dt.epoch("ms").min()


def test_moored_victim_of_an_mmsi_twin_is_not_a_clock_artefact():
    """The twin takes the main track after one fix of the moored victim: the victim's later fixes lie on that
    fix's spot, but hours to days later - the same place at another time, not a second clock."""
    m = 477000003
    victim = stay(m, 0, 42, 43.109, 131.888, step_s=6 * 3600)  # every 6 h at its berth (satellite revisit)
    twin = leg(m, 5, 14, 41.78, 129.89, 42.24, 130.38, step_s=1200, sog=13.0, source="twin.nmea")
    counter: dict = {}
    tr, _ = build_tracks(cat(victim, twin))
    ev = spoofing(tr, counter=counter)
    assert len(ev) == 1 and counter.get("spoofing_time_shifted", 0) == 0
