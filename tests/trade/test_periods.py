"""Period specs: parsing, month lists and half-open UTC bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctionwatch.trade.periods import parse_period, period_bounds


def test_forms() -> None:
    assert parse_period("2017").months[0] == "2017-01" and parse_period("2017").year == 2017
    assert parse_period("2017-Q1").months == ("2017-01", "2017-02", "2017-03")
    assert parse_period("2017-H2").months[-1] == "2017-12"
    assert parse_period("2016-11..2017-02").months == ("2016-11", "2016-12", "2017-01", "2017-02")
    assert parse_period("2017-05").months == ("2017-05",) and parse_period("2017-05").year is None


def test_bounds_half_open_utc() -> None:
    assert period_bounds("2017-12") == (datetime(2017, 12, 1, tzinfo=UTC), datetime(2018, 1, 1, tzinfo=UTC))
    assert period_bounds("2018") == (datetime(2018, 1, 1, tzinfo=UTC), datetime(2019, 1, 1, tzinfo=UTC))
    spec = parse_period("2017-01..2017-05")
    assert (spec.start, spec.end) == (datetime(2017, 1, 1, tzinfo=UTC), datetime(2017, 6, 1, tzinfo=UTC))


@pytest.mark.parametrize("bad", ["17", "2017-13", "2017-05..2017-01", "2017-Q5", "May 2017", ""])
def test_bad_specs_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="period"):
        parse_period(bad)


@given(st.integers(1990, 2030), st.integers(1, 12), st.integers(0, 40))
def test_range_length_and_contiguity(y: int, m: int, n: int) -> None:
    y1, m1 = y + (m - 1 + n) // 12, (m - 1 + n) % 12 + 1
    spec = parse_period(f"{y}-{m:02d}..{y1}-{m1:02d}")
    assert len(spec.months) == n + 1
    for a, b in zip(spec.months, spec.months[1:], strict=False):
        assert period_bounds(a)[1] == period_bounds(b)[0]
