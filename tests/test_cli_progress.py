"""Progress from long library calls (sanctionwatch.progress) and its rendering in the CLI (issue 14).

Library functions call `progress(stage, done, total)`; every stage's `done` must rise monotonically and end at
its `total`, and the output must not depend on whether a callback is given. The CLI draws a transient bar per
stage on a terminal and nothing with --quiet or when piped.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctionwatch.cli import common
from sanctionwatch.cli.main import app

SMALL = {"vessels": 2, "days": 0.5}  # a small smoke scenario: every stage still runs


class Recorder:
    """A progress callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int]] = []

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.calls.append((stage, done, total))

    def stages(self) -> list[str]:
        return list(dict.fromkeys(s for s, _, _ in self.calls))

    def check(self) -> None:
        """Each stage: done never falls, the total never changes, the last call has done == total."""
        assert self.calls, "no progress reported"
        for s in self.stages():
            mine = [(d, t) for st, d, t in self.calls if st == s]
            done = [d for d, _ in mine]
            assert done == sorted(done), (s, done)
            assert len({t for _, t in mine}) == 1, (s, mine)
            assert done[-1] == mine[-1][1], (s, mine[-1])
            assert all(0 <= d <= t for d, t in mine), (s, mine)


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.name != "summary.json"}


def test_simulate_reports_progress_and_output_is_unchanged(tmp_path):
    from sanctionwatch.simulate import run

    rec = Recorder()
    with_cb = run("smoke", tmp_path / "a", seed=2, csv=True, progress=rec, **SMALL)
    without = run("smoke", tmp_path / "b", seed=2, csv=True, **SMALL)
    rec.check()
    assert rec.stages() == ["simulate: building the world", "simulate: vessels", "simulate: labels",
                            "simulate: writing position rows"]
    by = {s: t for s, _, t in rec.calls}
    assert by["simulate: vessels"] == with_cb["vessels"]
    assert by["simulate: writing position rows"] == with_cb["position_reports"]
    assert _files(tmp_path / "a") == _files(tmp_path / "b")  # byte-identical with and without a callback
    assert {k: v for k, v in with_cb.items()} == without


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stderr/stdout are a terminal and record what the CLI's stderr console draws."""
    buf = io.StringIO()  # the one stderr console every CLI module shares, drawn into a buffer as a terminal
    monkeypatch.setattr(common.console, "_file", buf)  # not .file: undoing that would pin sys.stderr
    monkeypatch.setattr(common.console, "_force_terminal", True)
    monkeypatch.setattr(common.console, "is_interactive", True)
    monkeypatch.setattr(common, "show_progress", lambda: not common.QUIET)
    yield buf
    common.set_quiet(False)


def test_progress_callback_draws_one_bar_per_stage_on_a_terminal(terminal):
    with common.progress_callback("working") as cb:
        assert cb is not None
        for i in range(11):
            cb("stage one", i, 10)
        cb("stage two", 3, 3)
    out = terminal.getvalue()
    assert "stage one" in out and "10/10" in out and "stage two" in out and "3/3" in out


def test_progress_callback_is_none_and_silent_when_quiet(terminal):
    common.set_quiet(True)
    with common.progress_callback("working") as cb:
        assert cb is None  # the library then reports nothing
    assert terminal.getvalue() == ""


