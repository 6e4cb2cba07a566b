"""Ingest orchestration: inputs -> reader (NMEA decoder or decoded-export reader) -> staged Parquet -> publish.

One import per input, identified by the sha256 of its decompressed content (so `x.nmea` and `x.nmea.gz`
are the same import): re-ingesting the same content is skipped unless `force`, and a forced re-import
replaces the same Parquet files (no duplicate rows). Everything is written under `_staging/` first and
published only when the whole input was read, so an interrupted import leaves nothing visible.
Rejected lines go to the import's quarantine file and are counted by reason in its report.
An earlier import whose content is a prefix of this input's (a truncated .gz or a cut file, then the complete
file) is superseded when this one is published: its rows are removed, so the overlap is stored once.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sanctionwatch import __version__
from sanctionwatch import settings as sw_settings
from sanctionwatch.ais import exports, nmea
from sanctionwatch.ais.batch import TIME_PARAMS, DecodedBatch
from sanctionwatch.ais.sources import Input, expand, read_chunks
from sanctionwatch.store.ingest_report import SAMPLES_PER_REASON, IngestReport, Quarantine
from sanctionwatch.store.layout import Store

SNIFF_BYTES = 64 * 1024
ProgressFn = Callable[[int], None]


class IngestError(ValueError):
    """An input cannot be ingested at all (unknown layout, missing time for a snapshot); names the input."""


def file_sha256(path: str | Path, block: int = 8 * 1024 * 1024) -> str:
    """sha256 of a file's raw bytes (the fast skip check before decoding anything)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            h.update(chunk)
    return h.hexdigest()


def _with_source(table: pa.Table, source: str) -> pa.Table:
    """Set the dictionary-encoded `source` column (one distinct value per import)."""
    indices = pa.array(np.zeros(table.num_rows, dtype=np.int32))
    source_col = pa.DictionaryArray.from_arrays(indices, pa.array([source], pa.string()))
    if "source" in table.column_names:
        return table.set_column(table.column_names.index("source"), "source", source_col)
    return table.append_column("source", source_col)


def _batches(inp: Input, stream, report: IngestReport, *, chunk_bytes: int, assume_time: datetime | None,
             dedup_window_s: int) -> Iterator[DecodedBatch]:
    """Sniff the format from the first bytes and yield decoded batches."""
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES]
    try:
        fmt = exports.sniff(head)
    except exports.ExportError as e:
        raise IngestError(f"{inp.path}: {e}") from e
    if fmt is not None:
        report.formats[fmt] += 1
        try:
            yield from exports.read_export(stream, fmt, source=inp.name, assume_time=assume_time,
                                           chunk_bytes=chunk_bytes)
        except exports.ExportError as e:
            raise IngestError(f"{inp.path}: {e}") from e
        return
    report.formats["nmea"] += 1
    decoder = nmea.NmeaDecoder(source=inp.name, assume_time=assume_time, dedup_window_s=dedup_window_s)
    for chunk in read_chunks(stream, chunk_bytes):
        yield from decoder.feed_iter(chunk)
    yield decoder.finish()


def _place_in_time(table: pa.Table, assume_time: datetime | None) -> tuple[pa.Table, pa.Table]:
    """Split rows with a null `ts` off (or give them `assume_time`, ts_source 'assumed'): (kept, untimed)."""
    ts = table.column("ts")
    if ts.null_count == 0:
        return table, table.slice(0, 0)
    missing = pc.is_null(ts)
    if assume_time is None:
        return table.filter(pc.invert(missing)), table.filter(missing)
    filled = pc.if_else(missing, pa.scalar(assume_time, ts.type), ts)
    table = table.set_column(table.column_names.index("ts"), "ts", filled)
    if "ts_source" in table.column_names:
        src = pc.if_else(missing, pa.scalar("assumed"), table.column("ts_source").cast(pa.string()))
        table = table.set_column(table.column_names.index("ts_source"), "ts_source", src)
    return table, table.slice(0, 0)


def _skippable(record: dict, assume_time: datetime | None) -> bool:
    """An earlier import of the same content counts as done, unless it lost messages for want of a time
    and the user now supplies one (re-running with --assume-time then re-imports, replacing its rows)."""
    return not (assume_time is not None and record.get("rejected", {}).get("no_timestamp"))


def _superseded(store: Store, record: dict) -> str | None:
    """Why an input is not re-imported (even with --force): a later import whose content begins with this
    input's content replaced it (re-importing would store the shared part twice)."""
    by = record.get("superseded_by")
    if by and store.import_record(by) is not None:
        return f"superseded by import {by} (its content begins with this input's content); nothing re-imported"
    return None


