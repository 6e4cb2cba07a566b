"""Atomic file writes: a half-written output never replaces a good one (write, fsync, rename)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq


@contextlib.contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; on success rename it over `dest`, on error delete it."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; store files are meant to be readable by others
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, dest)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(dest: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file for writing that replaces `dest` only when the block succeeds."""
    with atomic_path(dest) as tmp, open(tmp, mode, encoding=None if "b" in mode else encoding) as fh:
        yield fh


def write_parquet_atomic(table: pa.Table, dest: str | Path, compression: str = "zstd") -> Path:
    """Write one Parquet file atomically."""
    with atomic_path(dest) as tmp:
        pq.write_table(table, tmp, compression=compression)
    return Path(dest)


def write_text_atomic(dest: str | Path, text: str) -> Path:
    with atomic_open(dest) as fh:
        fh.write(text)
    return Path(dest)
