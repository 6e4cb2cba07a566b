"""Tracks: ordering, deduplication, impossible jumps split off (not dropped), main track by time coverage."""

from __future__ import annotations

import polars as pl

from sanctionwatch.detect.params import TrackParams
from sanctionwatch.detect.spoofing import spoofing
from sanctionwatch.detect.tracks import build_tracks, main_track
from tests.detect.conftest import cat, leg, stay


def test_dedup_sort_and_bad_rows_counted():
    a = leg(1, 0, 1, 40.0, 140.0, 40.1, 140.0)
    shuffled = pl.concat([a.reverse(), a.head(5)])  # unsorted, 5 exact duplicates
    bad = a.head(2).with_columns(pl.lit(None, pl.Float64).alias("lat"))
    tr, rep = build_tracks(pl.concat([shuffled, bad]))
    assert rep["duplicates"] == 5 and rep["no_position"] == 2
    assert rep["no_position_samples"] == ["hand.nmea:1", "hand.nmea:2"]
    assert tr.height == a.height and tr["t"].is_sorted()
    assert tr["on_track"].all()


def test_impossible_jump_is_split_and_becomes_spoofing():
    base = leg(7, 0, 6, 42.0, 131.0, 42.2, 131.2)  # ~ 2.7 kn
    fake = leg(7, 2, 1, 43.0, 133.0, 43.0, 133.01, source="fake.nmea")  # 150+ km away, 1 h
    tr, rep = build_tracks(cat(base, fake))
    off = tr.filter(~pl.col("on_track"))
    assert off.height == fake.height and rep["off_track"] == fake.height
    assert main_track(tr).height == base.height
    ev = spoofing(tr)
    assert len(ev) == 1 and ev[0]["mmsi"] == 7
    assert '"kind":"one MMSI in two places"' in ev[0]["evidence"]  # the real track kept transmitting meanwhile


def test_fast_but_possible_track_is_not_split():
    fast = leg(8, 0, 2, 30.0, 120.0, 30.0, 121.5)  # ~ 78 km/h = 42 kn, under 50 kn
    tr, _ = build_tracks(fast, TrackParams())
    assert tr["on_track"].all() and spoofing(tr) == []


def test_main_track_is_longest_in_time_not_most_fixes():
    moored = stay(9, 0, 48, 43.1, 131.9, step_s=180)  # 961 fixes over 2 days
    twin = leg(9, 5, 12, 41.8, 129.8, 42.2, 130.3, step_s=10)  # 4321 fixes over 12 h, far away
    tr, _ = build_tracks(cat(moored, twin))
    main = tr.filter(pl.col("on_track"))
    assert main.height == moored.height
