"""Load Comtrade files into the store's trade_flows table: one atomic partition per input, rejects quarantined."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polars as pl

from sanctionwatch.store.files import write_text_atomic
from sanctionwatch.store.layout import Store
from sanctionwatch.trade.readers import ReadResult, read_text


def source_id(name: str, content: bytes) -> str:
    """Partition id from the file name and its content hash: re-loading the same file replaces, never duplicates."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).stem)[:60]
    return f"{stem}-{hashlib.sha256(content).hexdigest()[:12]}"


def write_flows(store: Store, sid: str, result: ReadResult, record: dict) -> dict:
    """Write one read result as partition `source=<sid>`, its rejects as TSV, and an import record."""
    table = result.table.with_columns(source=pl.lit(sid)).to_arrow()
    store.replace_partition("trade_flows", "source", sid, table, file="flows")
    quarantine = None
    if result.rejected:
        lines = ["source\tline\treason\traw"] + [
            f"{r['source']}\t{r['line']}\t{r['reason']}\t{r['raw'].replace(chr(9), ' ')}" for r in result.rejected
        ]
        quarantine = write_text_atomic(store.quarantine_dir / f"trade-{sid}.tsv", "\n".join(lines) + "\n")
    reasons: dict[str, int] = {}
    for r in result.rejected:
        reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    rep = {
        **record,
        "kind": "trade",
        "source_id": sid,
        "layout": result.layout,
        "rows_in": result.rows_in,
        "rows_stored": result.table.height,
        "rejected": reasons,
        "rejected_samples": [f"{r['source']}:{r['line']} {r['reason']}" for r in result.rejected[:5]],
        "quarantine": str(quarantine) if quarantine else None,
        "periods": sorted(set(result.table["period"].to_list())) if result.table.height else [],
    }
    store.write_import_record(f"trade-{sid}", rep)
    return rep


def load_file(store: Store, path: str | Path) -> dict:
    """Read one Comtrade CSV/JSON file and store it; returns the load report (rows in/stored/rejected by reason)."""
    p = Path(path)
    content = p.read_bytes()
    sid = source_id(p.name, content)
    result = read_text(content.decode("utf-8-sig"), p.name)
    return write_flows(store, sid, result, {"inputs": [str(p)], "sha256": hashlib.sha256(content).hexdigest()})
