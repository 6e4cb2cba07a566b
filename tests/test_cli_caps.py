"""`trade caps` uses the shared --format (issue 14): json is the full result, csv/jsonl one row per finding,
and the old --json stays only as a hidden alias. Checked on the shipped constructed trade fixture."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.cli.trade import CAPS_FLAT

DATA = Path(str(resources.files("sanctionwatch").joinpath("data/trade")))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    st = str(tmp_path_factory.mktemp("caps") / "store")
    for f in ("constructed_prk_caps_bans_mirror_legacy.csv", "constructed_rus_prk_monthly_H4_2016-2017.csv"):
        r = CliRunner().invoke(app, ["trade", "load", str(DATA / f), "--store", st])
        assert r.exit_code == 0, r.output
    return st


def _caps(store: str, *args: str):
    r = CliRunner().invoke(app, ["trade", "caps", "--store", store, *args])
    assert r.exit_code == 0, r.output
    return r.stdout


def test_json_is_the_full_result_and_the_old_switch_is_an_alias(store):
    full = json.loads(_caps(store, "--format", "json"))
    assert set(full) == {"rules", "caps", "bans"} and full["caps"] and full["bans"]
    assert all("suppliers" in c for c in full["caps"])  # the evidence is in json
    assert json.loads(_caps(store, "--json")) == full


def test_csv_and_jsonl_have_one_row_per_finding(store):
    full = json.loads(_caps(store, "--format", "json"))
    rows = list(csv.DictReader(io.StringIO(_caps(store, "--format", "csv"))))
    assert list(rows[0]) == CAPS_FLAT
    caps = [r for r in rows if r["kind"] == "cap"]
    bans = [r for r in rows if r["kind"] == "ban"]
    assert len(caps) == len(full["caps"]) and len(bans) == len(full["bans"]) and len(rows) == len(caps) + len(bans)
    for r, c in zip(caps, full["caps"], strict=True):
        assert (r["rule"], r["window"], r["status"]) == (c["rule"], c["window"], c["status"])
        assert float(r["barrels"]) == pytest.approx(c["barrels"], abs=0.05)
    assert {r["status"] for r in caps} >= {"exceeded"}  # the fixture's 2018 cap is exceeded
    lines = [json.loads(x) for x in _caps(store, "--format", "jsonl").splitlines()]
    assert [x["kind"] for x in lines] == [r["kind"] for r in rows] and all(list(x) == CAPS_FLAT for x in lines)
    assert [x["value_usd"] for x in lines if x["kind"] == "ban"] == [b["value_usd"] for b in full["bans"]]


def test_table_prints_both_tables_and_help_shows_format_not_json(store):
    out = _caps(store)
    assert "caps (" in out and "banned goods flows" in out
    r = CliRunner().invoke(app, ["trade", "caps", "--help"], env={"COLUMNS": "250"})
    assert "--format" in r.output and "--json" not in r.output
