"""Ingest reports and quarantine: every rejected line is counted by reason, sampled with file:line,
and kept verbatim in the store's quarantine file. Nothing is dropped silently."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SAMPLES_PER_REASON = 5

# Reasons a raw line or message is not stored (the ingest report counts each).
REASONS = {
    "bad_checksum": "NMEA checksum does not match",
    "truncated": "line ends before the sentence is complete (missing fields or checksum)",
    "not_ais": "not an AIS sentence (e.g. $GPRMC, $AIALR); counted, not an error",
    "bad_payload": "payload has invalid 6-bit characters or is too short for its message type",
    "orphan_fragment": "a fragment of a multi-sentence message whose other parts never arrived",
    "bad_fields": "malformed NMEA fields (fragment numbers, fill bits)",
    "bad_row": "a CSV/JSON row that cannot be parsed (bad number, missing time or MMSI)",
    "bad_mmsi": "MMSI outside 1..999999999",
    "no_timestamp": "no timestamp anywhere in the input to place the message in time",
    "line_too_long": "a line longer than 64 KiB (no AIS line is): quarantined cut to 64 KiB, the rest skipped",
    "implausible_time": "time before 2000 or more than a day after the ingest (ais/batch.py TimeParams)",
    "damaged_input": "a compressed input is truncated or corrupt at the reported byte offset (data before it kept)",
}


@dataclass
class IngestReport:
    """Counters of one import; serialised into the store's `_imports/<id>.json`."""

    import_id: str
    inputs: list[str] = field(default_factory=list)
    lines: int = 0
    sentences: int = 0
    messages: int = 0
    positions: int = 0
    vessel_reports: int = 0
    duplicates_folded: int = 0
    by_type: Counter = field(default_factory=Counter)
    skipped_types: Counter = field(default_factory=Counter)
    rejected: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)
    formats: Counter = field(default_factory=Counter)
    ts_min: str | None = None
    ts_max: str | None = None
    seconds: float = 0.0

    def reject_many(self, file: str, rejects: list) -> None:
        """Count a batch of `Reject`s by reason and sample their file:line locations (no per-row string work
        once every reason has its samples: 8 M junk lines must not cost minutes)."""
        if not rejects:
            return
        self.rejected.update(Counter(r.reason for r in rejects))
        need = {r for r in {x.reason for x in rejects} if len(self.samples.get(r, ())) < SAMPLES_PER_REASON}
        for r in rejects:
            if not need:
                break
            if r.reason in need:
                s = self.samples.setdefault(r.reason, [])
                s.append(f"{file}:{r.line}")
                if len(s) >= SAMPLES_PER_REASON:
                    need.discard(r.reason)

    def reject(self, reason: str, location: str, n: int = 1) -> None:
        """Count `n` rejects for `reason` and keep `location` (file:line) as a sample if there is room."""
        self.rejected[reason] += n
        s = self.samples.setdefault(reason, [])
        if len(s) < SAMPLES_PER_REASON:
            s.append(location)

    def to_dict(self) -> dict:
        """JSON-ready form (the `_imports/<id>.json` content)."""
        return {
            "import_id": self.import_id,
            "inputs": self.inputs,
            "formats": dict(self.formats),
            "lines": self.lines,
            "sentences": self.sentences,
            "messages": self.messages,
            "positions": self.positions,
            "vessel_reports": self.vessel_reports,
            "duplicates_folded": self.duplicates_folded,
            "by_type": _sorted_counts(self.by_type),
            "skipped_types": _sorted_counts(self.skipped_types),
            "rejected": dict(self.rejected),
            "samples": self.samples,
            "ts_min": self.ts_min,
            "ts_max": self.ts_max,
            "seconds": round(self.seconds, 3),
        }


def _sorted_counts(c: Counter) -> dict[str, int]:
    """Counter -> {str(key): n}; numeric keys (message types) first in order, then text keys (e.g. 'blank_line').

    Keys mix ints and strings (a CSV export counts `blank_line` beside message types): sorting them directly
    raised TypeError and lost the import (issue 19).
    """
    return {str(k): v for k, v in sorted(c.items(), key=lambda kv: (isinstance(kv[0], str), str(kv[0]).zfill(8)))}


class Quarantine:
    """Append-only TSV of rejected raw lines: file, line, reason, raw text (written to staging first)."""

    def __init__(self, path: Path):
        self.path = path
        self._fh: IO[str] | None = None
        self._writer: Any = None  # a csv writer (its type is private to the csv module)
        self._quoting: Any = None
        self.count = 0

    def add(self, file: str, line: int, reason: str, raw: str) -> None:
        """Append one rejected line."""
        self.add_many(file, [line], reason, raw)

    def _open(self) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # surrogateescape: bytes that are not UTF-8 are written back as the same bytes (round trip)
            self._fh = open(self.path, "w", encoding="utf-8", errors="surrogateescape",  # noqa: SIM115
                            newline="")  # closed in close()
            self._writer = csv.writer(self._fh, delimiter="\t", lineterminator="\n")
            # a bare CR is not special to a writer ending rows with "\n": such rows are fully quoted instead,
            # otherwise a reader splits the raw line at the CR
            self._quoting = csv.writer(self._fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL)
            self._writer.writerow(["file", "line", "reason", "raw"])

    def add_many(self, file: str, lines: list[int], reason: str, raw: str) -> None:
        """Append many rejects of one reason that share the same raw text (e.g. decoded rows without time)."""
        self._open()
        w = self._quoting if "\r" in raw else self._writer
        w.writerows([file, line, reason, raw] for line in lines)
        self.count += len(lines)

    def add_rejects(self, file: str, rejects: list) -> None:
        """Append a batch of `Reject`s (line, reason, raw) of one input file."""
        if not rejects:
            return
        self._open()
        w, q = self._writer, self._quoting
        for r in rejects:
            (q if "\r" in r.raw else w).writerow((file, r.line, r.reason, r.raw))
        self.count += len(rejects)

    def close(self) -> None:
        """Flush and close the TSV (safe to call twice)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
