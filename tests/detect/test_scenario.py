"""A hand-built world with known truth, run through the embedded engine: exact events per type, plus controls."""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl
import pytest

from sanctionwatch.engines.embedded import detect
from tests.detect.conftest import T0, cat, leg, port_at, reports, stay

V1, V2, V3, V4, V5, V6, V7A, V7B, V8_OLD, V8_NEW, V9, V10 = (
    273100001, 440200002, 352300003, 457400004, 412500005, 431600006, 538700071, 538700072, 445800008, 273800009,
    636900009, 563100010)


@pytest.fixture(scope="module")
def world(ports):
    njk, rjn = port_at(ports, "RUNJK"), port_at(ports, "KPRJN")
    pos = cat(
        # V1: Nakhodka call, sails declaring DALIAN, calls at Najin (DPRK) instead
        stay(V1, 0, 6, njk["lat"], njk["lon"]),
        leg(V1, 6.05, 10, njk["lat"], njk["lon"], rjn["lat"], rjn["lon"]),
        stay(V1, 16.1, 8, rjn["lat"], rjn["lon"]),
        # V2/V3: approach, 5 h side by side (60 m) at 0.3 kn far from ports, leave
        leg(V2, 5, 5, 41.2, 131.2, 41.5, 131.5),
        leg(V2, 10.02, 5, 41.5, 131.5, 41.51, 131.51, sog=0.3),
        leg(V2, 15.05, 5, 41.51, 131.51, 41.2, 131.9),
        leg(V3, 5, 5, 41.8, 131.2, 41.5005, 131.5),
        leg(V3, 10.02, 5, 41.5005, 131.5, 41.5105, 131.51, sog=0.3),
        leg(V3, 15.05, 5, 41.5105, 131.51, 41.8, 131.9),
        # V4: drifts alone at 0.5 kn for 6 h, 60+ km from any port
        leg(V4, 2, 6, 42.3, 132.4, 42.32, 132.43, sog=0.5),
        # V5: sails, silent 10 h, sails on; V6 sails through the same waters all day (others received)
        leg(V5, 0, 4, 41.0, 133.0, 41.0, 133.6),
        leg(V5, 14, 4, 41.0, 134.5, 41.0, 135.1),
        leg(V6, 0, 24, 41.1, 132.8, 41.1, 135.5),
        # V7A/V7B: parallel lanes 200 m apart at 12 kn for 3 h: close but not an encounter
        leg(V7A, 0, 3, 40.0, 131.0, 40.0, 131.85),
        leg(V7B, 0, 3, 40.0018, 131.0, 40.0018, 131.85),
        # V9: a 10 h gap in empty ocean (nobody else received): reported, but weaker
        leg(V9, 0, 4, 30.0, 150.0, 30.0, 150.6),
        leg(V9, 14, 4, 30.0, 151.5, 30.0, 152.1),
        # V10: a 3 h silence is below the gap threshold
        leg(V10, 0, 3, 39.0, 133.0, 39.0, 133.4),
        leg(V10, 6, 3, 39.0, 133.8, 39.0, 134.2),
    )
    rep = reports([
        (6.5, V1, 9300006, "SEA RIDER", "UBAB1", "DALIAN"), (7.0, V1, 9300006, "SEA RIDER", "UBAB1", "DALIAN"),
        (1.0, V2, 9300011, "BLUE WAY", "DSAA2", "FOR ORDERS"), (2.0, V2, 9300011, "BLUE WAY", "DSAA2", "FOR ORDERS"),
        (0.1, V8_OLD, 9123453, "CHON MA", "HMAA1", None), (0.5, V8_OLD, 9123453, "CHON MA", "HMAA1", None),
        (1.0, V8_OLD, 9123453, "CHON MA", "HMAA1", None), (2.0, V8_NEW, 9123453, "SEA PIONEER", "UBXX9", None),
        (2.5, V8_NEW, 9123453, "SEA PIONEER", "UBXX9", None),
        (3.0, V4, 9300024, "DRIFTER", "JVAA4", None), (3.1, V4, 9300024, "DRIFTER", "JVAA4", None),
        (3.2, V4, 9300024, "DRIFTER 2", "JVAA4", None),  # one garbled name: not an identity
    ])
    table, report = detect(pos, rep, ports=ports)
    return pl.from_arrow(table), report


