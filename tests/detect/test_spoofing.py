"""Spoofing vs timestamp artefacts: off-track fixes on the ship's own path at another time are a clock problem."""

from __future__ import annotations

import polars as pl

from sanctionwatch.detect.spoofing import spoofing
from sanctionwatch.detect.tracks import build_tracks
from tests.detect.conftest import cat, leg


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
