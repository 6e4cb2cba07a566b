"""Real shipped files through the store and CLI, the area table against Comtrade's list, and a reader round trip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.trade.areas import _table, read_reporter_areas_json
from sanctionwatch.trade.readers import read_text

runner = CliRunner()


def test_real_sitc_file_through_store_and_cli(comtrade_dir: Path, tmp_path: Path) -> None:
    st_dir = str(tmp_path / "s")
    f = comtrade_dir / "china_S4_2015-2018_partners_AUS-FRA-RUS-VNM-IND.csv"
    assert runner.invoke(app, ["trade", "load", str(f), "--store", st_dir]).exit_code == 0
    res = runner.invoke(app, ["trade", "flows", "-r", "CHN", "-p", "RUS", "--flow", "import", "--classification",
                              "SITC", "--store", st_dir, "-f", "json"])
    assert res.exit_code == 0, res.output
    by = {r["period"]: r for r in json.loads(res.stdout)}
    assert by["2017"]["value_usd"] == 41_390_293_056  # independent csv-module sum (test_analysis.py)
    assert (by["2017"]["level"], by["2017"]["n_rows"]) == (2, 64)
    res = runner.invoke(app, ["trade", "mirror", "-e", "RUS", "-i", "CHN", "--period", "2017", "-c", "33",
                              "--classification", "SITC", "--store", st_dir])
    m = json.loads(res.stdout)
    assert m["exports_estimated_fob"] == pytest.approx(24_756_705_560 / 1.1)


def test_area_table_agrees_with_comtrade_list(shared_data: Path) -> None:
    """Every code in data/trade/areas.csv that Comtrade's reporter list has carries the same name there."""
    official = read_reporter_areas_json(shared_data / "trade" / "codes" / "comtrade_reporter_areas.json")
    assert official[408] == "Dem. People's Rep. of Korea" and official[643] == "Russian Federation"
    ours = _table()[0]
    common = [c for c in ours if c in official]
    assert len(common) >= 15
    assert {c: ours[c][1] for c in common} == {c: official[c] for c in common}


LEGACY_HDR = ["Classification", "Period", "Aggregate Level", "Trade Flow Code", "Reporter Code", "Reporter",
              "Partner Code", "Partner", "Commodity Code", "Commodity", "Netweight (kg)", "Trade Value (US$)"]
rows_st = st.lists(st.tuples(
    st.sampled_from(["H4", "H5", "S4"]),
    st.integers(1990, 2030), st.one_of(st.none(), st.integers(1, 12)),
    st.sampled_from([1, 2, 3, 4]), st.integers(0, 999), st.integers(0, 999),
    st.from_regex(r"\d{2}(\d{2}(\d{2})?)?", fullmatch=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    st.one_of(st.none(), st.integers(1, 10**12)), st.integers(0, 10**12),
), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(rows_st)
def test_legacy_csv_round_trip(rows: list[tuple]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LEGACY_HDR)
    for cl, y, m, fc, rep, par, code, desc, kg, usd in rows:
        w.writerow([cl, f"{y}{m:02d}" if m else y, len(code), fc, rep, "R", par, "P", code, desc,
                    "" if kg is None else kg, usd])
    r = read_text(buf.getvalue(), "rt.csv")
    assert r.rejected == [] and r.table.height == len(rows)
    flows = {1: "import", 2: "export", 3: "re-export", 4: "re-import"}
    for got, (cl, y, m, fc, rep, par, code, desc, kg, usd) in zip(r.table.to_dicts(), rows, strict=True):
        assert (got["classification"], got["year"], got["month"], got["flow"]) == (cl, y, m, flows[fc])
        assert (got["reporter_code"], got["partner_code"], got["commodity_code"]) == (rep, par, code)
        assert got["period"] == (f"{y}-{m:02d}" if m else str(y))
        assert got["value_usd"] == usd and got["commodity_level"] == len(code)
        assert (got["commodity"] or "") == desc
        assert got["net_weight_kg"] == (None if kg is None else float(kg))


def test_hs_chapter_table_matches_the_nomenclature(shared_data: Path) -> None:
    from sanctionwatch.trade.hs import chapter_label, chapters

    with (shared_data / "trade" / "hs" / "harmonized-system.csv").open(encoding="utf-8") as fh:
        level2 = {r["hscode"]: r["description"] for r in csv.DictReader(fh) if r["level"] == "2"}
    assert chapters() == level2 and len(level2) == 97
    assert chapter_label("27").startswith("HS 27 Mineral fuels") and chapter_label("other") == "other"


def test_load_current_json_file_via_cli(tmp_path: Path) -> None:
    rec = {"classificationCode": "H5", "period": "2018", "aggrLevel": 4, "flowCode": "X", "reporterCode": 156,
           "partnerCode": 408, "cmdCode": "2710", "netWgt": 2_000_000, "primaryValue": 1_500_000.0}
    f = tmp_path / "api.json"
    f.write_text(json.dumps({"count": 2, "data": [rec, {**rec, "flowCode": "DX"}], "error": ""}))
    res = runner.invoke(app, ["trade", "load", str(f), "--store", str(tmp_path / "s"), "--json"])
    assert res.exit_code == 0, res.output
    (rep,) = json.loads(res.stdout)
    assert (rep["layout"], rep["rows_stored"], rep["rejected"]) == ("current", 1, {"unsupported flow code": 1})
    assert rep["rejected_samples"] == ["api.json:2 unsupported flow code"]
