"""The one events table every detector writes (maritime, trade, network): ids, evidence, writing.

Event ids are derived from content (type, vessel(s) or subject, start), so re-running a detector on
the same data yields the same ids; each producer replaces its own partition atomically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from sanctionwatch.store.layout import Store
from sanctionwatch.store.schemas import arrow_schema, conform

EVENT_TYPES = (
    "port_call",
    "gap",
    "encounter",
    "loitering",
    "destination_mismatch",
    "identity_change",
    "spoofing",
    "sanctioned_area",
    "routing_change",
    "trade_anomaly",
)


def event_id(type: str, start: datetime | str, mmsi: int | None = None, other_mmsi: int | None = None,
             subject: str | None = None) -> str:
    """Stable id from the event's defining content (never from wall-clock time)."""
    start_s = start.isoformat() if isinstance(start, datetime) else str(start)
    key = f"{type}|{mmsi or ''}|{other_mmsi or ''}|{subject or ''}|{start_s}"
    return f"{type[:3]}-{hashlib.sha1(key.encode()).hexdigest()[:16]}"


def evidence_json(**fields: Any) -> str:
    """Serialise evidence (positions with file:line, thresholds, list entries) deterministically."""
    return json.dumps(fields, sort_keys=True, default=str, separators=(",", ":"))


def events_table(rows: Sequence[dict]) -> pa.Table:
    """Build a canonical events table from dicts (small producers; detectors build Arrow directly)."""
    schema = arrow_schema("events")
    cols = {f.name: [r.get(f.name) for r in rows] for f in schema}
    return conform(pa.table({k: pa.array(v, type=schema.field(k).type) for k, v in cols.items()}), "events")


def write_events(store: Store, producer: str, table: pa.Table) -> None:
    """Replace all events of `producer` (e.g. 'maritime', 'bgp', 'trade') with `table`."""
    store.replace_partition("events", "producer", producer, table, file="events")


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """`minlon,minlat,maxlon,maxlat` as floats; ValueError("format") or ValueError("range") when it is not one.

    One definition for the API's `bbox` and the CLI's `--bbox` (both then filter with events_where); each
    surface words its own error.
    """
    try:
        a, b, c, d = (float(x) for x in text.split(","))
    except ValueError as e:
        raise ValueError("format") from e
    if not (-180 <= a <= 180 and -180 <= c <= 180 and -90 <= b <= d <= 90):
        raise ValueError("range")
    return a, b, c, d


def events_where(*, type: str | None = None, mmsi: int | None = None, start: datetime | None = None,
                 end: datetime | None = None, bbox: tuple[float, float, float, float] | None = None
                 ) -> tuple[str, list]:
    """SQL condition and parameters selecting events (CLI and API share it): a vessel matches on either side
    of an encounter; time filters keep events overlapping [start, end); bbox is (minlon, minlat, maxlon, maxlat)."""
    cond: list[str] = ["true"]
    params: list = []
    if type:
        cond.append("type = ?")
        params.append(type)
    if mmsi is not None:
        cond.append("(mmsi = ? or other_mmsi = ?)")
        params += [mmsi, mmsi]
    if start:
        cond.append('"end" > ?')
        params.append(start)
    if end:
        cond.append('"start" < ?')
        params.append(end)
    if bbox:
        cond.append("lon between ? and ? and lat between ? and ?")
        params += [bbox[0], bbox[2], bbox[1], bbox[3]]
    return " and ".join(cond), params
