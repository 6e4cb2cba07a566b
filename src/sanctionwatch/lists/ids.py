"""Strong identifiers: IMO ship numbers (with check digit), MMSI and call signs, parsed and normalised."""

from __future__ import annotations

import re

import polars as pl

# `IMO 8705539`, `IMO8705539`, `IMO: 8705539`, `IMO No. 8705539`, `8705539`.
_IMO_RE = re.compile(r"^\s*(?:IMO\s*(?:NO\.?|NUMBER)?\s*[:#]?\s*)?(\d{7})\s*$", re.IGNORECASE)
_IMO_IN_TEXT = re.compile(r"\bIMO(?:\s*(?:NO\.?|NUMBER))?\s*[:#]?\s*(\d{7})\b", re.IGNORECASE)
_MMSI_IN_TEXT = re.compile(r"\bMMSI\s*(?:NO\.?)?\s*[:#]?\s*(\d{9})\b", re.IGNORECASE)


def imo_check_ok(number: str) -> bool:
    """IMO ship number check digit: digits 1-6 weighted 7..2, sum mod 10 equals digit 7 (IMO Res. A.1117(30))."""
    if len(number) != 7 or not number.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:6], range(7, 1, -1), strict=True))
    return total % 10 == int(number[6])


def parse_imo(text: str | int | None) -> str | None:
    """The 7 digits of an IMO number written as `IMO 8705539`, `IMO8705539` or `8705539`; None if not one."""
    if text is None:
        return None
    m = _IMO_RE.match(str(text))
    return m.group(1) if m else None


def imos_in_text(text: str) -> list[str]:
    """All `IMO nnnnnnn` numbers mentioned in free text (list remarks), in order, without duplicates."""
    return list(dict.fromkeys(_IMO_IN_TEXT.findall(text or "")))


def mmsis_in_text(text: str) -> list[str]:
    """All `MMSI nnnnnnnnn` numbers mentioned in free text, in order, without duplicates."""
    return list(dict.fromkeys(_MMSI_IN_TEXT.findall(text or "")))


def norm_mmsi(text: str | int | None) -> str | None:
    """MMSI as 9 digits, or None (AIS MMSIs are 9-digit MID-prefixed numbers, ITU-R M.585)."""
    if text is None:
        return None
    s = re.sub(r"\D", "", str(text))
    return s if len(s) == 9 else None


def norm_callsign(text: str | None) -> str | None:
    """Call sign uppercased with spaces/punctuation removed; None when empty or `-0-`."""
    if text is None:
        return None
    s = re.sub(r"[^0-9A-Z]", "", str(text).upper())
    return s or None


def looks_like_callsign(text: str) -> bool:
    """A query token that could be a call sign: 3-8 letters/digits, no spaces (ITU call sign form)."""
    s = text.strip()
    return 3 <= len(s) <= 8 and s.isalnum() and " " not in s


def imo_check_expr(col: pl.Expr) -> pl.Expr:
    """Vectorised IMO check-digit test over a Utf8 column of 7-digit strings."""
    digits = [col.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(7)]
    total = sum(d * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True))
    return (col.str.len_chars() == 7) & ((total % 10) == digits[6])
