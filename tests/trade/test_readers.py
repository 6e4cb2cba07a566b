"""Readers on the real Comtrade samples (../shared/data/trade) and on hand-built edge cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanctionwatch.trade.readers import TradeFormatError, read_file, read_text

from .trade_paths import LEGACY, MONTHLY

# Row counts from ../shared/data/trade/PROVENANCE.md.
REAL_ROWS = {
    "china_S4_2015-2018_partners_AUS-FRA-RUS-VNM-IND.csv": 2519,
    "china_S4_2015-2018_partners_USA-DEU-JPN-KOR-HKG.csv": 2571,
    "china_S4_2010-2014_partners_AUS-FRA-RUS-VNM-IND.csv": 3071,
    "china_S4_2010-2014_partners_USA-DEU-JPN-KOR-HKG.csv": 3184,
    "all_reporters_H5_2016-2019_hs871200_partner_world.csv": 1302,
    "all_reporters_H5_2016-2019_hs871200_partner_other_asia_nes.csv": 606,
}


@pytest.mark.parametrize("name", sorted(REAL_ROWS))
def test_real_legacy_files_read_completely(comtrade_dir: Path, name: str) -> None:
    r = read_file(comtrade_dir / name)
    assert r.layout == "legacy_csv"
    assert (r.rows_in, r.table.height, r.rejected) == (REAL_ROWS[name], REAL_ROWS[name], [])
    assert r.table["src_line"].to_list()[:2] == [2, 3]


def test_real_sitc_values_and_lines(comtrade_dir: Path) -> None:
    """China's 2017 imports of Russian coal (SITC 32) and petroleum (SITC 33): values as in the file, lines 1458/1467."""
    t = read_file(comtrade_dir / "china_S4_2015-2018_partners_AUS-FRA-RUS-VNM-IND.csv").table
    sel = t.filter((t["partner_code"] == 643) & (t["period"] == "2017") & (t["flow"] == "import"))
    got = {r["commodity_code"]: (r["value_usd"], r["src_line"], r["net_weight_kg"]) for r in sel.to_dicts()}
    assert got["32"] == (2_358_815_201.0, 1458, None)  # 0 kg at USD 2.4 bn is "not reported" -> null
    assert got["33"] == (24_756_705_560.0, 1467, None)
    assert set(sel["classification"]) == {"S4"} and set(sel["commodity_level"]) == {2}


def test_real_hs_bicycles_with_weight_and_flows(comtrade_dir: Path) -> None:
    t = read_file(comtrade_dir / "all_reporters_H5_2016-2019_hs871200_partner_world.csv").table
    row = t.filter((t["reporter_code"] == 156) & (t["flow"] == "export") & (t["period"] == "2017")).to_dicts()
    assert len(row) == 1
    assert (row[0]["value_usd"], row[0]["net_weight_kg"], row[0]["src_line"]) == (3_139_462_823.0, 99_494_368.0, 46)
    assert set(t["flow"]) == {"import", "export", "re-export", "re-import"}
    assert set(t["commodity_level"]) == {6}


def test_constructed_fixtures_layouts() -> None:
    m, leg = read_file(MONTHLY), read_file(LEGACY)
    assert (m.layout, m.rows_in, len(m.rejected)) == ("current", 237, 0)
    assert (leg.layout, leg.rows_in, len(leg.rejected)) == ("legacy_csv", 14, 0)
    tot = m.table.filter(m.table["commodity_code"] == "TOTAL")
    assert set(tot["commodity_level"]) == {0}
    assert m.table["period"][0] == "2016-01" and m.table["month"][0] == 1


def _current_json(records: list[dict]) -> str:
    return json.dumps({"elements": [], "count": len(records), "data": records, "error": ""})


REC = {"classificationCode": "H5", "period": "201705", "aggrLevel": 2, "flowCode": "X", "reporterCode": 643,
       "reporterISO": "RUS", "reporterDesc": "Russian Federation", "partnerCode": 408, "partnerISO": "PRK",
       "partnerDesc": "Korea, Dem. People's Rep.", "cmdCode": "27", "cmdDesc": "Mineral fuels",
       "qtyUnitAbbr": "kg", "qty": 1000.0, "netWgt": 1000.0, "primaryValue": 5000.0}


def test_current_json_and_legacy_json() -> None:
    r = read_text(_current_json([REC, {**REC, "flowCode": "RM", "period": "2017"}]), "api.json")
    assert r.layout == "current"
    assert r.table.select("flow", "period", "month").rows() == [("export", "2017-05", 5), ("re-import", "2017", None)]
    legacy = {"validation": {}, "dataset": [{"pfCode": "H4", "period": 2016, "aggrLevel": 4, "rgCode": 3,
              "rtCode": 156, "rtTitle": "China", "ptCode": 408, "cmdCode": "2710", "TradeValue": 10,
              "NetWeight": None, "TradeQuantity": None, "qtDesc": "No Quantity"}]}
    r2 = read_text(json.dumps(legacy), "old.json")
    assert r2.layout == "legacy_json"
    assert r2.table.select("flow", "commodity_code", "commodity_level", "value_usd").rows() == [
        ("re-export", "2710", 4, 10.0)]


def test_bad_rows_rejected_with_line_and_reason() -> None:
    header = ("Classification,Period,Aggregate Level,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,"
              "Commodity,Netweight (kg),Trade Value (US$)\n")
    rows = [
        "H4,2017,2,2,643,408,27,\"Fuels,\nwith a newline\",5,100",  # lines 2-3: good, quoted newline
        "H4,2017,2,9,643,408,27,x,5,100",  # line 4: flow 9
        "H4,201713,2,2,643,408,27,x,5,100",  # line 5: month 13
        "H4,2017,2,2,abc,408,27,x,5,100",  # line 6: reporter
        "H4,2017,2,2,643,408,27,x,,",  # line 7: no value, no weight
        "H4,2017,2,2,643,408,27,x,5,-3",  # line 8: negative
        "H4,17,2,2,643,408,27,x,5,100",  # line 9: period
    ]
    r = read_text(header + "\n".join(rows) + "\n", "bad.csv")
    assert r.table.height == 1 and r.table["src_line"].to_list() == [2]
    assert [(x["line"], x["reason"]) for x in r.rejected] == [
        (4, "unsupported flow code"), (5, "bad month"), (6, "bad reporter code"), (7, "no value and no weight"),
        (8, "negative value"), (9, "bad period (want YYYY or YYYYMM)")]


def test_bom_and_unknown_layout() -> None:
    text = MONTHLY.read_text(encoding="utf-8")
    assert read_text("\ufeff" + text, "bom.csv").table.height == 237
    with pytest.raises(TradeFormatError, match="not a Comtrade layout"):
        read_text("a,b\n1,2\n", "x.csv")
    with pytest.raises(TradeFormatError, match="'data'"):
        read_text('{"foo": 1}', "x.json")
