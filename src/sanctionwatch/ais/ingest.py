"""Ingest orchestration: inputs -> reader (NMEA decoder or decoded-export reader) -> staged Parquet -> publish.

One import per input file, identified by the sha256 of its bytes: re-ingesting the same file replaces
the same Parquet files (no duplicate rows) and is skipped outright unless `force`. Rejected lines go to
the import's quarantine file and are counted by reason in its report.
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
from sanctionwatch.ais.batch import DecodedBatch
from sanctionwatch.ais.sources import Input, expand, read_chunks
from sanctionwatch.store.ingest_report import IngestReport, Quarantine
from sanctionwatch.store.layout import Store

SNIFF_BYTES = 64 * 1024
ProgressFn = Callable[[int], None]


def file_sha256(path: str | Path, block: int = 8 * 1024 * 1024) -> str:
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
             dedup_window_s: int, progress: ProgressFn | None) -> Iterator[DecodedBatch]:
    """Sniff the format from the first bytes and yield decoded batches."""
    head = stream.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(stream, "peek") else b""
    fmt = exports.sniff(head)
    if fmt is not None:
        report.formats[fmt] += 1
        yield from exports.read_export(stream, fmt, source=inp.name)
        return
    report.formats["nmea"] += 1
    decoder = nmea.NmeaDecoder(source=inp.name, assume_time=assume_time, dedup_window_s=dedup_window_s)
    for chunk in read_chunks(stream, chunk_bytes):
        if progress:
            progress(len(chunk))
        yield decoder.feed(chunk)
    yield decoder.finish()


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
    chunk_bytes = chunk_bytes or int(sw_settings.get("ingest_chunk_bytes"))
    dedup_window_s = dedup_window_s if dedup_window_s is not None else int(sw_settings.get("dedup_window_s"))
    import_id = None if inp.is_stdin else file_sha256(inp.path)[:16]
    if import_id and not force and (rec := store.import_record(import_id)):
        return {**rec, "skipped": "already ingested (same content); use --force to re-import"}

    staging_id = import_id or f"stdin-{uuid.uuid4().hex[:12]}"
    report = IngestReport(import_id=staging_id, inputs=[inp.path])
    quarantine = Quarantine(store.staging_dir(staging_id) / "quarantine.tsv")
    t0 = time.perf_counter()
    ts_min: list = []
    ts_max: list = []
    stdin_hash = hashlib.sha256() if inp.is_stdin else None
    try:
        stream = inp.open_raw()
        if stdin_hash is not None:
            stream = _HashingReader(stream, stdin_hash)
        chunk = 0
        for batch in _batches(inp, stream, report, chunk_bytes=chunk_bytes, assume_time=assume_time,
                              dedup_window_s=dedup_window_s, progress=progress):
            report.lines += batch.lines
            report.sentences += batch.sentences
            report.messages += batch.messages
            report.duplicates_folded += batch.duplicates_folded
            report.by_type.update(batch.by_type)
            report.skipped_types.update(batch.skipped_types)
            for r in batch.rejects:
                report.reject(r.reason, f"{inp.name}:{r.line}")
                quarantine.add(inp.name, r.line, r.reason, r.raw)
            for name, table in (("positions", batch.positions), ("vessel_reports", batch.reports)):
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
        stream.close()
    except BaseException:
        quarantine.close()
        store.discard_staging(staging_id)
        raise
    quarantine.close()
    final_id = import_id or stdin_hash.hexdigest()[:16]  # type: ignore[union-attr]
    report.import_id = final_id
    report.seconds = time.perf_counter() - t0
    report.ts_min = min(ts_min).isoformat() if ts_min else None
    report.ts_max = max(ts_max).isoformat() if ts_max else None
    record = {**report.to_dict(), "sanctionwatch_version": __version__, "quarantine": None}
    if quarantine.count:
        dest = store.quarantine_dir / f"{final_id}.tsv"
        dest.parent.mkdir(parents=True, exist_ok=True)
        quarantine.path.replace(dest)
        record["quarantine"] = str(dest)
    store.publish_import(staging_id, record, final_id=final_id)
    return record


class _HashingReader:
    """Wraps a binary stream and hashes what is read (for stdin import ids)."""

    def __init__(self, inner, h):
        self._inner, self._h = inner, h

    def read(self, n: int = -1) -> bytes:
        b = self._inner.read(n)
        self._h.update(b)
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
    """Ingest every input under `paths` (files, directories, '-'); one report per input."""
    reports = []
    for inp in expand(paths):
        progress = progress_factory(inp) if progress_factory else None
        reports.append(ingest_input(store, inp, force=force, assume_time=assume_time,
                                    chunk_bytes=chunk_bytes, progress=progress))
    return reports
