"""Measurement, growth, shares and mirror statistics, checked against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanctionwatch.trade.analysis import chapter_shares, flows_by_chapter, growth, mirror, share
from sanctionwatch.trade.data import TradeData, measure
from sanctionwatch.trade.params import TradeParams
from sanctionwatch.trade.periods import parse_period as P
from sanctionwatch.trade.readers import read_file, read_text

HDR = ("Classification,Period,Aggregate Level,Trade Flow Code,Reporter Code,Partner Code,Commodity Code,"
       "Netweight (kg),Trade Value (US$)\n")


def _data(rows: list[str], name: str = "t.csv") -> TradeData:
    return TradeData.from_frame(read_text(HDR + "\n".join(rows) + "\n", name).table)


def test_one_level_per_period_no_double_counting() -> None:
    d = _data([
        "H4,201701,2,2,643,408,27,,100",  # chapter row
        "H4,201701,4,2,643,408,2710,,60",  # its heading: must not be added to the chapter
        "H4,201701,4,2,643,408,2701,,30",
        "H4,201702,4,2,643,408,2710,,70",  # no chapter row in Feb: headings summed
        "H4,201702,4,2,643,408,2711,,5",
        "H4,201703,2,2,643,408,10,,9",  # March reported at chapter level only
    ])
    m = measure(d, 643, 408, "export", P("2017-01..2017-02"), "27")
    assert m.value_usd == 100 + 75 and m.ok
    assert [(p["period"], p["level"]) for p in m.periods] == [("2017-01", 2), ("2017-02", 4)]
    # 2710 in March: the reporter reported March only at chapter level, so 2710 is missing, not 0.
    m3 = measure(d, 643, 408, "export", P("2017-01..2017-03"), "2710")
    assert (m3.value_usd, m3.missing) == (130.0, ["2017-03"])
    # chapter 27 in March: reported at chapter level without a 27 row -> 0, and the span is complete.
    m27 = measure(d, 643, 408, "export", P("2017-03"), "27")
    assert (m27.value_usd, m27.missing, m27.periods[0]["how"].startswith("no row")) == (0.0, [], True)
    # TOTAL without TOTAL rows = sum of chapters.
    assert measure(d, 643, 408, "export", P("2017-03"), "TOTAL").value_usd == 9.0


def test_annual_rows_preferred_else_twelve_months() -> None:
    d = _data(["H4,2016,0,2,643,408,TOTAL,,1200"] + [f"H4,2017{m:02d},0,2,643,408,TOTAL,,{m}" for m in range(1, 13)])
    assert measure(d, 643, 408, "export", P("2016"), "TOTAL").value_usd == 1200
    assert measure(d, 643, 408, "export", P("2017"), "TOTAL").value_usd == sum(range(1, 13))
    assert measure(d, 643, 408, "export", P("2018"), "TOTAL").missing == list(P("2018").months)
    q = measure(d, 643, 408, "export", P("2016-Q1"), "TOTAL")
    assert q.missing == ["2016-01", "2016-02", "2016-03"]
    assert q.missing_why["2016-01"].startswith("only annual data for 2016")


def test_duplicates_across_sources_dropped_and_counted() -> None:
    a = read_text(HDR + "H4,2017,0,2,643,408,TOTAL,,10\n", "a.csv").table
    b = read_text(HDR + "H5,2017,0,2,643,408,TOTAL,,11\n", "b.csv").table
    d = TradeData.from_frame(pl.concat([b, a]))
    assert d.duplicates == 1
    assert measure(d, 643, 408, "export", P("2017")).value_usd == 10.0  # first source by name wins


def test_growth_and_share_on_constructed(constructed: TradeData) -> None:
    g = growth(constructed, 643, 408, "export", P("2016-01..2016-05"), P("2017-01..2017-05"))
    # Hand sums of the constructed monthly totals (tests/trade/build_constructed_fixture.py EXPORTS).
    assert g["base"]["value_usd"] == pytest.approx((4.1 + 4.5 + 5.0 + 5.2 + 5.1) * 1e6)
    assert g["later"]["value_usd"] == pytest.approx((8.0 + 9.1 + 10.4 + 9.9 + 10.2) * 1e6)
    assert g["ratio"] == pytest.approx(47.6 / 23.9)
    t = growth(constructed, 643, 408, "total", P("2016-Q1"), P("2017-Q1"))
    assert (t["base"]["value_usd"], t["later"]["value_usd"]) == pytest.approx((14.6e6, 31.4e6))
    s = share(constructed, 643, 408, "export", P("2017-01..2017-05"), "27")
    assert s["share"] == pytest.approx(0.92, abs=1e-6)
    cs = chapter_shares(constructed, 643, 408, "export", P("2017"))
    assert cs["chapter"][0] == "27" and cs["share"].sum() == pytest.approx(1.0)


def test_flows_by_chapter_shape(constructed: TradeData) -> None:
    f = flows_by_chapter(constructed, 643, 408, "import")
    assert set(f["chapter"]) == {"62", "85", "90"}
    assert f.filter((pl.col("period") == "2017-09") & (pl.col("chapter") == "62")).height == 0
    assert f.filter(pl.col("period") == "2017-01")["value_usd"].sum() == pytest.approx(1.2e6)


def test_mirror_both_sides_hand_computed(constructed: TradeData) -> None:
    # Russia reports exports of HS 27 to China 10,000,000 (FOB); China reports imports 11,550,000 (CIF).
    m = mirror(constructed, 643, 156, P("2018"), "27")
    assert m["status"] == "both reported"
    assert m["expected_imports_cif"] == pytest.approx(11_000_000.0)  # 10,000,000 x 1.10
    assert m["gap_usd"] == pytest.approx(550_000.0)
    assert m["imports_over_expected"] == pytest.approx(1.05)
    m6 = mirror(constructed, 643, 156, P("2018"), "27", params=TradeParams(cif_fob_margin=0.06))
    assert m6["gap_usd"] == pytest.approx(11_550_000 - 10_600_000)


def test_mirror_one_side(constructed: TradeData) -> None:
    # DPRK does not report: its coal exports to China are estimated from China's imports (4,000,000 CIF).
    m = mirror(constructed, 408, 156, P("2017-09"), "2701")
    assert m["status"].startswith("importer only")
    assert m["exports_estimated_fob"] == pytest.approx(4_000_000 / 1.1)
    x = mirror(constructed, 643, 408, P("2017-01..2017-05"))
    assert x["status"].startswith("exporter only")
    assert x["imports_estimated_cif"] == pytest.approx(47.6e6 * 1.1)
    n = mirror(constructed, 408, 643, P("2019"))
    assert n["status"].startswith("insufficient")


def test_real_sitc_share_and_mirror(comtrade_dir: Path) -> None:
    """China's 2017 imports from Russia (real SITC data): SITC 33 share against an independent csv-module sum."""
    d = TradeData.from_frame(read_file(comtrade_dir / "china_S4_2015-2018_partners_AUS-FRA-RUS-VNM-IND.csv").table)
    total_2017 = 41_390_293_056  # sum of the 64 import rows from Russia in 2017, computed with the csv module
    s = share(d, 156, 643, "import", P("2017"), "33", family="SITC")
    assert s["whole"]["value_usd"] == total_2017
    assert s["share"] == pytest.approx(24_756_705_560 / total_2017)
    m = mirror(d, 643, 156, P("2017"), "33", family="SITC")
    assert m["exports_estimated_fob"] == pytest.approx(24_756_705_560 / 1.1)
    # Nothing for HS in a SITC file: classification families are never mixed.
    assert not measure(d, 156, 643, "import", P("2017"), "TOTAL", family="HS").ok
