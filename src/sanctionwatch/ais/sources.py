"""Input discovery and framing: files, directories, stdin, gzip; format sniffing; chunks cut at line ends."""

from __future__ import annotations

import io
import sys
import zipfile
import zlib
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
            return GzipStream(buffered)  # type: ignore[return-value]
        if magic == ZIP_MAGIC:
            return _open_zip_member(buffered, self.path)
        return buffered


class GzipStream:
    """Streaming gzip reader that keeps what decoded when the file is truncated or corrupt.

    `gzip.GzipFile` raises on a cut or damaged file and loses the block being read (and the ingest lost the
    whole file). This reader decompresses with `zlib` in bounded steps (a compression bomb costs bounded
    memory per read: output is produced at most `max(n, 64 KiB)` at a time), concatenates members like
    gzip(1), and on damage stops cleanly: `damage` then says what happened and at which compressed byte
    offset (and how many decompressed bytes came before it).
    """

    STEP = 1 << 14  # compressed bytes per decompress call: damage loses at most the output of one step

    def __init__(self, raw: BinaryIO, block: int = 1 << 20):
        self._raw, self._block = raw, block
        self._d = zlib.decompressobj(31)
        self._buf = bytearray()
        self._cur = b""  # the raw block being decompressed, and the position in it
        self._pos = 0
        self._before = 0  # compressed bytes of the blocks before `_cur`
        self._out = 0  # decompressed bytes produced
        self._eof = False
        self.damage: dict | None = None

    def _damaged(self, kind: str, message: str) -> None:
        self.damage = {"kind": kind, "compressed_offset": self._before + self._pos,
                       "decompressed_offset": self._out, "message": message}
        self._eof = True

    def _fill(self, n: int) -> None:
        while (n < 0 or len(self._buf) < n) and not self._eof:
            if self._pos >= len(self._cur):
                self._before += len(self._cur)
                self._cur, self._pos = self._raw.read(self._block), 0
                if not self._cur:
                    if not self._d.eof:
                        self._damaged("truncated", "compressed data ends before the end-of-stream marker")
                    self._eof = True
                    break
            if self._d.eof:  # next member (gzip -c a b > ab.gz), or the zero padding some tools append
                if not self._cur[self._pos:self._pos + 512].strip(b"\x00"):
                    self._pos += min(512, len(self._cur) - self._pos)
                    continue
                self._d = zlib.decompressobj(31)
            feed = self._cur[self._pos:self._pos + self.STEP]
            want = 1 << 16 if n < 0 else max(n - len(self._buf), 1 << 16)
            try:
                out = self._d.decompress(feed, want)
            except zlib.error as e:
                self._damaged("corrupt", f"corrupt compressed data ({e})")
                break
            left = self._d.unused_data if self._d.eof else self._d.unconsumed_tail
            self._pos += len(feed) - len(left)
            self._out += len(out)
            self._buf += out

    def read(self, n: int = -1) -> bytes:
        """Up to `n` decompressed bytes (all when n < 0); b'' at the end or after damage."""
        self._fill(n)
        if n < 0 or n >= len(self._buf):
            out = bytes(self._buf)
            self._buf.clear()
            return out
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def peek(self, n: int = 1) -> bytes:
        """The next `n` bytes without consuming them (fewer at the end)."""
        self._fill(n)
        return bytes(self._buf[:n])

    def close(self) -> None:
        self._raw.close()


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


MAX_LINE_BYTES = 64 * 1024  # same limit as the NMEA decoder (ais/_nmea_kernel.py MAX_LINE)


def read_chunks(stream: BinaryIO, chunk_bytes: int, max_line: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """Yield chunks of whole lines (each ends at a newline, except possibly the last).

    A UTF-8 byte-order mark at the start (files saved by Windows tools) is dropped, not read as data.
    Memory stays bounded on input without newlines: a line longer than `max_line` is passed on cut to
    `max_line + 1` bytes (so the reader sees it is too long and rejects it) and the rest of it, up to its
    newline, is skipped instead of being accumulated (1 GiB with no newline used to need > 8 GB).
    """
    tail = b""
    first = True
    skipping = False
    while True:
        block = stream.read(chunk_bytes)
        if not block:
            break
        if first:
            block = block.removeprefix(UTF8_BOM)
            first = False
        if skipping:
            nl = block.find(b"\n")
            if nl < 0:
                continue
            block = block[nl:]
            skipping = False
        block = tail + block
        cut = block.rfind(b"\n")
        if cut < 0:
            tail = block
        else:
            yield block[: cut + 1]
            tail = block[cut + 1 :]
        if len(tail) > max_line:
            tail = tail[: max_line + 1]
            skipping = True
    if tail:
        yield tail
