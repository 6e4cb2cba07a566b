"""Real data: tanker STOC MARCIA drifting east of Bornholm (~12.6 h below 2 kn, not under command).

Expected: one loitering event explained by its fixes; no spoofing, encounter, gap, port call, identity
change or destination mismatch (its destination text changes from 'SE GOT>SE NYN' to 'SE GOT>SE LAA',
which is a voyage update with no port reached, not an identity change or a mismatch).
"""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest
from typer.testing import CliRunner

from sanctionwatch.store import Store, connect


@pytest.fixture(scope="module")
def drift_store(shared_data, tmp_path_factory):
    from sanctionwatch.ais.ingest import ingest

    d = tmp_path_factory.mktemp("drift")
    src = d / "212123000_drift_1.ais"
    shutil.copy(shared_data / "ais" / "212123000_drift_1.ais", src)
    st = Store(d / "store")
    ingest(st, [str(src)])
    return st


@pytest.fixture(scope="module")
def drift_events(drift_store):
    from sanctionwatch.engines.embedded import run

    report = run(drift_store)
    return pl.from_arrow(connect(drift_store).sql("SELECT * FROM events").arrow()), report


def test_only_one_loitering_event(drift_events):
    _, report = drift_events
    assert report["by_type"] == {"loitering": 1}
    assert report["tracks"]["off_track"] == 0  # no impossible jumps: nothing for spoofing


def test_loitering_is_explained(drift_events):
    ev, _ = drift_events
    r = ev.row(0, named=True)
    assert r["mmsi"] == 212123000
    hours = (r["end"] - r["start"]).total_seconds() / 3600
    assert 12.0 <= hours <= 14.5
    assert 55.55 < r["lat"] < 55.7 and 15.3 < r["lon"] < 15.5  # east of Bornholm
    e = json.loads(r["evidence"])
    assert e["mean_speed_kn"] < 1.0 and e["thresholds"]["max_speed_kn"] == 2.0
    assert all(p["at"].startswith("212123000_drift_1.ais:") for p in e["positions"])
    assert e["positions"][0]["ts"].startswith("2014-10-02T16:5")  # slowed down just before 17:00


def test_cli_detect_and_events(drift_store, drift_events):
    from sanctionwatch.cli.main import app

    runner = CliRunner()
    res = runner.invoke(app, ["events", "--store", str(drift_store.root), "--type", "loitering", "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert len(rows) == 1 and rows[0]["type"] == "loitering" and rows[0]["evidence"]["positions"]
    assert rows[0]["start"].endswith("Z")
    res = runner.invoke(app, ["events", "--store", str(drift_store.root), "--mmsi", "1", "--format", "csv"])
    assert res.exit_code == 0 and res.stdout.strip().splitlines() == [",".join(
        ["event_id", "type", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "port", "locode", "country",
         "confidence", "evidence"])]
    res = runner.invoke(app, ["detect", "--store", str(drift_store.root), "--set", "nope.x=1"])
    assert res.exit_code == 2 and "unknown detector parameter" in res.output
    res = runner.invoke(app, ["detect", "--store", str(drift_store.root), "--set",
                              "loitering.min_duration_h=20"])
    assert res.exit_code == 0, res.output
    assert connect(drift_store).sql("SELECT count(*) FROM events WHERE type = 'loitering'").fetchone()[0] == 0
    res = runner.invoke(app, ["detect", "--store", str(drift_store.root), "--json"])
    assert res.exit_code == 0 and '"by_type"' in res.output and "timings (s):" in res.output
