"""Claims: the seed claims file end to end on the constructed store, and verdicts of each kind."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.store import Store
from sanctionwatch.trade.claims import ClaimError, check_claims, load_claims
from sanctionwatch.trade.data import TradeData

from .trade_paths import SEED_CLAIMS

runner = CliRunner()


def test_seed_claims_end_to_end_cli(store: Store) -> None:
    res = runner.invoke(app, ["claims", "check", str(SEED_CLAIMS), "--store", str(store.root), "--json"])
    assert res.exit_code == 0, res.output
    verdicts = {v["claim"]["id"]: v for v in json.loads(res.stdout)}
    assert len(verdicts) == 6
    assert {v["verdict"] for v in verdicts.values()} == {"supported"}
    # The numbers used, hand-summed from the constructed fixture (build_constructed_fixture.py).
    assert verdicts["rus-prk-turnover-2017q1-value"]["measured"] == pytest.approx(31.4e6)
    assert verdicts["rus-prk-turnover-2017q1-more-than-doubled"]["measured"] == pytest.approx(31.4 / 14.6)
    assert verdicts["rus-prk-exports-2017-jan-may-value"]["measured"] == pytest.approx(47.6e6)
    assert verdicts["rus-prk-exports-2016-jan-may-value"]["measured"] == pytest.approx(23.9e6)
    assert verdicts["rus-prk-exports-2017-jan-may-energy-share"]["measured"] == pytest.approx(0.92)
    v = verdicts["rus-prk-exports-2017-jan-may-value"]
    assert [p["period"] for p in v["numbers"]["value"]["periods"]] == [f"2017-0{m}" for m in range(1, 6)]
    assert all("constructed_" in s for s in v["sources"])


CLAIMS = """
[[claim]]
id = "too-high"
text = "exports Jan-May 2017 were USD 60 million"
reporter = "RUS"
partner = "PRK"
flow = "export"
period = "2017-01..2017-05"
kind = "value"
expected = 60e6
comparator = "approx"

[[claim]]
id = "no-data"
text = "exports in 2019 were USD 10 million"
reporter = "643"
partner = "408"
flow = "export"
period = "2019"
kind = "value"
expected = 10e6

[[claim]]
id = "share-below"
text = "fuels were under half of exports in 2016"
reporter = "RUS"
partner = "PRK"
flow = "export"
period = "2016"
commodity = "27"
kind = "share"
expected = 0.5
comparator = "<"

[[claim]]
id = "dprk-coal-mirror"
text = "DPRK exported about USD 3.6 million of coal to China in September 2017"
reporter = "PRK"
partner = "CHN"
flow = "export"
period = "2017-09"
commodity = "2701"
kind = "value"
expected = 3.6e6
tolerance = 0.02
mirror = true
"""


def test_verdict_kinds_and_mirror(tmp_path: Path, constructed: TradeData) -> None:
    p = tmp_path / "c.toml"
    p.write_text(CLAIMS)
    v = {x["claim"]["id"]: x for x in check_claims(constructed, load_claims(p))}
    assert v["too-high"]["verdict"] == "contradicted" and v["too-high"]["measured"] == pytest.approx(47.6e6)
    assert v["too-high"]["relative_difference"] == pytest.approx(47.6 / 60 - 1)
    assert v["no-data"]["verdict"] == "insufficient data" and "2019 (only commodity rows at levels 4-4: not a total" in v["no-data"]["reason"]
    assert v["share-below"]["verdict"] == "contradicted" and v["share-below"]["measured"] == pytest.approx(0.85, 1e-4)
    # DPRK does not report: China's imports (USD 4,000,000 CIF) / 1.10 = 3,636,364 FOB.
    assert v["dprk-coal-mirror"]["verdict"] == "supported"
    assert v["dprk-coal-mirror"]["measured"] == pytest.approx(4e6 / 1.1)


def test_contradictions_become_events(tmp_path: Path, store: Store) -> None:
    p = tmp_path / "c.toml"
    p.write_text(CLAIMS)
    res = runner.invoke(app, ["claims", "check", str(p), "--store", str(store.root), "--write-events"])
    assert res.exit_code == 0, res.output
    ev = pq.read_table(store.table_dir("events") / "producer=trade" / "events.parquet").to_pylist()
    assert sorted(e["subject"] for e in ev) == ["RUS->PRK", "RUS->PRK"]
    assert {json.loads(e["evidence"])["claim"] for e in ev} == {"too-high", "share-below"}
    assert all(e["type"] == "trade_anomaly" for e in ev)
    # Caps/bans events are added beside the claim events, and re-running replaces rather than duplicates.
    for _ in range(2):
        assert runner.invoke(app, ["trade", "caps", "--store", str(store.root), "--write-events"]).exit_code == 0
    ev = pq.read_table(store.table_dir("events") / "producer=trade" / "events.parquet").to_pylist()
    checks = sorted(json.loads(e["evidence"])["check"] for e in ev)
    assert checks == ["ban"] * 6 + ["cap"] + ["claim"] * 2
    assert len({e["event_id"] for e in ev}) == len(ev)
    cap = next(e for e in ev if json.loads(e["evidence"])["check"] == "cap")
    assert cap["subject"] == "CHN+RUS->PRK" and str(cap["start"])[:10] == "2018-01-01"


@pytest.mark.parametrize(("text", "msg"), [
    ('[[claim]]\nid="a"\ntext="t"\nreporter="RUS"\npartner="PRK"\nflow="export"\nperiod="2017"\nkind="vibe"\n'
     'expected=1\n', "kind"),
    ('[[claim]]\nid="a"\ntext="t"\nreporter="XXX"\npartner="PRK"\nflow="export"\nperiod="2017"\nkind="value"\n'
     'expected=1\n', "unknown area"),
    ('[[claim]]\nid="a"\ntext="t"\nreporter="RUS"\npartner="PRK"\nflow="export"\nperiod="2017"\nkind="ratio"\n'
     'expected=1\n', "base_period"),
    ('[[claim]]\nid="a"\n', "missing"),
    ("", "no \\[\\[claim\\]\\]"),
])
def test_bad_claims_files(tmp_path: Path, text: str, msg: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(text)
    with pytest.raises(ClaimError, match=msg):
        load_claims(p)


def test_cli_bad_claims_file_exits_2(tmp_path: Path, store: Store) -> None:
    p = tmp_path / "c.toml"
    p.write_text("[[claim]]\nid = 1\n")
    res = runner.invoke(app, ["claims", "check", str(p), "--store", str(store.root)])
    assert res.exit_code == 2 and "missing field" in " ".join(res.output.split())
