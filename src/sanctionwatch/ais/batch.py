"""The unit every AIS reader hands to the ingest: decoded rows plus what was rejected and why."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa


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
