"""Shared helpers for detectors: run finding over sorted tables, evidence rows with file:line, event tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pyarrow as pa

from sanctionwatch.store.events import event_id, events_table, evidence_json
from sanctionwatch.store.schemas import arrow_schema

MAX_EVIDENCE_POINTS = 12  # per event: first, last and evenly spaced fixes between (the full run is reproducible)


def runs(mask: np.ndarray, brk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[start, stop) of maximal runs of True in `mask`, also split before every row where `brk` is True."""
    m = np.asarray(mask, dtype=bool)
    if m.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    prev = np.r_[False, m[:-1]]
    start = m & (~prev | np.asarray(brk, dtype=bool))
    nxt_breaks = np.r_[(~m[1:]) | start[1:], True]
    return np.flatnonzero(start), np.flatnonzero(m & nxt_breaks) + 1


def new_vessel(mmsi: np.ndarray) -> np.ndarray:
    """True where a row starts a new MMSI (input sorted by mmsi)."""
    out = np.ones(mmsi.size, bool)
    out[1:] = mmsi[1:] != mmsi[:-1]
    return out


def segment_ids(track: pl.DataFrame) -> np.ndarray:
    """Per-row segment number (`segment` column from tracks.main_track; else one segment per MMSI)."""
    if "segment" in track.columns:
        return track["segment"].to_numpy()
    return np.cumsum(new_vessel(track["mmsi"].to_numpy())) - 1


def new_segment(seg: np.ndarray) -> np.ndarray:
    """True where a row starts a new segment (input sorted by mmsi, t; `seg` from segment_ids)."""
    out = np.ones(seg.size, bool)
    out[1:] = seg[1:] != seg[:-1]
    return out


def sample_idx(a: int, b: int, k: int = MAX_EVIDENCE_POINTS) -> list[int]:
    """Up to k row indices from [a, b): always the first and last."""
    if b - a <= k:
        return list(range(a, b))
    return sorted(set(np.linspace(a, b - 1, k).round().astype(int).tolist()))


def to_dt(t_ms: int | float) -> datetime:
    """Epoch milliseconds -> aware UTC datetime."""
    return datetime.fromtimestamp(int(t_ms) / 1000.0, UTC)


def iso(t_ms: int | float) -> str:
    """Epoch milliseconds -> ISO-8601 UTC with milliseconds."""
    return to_dt(t_ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def point_rows(df: pl.DataFrame, groups: Sequence[Sequence[int]]) -> list[list[dict]]:
    """Evidence fixes for many events at once: ts, lat, lon, sog, `at` = source file:line."""
    flat = [i for g in groups for i in g]
    if not flat:
        return [[] for _ in groups]
    cols = [c for c in ("t", "lat", "lon", "sog", "source", "src_line") if c in df.columns]
    sub = df.select(cols)[flat].to_dict(as_series=False)
    rows = []
    for j in range(len(flat)):
        r = {"ts": iso(sub["t"][j]), "lat": round(sub["lat"][j], 6), "lon": round(sub["lon"][j], 6)}
        if "sog" in sub and sub["sog"][j] is not None:
            r["sog_kn"] = round(float(sub["sog"][j]), 1)
        if "source" in sub:
            r["at"] = f"{sub['source'][j]}:{sub['src_line'][j]}"
        rows.append(r)
    out, k = [], 0
    for g in groups:
        out.append(rows[k:k + len(g)])
        k += len(g)
    return out


def event(type_: str, mmsi: int | None, start_ms: int, end_ms: int, *, other_mmsi: int | None = None,
          lat: float | None = None, lon: float | None = None, port: str | None = None, locode: str | None = None,
          country: str | None = None, confidence: float = 1.0, **evidence: object) -> dict:
    """One event row; the id comes from (type, vessels, start) and evidence is serialised deterministically."""
    start = to_dt(start_ms)
    end = to_dt(max(end_ms, start_ms + 1))
    return {"event_id": event_id(type_, start, mmsi, other_mmsi), "type": type_, "mmsi": mmsi,
            "other_mmsi": other_mmsi, "start": start, "end": end,
            "lat": None if lat is None else round(float(lat), 6), "lon": None if lon is None else round(float(lon), 6),
            "port": port, "locode": locode, "country": country, "confidence": round(float(confidence), 3),
            "evidence": evidence_json(**evidence)}


def table(rows: Sequence[dict]) -> pa.Table:
    """Canonical events table (empty with the right schema when there are no rows)."""
    if not rows:
        return arrow_schema("events").empty_table()
    return events_table(rows)