def test_progress_callback_when_piped_is_one_status_line(monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(common.console, "_file", buf)  # not .file: undoing that would pin sys.stderr
    common.set_quiet(False)
    with common.progress_callback("working on it") as cb:  # CliRunner-free: pytest's stdout is not a TTY
        assert cb is None
    assert buf.getvalue().strip() == "working on it"


def test_simulate_cli_draws_bars_on_a_terminal_and_none_with_quiet(terminal, tmp_path):
    args = ["simulate", "smoke", "--out", str(tmp_path / "t"), "--no-csv", "--vessels", "2", "--days", "0.5"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert "simulate: writing position rows" in drawn and "━" in drawn
    terminal.seek(0)
    terminal.truncate()
    r = CliRunner().invoke(app, ["--quiet", *args[:3], str(tmp_path / "q"), *args[4:]])
    assert r.exit_code == 0, r.output
    assert terminal.getvalue() == "" and r.stderr == ""
    assert json.loads(r.stdout)["preset"] == "smoke"  # machine output alone on stdout


@pytest.fixture(scope="module")
def smoke_store(tmp_path_factory):
    """A small simulated store (smoke preset, NMEA ingested)."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.simulate import run
    from sanctionwatch.store import Store

    tmp = tmp_path_factory.mktemp("progress")
    summary = run("smoke", tmp / "scen", seed=1, csv=False)
    st = Store(tmp / "store")
    list(ingest(st, [str(tmp / "scen" / summary["files"]["nmea"])]))
    return st


def test_detect_reports_rows_and_results_do_not_depend_on_partitions(smoke_store, monkeypatch):
    from sanctionwatch.engines import embedded

    pos, rep = embedded.load(smoke_store)
    rec = Recorder()
    table, report = embedded.detect(pos, rep, threads=2, progress=rec)
    rec.check()
    rows = [t for s, _, t in rec.calls if s.startswith("detect: per-vessel")]
    assert rows and rows[0] == pos.height  # the bar counts position rows
    assert len([c for c in rec.calls if c[0].startswith("detect: per-vessel")]) > 2  # finer than one per thread
    monkeypatch.setattr(embedded, "PARTS_PER_THREAD", 1)  # the old partitioning, no callback
    table1, report1 = embedded.detect(pos, rep, threads=2)
    assert table.num_rows > 0 and table.equals(table1)
    assert {k: v for k, v in report.items() if k != "timings"} == {k: v for k, v in report1.items() if k != "timings"}


def test_detect_run_progress_covers_read_and_write(smoke_store):
    from sanctionwatch.engines.embedded import run

    rec = Recorder()
    run(smoke_store, progress=rec)
    rec.check()
    assert rec.stages()[0] == "detect: reading the store" and rec.stages()[-1] == "detect: writing events and tracks"


def test_detect_cli_bars_on_a_terminal_none_with_quiet(smoke_store, terminal):
    r = CliRunner().invoke(app, ["detect", "--store", str(smoke_store.root)])
    assert r.exit_code == 0, r.output
    assert "detect: per-vessel detectors" in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    r = CliRunner().invoke(app, ["--quiet", "detect", "--store", str(smoke_store.root)])
    assert r.exit_code == 0, r.output
    assert "detect:" not in terminal.getvalue() and "━" not in terminal.getvalue()


@pytest.fixture(scope="module")
def detected_store(smoke_store):
    from sanctionwatch.engines.embedded import run

    run(smoke_store)
    return smoke_store


def test_risk_reports_its_steps(detected_store, monkeypatch, tmp_path):
    from sanctionwatch.lists import index as lindex
    from sanctionwatch.risk.run import RISK_STEPS, compute_risk

    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(tmp_path / "cache"))  # a cold index cache: it is built
    rec = Recorder()
    res = compute_risk(detected_store, progress=rec)
    rec.check()
    assert rec.stages() == [RISK_STEPS, "loading lists", "indexing"] and rec.calls[-1] == (RISK_STEPS, 5, 5)
    assert res.ranked.height > 0
    builds = []
    monkeypatch.setattr(lindex, "build_index", lambda loaded: builds.append(1) or (_ for _ in ()).throw(
        AssertionError("the cached index was rebuilt")))
    rec = Recorder()
    again = compute_risk(detected_store, progress=rec)
    assert rec.stages() == [RISK_STEPS] and not builds  # warm cache: nothing to load
    assert again.ranked.equals(res.ranked)


def test_risk_cli_bars_on_a_terminal_none_with_quiet(detected_store, terminal):
    r = CliRunner().invoke(app, ["risk", "--store", str(detected_store.root), "--limit", "3"])
    assert r.exit_code == 0, r.output
    assert "risk: events, list screening" in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    r = CliRunner().invoke(app, ["--quiet", "risk", "--store", str(detected_store.root), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "risk:" not in terminal.getvalue() and r.stdout.startswith("rank,mmsi")


def test_lists_build_bars_on_a_terminal_none_with_quiet(terminal, tmp_path):
    args = ["lists", "build", "--source", "gb_hmt_sanctions", "--source", "un_sc_sanctions"]
    r = CliRunner().invoke(app, [*args, "--store", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    assert "lists build: loading and validating lists" in drawn and "2/2" in drawn
    assert "lists build: indexing and writing" in drawn
    terminal.seek(0)
    terminal.truncate()
    r = CliRunner().invoke(app, ["--quiet", *args, "--store", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert terminal.getvalue() == "" and (tmp_path / "b" / "lists" / "manifest.json").exists()


def test_screen_cli_shows_index_loading_only_when_the_cache_is_cold(terminal, tmp_path, monkeypatch):
    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(tmp_path / "cache"))
    r = CliRunner().invoke(app, ["screen", "TONG SAN 2", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "loading lists" in terminal.getvalue() and "TONG SAN 2" in r.stdout
    terminal.seek(0)
    terminal.truncate()
    r = CliRunner().invoke(app, ["screen", "TONG SAN 2", "--format", "csv"])
    assert r.exit_code == 0 and "loading lists" not in terminal.getvalue()  # read from the cache


def test_demo_draws_the_stage_bars_on_a_terminal(terminal, tmp_path):
    r = CliRunner().invoke(app, ["demo", "--preset", "smoke", "--out", str(tmp_path / "demo")])
    assert r.exit_code == 0, r.output
    drawn = terminal.getvalue()
    for stage in ("simulate: writing position rows", "traffic.nmea", "detect: per-vessel detectors",
                  "risk: events, list screening"):
        assert stage in drawn, stage
