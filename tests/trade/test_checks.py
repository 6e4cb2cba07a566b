"""Caps (barrels) and bans against hand-computed values and the planted findings of the constructed fixture."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanctionwatch.trade.checks import barrels_factor, check_ban, check_cap
from sanctionwatch.trade.data import TradeData
from sanctionwatch.trade.params import TradeParams
from sanctionwatch.trade.rules import CapRule, RuleError, load_rules


def _cap(rid: str) -> CapRule:
    return next(c for c in load_rules().caps if c.id == rid)


def test_unscr2397_cap_hand_computed(constructed: TradeData) -> None:
    res = {w["window"]: w for w in check_cap(_cap("unscr2397-p5-refined-petroleum"), constructed)}
    # 2018: China 8,000 t gasoline (271012) x 8.53 + 20,000 t gas oil (271019) x 7.46; Russia 40,000 t (2710) x 7.46.
    bbl_2018 = 8_000 * 8.53 + 20_000 * 7.46 + 40_000 * 7.46
    assert bbl_2018 == pytest.approx(515_840.0)
    assert res["2018"]["barrels"] == pytest.approx(bbl_2018)
    assert res["2018"]["exceeded"] and res["2018"]["status"] == "exceeded"
    assert res["2018"]["pct_of_limit"] == pytest.approx(100 * bbl_2018 / 500_000)
    # 2019: China 10,000 t x 7.46 + Russia 30,000 t x 7.46; one China row (271020, USD 90,000) has no weight.
    assert res["2019"]["barrels"] == pytest.approx(40_000 * 7.46)
    assert not res["2019"]["exceeded"] and res["2019"]["lower_bound"]
    china = next(s for s in res["2019"]["suppliers"] if s["reporter"] == 156)
    assert (china["rows_without_weight"], china["value_usd_without_weight"]) == (1, 90_000.0)
    assert set(res) == {"2018", "2019"}


def test_cap_conversion_factor_is_a_parameter(constructed: TradeData) -> None:
    res = check_cap(_cap("unscr2397-p5-refined-petroleum"), constructed, TradeParams(barrels_per_tonne=7.33))
    assert res[0]["barrels"] == pytest.approx(8_000 * 8.53 + 60_000 * 7.33)


def test_cap_window_with_too_coarse_data_is_a_lower_bound(constructed: TradeData) -> None:
    """Russia reported Oct-Dec 2017 only by chapter (27), so heading 2710 is unknown, not zero."""
    (w,) = check_cap(_cap("unscr2375-p14-refined-petroleum-2017q4"), constructed)
    assert w["barrels"] == 0 and w["lower_bound"] and "lower bound" in w["status"]
    rus = [s for s in w["suppliers"] if s["reporter"] == 643]
    assert rus and rus[0]["missing_periods"] == ["2017-10", "2017-11", "2017-12"]


def test_barrels_factor_longest_prefix() -> None:
    f = barrels_factor(pl.Series(["271012", "271019", "2710", "27101245"]), {"2710": 7.0, "271012": 8.53}, 7.46)
    assert f.to_list() == [8.53, 7.0, 7.0, 8.53]


# Planted in tests/trade/build_constructed_fixture.py: (rule, reporter, flow, period, commodity, partial).
PLANTED = {
    ("unscr2371-coal-iron-lead-seafood", 156, "import", "2017-08", "2701", True),
    ("unscr2371-coal-iron-lead-seafood", 156, "import", "2017-09", "2701", False),
    ("unscr2371-coal-iron-lead-seafood", 156, "import", "2017-09", "03", False),
    ("unscr2375-textiles", 643, "import", "2017-10", "62", False),
    ("unscr2397-p6-dprk-exports", 643, "import", "2017-12", "85", True),
    ("unscr2397-p7-supply-to-dprk", 156, "export", "2018-02", "87", False),
}


def test_bans_find_exactly_the_planted_flows(constructed: TradeData) -> None:
    """Precision and recall 1.0: July 2017 coal (before the ban) and USD 500 of seafood (noise) are not flagged."""
    found = set()
    for rule in load_rules().bans:
        hits = check_ban(rule, constructed)
        found |= {(h["rule"], h["reporter_code"], h["flow"], h["period"], h["commodity"], h["partial"])
                  for h in hits.to_dicts()}
    assert found == PLANTED


def test_ban_evidence_names_rows(constructed: TradeData) -> None:
    rule = next(b for b in load_rules().bans if b.id == "unscr2375-textiles")
    (h,) = check_ban(rule, constructed).to_dicts()
    assert h["value_usd"] == 90_000.0 and h["codes"] == "62"
    assert h["sources"] == "constructed_rus_prk_monthly_H4_2016-2017.csv:219"


@pytest.mark.parametrize(("text", "msg"), [
    ('[[ban]]\nid="x"\nresolution="r"\ndirection="sideways"\ncommodities=["27"]\nfrom=2017-01-01\n', "direction"),
    ('[[ban]]\nid="x"\nresolution="r"\ndirection="to_dprk"\ncommodities=["2"]\nfrom=2017-01-01\n', "HS codes"),
    ('[[cap]]\nid="x"\nresolution="r"\ndirection="to_dprk"\ncommodities=["2710"]\nfrom=2017-01-01\n', "limit"),
    ('[[ban]]\nid="x"\nresolution="r"\ndirection="to_dprk"\ncommodities=["27"]\nfrom="17/1/1"\n', "bad date"),
    ('[[bann]]\nid="x"\n', "unknown table"),
])
def test_bad_rule_files(tmp_path: Path, text: str, msg: str) -> None:
    p = tmp_path / "r.toml"
    p.write_text(text)
    with pytest.raises(RuleError, match=msg):
        load_rules(p)
