"""The unit every AIS reader hands to the ingest: decoded rows plus what was rejected and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:  # pragma: no cover
    from sanctionwatch.store.ingest_report import IngestReport


@dataclass
class Reject:
    """One rejected input line: where, why, and the raw text (goes to quarantine verbatim)."""

    line: int
    reason: str  # a key of sanctionwatch.store.ingest_report.REASONS
    raw: str


@dataclass
class DecodedBatch:
    """Rows decoded from one chunk of input.

    `positions` and `reports` carry the canonical columns of `positions` / `vessel_reports`
    (see store/schemas.py) except `source`, which the ingest fills in. Missing nullable columns are
    allowed (they become null). Rows whose time could not be established have a null `ts` and are
    rejected by the ingest as `no_timestamp` unless the user gave `--assume-time`.
    """

    positions: pa.Table
    reports: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    lines: int = 0
    sentences: int = 0
    messages: int = 0
    duplicates_folded: int = 0
    by_type: Counter = field(default_factory=Counter)
    skipped_types: Counter = field(default_factory=Counter)

    def add_counts_to(self, total: DecodedBatch | IngestReport) -> None:
        """Add this batch's counters (lines, sentences, messages, folds, message types) to a running total."""
        total.lines += self.lines
        total.sentences += self.sentences
        total.messages += self.messages
        total.duplicates_folded += self.duplicates_folded
        total.by_type.update(self.by_type)
        total.skipped_types.update(self.skipped_types)


@dataclass(frozen=True)
class TimeParams:
    """The plausible time window of AIS: a message time outside it is quarantined as `implausible_time`.

    Unchecksummed trailing epochs and bit-flipped CSV times gave 1970, 1980, 2075, 2220, 0020 and 6020 (issue 19).
    """

    # AIS was adopted in 1998 (ITU-R M.1371-0) and made mandatory from 2002 (SOLAS V/19); no archive predates 2000.
    earliest: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    # Times are UTC, so a live feed is never ahead of the clock of the machine ingesting it, except for clock
    # skew of the receiver or the host; one day is generous for that and still catches every flipped year.
    max_future: timedelta = timedelta(days=1)

    def window_ms(self, now: datetime | None = None) -> tuple[int, int]:
        """(earliest, latest) plausible time in epoch ms, relative to `now` (default: the current time)."""
        now = now or datetime.now(UTC)
        return int(self.earliest.timestamp() * 1000), int((now + self.max_future).timestamp() * 1000)


TIME_PARAMS = TimeParams()
