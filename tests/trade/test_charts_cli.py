"""Charts (PNG/SVG/self-contained HTML) and the trade CLI commands on the constructed store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.store import Store
from sanctionwatch.trade.charts import composition_frame, series_frame
from sanctionwatch.trade.data import TradeData
from sanctionwatch.trade.html import composition_html, timeseries_html

from .trade_paths import MONTHLY

runner = CliRunner()


def _run(*args: str) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize(("kind", "suffix", "magic"), [
    ("timeseries", ".png", b"\x89PNG"), ("composition", ".svg", b"<?xml"), ("composition", ".html", b"<!doctype")])
def test_chart_command_outputs(store: Store, tmp_path: Path, kind: str, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"c{suffix}"
    _run("trade", "chart", "-r", "RUS", "-p", "PRK", "--flow", "export", "--kind", kind, "-o", str(out),
         "--store", str(store.root))
    assert out.read_bytes().startswith(magic)


def test_html_is_self_contained_and_carries_its_data(constructed: TradeData) -> None:
    frame = series_frame(constructed, 643, 408, "total")
    page = timeseries_html(frame, "RUS-PRK")
    assert not re.search(r"(src|href)\s*=\s*['\"]?https?:", page)  # no external scripts, styles or images
    data = json.loads(re.search(r"<script type='application/json' id='data'>(.*?)</script>", page, re.S).group(1))
    by = {(r["series"], r["period"]): r["value_usd"] for r in data["rows"]}
    assert by[("export", "2017-03")] == 10_400_000.0 and by[("import", "2016-01")] == 300_000.0
    assert page.count("<circle") == frame.height  # one hoverable point per (series, period)
    comp = composition_frame(constructed, 643, 408, "export", top=2)
    assert set(comp["chapter"]) == {"27", "10", "other"}
    cpage = composition_html(comp, "comp")
    assert comp["period"].str.len_chars().unique().to_list() == [7]  # annual 2018/2019 rows left out
    assert cpage.count("<rect data-series") == comp["period"].n_unique() * 3


def test_chart_rejects_unknown_suffix(store: Store, tmp_path: Path) -> None:
    res = runner.invoke(app, ["trade", "chart", "-r", "RUS", "-p", "PRK", "-o", str(tmp_path / "c.gif"),
                              "--store", str(store.root)])
    assert res.exit_code == 2 and ".png, .svg or .html" in " ".join(res.output.split())


def test_load_reports_rejects_and_is_idempotent(tmp_path: Path) -> None:
    st = tmp_path / "s"
    bad = tmp_path / "bad.csv"
    bad.write_text(MONTHLY.read_text().rstrip("\n") + "\n" + "C,M,x,2017,13,201713,643" + ",X" * 40 + "\n")
    res = runner.invoke(app, ["trade", "load", str(bad), "--store", str(st), "--json"])
    assert res.exit_code == 0, res.output
    (rep,) = json.loads(res.stdout)
    assert (rep["rows_in"], rep["rows_stored"], rep["rejected"]) == (238, 237, {"bad partner code": 1})
    assert Path(rep["quarantine"]).read_text().splitlines()[1].startswith("bad.csv\t239\t")
    runner.invoke(app, ["trade", "load", str(bad), "--store", str(st)])
    assert len(list((Path(st) / "trade_flows").rglob("*.parquet"))) == 1  # same content -> same partition


def test_load_errors(tmp_path: Path) -> None:
    res = runner.invoke(app, ["trade", "load", str(tmp_path / "nope.csv"), "--store", str(tmp_path / "s")])
    assert res.exit_code == 2 and "no such file" in " ".join(res.output.split())
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n")
    res = runner.invoke(app, ["trade", "load", str(f), "--store", str(tmp_path / "s")])
    assert res.exit_code == 2 and "not a Comtrade layout" in " ".join(res.output.split())


def test_analysis_commands(store: Store) -> None:
    s = str(store.root)
    g = json.loads(_run("trade", "growth", "-r", "RUS", "-p", "PRK", "--base", "2016-01..2016-05",
                        "--later", "2017-01..2017-05", "--store", s))
    assert g["ratio"] == pytest.approx(47.6 / 23.9)
    sh = json.loads(_run("trade", "shares", "-r", "643", "-p", "408", "--period", "2017-01..2017-05", "-c", "27",
                         "--store", s))
    assert sh["share"] == pytest.approx(0.92)
    rows = json.loads(_run("trade", "shares", "-r", "RUS", "-p", "PRK", "--period", "2017", "--store", s, "-f", "json"))
    assert rows[0]["chapter"] == "27"
    m = json.loads(_run("trade", "mirror", "-e", "RUS", "-i", "CHN", "--period", "2018", "-c", "27",
                        "--margin", "0.05", "--store", s))
    assert m["gap_usd"] == pytest.approx(11_550_000 - 10_500_000)
    fl = json.loads(_run("trade", "flows", "-r", "RUS", "-p", "PRK", "--flow", "import", "--by", "chapter",
                         "--store", s, "-f", "json"))
    assert {r["chapter"] for r in fl} == {"62", "85", "90"}


def test_commands_need_a_loaded_store(tmp_path: Path) -> None:
    res = runner.invoke(app, ["trade", "flows", "-r", "RUS", "-p", "PRK", "--store", str(tmp_path / "empty")])
    assert res.exit_code == 2 and "trade load" in " ".join(res.output.split())
    res = runner.invoke(app, ["trade", "growth", "-r", "RUS", "-p", "XX", "--base", "2016", "--later", "2017",
                              "--store", str(tmp_path)])
    assert res.exit_code == 2 and "unknown area" in " ".join(res.output.split())


def test_flows_hint_when_only_the_other_classification_is_stored(tmp_path: Path, shared_data: Path) -> None:
    """China's SITC file: HS flows are empty, and the user is told to ask for SITC (which has the values)."""
    st = str(tmp_path / "st")
    src = shared_data / "trade" / "comtrade_legacy" / "china_S4_2015-2018_partners_AUS-FRA-RUS-VNM-IND.csv"
    assert runner.invoke(app, ["trade", "load", str(src), "--store", st]).exit_code == 0
    res = runner.invoke(app, ["trade", "flows", "-r", "CHN", "-p", "RUS", "--store", st, "-f", "json"])
    assert res.exit_code == 0 and "--classification SITC" in res.output
    res = runner.invoke(app, ["trade", "flows", "-r", "CHN", "-p", "RUS", "--store", st, "-f", "json",
                              "--classification", "SITC"])
    assert res.exit_code == 0 and "--classification" not in res.output and '"value_usd"' in res.output
