"""A user's mistakes get a clear error and a non-zero exit, never a traceback or a silent empty result."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanctionwatch.cli.main import app


@pytest.mark.parametrize("args", [
    ["sql", "select 1"],
    ["events"],
    ["risk"],
    ["vessel", "445123000"],
    ["report", "445123000", "--out", "x.html"],
    ["serve"],
    ["screen", "--store"],
])
def test_missing_store_is_an_error(tmp_path, args):
    missing = str(tmp_path / "no-such-store")
    argv = [*args, missing] if args[-1] == "--store" else [*args, "--store", missing]
    r = CliRunner().invoke(app, argv)
    assert r.exit_code == 2, r.output
    assert "no store at" in r.output
    assert not (tmp_path / "no-such-store").exists(), "reading must not create the store"


def test_bad_values_are_errors(tmp_path):
    (tmp_path / "st").mkdir()
    r = CliRunner().invoke(app, ["events", "--store", str(tmp_path / "st"), "--type", "bogus"])
    assert r.exit_code == 2 and "unknown event type" in r.output
    r = CliRunner().invoke(app, ["serve", "--store", str(tmp_path / "st"), "--port", "99999"])
    assert r.exit_code == 2 and "65535" in r.output
    f = tmp_path / "file"
    f.write_text("x")
    r = CliRunner().invoke(app, ["simulate", "smoke", "--out", str(f)])
    assert r.exit_code == 2 and "not a folder" in r.output
    r = CliRunner().invoke(app, ["simulate", "smoke", "--out", str(tmp_path / "o"), "--days", "0"])
    assert r.exit_code == 2


def test_unknown_api_route_uses_the_error_envelope(tmp_path):
    from sanctionwatch.web.app import create_app

    r = TestClient(create_app(tmp_path), base_url="http://127.0.0.1").get("/api/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "http_error"


def test_assume_time_accepts_epoch_seconds_and_milliseconds():
    from datetime import UTC, datetime

    from sanctionwatch.cli.ingest import _parse_time

    t = datetime(2025, 11, 24, 12, tzinfo=UTC)
    assert _parse_time("1763985600") == _parse_time("1763985600000") == _parse_time("2025-11-24T12:00:00Z") == t


def test_issue14_bad_inputs(tmp_path, monkeypatch):
    """screen "" is an error; report --out into a missing folder is an error and creates nothing;
    lists download offline is one clear line and exit 1 (no httpx traceback)."""
    runner = CliRunner()
    r = runner.invoke(app, ["screen", ""])
    assert r.exit_code == 2 and "empty query" in r.output
    store = tmp_path / "st"
    store.mkdir()
    r = runner.invoke(app, ["report", "445123000", "--store", str(store), "--out", str(tmp_path / "missing" / "x.html")])
    assert r.exit_code == 2 and "does not exist" in r.output
    assert not (tmp_path / "missing").exists()
    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(tmp_path / "cache"))
    r = runner.invoke(app, ["lists", "download", "un_sc_sanctions", "--url", "http://127.0.0.1:9/consolidated.xml"])
    assert r.exit_code == 1, r.output
    assert "download of un_sc_sanctions failed" in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)  # no traceback


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\n", b""])
def test_ingest_without_ais_is_an_error(tmp_path, content):
    f = tmp_path / "input.nmea"
    f.write_bytes(content)
    r = CliRunner().invoke(app, ["ingest", str(f), "--store", str(tmp_path / "st")])
    assert r.exit_code == 1, r.output
    out = " ".join(r.output.split())
    assert "held no readable AIS" in out and ("line(s) rejected" in out or "empty input" in out)


def test_ingest_empty_directory_is_an_error(tmp_path):
    (tmp_path / "d").mkdir()
    r = CliRunner().invoke(app, ["ingest", str(tmp_path / "d"), "--store", str(tmp_path / "st")])
    assert r.exit_code == 1 and "no inputs found" in r.output


def test_directory_without_ais_lists_every_file_and_why(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    (d / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (d / "notes.txt").write_text("meeting notes, not AIS\n")
    (d / ".hidden.nmea").write_text("x\n")
    r = CliRunner().invoke(app, ["ingest", str(d), "--store", str(tmp_path / "st")], env={"COLUMNS": "300"})
    assert r.exit_code == 1, r.output
    out = " ".join(r.output.split())
    assert "pic.png: not read (.png is not an AIS format)" in out
    assert ".hidden.nmea: not read (hidden file)" in out
    assert "notes.txt: no AIS: all 1 line(s) rejected (not_ais 1)" in out


def test_trade_caps_without_dprk_flows_is_insufficient_data(tmp_path):
    """A store with trade flows but none to DPRK: a cap is 'insufficient data', never 'within limit, 0 barrels'."""
    src = Path(str(resources.files("sanctionwatch").joinpath("data/trade/constructed_rus_prk_monthly_H4_2016-2017.csv")))
    china = src.read_text().replace(",408,PRK,Dem. People's Rep. of Korea,", ",156,CHN,China,")
    f = tmp_path / "rus_chn.csv"
    f.write_text(china)
    st = str(tmp_path / "st")
    r = CliRunner().invoke(app, ["trade", "load", str(f), "--store", st])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["trade", "caps", "--store", st, "--json"])
    assert r.exit_code == 0, r.output
    caps = json.loads(r.stdout)["caps"]
    assert caps and all(c["status"].startswith("insufficient data") and not c["exceeded"] for c in caps)


def test_events_cli_filters_and_machine_output(tmp_path):
    """events --bbox/--start/--end go through the API's events_where; json on stdout parses alone."""
    from datetime import UTC, datetime

    from sanctionwatch.store import Store
    from sanctionwatch.store.events import events_table, write_events

    st = Store(tmp_path / "st")
    t0, t1 = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)
    rows = [dict(event_id=f"e{i}", type="loitering", mmsi=100000000 + i, start=t, end=t.replace(hour=5),
                 lat=lat, lon=lon, confidence=0.5, evidence='{"rule": "r"}')
            for i, (t, lat, lon) in enumerate([(t0, 10.0, 120.0), (t1, -30.0, 10.0)])]
    write_events(st, "maritime", events_table(rows))
    base = ["events", "--store", str(st.root), "--format", "json"]
    r = CliRunner().invoke(app, [*base, "--bbox", "100,0,130,20"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert [e["event_id"] for e in got] == ["e0"] and got[0]["evidence"] == {"rule": "r"}
    r = CliRunner().invoke(app, [*base, "--start", "2024-05-15"])
    assert [e["event_id"] for e in json.loads(r.stdout)] == ["e1"]
    r = CliRunner().invoke(app, [*base, "--end", "2024-05-15T00:00Z"])
    assert [e["event_id"] for e in json.loads(r.stdout)] == ["e0"]
    r = CliRunner().invoke(app, ["events", "--store", str(st.root), "--bbox", "1,2,3"])
    assert r.exit_code == 2 and "minlon,minlat,maxlon,maxlat" in r.output
    r = CliRunner().invoke(app, ["events", "--store", str(st.root), "--start", "yesterday"])
    assert r.exit_code == 2 and "ISO-8601" in r.output


def test_quiet_and_piped_output_have_no_bars():
    from sanctionwatch.cli import common

    try:
        r = CliRunner().invoke(app, ["--quiet", "sql", "--help"])
        assert r.exit_code == 0 and common.QUIET and not common.show_progress()
    finally:
        common.set_quiet(False)
    assert not common.show_progress()  # CliRunner's stdout is not a terminal: no bars either