def of(ev: pl.DataFrame, t: str) -> pl.DataFrame:
    return ev.filter(pl.col("type") == t)


def test_counts_per_type(world):
    _, report = world
    assert report["by_type"] == {"port_call": 2, "destination_mismatch": 1, "sanctioned_area": 1, "encounter": 1,
                                 "loitering": 1, "gap": 3, "identity_change": 1}
    assert report["not_reported_explained"].get("loitering_explained_by_encounter") == 2


def test_port_calls_and_mismatch(world):
    ev, _ = world
    calls = of(ev, "port_call").sort("start")
    assert calls["locode"].to_list() == ["RUNJK", "KPRJN"] and calls["mmsi"].to_list() == [V1, V1]
    mm = of(ev, "destination_mismatch").row(0, named=True)
    assert (mm["mmsi"], mm["locode"], mm["port"]) == (V1, "KPRJN", "Najin")
    e = json.loads(mm["evidence"])
    assert e["declared"] == "DALIAN" and e["declared_locode"] == "CNDLC" and e["declaration_report"] == "hand.nmea:2"
    assert mm["start"] == calls["end"][0] and mm["end"] == calls["start"][1]
    sa = of(ev, "sanctioned_area").row(0, named=True)
    assert (sa["mmsi"], sa["locode"], sa["country"]) == (V1, "KPRJN", "KP")


def test_encounter_pair_and_evidence(world):
    ev, _ = world
    enc = of(ev, "encounter").row(0, named=True)
    assert {enc["mmsi"], enc["other_mmsi"]} == {V2, V3}
    hours = (enc["end"] - enc["start"]).total_seconds() / 3600
    assert 4.5 <= hours <= 5.6
    e = json.loads(enc["evidence"])
    assert e["median_distance_km"] < 0.1 and e["positions_a"][0]["at"].startswith("hand.nmea:")
    assert e["thresholds"]["max_distance_km"] == 0.5


def test_loitering_alone_only(world):
    ev, _ = world
    lo = of(ev, "loitering")
    assert lo["mmsi"].to_list() == [V4]


def test_gaps_rated_by_coverage(world):
    ev, _ = world
    g = {r["mmsi"]: r for r in of(ev, "gap").iter_rows(named=True)}
    assert set(g) == {V5, V9, V4}
    # V4 fell silent after drifting and never came back while others nearby kept being received; the feed
    # ends when 90 % of vessels had sent their last fix (V6 at 24 h; V1's 24.1 h is the straggler)
    assert json.loads(g[V4]["evidence"])["open_ended"] and g[V4]["end"] == T0 + timedelta(hours=24)
    covered, hole = json.loads(g[V5]["evidence"]), json.loads(g[V9]["evidence"])
    assert covered["coverage"]["other_vessels_received"] >= 1 and hole["coverage"]["other_vessels_received"] == 0
    assert covered["coverage"]["hours_with_others_received"] == covered["coverage"]["hours_sampled"] == 9
    assert g[V5]["confidence"] > g[V9]["confidence"]
    assert abs(covered["hours"] - 10.0) < 0.1


def test_identity_change_with_flag(world):
    ev, _ = world
    ic = of(ev, "identity_change").row(0, named=True)
    assert (ic["mmsi"], ic["other_mmsi"], ic["country"]) == (V8_OLD, V8_NEW, "RU")
    ch = json.loads(ic["evidence"])["changes"]
    assert ch["flag"]["old"] == "KP" and ch["flag"]["new"] == "RU"
    assert ch["name"]["old"] == "CHON MA" and ch["name"]["new"] == "SEA PIONEER"


def test_event_ids_are_stable(world, ports):
    ev, _ = world
    assert ev["event_id"].n_unique() == ev.height


def test_empty_inputs_give_empty_events(ports):
    pos = leg(1, 0, 1, 40.0, 140.0, 40.1, 140.0).clear()
    rep = reports([(0.0, 1, 1234567, "X", "Y", None)]).clear()
    table, report = detect(pos, rep, ports=ports)
    assert table.num_rows == 0 and report["by_type"] == {}
    assert table.schema.names[:3] == ["event_id", "type", "mmsi"]