def ingest_input(
    store: Store,
    inp: Input,
    *,
    force: bool = False,
    assume_time: datetime | None = None,
    chunk_bytes: int | None = None,
    dedup_window_s: int | None = None,
    progress: ProgressFn | None = None,
) -> dict:
    """Ingest one input into the store and return its report (a dict, also kept in `_imports/`)."""
    if assume_time is not None:
        lo, hi = TIME_PARAMS.window_ms()
        if not lo <= assume_time.timestamp() * 1000 <= hi:
            raise IngestError(f"--assume-time {assume_time.isoformat()} is outside the plausible window "
                              f"({TIME_PARAMS.earliest.date()} .. one day from now)")
    chunk_bytes = chunk_bytes or int(sw_settings.get("ingest_chunk_bytes"))
    dedup_window_s = dedup_window_s if dedup_window_s is not None else int(sw_settings.get("dedup_window_s"))
    raw_sha = None if inp.is_stdin else file_sha256(inp.path)
    if raw_sha and (rec := store.import_by_raw_hash(raw_sha)) and (why := _superseded(store, rec)):
        return {**rec, "inputs": [inp.path], "skipped": why}
    if raw_sha and not force and (rec := store.import_by_raw_hash(raw_sha)) and _skippable(rec, assume_time):
        return {**rec, "inputs": [inp.path], "skipped": "already ingested (same content); use --force to re-import"}
    prefixes = store.prefix_index()  # earlier imports this input may supersede, by content length

    staging_id = f"run-{uuid.uuid4().hex[:12]}"
    report = IngestReport(import_id=staging_id, inputs=[inp.path])
    quarantine = Quarantine(store.claim_staging(staging_id) / "quarantine.tsv")
    t0 = time.perf_counter()
    ts_min: list = []
    ts_max: list = []
    content_hash = hashlib.sha256()
    try:
        try:
            raw_stream = inp.open_raw()
        except ValueError as e:  # e.g. a .zip holding several files
            raise IngestError(str(e)) from e
        stream = _CountingReader(raw_stream, content_hash, progress, marks=prefixes)
        src_name = inp.name
        chunk = 0
        for batch in _batches(inp, stream, report, chunk_bytes=chunk_bytes, assume_time=assume_time,
                              dedup_window_s=dedup_window_s):
            batch.add_counts_to(report)
            report.reject_many(src_name, batch.rejects)
            quarantine.add_rejects(src_name, batch.rejects)
            for name, table in (("positions", batch.positions), ("vessel_reports", batch.reports)):
                if table.num_rows == 0:
                    continue
                table, untimed = _place_in_time(table, assume_time)
                _reject_untimed(untimed, inp.name, report, quarantine)
                if table.num_rows == 0:
                    continue
                table = _with_source(table, inp.name)
                n = store.stage_day_partitions(name, table, staging_id, chunk)
                if name == "positions":
                    report.positions += n
                else:
                    report.vessel_reports += n
                ts_min.append(pc.min(table.column("ts")).as_py())
                ts_max.append(pc.max(table.column("ts")).as_py())
            chunk += 1
        damage = getattr(raw_stream, "damage", None)
        if damage and not damage["decompressed_offset"]:
            raise IngestError(f"{inp.path}: not a readable gzip: {damage['message']}")
        if damage:  # truncated/corrupt .gz: what decoded before the damage is kept, the damage is reported
            report.reject("damaged_input", f"{inp.name}:byte {damage['compressed_offset']}")
        stream.close()
        quarantine.close()
        final_id = content_hash.hexdigest()[:16]
        if (rec := store.import_record(final_id)) and (why := _superseded(store, rec)):
            store.discard_staging(staging_id)
            return {**rec, "inputs": [inp.path], "skipped": why}
        if not force and (rec := store.import_record(final_id)) and _skippable(rec, assume_time):
            # Same decompressed content as an earlier import (e.g. the .gz of a file already ingested).
            store.discard_staging(staging_id)
            if raw_sha:
                store.write_raw_alias(raw_sha, final_id)
            return {**rec, "inputs": [inp.path], "skipped": "already ingested (same decompressed content); "
                    "use --force to re-import"}
        report.import_id = final_id
        report.seconds = time.perf_counter() - t0
        report.ts_min = min(ts_min).isoformat() if ts_min else None
        report.ts_max = max(ts_max).isoformat() if ts_max else None
        record = {**report.to_dict(), "raw_sha256": raw_sha, "content_sha256": content_hash.hexdigest(),
                  "content_bytes": stream.pos, "sanctionwatch_version": __version__, "quarantine": None}
        supersedes = sorted({prefixes[n][h] for n, h in stream.prefix_hashes.items() if h in prefixes.get(n, {})}
                            - {final_id})
        if supersedes:
            record["supersedes"] = supersedes
        if damage:
            record["damaged"] = damage
        if quarantine.count:
            dest = store.quarantine_dir / f"{final_id}.tsv"
            dest.parent.mkdir(parents=True, exist_ok=True)
            quarantine.path.replace(dest)
            record["quarantine"] = str(dest)
        store.publish_import(staging_id, record, final_id=final_id, supersedes=supersedes)
        if raw_sha:
            store.write_raw_alias(raw_sha, final_id)
    except BaseException:
        quarantine.close()
        store.discard_staging(staging_id)
        raise
    return record


