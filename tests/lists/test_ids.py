"""Strong identifiers: IMO formats and check digit, MMSI, call signs."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctionwatch.lists.ids import (
    imo_check_expr,
    imo_check_ok,
    imos_in_text,
    mmsis_in_text,
    norm_callsign,
    norm_mmsi,
    parse_imo,
)


@pytest.mark.parametrize("text", ["IMO 8705539", "8705539", "IMO8705539", "imo: 8705539", "IMO No. 8705539"])
def test_imo_formats(text):
    assert parse_imo(text) == "8705539"


@pytest.mark.parametrize("text", ["870553", "87055390", "IMO 87O5539", "", None, "MMSI 445539000"])
def test_not_imo(text):
    assert parse_imo(text) is None


def test_check_digit_real_numbers():
    # KUM UN SAN 3 (OFAC/UK), TONG SAN 2 (UK), CHONG CHON GANG (OFAC) are valid; UN's company number is not a
    # ship number (different scheme), and a one-digit typo fails.
    assert imo_check_ok("8705539") and imo_check_ok("8937675") and imo_check_ok("7937317")
    assert not imo_check_ok("5434358")
    assert not imo_check_ok("8705538")


def _with_check(six: str) -> str:
    return six + str(sum(int(d) * w for d, w in zip(six, range(7, 1, -1), strict=True)) % 10)


@given(st.from_regex(r"[1-9][0-9]{5}", fullmatch=True), st.integers(1, 9))
def test_check_digit_property(six, delta):
    good = _with_check(six)
    bad = good[:6] + str((int(good[6]) + delta) % 10)
    assert imo_check_ok(good) and not imo_check_ok(bad)
    flags = pl.DataFrame({"v": [good, bad]}).select(imo_check_expr(pl.col("v")))["v"].to_list()
    assert flags == [True, False]


def test_text_extraction():
    remarks = ("Former Vessel Flag Malta; Vessel Registration Identification IMO 9187629; MMSI 572469210; "
               "f.k.a. 'ALPHA'.")
    assert imos_in_text(remarks) == ["9187629"]
    assert mmsis_in_text(remarks) == ["572469210"]
    assert mmsis_in_text("IMO: 8937675. MMSI: 445539000.") == ["445539000"]


def test_mmsi_and_callsign():
    assert norm_mmsi(445539000) == "445539000" and norm_mmsi("4455") is None
    assert norm_callsign(" t2-eu 4 ") == "T2EU4" and norm_callsign("") is None
