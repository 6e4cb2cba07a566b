"""Input discovery and framing: files, directories, stdin, gzip; format sniffing; chunks cut at line ends."""

from __future__ import annotations

import gzip
import io
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
ZIP_MAGIC = b"PK\x03\x04"  # MarineCadastre and DMA publish one CSV per .zip
_SKIP_SUFFIXES = {".md", ".parquet", ".py", ".pdf", ".png", ".html"}


@dataclass(frozen=True)
class Input:
    """One input: a path, or '-' for stdin."""

    path: str

    @property
    def is_stdin(self) -> bool:
        return self.path == "-"

    @property
    def name(self) -> str:
        return "-" if self.is_stdin else Path(self.path).name

    def size(self) -> int | None:
        return None if self.is_stdin else Path(self.path).stat().st_size

    def open_raw(self) -> BinaryIO:
        """Binary stream of the (decompressed) content."""
        raw: BinaryIO = sys.stdin.buffer if self.is_stdin else open(self.path, "rb")  # noqa: SIM115
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)  # type: ignore[arg-type]
        magic = buffered.peek(4)[:4]
        if magic[:2] == GZIP_MAGIC:
            return gzip.GzipFile(fileobj=buffered)  # type: ignore[return-value]
        if magic == ZIP_MAGIC:
            return _open_zip_member(buffered, self.path)
        return buffered


def _open_zip_member(fh: io.BufferedReader, name: str) -> BinaryIO:
    """The single data file inside a .zip (directories and `__MACOSX/` entries ignored), as a buffered stream."""
    if not fh.seekable():
        raise ValueError(f"{name}: a .zip cannot be read from a pipe; unzip it or pass the file")
    zf = zipfile.ZipFile(fh)  # stays open: the member stream reads through it
    members = [m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
    if len(members) != 1:
        raise ValueError(f"{name}: expected one file inside the .zip, found {[m.filename for m in members]}")
    return io.BufferedReader(zf.open(members[0]))  # type: ignore[arg-type]


def expand(paths: Iterable[str]) -> list[Input]:
    """Files as given, directories recursively (sorted, hidden files and known non-data files skipped)."""
    out: list[Input] = []
    for p in paths:
        if p == "-":
            out.append(Input("-"))
            continue
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not f.name.startswith(".") and f.suffix.lower() not in _SKIP_SUFFIXES:
                    out.append(Input(str(f)))
        elif path.exists():
            out.append(Input(str(path)))
        else:
            raise FileNotFoundError(f"input not found: {p}")
    return out


def read_chunks(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """Yield chunks of whole lines (each ends at a newline, except possibly the last).

    A UTF-8 byte-order mark at the start (files saved by Windows tools) is dropped, not read as data.
    """
    tail = b""
    first = True
    while True:
        block = stream.read(chunk_bytes)
        if not block:
            break
        if first:
            block = block.removeprefix(UTF8_BOM)
            first = False
        block = tail + block
        cut = block.rfind(b"\n")
        if cut < 0:
            tail = block
            continue
        yield block[: cut + 1]
        tail = block[cut + 1 :]
    if tail:
        yield tail