def _reject_untimed(untimed: pa.Table, name: str, report: IngestReport, quarantine: Quarantine) -> None:
    """Count decoded rows that have no time (and no --assume-time) as no_timestamp, by source line."""
    if untimed.num_rows == 0:
        return
    lines = untimed.column("src_line").fill_null(0).to_pylist() if "src_line" in untimed.column_names \
        else [0] * untimed.num_rows
    for line in lines[:SAMPLES_PER_REASON]:
        report.reject("no_timestamp", f"{name}:{line}", n=0)
    report.rejected["no_timestamp"] += len(lines)
    quarantine.add_many(name, lines, "no_timestamp", "(decoded message without time; see the source line)")


class _CountingReader:
    """Wraps a binary stream: hashes what is read (content import id) and reports progress in bytes.

    `marks` are content lengths of earlier imports: the running hash is also taken at each of them
    (`prefix_hashes[length]`), which says whether an earlier import's content is a prefix of this one's
    without reading anything twice (a sha256 copy per mark).
    """

    def __init__(self, inner, h, progress: ProgressFn | None, marks: Iterable[int] = ()):
        self._inner, self._h, self._progress = inner, h, progress
        self._marks = sorted(m for m in marks if m > 0)
        self._next = 0
        self.pos = 0
        self.prefix_hashes: dict[int, str] = {}

    def read(self, n: int = -1) -> bytes:
        b = self._inner.read(n)
        done = 0
        marks = self._marks
        view = memoryview(b)  # slices without copying a 64 MiB block per mark
        while self._next < len(marks) and marks[self._next] <= self.pos + len(b):
            cut = marks[self._next] - self.pos
            self._h.update(view[done:cut])
            done = cut
            self.prefix_hashes[marks[self._next]] = self._h.hexdigest()
            self._next += 1
        self._h.update(view[done:])
        self.pos += len(b)
        if self._progress and b:
            self._progress(len(b))
        return b

    def peek(self, n: int = 0) -> bytes:
        return self._inner.peek(n)

    def close(self) -> None:
        self._inner.close()


def ingest(
    store: Store,
    paths: Iterable[str],
    *,
    force: bool = False,
    assume_time: datetime | None = None,
    chunk_bytes: int | None = None,
    progress_factory: Callable[[Input], ProgressFn | None] | None = None,
) -> list[dict]:
    """Ingest every input under `paths` (files, directories, '-'); one report per input.

    One bad input never costs the others: an input that is missing or cannot be read at all (unknown layout,
    unreadable file, any reader error) gets a report with `error` (nothing of it is published) and the others
    still run; a truncated or corrupt .gz is ingested up to the damage and its report carries `damaged`.
    """
    reports: list[dict] = []
    store.clean_stale_staging()
    inputs: list[Input] = []
    for p in paths:
        try:
            inputs.extend(expand([p]))
        except FileNotFoundError as e:
            reports.append({"inputs": [p], "error": str(e)})
    for inp in inputs:
        progress = progress_factory(inp) if progress_factory else None
        try:
            reports.append(ingest_input(store, inp, force=force, assume_time=assume_time,
                                        chunk_bytes=chunk_bytes, progress=progress))
        except IngestError as e:
            reports.append({"inputs": [inp.path], "error": str(e)})
        except Exception as e:  # any reader failure costs this input only, never the others
            reports.append({"inputs": [inp.path], "error": f"{type(e).__name__}: {e}"})
    return reports
