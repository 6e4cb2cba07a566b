"""Transliteration-aware name normalisation: spacing, `NO.`, romanisation, legal forms, numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionwatch.lists.normalize import normalize_name


def _key(name):
    return normalize_name(name)["key"]


def _fold(name):
    return normalize_name(name)["fold"]


@pytest.mark.parametrize("variant", ["KUMUNSAN 3", "KUM UN SAN NO.3", "Kum_Un_San_3", "KUMUNSAN3", "kum un san no 3"])
def test_spacing_and_hull_number(variant):
    assert _key(variant) == _key("KUM UN SAN 3") == "KUMUNSAN3"


def test_korean_romanisation_fold():
    assert _key("MAN GYONG BONG") == _key("MANGYONGBONG")
    assert _fold("MANGYEONGBONG") == _fold("MAN GYONG BONG")  # Revised vs McCune-Reischauer
    assert _fold("GEUM EUN SAN 3") == _fold("KUM UN SAN 3")
    assert _fold("BAEK MA") == _fold("PAEK MA")
    assert _fold("JEON MA SAN") == _fold("CHON MA SAN")
    assert _fold("SANDAL") != _fold("SHANTAR")  # no L/R, SH/S folding: unrelated western names stay apart


def test_legal_forms_prefixes_and_numbers():
    assert _key("KOREA YUJONG SHIPPING CO., LTD.") == _key("Korea Yujong Shipping Company Limited")
    assert _key("M/V CHONG CHON GANG") == _key("CHONG CHON GANG")
    assert normalize_name("SPARTA IV")["digits"] == "4"
    assert normalize_name("KUM UN SAN NO.3")["digits"] == "3"
    assert _key("CO LTD") == "COLTD"  # a name made only of legal words is kept, not emptied


def test_non_latin_is_transliterated():
    assert normalize_name("Петров Иван")["norm"] == "PETROV IVAN"


_PIECES = [*"ABCKMNOPTUVXIY 0123.-/_'", "NO.", " CO", " LTD", "M/V ", " IV", "é", "Ж"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=12).map("".join))
def test_normalisation_is_idempotent(raw):
    """A list name stored in normalised form screens exactly like the raw form."""
    once = normalize_name(raw)
    assert normalize_name(once["norm"]) == once
