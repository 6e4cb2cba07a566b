"""Gaps relative to the coverage the data has (issue 12 sec. 2): a silence is a gap only beyond revisit_factor x
the vessel's own normal revisit in that state; a silence right after a first fix has an unknown revisit; a
silence between set-aside (off-main-track) positions is not the ship's; a silence while the hull broadcast a
borrowed MMSI (B's fixes jump onto A's path when A falls silent and off it when A is heard again) is explained,
but a convoy partner heard all along explains nothing."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.detect.params import GapParams
from sanctionwatch.engines.embedded import detect
from tests.detect.conftest import cat, leg, port_at, reports, stay

MOORED_SAT, MOVING_SAT, FIRST_FIX, TWIN_OWN, BORROWED, CONVOY_A, CONVOY_C = (
    273100011, 273100012, 273100013, 445100014, 273100015, 273100016, 273100017)
WITNESS_PORT, WITNESS_SEA, WITNESS_SEA2 = 440600021, 431600022, 431600023


@pytest.fixture(scope="module")
def world(ports):
    pus = port_at(ports, "KRPUS")
    plat, plon = pus["lat"], pus["lon"]
    half = 1800
    pos = cat(
        stay(WITNESS_PORT, 0, 40, plat + 0.01, plon + 0.01, step_s=600),
        leg(WITNESS_SEA, 0, 40, 37.1, 133.0, 37.1, 134.7, step_s=600),
        leg(WITNESS_SEA2, 0, 40, 36.1, 133.0, 36.1, 134.7, step_s=600),
        # moored in Busan, heard every 4 h (satellite revisit of a moored ship), one 9 h silence: coverage
        stay(MOORED_SAT, 0, 12, plat, plon, step_s=4 * 3600), stay(MOORED_SAT, 21, 12, plat, plon, step_s=4 * 3600),
        # under way, heard every 30 min, silent 9 h at sea among the witnesses: a dark gap
        leg(MOVING_SAT, 0, 6, 37.05, 133.0, 37.05, 133.5, step_s=half),
        leg(MOVING_SAT, 15, 6, 37.05, 134.2, 37.05, 134.7, step_s=half),
        # heard once, silent 10 h, then heard every 30 min: nothing shows how often the data hears it
        leg(FIRST_FIX, 0, 0.001, 37.2, 133.0, 37.2, 133.0, step_s=60)[:1],
        leg(FIRST_FIX, 10, 6, 37.2, 133.5, 37.2, 134.0, step_s=half),
        # an MMSI twin: its own MMSI silent 11 h while it sails under BORROWED's MMSI, whose real ship is moored
        # 300 km away all along
        leg(TWIN_OWN, 0, 4, 37.0, 133.0, 37.0, 133.4, step_s=half),
        leg(BORROWED, 4.5, 10, 37.0, 133.45, 37.0, 134.3, step_s=half),
        leg(TWIN_OWN, 15, 4, 37.0, 134.35, 37.0, 134.7, step_s=half),
        stay(BORROWED, 0, 20, 39.0, 135.5, step_s=half),
        # A silent 11 h while its convoy partner C, heard all along, sails beside it: no explanation
        leg(CONVOY_A, 0, 4, 36.0, 133.0, 36.0, 133.4, step_s=half),
        leg(CONVOY_A, 15, 4, 36.0, 134.5, 36.0, 134.9, step_s=half),
        leg(CONVOY_C, 0, 19, 36.01, 133.0, 36.01, 134.9, step_s=half),
    )
    table, report = detect(pos, reports([]).clear(), ports=ports)
    ev = pl.from_arrow(table).filter(pl.col("type") == "gap")
    evs = [(r["mmsi"], json.loads(r["evidence"])) for r in ev.iter_rows(named=True)]
    return {m: e for m, e in evs if not e["open_ended"]}, report  # closed gaps (everyone falls silent at the end)


def test_silence_within_the_moored_revisit_is_no_gap(world):
    gaps, report = world
    assert MOORED_SAT not in gaps
    assert report["not_reported_explained"]["gap_within_normal_revisit"] >= 1


def test_silence_far_beyond_the_revisit_is_a_dark_gap_with_the_revisit_in_its_why(world):
    e = world[0][MOVING_SAT]
    assert e["dark"] and e["gap_class"]["start"] == "at_sea"
    rv = e["revisit"]
    assert rv["state_at_last_fix"] == "under_way" and rv["own_revisit_before_h"] == pytest.approx(0.5, abs=0.01)
    assert e["hours"] >= GapParams().revisit_factor * 0.5
    assert "x its normal revisit here (0.50 h)" in e["rule"]


def test_silence_after_a_first_fix_has_unknown_revisit(world):
    gaps, report = world
    assert FIRST_FIX not in gaps
    assert report["not_reported_explained"]["gap_revisit_unknown"] >= 1


def test_borrowed_identity_explains_the_twin_not_the_convoy(world):
    gaps, report = world
    assert TWIN_OWN not in gaps
    assert report["not_reported_explained"]["gap_borrowed_identity"] == 1
    assert gaps[CONVOY_A]["dark"]  # C was heard before and after: its track does not jump onto A's path


def test_silence_between_set_aside_positions_is_not_the_ships():
    """A silence bounded by off-main-track fixes (a spoofed drift) is counted, not reported."""
    from sanctionwatch.detect.gaps import gaps as gap_candidates

    fixes = leg(MOVING_SAT, 0, 2, 37.0, 133.0, 37.0, 133.1, step_s=600).vstack(
        leg(MOVING_SAT, 12, 2, 37.0, 133.2, 37.0, 133.3, step_s=600)).with_columns(
        pl.col("ts").dt.epoch("ms").alias("t"), pl.lit(False).alias("on_track"))
    (c,) = gap_candidates(fixes)
    assert json.loads(c["evidence"])["off_main_track"] is True
