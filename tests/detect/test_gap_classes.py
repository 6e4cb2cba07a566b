"""Gap classes (CONTRACT.md): start at sea / in port, closed / open, coverage; `dark` only for an at-sea silence
where the data could have seen the ship; the class, the place and the nearest sanctioned place in the sentence."""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
import pytest

from sanctionwatch.engines.embedded import detect
from tests.detect.conftest import T0, cat, leg, port_at, reports, stay

DARK_SEA, BERTH_OPEN, BERTH_SAME, BERTH_LEAVES, OPEN_SEA, OFF_HUNGNAM, ARCHIVE, HOLE = (
    273100001, 440200002, 352300003, 457400004, 412500005, 445600006, 538700007, 563100010)
WITNESS_JP, WITNESS_KR, WITNESS_DPRK = 431600001, 440600002, 412600003


@pytest.fixture(scope="module")
def world(ports):
    pus = port_at(ports, "KRPUS")
    hgm = port_at(ports, "KPHGM")
    plat, plon = pus["lat"], pus["lon"]
    pos = cat(
        # witnesses: others received all day near each place (reception worked there)
        leg(WITNESS_JP, 0, 48, 37.0, 133.0, 37.0, 134.5, step_s=300),
        stay(WITNESS_KR, 0, 48, plat + 0.01, plon + 0.01, step_s=300),
        leg(WITNESS_DPRK, 0, 48, 39.4, 127.9, 39.6, 128.3, step_s=300),
        # at sea, silent 10 h among the witnesses' traffic, sails on: dark
        leg(DARK_SEA, 0, 4, 37.0, 133.0, 37.0, 133.5), leg(DARK_SEA, 14, 4, 37.0, 134.0, 37.0, 134.5),
        # moored in Busan, silent from 6 h until the end of the data: not dark, not reported
        stay(BERTH_OPEN, 0, 6, plat, plon),
        # moored, silent 12 h, still moored: part of one port stay, not a gap
        stay(BERTH_SAME, 0, 6, plat, plon), stay(BERTH_SAME, 18, 6, plat, plon),
        # moored, silent 12 h, seen next at sea: a gap that started in port (dark: false)
        stay(BERTH_LEAVES, 0, 6, plat, plon), leg(BERTH_LEAVES, 18, 4, plat - 0.5, plon + 0.5, plat - 0.8, plon + 0.8),
        # at sea, never seen again while the witness kept being received: open, dark
        leg(OPEN_SEA, 0, 6, 37.0, 133.2, 37.0, 133.8),
        # goes dark ~40 km off Hungnam for 30 h and comes back to the same spot
        leg(OFF_HUNGNAM, 0, 6, 38.8, 128.6, hgm["lat"] - 0.33, hgm["lon"] + 0.2),
        leg(OFF_HUNGNAM, 36, 6, hgm["lat"] - 0.33, hgm["lon"] + 0.2, 38.8, 128.6),
        # empty ocean, nobody else received there: a coverage hole (reported, not dark)
        leg(HOLE, 0, 4, 30.0, 150.0, 30.0, 150.6), leg(HOLE, 14, 4, 30.0, 151.5, 30.0, 152.1),
    )
    # ARCHIVE: a vessel in one file, then again in a file two years later (nothing in the store between)
    later = 2 * 365 * 24
    archive = cat(leg(ARCHIVE, 0, 3, 35.0, 140.0, 35.1, 140.1, source="old.nmea"),
                  leg(ARCHIVE, later, 3, 35.2, 140.2, 35.3, 140.3, source="new.nmea"),
                  leg(WITNESS_JP + 9, later, 48, 35.2, 140.0, 35.5, 140.5, source="new.nmea", step_s=600))
    table, report = detect(pl.concat([pos, archive]), reports([]).clear(), ports=ports)
    ev = pl.from_arrow(table).filter(pl.col("type") == "gap").sort("start", descending=True)
    # the first gap of each vessel (DARK_SEA also falls silent for good after its second leg)
    return {r["mmsi"]: (r, json.loads(r["evidence"])) for r in ev.iter_rows(named=True)}, report


def test_only_gaps_the_data_could_see_are_claimed(world):
    gaps, report = world
    assert set(gaps) == {DARK_SEA, BERTH_LEAVES, OPEN_SEA, OFF_HUNGNAM, HOLE}
    ex = report["not_reported_explained"]
    assert ex["open_ended_gap_in_port"] >= 1  # BERTH_OPEN
    assert ex["gap_inside_one_port_stay"] == 1  # BERTH_SAME
    assert ex["gap_no_data"] >= 1  # ARCHIVE: two years without any data


def test_classes_and_dark(world):
    gaps, _ = world
    want = {DARK_SEA: ("at_sea", "closed", "received_nearby", True),
            BERTH_LEAVES: ("in_port", "closed", "received_nearby", False),
            OPEN_SEA: ("at_sea", "open", "received_nearby", True),
            OFF_HUNGNAM: ("at_sea", "closed", "received_nearby", True),
            HOLE: ("at_sea", "closed", "coverage_hole", False)}
    for m, (start, end, cov, dark) in want.items():
        _, e = gaps[m]
        assert e["gap_class"] == {"start": start, "end": end, "coverage": cov}, m
        assert e["dark"] is dark, m
        assert ("dark gap" in e["rule"]) is dark and (start.replace("_", " ") in e["rule"]), e["rule"]
    assert gaps[DARK_SEA][0]["confidence"] > 0.5 >= max(gaps[BERTH_LEAVES][0]["confidence"], gaps[HOLE][0]["confidence"])


def test_open_gap_says_not_seen_since_and_invents_no_end(world):
    gaps, _ = world
    r, e = gaps[OPEN_SEA]
    last = e["positions"][-1]
    assert len(e["positions"]) == 1 and "not seen since " + last["ts"] in e["rule"]
    assert "at 37.000 N 133.800 E" in e["rule"]
    assert r["end"] <= T0 + timedelta(hours=48)  # the end of the data, nothing beyond


def test_gap_near_hungnam_names_port_and_distance(world):
    r, e = world[0][OFF_HUNGNAM]
    na = e["near_area"]
    assert na["name"] == "Hungnam" and na["kind"] == "port" and na["country"] == "KP"
    assert 35 <= na["distance_km"] <= 45
    assert "km from Hungnam" in e["rule"] and r["country"] == "KP"
    assert world[0][DARK_SEA][1]["near_area"] is None


def test_coverage_join_batches_do_not_change_any_gap(ports, monkeypatch):
    """rate_gaps joins the reception map in batches of gaps (bounded memory under receiver outages): one gap per
    batch gives the same events, evidence included, as one batch for all (issue 19)."""
    from sanctionwatch.detect import gaps

    pos = cat(leg(WITNESS_JP, 0, 48, 37.0, 133.0, 37.0, 134.5, step_s=300),
              *[part for m in range(6) for part in (leg(DARK_SEA + m, 0, 4, 37.0, 133.0 + 0.05 * m, 37.0, 133.5),
                                                   leg(DARK_SEA + m, 14 + m, 4, 37.0, 134.0, 37.0, 134.5))])

    def run():
        table, _ = detect(pos, reports([]).clear(), ports=ports)
        return pl.from_arrow(table).filter(pl.col("type") == "gap").sort("mmsi", "start")

    whole = run()
    monkeypatch.setattr(gaps, "RATE_BATCH_GAPS", 1)
    batched = run()
    assert whole.height >= 6
    assert whole.equals(batched)
