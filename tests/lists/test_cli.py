"""The `screen` and `lists` commands end to end (typer runner), including screening a store's vessels."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.lists.index import write_index
from sanctionwatch.store import Store
from sanctionwatch.store.files import write_parquet_atomic
from sanctionwatch.store.schemas import conform

runner = CliRunner()


@pytest.fixture(scope="module")
def store(built, tmp_path_factory):
    """A store with four vessels in vessel_reports and the session's list index written into it."""
    root = tmp_path_factory.mktemp("store")
    ts = datetime(2020, 6, 30, tzinfo=UTC)
    # 352000001: a namesake of TONG SAN 2 sending its own valid IMO 9074729 (rejected, hidden by default).
    t = pa.table({"ts": [ts] * 4, "mmsi": pa.array([445539000, 367000140, 999000001, 352000001], pa.int32()),
                  "msg_type": pa.array([5, 5, 5, 5], pa.int8()),
                  "imo": pa.array([8937675, 7702774, None, 9074729], pa.int32()),
                  "name": ["TONG SAN 2", "SAMUEL I NEWHOUSE", "KUMUNSAN NO 3", "TONG SAN 2"],
                  "callsign": [None, "WYR3371", None, None]})
    write_parquet_atomic(conform(t, "vessel_reports"), root / "vessel_reports" / "day=2020-06-30" / "a-00000.parquet")
    write_index(*built, Store(root))
    return root


def test_lists_build(lists_dir, tmp_path):
    r = runner.invoke(app, ["lists", "build", "--store", str(tmp_path), "--source", "un_sc_sanctions",
                            "--source", "gb_hmt_sanctions"])
    assert r.exit_code == 0, r.output
    man = json.loads((tmp_path / "lists" / "manifest.json").read_text())
    assert [s["dataset"] for s in man["sources"]] == ["un_sc_sanctions", "gb_hmt_sanctions"]
    assert man["counts"]["entries"] == 1003 + 41


def test_screen_queries_json(store):
    r = runner.invoke(app, ["screen", "KUM UN SAN NO.3", "IMO 8937675", "--store", str(store), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {x["entity_id"] for x in rows} == {"imo-8705539", "imo-8937675"}
    assert all(x["list_version"] and x["algorithm"] and x["source_ref"] for x in rows)


def test_screen_audit_trail(store):
    """One block per query with `no match`, the searched list versions, the stale-list warning."""
    r = runner.invoke(app, ["screen", "QWXZ UNLISTED VESSEL", "TONG SAN 2", "--store", str(store), "-f", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [x["query"] for x in rows if x["match_kind"] == "no match"] == ["QWXZ UNLISTED VESSEL"]
    assert {x["designation_id"] for x in rows if x["query"] == "TONG SAN 2"} == {"imo-8937675"}
    err = " ".join(r.stderr.split())  # rich wraps long lines
    assert "lists searched: us_ofac_sdn 2024-05-03" in err and "gb_fcdo_sanctions 2026-04-29" in err
    assert "STALE LISTS" in err  # the shipped snapshots are all older than the 90-day bound


def test_screen_show_rejected(store):
    """A namesake with a conflicting valid IMO is hidden unless asked for, and counted."""
    r = runner.invoke(app, ["screen", "--store", str(store), "-f", "json"])
    assert 352000001 not in {x["mmsi"] for x in json.loads(r.stdout)}
    assert "1 rejected namesake(s) hidden (--show-rejected)" in " ".join(r.stderr.split())
    r = runner.invoke(app, ["screen", "--store", str(store), "-f", "json", "--show-rejected"])
    (row,) = [x for x in json.loads(r.stdout) if x["mmsi"] == 352000001]
    assert row["match_kind"] == "rejected" and row["name_weight"] == 0.0
    assert row["reasons"].startswith("REJECTED namesake: sends valid IMO 9074729, listed IMO 8937675")


def test_screen_store_vessels(store):
    r = runner.invoke(app, ["screen", "--store", str(store), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {x["mmsi"] for x in rows} == {445539000, 999000001}
    (tong,) = [x for x in rows if x["mmsi"] == 445539000]  # one designation, one row: the strongest evidence
    assert tong["match_kind"] == "strong" and tong["designation_id"] == "imo-8937675"
    assert "imo 8937675 agrees" in tong["reasons"] and "mmsi 445539000 agrees" in tong["reasons"]


def test_screen_file_and_lists_filter(store, tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("KUM UN SAN 3\n\nTONG SAN 2\n")
    r = runner.invoke(app, ["screen", "--file", str(f), "--store", str(store), "--lists", "us_ofac_sdn", "-f", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert {x["dataset"] for x in rows if x["match_kind"] != "no match"} == {"us_ofac_sdn"}
    assert [x["query"] for x in rows if x["match_kind"] == "no match"] == ["TONG SAN 2"]  # UK-listed only


def test_lists_show(store):
    r = runner.invoke(app, ["lists", "show", "--store", str(store)])
    assert r.exit_code == 0 and "us_ofac_sdn" in r.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["screen"], "give queries"),
    (["screen", "X", "--threshold", "1.5"], "--threshold"),
    (["screen", "X", "--lists", "nope", "--store", "{store}"], "unknown list"),
    (["screen", "--file", "/nonexistent/q.txt"], "not found"),
    (["lists", "build", "--source", "nope"], "unknown list"),
])
def test_cli_errors(store, args, message):
    r = runner.invoke(app, [a.format(store=store) for a in args])
    assert r.exit_code == 2 and message in r.output


def test_defaults_agree_with_params_and_docs():
    """One definition: the CLI default and docs/screening.md state ScreenParams' threshold."""
    import inspect
    from pathlib import Path

    from sanctionwatch.cli.screen import screen
    from sanctionwatch.lists.params import ScreenParams

    default = ScreenParams().threshold
    assert inspect.signature(screen).parameters["threshold"].default.default == default
    doc = (Path(__file__).resolve().parents[2] / "docs" / "screening.md").read_text()
    assert f"## Scorecard (default threshold {default:.2f})" in doc
    assert f"| **{default:.2f}** |" in doc


def test_build_from_cached_download(lists_dir, tmp_path, monkeypatch):
    """`lists download` then `lists build --cached` indexes the downloaded copy, version from its content."""
    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(tmp_path / "cache"))
    url = (lists_dir / "un" / "un_consolidated_2018-10-29.xml").as_uri()
    r = runner.invoke(app, ["lists", "download", "un_sc_sanctions", "--url", url])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["lists", "build", "--store", str(tmp_path / "s"), "--source", "un_sc_sanctions",
                            "--cached"])
    assert r.exit_code == 0, r.output
    (src,) = json.loads((tmp_path / "s" / "lists" / "manifest.json").read_text())["sources"]
    assert src["list_version"] == "2018-10-29" and src["entities"] == 1093
    assert src["files"][0].startswith(str(tmp_path / "cache"))
