"""Period specifications ('2017', '2017-05', '2017-01..2017-05', '2017-Q1', '2017-H1') and their UTC intervals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_label(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """Half-open UTC interval [start, end) of a stored period ('YYYY' or 'YYYY-MM')."""
    m = _MONTH.match(period)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        return datetime(y, mo, 1, tzinfo=UTC), datetime(y + mo // 12, mo % 12 + 1, 1, tzinfo=UTC)
    y = int(period)
    return datetime(y, 1, 1, tzinfo=UTC), datetime(y + 1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodSpec:
    """A span of whole months; `year` is set when it is exactly one calendar year (annual rows may answer it)."""

    text: str
    months: tuple[str, ...]
    year: int | None = None

    @property
    def start(self) -> datetime:
        return period_bounds(self.months[0])[0]

    @property
    def end(self) -> datetime:
        return period_bounds(self.months[-1])[1]


def _months(y0: int, m0: int, y1: int, m1: int) -> tuple[str, ...]:
    out = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        out.append(month_label(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def parse_period(text: str) -> PeriodSpec:
    """Parse a period spec; anything else raises ValueError naming the accepted forms."""
    t = text.strip()
    if re.fullmatch(r"\d{4}", t):
        y = int(t)
        return PeriodSpec(t, _months(y, 1, y, 12), year=y)
    m = re.fullmatch(r"(\d{4})-Q([1-4])", t, flags=re.I)
    if m:
        y, q = int(m.group(1)), int(m.group(2))
        return PeriodSpec(t, _months(y, 3 * q - 2, y, 3 * q))
    m = re.fullmatch(r"(\d{4})-H([12])", t, flags=re.I)
    if m:
        y, h = int(m.group(1)), int(m.group(2))
        return PeriodSpec(t, _months(y, 6 * h - 5, y, 6 * h))
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:\.\.(\d{4})-(\d{2}))?", t)
    if m:
        y0, m0 = int(m.group(1)), int(m.group(2))
        y1, m1 = (int(m.group(3)), int(m.group(4))) if m.group(3) else (y0, m0)
        if not (1 <= m0 <= 12 and 1 <= m1 <= 12) or (y1, m1) < (y0, m0):
            raise ValueError(f"bad period {text!r}: months must be 01-12 and the range must not run backwards")
        return PeriodSpec(t, _months(y0, m0, y1, m1))
    raise ValueError(f"bad period {text!r}: use YYYY, YYYY-MM, YYYY-MM..YYYY-MM, YYYY-Q1..4 or YYYY-H1/H2")
