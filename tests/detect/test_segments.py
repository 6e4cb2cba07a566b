"""Segments: no port call, loitering, area visit or spoofing event runs across a silence > track.max_silence_h;
placeholder/invalid MMSIs give no behaviour events and are counted under data_quality."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.detect.params import DEFAULT, TrackParams
from sanctionwatch.detect.quality import mmsi_problem
from sanctionwatch.detect.tracks import build_tracks, main_track
from sanctionwatch.engines.embedded import detect
from tests.detect.conftest import cat, leg, port_at, reports, stay

HOUR = 3600.0


def _events(pos: pl.DataFrame, ports: pl.DataFrame, rep: pl.DataFrame | None = None) -> tuple[pl.DataFrame, dict]:
    rep = rep if rep is not None else reports([]).clear()
    table, report = detect(pos, rep, ports=ports)
    ev = pl.from_arrow(table)
    return ev.with_columns(((pl.col("end") - pl.col("start")).dt.total_seconds() / HOUR).alias("h")), report


def test_segment_column_breaks_at_long_silences():
    a = cat(leg(273100001, 0, 4, 40.0, 140.0, 40.2, 140.0), leg(273100001, 40, 4, 40.2, 140.0, 40.4, 140.0),
            leg(273100001, 50, 2, 40.4, 140.0, 40.5, 140.0))
    tr, _ = build_tracks(a)
    main = main_track(tr, TrackParams())
    per = main.group_by("segment").agg(pl.col("t").min().alias("t0"), pl.col("t").max().alias("t1")).sort("t0")
    assert per.height == 2  # 36 h silence breaks, the 6 h one does not
    assert main_track(tr, TrackParams(max_silence_h=5.0))["segment"].n_unique() == 3
    assert tr["on_track"].all()  # a break is not an impossible jump: nothing becomes spoofing


def test_port_call_ends_at_last_observation_before_a_long_silence(ports):
    fre = port_at(ports, "AUFRE")
    m = 503100001
    pos = cat(stay(m, 0, 5, fre["lat"], fre["lon"]), stay(m, 5 + 24 * 30, 3, fre["lat"], fre["lon"]),
              leg(m, 8.1 + 24 * 30, 3, fre["lat"], fre["lon"], fre["lat"] - 0.5, fre["lon"] - 0.3))
    ev, _ = _events(pos, ports)
    calls = ev.filter(pl.col("type") == "port_call").sort("start")
    assert calls.height == 2, calls
    assert calls["h"][0] == pytest.approx(5.0, abs=0.01)  # last fix inside + 1 s, not 30 days later
    assert 3.0 <= calls["h"][1] <= 4.0  # 3 h moored, then until first seen beyond radius + margin
    assert calls.filter(pl.col("h") > DEFAULT.track.max_silence_h).is_empty()


def test_loitering_and_area_visit_do_not_span_a_segment_break(ports):
    m = 457400004
    # drifting inside the DPRK 12 nm zone off Wonsan, 2 days silent, then again
    pos = cat(leg(m, 0, 6, 39.3, 127.75, 39.31, 127.76, sog=0.5), leg(m, 54, 6, 39.31, 127.76, 39.32, 127.77, sog=0.5))
    ev, _ = _events(pos, ports)
    for t in ("loitering", "sanctioned_area"):
        got = ev.filter(pl.col("type") == t)
        assert got.height == 2 and (got["h"] <= 6.01).all(), (t, got)


def test_spoofing_segment_bounded_by_observations(ports):
    m = 538700071
    base = cat(leg(m, 0, 6, 42.0, 135.0, 42.2, 135.2), leg(m, 60, 6, 42.2, 135.2, 42.4, 135.4))
    fake = leg(m, 5, 1, 44.0, 138.0, 44.0, 138.01, source="fake.nmea")
    ev, _ = _events(cat(base, fake), ports)
    sp = ev.filter(pl.col("type") == "spoofing")
    assert sp.height == 1 and sp["h"][0] <= 1.1  # ends at the main track's next fix (same hour), not 2 days later


@pytest.mark.parametrize(("mmsi", "rule"), [
    (123456789, "placeholder"), (0, "placeholder"), (111111111, "placeholder"), (999999999, "placeholder"),
    (412000000, "placeholder"), (12345, "not_9_digits"), (970012345, "not_ship_station"),
    (992351234, "not_ship_station"), (299123456, "unknown_mid"), (244266000, None), (445123456, None),
])
def test_mmsi_rules(mmsi, rule):
    got = pl.DataFrame({"mmsi": pl.Series([mmsi], dtype=pl.Int32)}).select(mmsi_problem().alias("r"))["r"][0]
    assert got == rule


def test_placeholder_mmsis_give_no_events_and_are_counted(ports):
    fre = port_at(ports, "AUFRE")
    good, bad = 503100001, 123456789
    # two unrelated transmitters sharing the placeholder: a port stay and a far away track
    pos = cat(stay(good, 0, 5, fre["lat"], fre["lon"]), stay(bad, 0, 5, fre["lat"], fre["lon"]),
              leg(bad, 1, 3, 10.0, 60.0, 10.1, 60.1, source="other.nmea"))
    rep = reports([(0.5, bad, 9300006, "X", "Y", "FREMANTLE"), (1.0, bad, 9300006, "Z", "W", "FREMANTLE")])
    ev, report = _events(pos, ports, rep)
    assert set(ev["mmsi"].to_list()) == {good}
    dq = report["data_quality"]["invalid_mmsi"]
    assert dq["positions"]["vessels"] == 1 and dq["positions"]["placeholder"] == pos.filter(
        pl.col("mmsi") == bad).height
    assert dq["positions"]["samples"][0].endswith("mmsi 123456789 (placeholder)")
    assert dq["vessel_reports"]["rows"] == 2
    assert "invalid_mmsi_rows" not in report["tracks"]
    assert json.dumps(report)  # the run report stays JSON
