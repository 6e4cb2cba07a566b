"""Readers for decoded AIS exports (MarineCadastre CSV, DMA aisdk CSV, satellite-provider CSV, Digitraffic JSON).

Each format is recognised by its header (`sniff`) and read in chunks of whole lines with pyarrow's CSV parser
(all columns as text), then converted with vectorised Polars expressions into the canonical `positions` and
`vessel_reports` columns (store/schemas.py units and not-available -> null rules). Rows that cannot be parsed
(bad number or time, missing MMSI, wrong field count) become `Reject('bad_row', line, raw)`; an MMSI outside
1..999999999 becomes `Reject('bad_mmsi', ...)`. Nothing is dropped silently. A quoted field may hold line
breaks (RFC 4180): the record is kept on its first line, its other lines are counted as `continuation_line`. The value mappings (DMA text to
ITU codes, MarineCadastre's signed COG, Digitraffic's packed ETA) are documented in docs/ingest.md.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import BinaryIO

import numpy as np
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from sanctionwatch.ais.batch import TIME_PARAMS, DecodedBatch, Reject
from sanctionwatch.ais.sources import MAX_LINE_BYTES, read_chunks
from sanctionwatch.store.schemas import arrow_schema

DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024
# CSV chunks are capped: converting a chunk takes ~12x its size in RAM (text columns, cleaned copies, numbers),
# while 16 MiB (~130k rows) is already far beyond what vectorisation needs (bench_ingest_memory.py).
CSV_CHUNK_CAP = 16 * 1024 * 1024
FORMATS = ("marinecadastre", "dma_aisdk", "sat_csv", "digitraffic")
_NULL_TEXT = ["", "None", "none", "NULL", "null", "nan", "NaN", "Unknown", "Unknown value", "Undefined"]
_TS = pl.Datetime("ms", "UTC")
POSITION_TYPES = (1, 2, 3, 4, 18, 19, 27)  # message types that carry a vessel/base-station position
STATIC_TYPES = (5, 19, 24)  # message types that carry static/voyage data
# Fields compared to decide whether a static report changed (per MMSI) in exports that repeat them on every row.
STATIC_KEY = ("name", "imo", "callsign", "ship_type", "to_bow", "to_stern", "to_port", "to_starboard",
              "draught", "destination", "eta")


class ExportError(ValueError):
    """An export cannot be read at all (unknown layout, missing required column, no time for a snapshot)."""


# ---- format detection --------------------------------------------------------------------------------
def _first_line(head: bytes) -> str:
    """First line of the sniffed bytes as text (BOM and CR removed)."""
    text = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    return text


def _header_fields(line: str) -> list[str]:
    """Column names of a CSV header line (a bare CR or a stray quote in it is not a crash: plain comma split)."""
    try:
        return [f.strip() for f in next(csv.reader([line]), [])]
    except csv.Error:
        return [f.strip().strip('"') for f in line.split(",")]


def sniff(head: bytes) -> str | None:
    """Name of the export format the first bytes belong to, or None for raw NMEA.

    Raises ExportError for a CSV whose header names an MMSI column but matches no known layout,
    rather than letting it be misread as NMEA (every line would be rejected as not AIS).
    """
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] == b"{":
        if b'"vessels"' in head:  # an empty snapshot has no "mmsi" key at all
            return "digitraffic"
        raise ExportError("JSON input is not a Digitraffic snapshot ({'timestamp', 'vessels': [{'mmsi', ...}]})")
    line = _first_line(head)
    if line.startswith(("!", "$", "\\")):
        return None
    fields = set(_header_fields(line))
    if line.startswith("# Timestamp") and {"Type of mobile", "MMSI", "Latitude"} <= fields:
        return "dma_aisdk"
    if {"MMSI", "BaseDateTime", "LAT", "LON"} <= fields:
        return "marinecadastre"
    if {"MMSI", "Message_ID", "Time", "Latitude", "Longitude"} <= fields:
        return "sat_csv"
    if "MMSI" in {f.upper() for f in fields}:
        raise ExportError(f"CSV header has an MMSI column but matches no known export layout: {line[:200]!r}")
    return None


# ---- shared value rules (store/schemas.py) ------------------------------------------------------------
def _txt(df: pl.DataFrame, col: str) -> pl.Expr:
    """Stripped text of a column, null when absent or a not-available word.

    Stripping is skipped for columns without any space (a cheap literal scan): it is the costliest step.
    """
    if col not in df.columns:
        return pl.lit(None, pl.String)
    s = df.get_column(col)
    padded = s.dtype == pl.String and bool(s.str.contains(" ", literal=True).any() or s.str.contains(
        "\t", literal=True).any())
    e = pl.col(col).str.strip_chars() if padded else pl.col(col)
    return pl.when(e.is_in(_NULL_TEXT)).then(None).otherwise(e)


def _name(e: pl.Expr) -> pl.Expr:
    """AIS text: trailing '@' padding and spaces stripped; empty -> null."""
    s = e.str.replace(r"@+.*$", "").str.strip_chars()
    return pl.when(s == "").then(None).otherwise(s)


def _lat(e: pl.Expr) -> pl.Expr:
    return pl.when(e.abs() <= 90).then(e)  # 91 = not available; anything beyond 90 is not a latitude


def _lon(e: pl.Expr) -> pl.Expr:
    return pl.when(e.abs() <= 180).then(e)  # 181 = not available


def _sog(e: pl.Expr) -> pl.Expr:
    return pl.when((e >= 0) & (e < 102.3)).then(e).cast(pl.Float32)  # 102.3 = not available


def _cog(e: pl.Expr) -> pl.Expr:
    return pl.when((e >= 0) & (e < 360)).then(e).cast(pl.Float32)  # 360 = not available


def _heading(e: pl.Expr) -> pl.Expr:
    return pl.when((e >= 0) & (e < 360)).then(e).cast(pl.Int16)  # 511 = not available


def _nav(e: pl.Expr) -> pl.Expr:
    return pl.when((e >= 0) & (e < 15)).then(e).cast(pl.Int8)  # 15 = not defined


def _imo(e: pl.Expr) -> pl.Expr:
    return pl.when((e >= 1) & (e <= 999_999_999)).then(e).cast(pl.Int32)  # 0 = not available


def _ship_type(e: pl.Expr) -> pl.Expr:
    return pl.when((e >= 1) & (e <= 99)).then(e).cast(pl.Int16)  # 0 = not available


def _dim(e: pl.Expr) -> pl.Expr:
    return pl.when(e >= 0).then(e).cast(pl.Int16)


def _draught(e: pl.Expr) -> pl.Expr:
    return pl.when(e > 0).then(e).cast(pl.Float32)  # 0 = not available


def resolve_eta(ts: pl.Expr, month: pl.Expr, day: pl.Expr, hour: pl.Expr, minute: pl.Expr) -> pl.Expr:
    """ETA as the next occurrence at or after `ts` of (month, day, hour, minute); null if any part is n/a.

    Not-available values per ITU-R M.1371 type 5: month 0, day 0, hour 24, minute 60.
    """
    valid = month.is_between(1, 12) & day.is_between(1, 31) & hour.is_between(0, 23) & minute.is_between(0, 59)

    def at(year: pl.Expr) -> pl.Expr:
        parts = [year, month, day, hour, minute]
        txt = pl.format("{}-{}-{} {}:{}", *[p.cast(pl.Int64).cast(pl.String).str.zfill(2) for p in parts])
        return txt.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="ms").dt.replace_time_zone("UTC")

    this_year, next_year = at(ts.dt.year()), at(ts.dt.year() + 1)
    eta = pl.when(this_year.is_not_null() & (this_year >= ts)).then(this_year).otherwise(next_year)
    return pl.when(valid).then(eta)


def decode_digitraffic_eta(packed: pl.Expr, ts: pl.Expr) -> pl.Expr:
    """Digitraffic's packed ETA integer (bits 19-16 month, 15-11 day, 10-6 hour, 5-0 minute) resolved after ts."""
    p = packed.cast(pl.Int64)
    return resolve_eta(ts, (p // 65536) % 16, (p // 2048) % 32, (p // 64) % 32, p % 64)


# ---- CSV chunking -----------------------------------------------------------------------------------
# RFC 4180: a quoted field may hold line breaks. Such a record may span at most this many bytes (the line limit):
# beyond it the opening quote is taken as a stray one, so one unbalanced `"` cannot swallow the rest of the file.
MAX_RECORD_BYTES = MAX_LINE_BYTES


class _CsvChunk:
    """One parsed chunk: text columns, the file line of every row, and rows the parser refused.

    `continued` counts lines that continue a record whose quoted field holds a line break (the record is on its
    first line; `spans` gives such records' line counts), `carry` is an unfinished quoted record at the end of
    the block, handed to the next block (its lines are not counted here)."""

    def __init__(self, df: pl.DataFrame, rejects: list[Reject], lines: int, blank: int, block: bytes, first: int,
                 continued: int = 0, spans: dict[int, int] | None = None, carry: bytes = b""):
        self.df, self.rejects, self.lines, self.blank = df, rejects, lines, blank
        self.continued, self.carry = continued, carry
        self._block, self._first, self._spans = block, first, spans or {}

    def raw_lines(self, lines: pl.Series) -> list[str]:
        """Verbatim text of the records starting at the given file lines of this chunk (for the quarantine)."""
        buf = np.frombuffer(self._block, dtype=np.uint8)
        ends = np.append(np.flatnonzero(buf == 10), len(self._block))
        starts = np.concatenate(([0], ends[:-1] + 1))
        out = []
        for n in lines.to_list():
            i = n - self._first
            j = i + self._spans.get(n, 1) - 1
            # one CR (of a CRLF line end) is dropped, as the NMEA quarantine does; other bytes stay verbatim
            out.append(self._block[starts[i]:ends[j]].decode("utf-8", "surrogateescape").removesuffix("\r"))
        return out


def _parse_block(block: bytes, names: list[str], first_line: int, include: list[str],
                 threads: bool = True, last: bool = True) -> _CsvChunk:
    """Parse whole lines with pyarrow (text columns `include`); wrong field counts become bad_row rejects.

    Blocks pyarrow cannot map one row per line (a quoted field holding a line break, a stray quote) and blocks
    that may end inside a quoted record (`last` False and a refused last line with a quote) go to the
    line-by-line parser, which joins quoted line breaks (RFC 4180)."""
    refused: list[tuple[int | None, str]] = []

    def on_invalid(row) -> str:
        refused.append((row.number, row.text))
        return "skip"

    n_lines = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
    if len(block) > MAX_LINE_BYTES and _longest_line(block) > MAX_LINE_BYTES:
        return _parse_block_slow(block, names, first_line, include, last)  # it rejects it as line_too_long
    if not block.isascii():
        try:  # pyarrow cannot hand a row that is not UTF-8 to the invalid-row handler (it raises inside it)
            block.decode("utf-8")
        except UnicodeDecodeError:
            return _parse_block_slow(block, names, first_line, include, last)
    try:
        table = pacsv.read_csv(
            pa.py_buffer(block),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=threads, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(include, pa.string()),
                                                 include_columns=include, strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return _parse_block_slow(block, names, first_line, include, last)
    if any(n is None for n, _ in refused):  # multi-threaded parsing may not know row numbers: redo serially
        return _parse_block(block, names, first_line, include, threads=False, last=last)
    bad_idx = np.array(sorted(int(n or 0) for n, _ in refused), dtype=np.int64)
    all_idx = np.arange(1, n_lines + 1, dtype=np.int64)
    row_lines = np.setdiff1d(all_idx, bad_idx, assume_unique=True) + (first_line - 1)
    open_end = not last and len(bad_idx) and bad_idx[-1] == n_lines and '"' in refused[-1][1]
    # one row or refusal per line, else the framing differs from ours (pyarrow also ends a row at a bare CR)
    framed = len(row_lines) == table.num_rows and table.num_rows + len(refused) == n_lines
    if not framed or open_end:
        return _parse_block_slow(block, names, first_line, include, last)
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    df = df.with_columns(pl.Series("__line", row_lines))
    blank = pl.all_horizontal([pl.col(c) == "" for c in include])
    n_blank = int(df.select(blank.sum()).item())
    if n_blank:
        df = df.filter(~blank)
    rejects = [Reject(first_line - 1 + int(n or 0), "bad_row", text) for n, text in refused]
    return _CsvChunk(df, rejects, n_lines, n_blank, block, first_line)


def _longest_line(block: bytes) -> int:
    """Length in bytes of the longest line of a block (line end excluded)."""
    ends = np.append(np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 10), len(block))
    return int(np.diff(ends, prepend=-1).max()) - 1


def _quoted_record(text_lines: list[str], i: int, n_fields: int) -> tuple[list[str], int] | None:
    """A record starting at line `i` whose quoted field holds line breaks: (fields, lines used), else None.

    Lines are joined while the csv module says the record ends inside quotes, up to MAX_RECORD_BYTES; the
    joined record must have the header's field count (else the first line alone is the bad row)."""
    acc = text_lines[i]
    for j in range(i + 1, len(text_lines)):
        acc += "\n" + text_lines[j]
        if len(acc) > MAX_RECORD_BYTES:
            return None
        try:
            fields = next(csv.reader([acc.removesuffix("\r")], strict=True))
        except csv.Error as e:
            if "unexpected end of data" in str(e):
                continue  # still inside the quoted field
            return None
        return (fields, j - i + 1) if len(fields) == n_fields else None
    return [], len(text_lines) - i  # still open at the end of the block (fields unknown)


def _parse_block_slow(block: bytes, names: list[str], first_line: int, include: list[str],
                      last: bool = True) -> _CsvChunk:
    """Fallback for blocks pyarrow cannot frame one row per line: the csv module line by line.

    A line that ends inside a quoted field is joined with the following lines into one record (RFC 4180),
    bounded by MAX_RECORD_BYTES; a record still open at the end of a block that is not the last is carried
    into the next block. A line that is not a record (a stray quote, a wrong field count) is one bad_row."""
    rows: list[list[str]] = []
    lines: list[int] = []
    rejects: list[Reject] = []
    spans: dict[int, int] = {}
    blank = continued = 0
    carry = b""
    text_lines = block.decode("utf-8", "surrogateescape").split("\n")
    if text_lines and text_lines[-1] == "":
        text_lines.pop()
    n_lines = len(text_lines)
    i = 0
    while i < n_lines:
        raw = text_lines[i].removesuffix("\r")
        if raw == "":
            blank += 1
            i += 1
            continue
        if len(raw) > MAX_LINE_BYTES // 4 and len(b := raw.encode("utf-8", "surrogateescape")) > MAX_LINE_BYTES:
            # read_chunks cut it (the rest was skipped): rejected like an NMEA line of that length, quarantined cut
            rejects.append(Reject(first_line + i, "line_too_long",
                                  b[:MAX_LINE_BYTES].decode("utf-8", "surrogateescape")))
            i += 1
            continue
        used = 1
        try:
            fields = next(csv.reader([raw], strict=True))
        except csv.Error as e:
            fields = []
            if "unexpected end of data" in str(e) and (got := _quoted_record(text_lines, i, len(names))):
                fields, used = got
                if not fields:  # open at the end of the block
                    if not last:
                        carry = "\n".join(text_lines[i:]).encode("utf-8", "surrogateescape") + b"\n"
                        n_lines = i
                        break
                    used = 1
        if len(fields) != len(names):
            rejects.append(Reject(first_line + i, "bad_row", raw))
            i += 1
            continue
        rows.append(fields)
        lines.append(first_line + i)
        if used > 1:
            spans[first_line + i] = used
            continued += used - 1
        i += used
    cols = {n: [_utf8(r[j]) for r in rows] for j, n in enumerate(names) if n in include}
    df = pl.DataFrame(cols, schema=dict.fromkeys(include, pl.String)).with_columns(
        pl.Series("__line", lines, dtype=pl.Int64))
    return _CsvChunk(df, rejects, n_lines, blank, block, first_line, continued, spans, carry)


def _utf8(value: str) -> str:
    """A field value as valid UTF-8 text: bytes that were not UTF-8 (kept for the quarantine by surrogateescape)
    become U+FFFD, as pyarrow's fallback did."""
    return value if value.isascii() else value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _csv_chunks(stream: BinaryIO, chunk_bytes: int, wanted: tuple[str, ...], required: tuple[str, ...],
                fmt: str) -> Iterator[tuple[list[str], _CsvChunk]]:
    """Header names plus parsed chunks of whole lines; line numbers are 1-based file lines (header = 1).

    Only the `wanted` columns present in the header are converted (memory); `required` must all be there.
    """
    include: list[str] = []
    names: list[str] | None = None
    next_line = 1
    carry = b""
    yielded = False
    blocks = read_chunks(stream, chunk_bytes)
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)  # one block of lookahead: only the last block may not carry a record
        if names is None:
            cut = block.find(b"\n")
            header, block = (block, b"") if cut < 0 else (block[:cut], block[cut + 1:])
            names = _header_fields(header.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r"))
            names = [n.lstrip("# ").strip() if i == 0 else n for i, n in enumerate(names)]
            next_line = 2
            _require(names, required, fmt)
            include = [c for c in wanted if c in names]
        block, carry = carry + block, b""
        if block:
            chunk = _parse_block(block, names, next_line, include, last=following is None)
            next_line += chunk.lines
            carry = chunk.carry
            yielded = True
            yield names, chunk
        block = following  # the last block (following None) is parsed with last=True and carries nothing
    if names is not None and not yielded:  # a header and no rows: one empty chunk, so the header line is counted
        yield names, _parse_block_slow(b"", names, next_line, include)


def _line_counts(ch: _CsvChunk) -> Counter:
    """Lines of a chunk that are no record of their own: blank lines, and lines continuing a record whose quoted
    field holds a line break (so lines = header + records + rejected + these)."""
    return Counter({k: n for k, n in (("blank_line", ch.blank), ("continuation_line", ch.continued)) if n})


def _require(names: list[str], needed: tuple[str, ...], fmt: str) -> None:
    """Raise ExportError naming the required columns the header lacks."""
    missing = [c for c in needed if c not in names]
    if missing:
        raise ExportError(f"{fmt}: header lacks required column(s) {missing}")


# ---- row validation shared by every format --------------------------------------------------------------
def _reject_rows(rows: pl.DataFrame, raw_of) -> tuple[pl.DataFrame, list[Reject]]:
    """Split off rows flagged bad_row / bad_mmsi / implausible_time (uses `mmsi`, `ts`, `bad`, `__line`);
    raw_of(lines) -> texts."""
    bad_row = pl.col("bad").fill_null(True) | pl.col("mmsi").is_null() | pl.col("ts").is_null()
    flagged = rows.with_columns(
        pl.when(bad_row).then(pl.lit("bad_row"))
        .when(~pl.col("mmsi").is_between(1, 999_999_999)).then(pl.lit("bad_mmsi"))
        .when(~pl.col("ts").cast(pl.Int64).is_between(*TIME_PARAMS.window_ms())).then(pl.lit("implausible_time"))
        .otherwise(None).alias("__reason"))
    bad = flagged.filter(pl.col("__reason").is_not_null())
    rejects: list[Reject] = []
    if bad.height:
        raws = raw_of(bad["__line"])
        rejects = [Reject(int(line), reason, raw) for line, reason, raw in
                   zip(bad["__line"], bad["__reason"], raws, strict=True)]
    return flagged.filter(pl.col("__reason").is_null()).drop("__reason", "bad"), rejects


class _StaticState:
    """Hash of the last static tuple per MMSI, carried across chunks (one row per vessel seen so far)."""

    def __init__(self) -> None:
        self.df = pl.DataFrame(schema={"mmsi": pl.Int64, "__prev0": pl.UInt64})


def _dedupe_static(reports: pl.DataFrame, state: _StaticState) -> pl.DataFrame:
    """Keep a report only when its static tuple differs from the previous one of the same MMSI (file order)."""
    if reports.height == 0:
        return reports
    keyed = reports.with_columns(pl.col("mmsi").cast(pl.Int64), pl.struct(list(STATIC_KEY)).hash(seed=0).alias("__h"),
                                 pl.int_range(pl.len()).alias("__i"))
    keyed = keyed.sort("mmsi", "__i").with_columns(pl.col("__h").shift(1).over("mmsi").alias("__prev"))
    keyed = keyed.join(state.df, on="mmsi", how="left").with_columns(pl.coalesce("__prev", "__prev0").alias("__prev"))
    last = keyed.group_by("mmsi").agg(pl.col("__h").last().alias("__prev0"))
    state.df = pl.concat([state.df.join(last, on="mmsi", how="anti"), last])
    kept = keyed.filter(pl.col("__prev").is_null() | (pl.col("__h") != pl.col("__prev"))).sort("__i")
    return kept.drop("__h", "__i", "__prev", "__prev0")


def _by_line(rejects: list[Reject]) -> list[Reject]:
    """Rejects in file order (parser refusals and value rejects interleave)."""
    return sorted(rejects, key=lambda r: r.line)


def _has_static(cols: tuple[str, ...] = STATIC_KEY) -> pl.Expr:
    """True where any static/voyage field is present."""
    return pl.any_horizontal([pl.col(c).is_not_null() for c in cols])


_PROV = [pl.col("__line").alias("src_line"), pl.lit("csv").alias("ts_source")]
_POS_COLS = ("ts", "mmsi", "lat", "lon", "sog", "cog", "heading", "nav_status", "rot", "accuracy", "msg_type")
_REP_COLS = ("ts", "mmsi", "msg_type", "part", *STATIC_KEY)


def _to_arrow(df: pl.DataFrame, table: str) -> pa.Table:
    """Polars frame -> Arrow table with the canonical columns present (conform() fills the rest at staging)."""
    schema = arrow_schema(table)
    cols = [f.name for f in schema if f.name in df.columns]
    out = df.select(cols).to_arrow()
    return pa.Table.from_arrays(
        [out.column(c).cast(schema.field(c).type) if not isinstance(schema.field(c).type, pa.DictionaryType)
         else out.column(c).cast(pa.string()).dictionary_encode().cast(schema.field(c).type) for c in cols],
        names=cols)


def _batch(pos: pl.DataFrame, rep: pl.DataFrame, rejects: list[Reject], lines: int, messages: int,
           by_type: Counter, skipped: Counter) -> DecodedBatch:
    """Assemble one DecodedBatch from the converted frames and counters."""
    return DecodedBatch(positions=_to_arrow(pos, "positions"), reports=_to_arrow(rep, "vessel_reports"),
                        rejects=rejects, lines=lines, messages=messages, by_type=by_type, skipped_types=skipped)


# ---- one-pass cleaning shared by the CSV readers ----------------------------------------------------------
class _Cols:
    """Cleaned text (`T`) and parsed numbers (`N`) of a chunk, each computed once; `bad` flags unparseable numbers."""

    def __init__(self, df: pl.DataFrame, numeric: tuple[str, ...], text: tuple[str, ...]):
        self.present = set(df.columns)
        num = [c for c in numeric if c in self.present]
        cols = list(dict.fromkeys(num + [c for c in text if c in self.present]))
        cleaned = df.select("__line", *[_txt(df, c).alias(c) for c in cols])
        parsed = cleaned.with_columns([pl.col(c).cast(pl.Float64, strict=False).alias(f"#{c}") for c in num])
        bad = [pl.col(c).is_not_null() & pl.col(f"#{c}").is_null() for c in num]
        self.df = parsed.with_columns((pl.any_horizontal(bad) if bad else pl.lit(False)).alias("bad"))

    def T(self, c: str) -> pl.Expr:  # short on purpose: used in long expressions
        return pl.col(c) if c in self.present else pl.lit(None, pl.String)

    def N(self, c: str) -> pl.Expr:
        return pl.col(f"#{c}") if c in self.present else pl.lit(None, pl.Float64)

    def time(self, c: str, fmt: str) -> tuple[pl.Expr, pl.Expr]:
        """(parsed UTC time, True where text is present but not a time of format `fmt`)."""
        t = self.T(c).str.to_datetime(fmt, strict=False, time_unit="ms").dt.replace_time_zone("UTC")
        return t, self.T(c).is_not_null() & t.is_null()


def _mmsi(c: _Cols, col: str = "MMSI") -> pl.Expr:
    """MMSI as an integer; null (-> bad_row) when missing or not a whole number."""
    n = c.N(col)
    return pl.when(n == n.floor()).then(n).cast(pl.Int64, strict=False).alias("mmsi")


# ---- MarineCadastre (NOAA/BOEM) ---------------------------------------------------------------------------
MC_NUMERIC = ("MMSI", "LAT", "LON", "SOG", "COG", "Heading", "VesselType", "Status", "Draft")
MC_TEXT = ("BaseDateTime", "VesselName", "IMO", "CallSign", "TransceiverClass", "TranscieverClass")


def marinecadastre_cog(e: pl.Expr) -> pl.Expr:
    """MarineCadastre COG: some years store the 12-bit field as signed (-204.8..204.7); negative -> +409.6.

    Evidence: in NYHarbor_2020_06_30 a moving vessel reports COG -61.8 with heading 349 (-61.8 + 409.6 = 347.8).
    """
    return pl.when(e < 0).then(e + 409.6).otherwise(e)


def _read_marinecadastre(stream: BinaryIO, chunk_bytes: int) -> Iterator[DecodedBatch]:
    """MarineCadastre rows -> positions (every row) and static reports (on change per MMSI)."""
    state = _StaticState()
    first = True
    required = ("MMSI", "BaseDateTime", "LAT", "LON")
    for _names, ch in _csv_chunks(stream, chunk_bytes, MC_NUMERIC + MC_TEXT, required, "marinecadastre"):
        c = _Cols(ch.df, MC_NUMERIC, MC_TEXT)
        klass = c.T("TransceiverClass") if "TransceiverClass" in c.present else c.T("TranscieverClass")
        # 2015+ files use 2020-06-30T00:00:00; older ones 2014/01/01 00:00:00 or a space: normalised first.
        iso = c.T("BaseDateTime").str.replace_all("/", "-").str.replace(" ", "T")
        ts = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="ms").dt.replace_time_zone("UTC")
        imo_num = c.T("IMO").str.replace(r"^IMO", "").cast(pl.Float64, strict=False)
        rows = c.df.select(
            pl.col("__line"), _mmsi(c), ts.alias("ts"),
            (pl.col("bad") | (c.T("IMO").is_not_null() & imo_num.is_null())
             | (c.T("BaseDateTime").is_not_null() & ts.is_null())).alias("bad"),
            _lat(c.N("LAT")).alias("lat"), _lon(c.N("LON")).alias("lon"),
            _sog(c.N("SOG")).alias("sog"), _cog(marinecadastre_cog(c.N("COG"))).alias("cog"),
            _heading(c.N("Heading")).alias("heading"), _nav(c.N("Status")).alias("nav_status"),
            pl.when(klass == "B").then(18).otherwise(1).cast(pl.Int8).alias("msg_type"),
            _name(c.T("VesselName")).alias("name"), _name(c.T("CallSign")).alias("callsign"),
            _imo(imo_num).alias("imo"), _ship_type(c.N("VesselType")).alias("ship_type"),
            # ETA is not in the NOAA schema; the tracktable sample adds one that changes on every row: ignored.
            _draught(c.N("Draft")).alias("draught"), pl.lit(None, _TS).alias("eta"),
            *[pl.lit(None, pl.Int16).alias(x) for x in ("to_bow", "to_stern", "to_port", "to_starboard")],
            pl.lit(None, pl.String).alias("destination"), pl.lit(None, pl.Int8).alias("part"),
            pl.lit(None, pl.Float32).alias("rot"), pl.lit(None, pl.Boolean).alias("accuracy"),
        )
        ok, rejects = _reject_rows(rows, ch.raw_lines)
        pos = ok.select(*_POS_COLS, *_PROV)
        rep = ok.filter(_has_static()).with_columns(
            pl.when(pl.col("msg_type") == 18).then(24).otherwise(5).cast(pl.Int8).alias("msg_type"))
        rep = _dedupe_static(rep.select(*_REP_COLS, "__line"), state).select(*_REP_COLS, *_PROV)
        skipped = _line_counts(ch)
        by_type = Counter({int(k): n for k, n in ok["msg_type"].value_counts().iter_rows()})
        yield _batch(pos, rep, _by_line(ch.rejects + rejects), ch.lines + (1 if first else 0), ok.height, by_type,
                     skipped)
        first = False


# ---- Danish Maritime Authority aisdk ------------------------------------------------------------------------
# Text values of the DMA aisdk export mapped back to ITU-R M.1371 codes (see docs/ingest.md for the table).
DMA_NAV_STATUS = {
    "under way using engine": 0, "at anchor": 1, "not under command": 2, "restricted manoeuverability": 3,
    "restricted maneuverability": 3, "restricted manoeuvrability": 3, "constrained by her draught": 4,
    "moored": 5, "aground": 6, "engaged in fishing": 7, "under way sailing": 8,
    "reserved for future amendment [hsc]": 9, "reserved for future amendment [wig]": 10,
    "power-driven vessel towing astern": 11, "power-driven vessel pushing ahead or towing alongside": 12,
    "reserved for future use": 13, "ais-sart": 14,
}
DMA_SHIP_TYPE = {
    "wig": 20, "fishing": 30, "towing": 31, "towing long/wide": 32, "dredging": 33, "diving": 34,
    "military": 35, "sailing": 36, "pleasure": 37, "reserved": 38, "hsc": 40, "pilot": 50, "sar": 51,
    "tug": 52, "port tender": 53, "anti-pollution": 54, "law enforcement": 55, "spare 1": 56, "spare 2": 57,
    "medical": 58, "not party to conflict": 59, "passenger": 60, "cargo": 70, "tanker": 80, "other": 90,
}
# Second digit of types 2x, 4x, 6x-9x: hazardous category (MARPOL/IMO X, Y, Z, OS).
DMA_CARGO_DIGIT = {"category x": 1, "category y": 2, "category z": 3, "category os": 4}
_DMA_CARGO_BASES = (20, 40, 60, 70, 80, 90)
# Type of mobile -> (position message type, static message type or None); others are counted as skipped.
DMA_MOBILE = {"class a": (1, 5), "class b": (18, 24), "base station": (4, None),
              "search and rescue transponder": (1, None), "man overboard": (1, None), "epirb": (1, None)}


def _text_code(e: pl.Expr, mapping: dict[str, int]) -> pl.Expr:
    """Map DMA text values (case-insensitive) to ITU codes; unknown text -> null."""
    return e.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=pl.Int64)


def _unmapped(c: _Cols, col: str, mapping: dict[str, int], ignore: tuple[str, ...]) -> Counter:
    """Counts of non-empty text values with no mapping (kept as null, reported)."""
    if col not in c.present:
        return Counter()
    t = c.df.select(pl.col(col).str.to_lowercase().alias("v")).filter(
        pl.col("v").is_not_null() & ~pl.col("v").is_in(list(mapping) + list(ignore)))
    return Counter({f"unmapped {col}={k!r}": n for k, n in t["v"].value_counts().iter_rows()})


DMA_NUMERIC = ("MMSI", "Latitude", "Longitude", "ROT", "SOG", "COG", "Heading", "IMO", "Draught", "A", "B", "C", "D")
DMA_TEXT = ("Timestamp", "Type of mobile", "Navigational status", "Callsign", "Name", "Ship type", "Cargo type",
            "Destination", "ETA")
_DMA_TIME = "%d/%m/%Y %H:%M:%S"


def _read_dma(stream: BinaryIO, chunk_bytes: int) -> Iterator[DecodedBatch]:
    """DMA aisdk rows -> positions and static reports (text values mapped back to ITU codes)."""
    state = _StaticState()
    first = True
    required = ("Timestamp", "Type of mobile", "MMSI", "Latitude", "Longitude")
    for _names, ch in _csv_chunks(stream, chunk_bytes, DMA_NUMERIC + DMA_TEXT, required, "dma_aisdk"):
        c = _Cols(ch.df, DMA_NUMERIC, DMA_TEXT)
        base = _text_code(c.T("Ship type"), DMA_SHIP_TYPE)
        digit = _text_code(c.T("Cargo type"), DMA_CARGO_DIGIT)
        ts, bad_ts = c.time("Timestamp", _DMA_TIME)
        eta, bad_eta = c.time("ETA", _DMA_TIME)
        rows = c.df.select(
            pl.col("__line"), _mmsi(c), ts.alias("ts"), (pl.col("bad") | bad_ts | bad_eta).alias("bad"),
            c.T("Type of mobile").str.to_lowercase().alias("__mobile"),
            _lat(c.N("Latitude")).alias("lat"), _lon(c.N("Longitude")).alias("lon"),
            _sog(c.N("SOG")).alias("sog"), _cog(c.N("COG")).alias("cog"),
            _heading(c.N("Heading")).alias("heading"),
            _nav(_text_code(c.T("Navigational status"), DMA_NAV_STATUS)).alias("nav_status"),
            c.N("ROT").cast(pl.Float32).alias("rot"),
            _name(c.T("Name")).alias("name"), _name(c.T("Callsign")).alias("callsign"),
            _imo(c.N("IMO")).alias("imo"),
            _ship_type(pl.when(base.is_in(_DMA_CARGO_BASES) & digit.is_not_null()).then(base + digit)
                       .otherwise(base)).alias("ship_type"),
            *[_dim(c.N(x)).alias(n) for x, n in zip("ABCD", ("to_bow", "to_stern", "to_port", "to_starboard"),
                                                      strict=True)],
            _draught(c.N("Draught")).alias("draught"), _name(c.T("Destination")).alias("destination"),
            eta.alias("eta"),
        )
        ok, rejects = _reject_rows(rows, ch.raw_lines)
        codes = pl.col("__mobile").replace_strict({k: v[0] for k, v in DMA_MOBILE.items()}, default=None,
                                                  return_dtype=pl.Int8)
        static = pl.col("__mobile").replace_strict({k: v[1] for k, v in DMA_MOBILE.items()}, default=None,
                                                   return_dtype=pl.Int8)
        ok = ok.with_columns(codes.alias("msg_type"), static.alias("__static"), pl.lit(None, pl.Int8).alias("part"),
                             pl.lit(None, pl.Boolean).alias("accuracy"))
        skipped = Counter({f"type of mobile {k!r}": n for k, n in
                           ok.filter(pl.col("msg_type").is_null())["__mobile"].value_counts().iter_rows()})
        skipped.update(_unmapped(c, "Navigational status", DMA_NAV_STATUS, ("unknown value",)))
        skipped.update(_unmapped(c, "Ship type", DMA_SHIP_TYPE, ("undefined",)))
        skipped.update(_unmapped(c, "Cargo type", DMA_CARGO_DIGIT, ("no additional information",
                                                                    "reserved for future use")))
        skipped.update(_line_counts(ch))
        known = ok.filter(pl.col("msg_type").is_not_null())
        pos = known.select(*_POS_COLS, *_PROV)
        rep = known.filter(pl.col("__static").is_not_null() & _has_static()).with_columns(
            pl.col("__static").alias("msg_type"))
        rep = _dedupe_static(rep.select(*_REP_COLS, "__line"), state).select(*_REP_COLS, *_PROV)
        by_type = Counter({int(k): n for k, n in known["msg_type"].value_counts().iter_rows()})
        yield _batch(pos, rep, _by_line(ch.rejects + rejects), ch.lines + (1 if first else 0), ok.height, by_type,
                     skipped)
        first = False


# ---- satellite-provider decoded CSV (one row per AIS message, 'Message_ID', Time YYYYMMDD_HHMMSS) ------------
SAT_NUMERIC = ("MMSI", "Message_ID", "Millisecond", "Latitude", "Longitude", "SOG", "COG", "Heading", "ROT",
               "Navigational_status", "Accuracy", "IMO", "Ship_Type", "Dimension_to_Bow", "Dimension_to_stern",
               "Dimension_to_port", "Dimension_to_starboard", "Draught", "ETA_month", "ETA_day", "ETA_hour",
               "ETA_minute", "Part_Number")
SAT_TEXT = ("Time", "Vessel_Name", "Call_sign", "Destination")


def _read_sat_csv(stream: BinaryIO, chunk_bytes: int) -> Iterator[DecodedBatch]:
    """Satellite-provider rows (one AIS message each) -> positions (1-4, 18, 19, 27), reports (5, 19, 24)."""
    first = True
    required = ("MMSI", "Message_ID", "Time", "Latitude", "Longitude")
    for _names, ch in _csv_chunks(stream, chunk_bytes, SAT_NUMERIC + SAT_TEXT, required, "sat_csv"):
        c = _Cols(ch.df, SAT_NUMERIC, SAT_TEXT)
        ms = c.N("Millisecond")
        t, bad_t = c.time("Time", "%Y%m%d_%H%M%S")
        ts = t + pl.duration(milliseconds=pl.when(ms.is_between(0, 999)).then(ms).otherwise(0).cast(pl.Int64))
        rows = c.df.select(
            pl.col("__line"), _mmsi(c), ts.alias("ts"),
            (pl.col("bad") | bad_t | c.N("Message_ID").is_null()).alias("bad"),
            c.N("Message_ID").cast(pl.Int8, strict=False).alias("msg_type"),
            _lat(c.N("Latitude")).alias("lat"), _lon(c.N("Longitude")).alias("lon"),
            _sog(c.N("SOG")).alias("sog"), _cog(c.N("COG")).alias("cog"),
            _heading(c.N("Heading")).alias("heading"), _nav(c.N("Navigational_status")).alias("nav_status"),
            pl.when(c.N("ROT").abs() < 720).then(c.N("ROT")).cast(pl.Float32).alias("rot"),
            (c.N("Accuracy") == 1).alias("accuracy"),
            _name(c.T("Vessel_Name")).alias("name"), _name(c.T("Call_sign")).alias("callsign"),
            _imo(c.N("IMO")).alias("imo"), _ship_type(c.N("Ship_Type")).alias("ship_type"),
            _dim(c.N("Dimension_to_Bow")).alias("to_bow"), _dim(c.N("Dimension_to_stern")).alias("to_stern"),
            _dim(c.N("Dimension_to_port")).alias("to_port"),
            _dim(c.N("Dimension_to_starboard")).alias("to_starboard"),
            _draught(c.N("Draught") / 10).alias("draught"),  # type 5 draught is in 1/10 m
            _name(c.T("Destination")).alias("destination"),
            c.N("Part_Number").cast(pl.Int8, strict=False).alias("part"),
            c.N("ETA_month").alias("__em"), c.N("ETA_day").alias("__ed"),
            c.N("ETA_hour").alias("__eh"), c.N("ETA_minute").alias("__en"),
        )
        ok, rejects = _reject_rows(rows, ch.raw_lines)
        ok = ok.with_columns(resolve_eta(pl.col("ts"), pl.col("__em"), pl.col("__ed"), pl.col("__eh"),
                                         pl.col("__en")).alias("eta"))
        pos = ok.filter(pl.col("msg_type").is_in(POSITION_TYPES)).select(*_POS_COLS, *_PROV)
        rep = ok.filter(pl.col("msg_type").is_in(STATIC_TYPES)).with_columns(
            pl.when(pl.col("msg_type") == 24).then(pl.col("part")).alias("part")).select(*_REP_COLS, *_PROV)
        by_type = Counter({int(k): n for k, n in ok["msg_type"].value_counts().iter_rows()})
        used = set(POSITION_TYPES) | set(STATIC_TYPES)
        skipped: Counter = Counter({k: n for k, n in by_type.items() if k not in used})
        skipped.update(_line_counts(ch))
        yield _batch(pos, rep, _by_line(ch.rejects + rejects), ch.lines + (1 if first else 0), ok.height, by_type,
                     skipped)
        first = False


# ---- Digitraffic (Fintraffic) latest-positions snapshot JSON ---------------------------------------------------
def _record_lines(raw: bytes, n: int) -> np.ndarray | None:
    """1-based line of each record's `"mmsi"` key, if the file has exactly one per record."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    key = b'"mmsi"'
    starts: list[int] = []
    pos = raw.find(key)
    while pos >= 0 and len(starts) <= n:
        starts.append(pos)
        pos = raw.find(key, pos + 1)
    if len(starts) != n:
        return None
    newlines = np.flatnonzero(buf == 10)
    return np.searchsorted(newlines, np.asarray(starts)) + 1


DIGITRAFFIC_MAX_BYTES = 256 * 1024 * 1024  # a real snapshot is ~2-5 MB (one record per vessel in the box)
DIGITRAFFIC_FIELDS = ("mmsi", "lat", "lon", "sog", "cog", "heading", "ship_type", "name", "destination", "eta")
_DT_TEXT = ("name", "destination")


def _snapshot_time(value, assume_time: datetime | None) -> tuple[datetime, str]:
    """The snapshot's `timestamp` (ISO-8601, or epoch s/ms) -> (time, ts_source); --assume-time if absent."""
    if value is None:
        if assume_time is None:
            raise ExportError("digitraffic: the snapshot has no 'timestamp' and records carry none; "
                              "pass --assume-time (the time the snapshot was taken)")
        return assume_time, "assumed"
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            t = datetime.fromtimestamp(value / 1000 if value >= 100_000_000_000 else value, tz=UTC)
        else:
            t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError) as e:
        raise ExportError(f"digitraffic: 'timestamp' is not an ISO-8601 time: {str(value)[:60]!r}") from e
    return (t if t.tzinfo else t.replace(tzinfo=UTC)), "snapshot"


def _scalar_text(v) -> str | None:
    """A JSON value as text for the vectorised conversion; None for null; '\x00' (never valid) for a list,
    object or boolean, which flags the record bad instead of losing the snapshot (`"heading": []` did)."""
    if v is None:
        return None
    if isinstance(v, bool | list | dict):
        return "\x00"
    return v if isinstance(v, str) else repr(v)


def _read_digitraffic(stream: BinaryIO, assume_time: datetime | None) -> Iterator[DecodedBatch]:
    """A snapshot has one record per MMSI and no per-record time: ts = the file's `timestamp` (or --assume-time).

    Robust to hostile snapshots: a record with a non-scalar value or an unparseable number is one `bad_row`
    (the others are kept), an empty or null `vessels` is an empty import, a non-ISO `timestamp` is a clear
    error, and exact repeats of a record are folded (counted in `duplicates_folded`).
    """
    raw = stream.read(DIGITRAFFIC_MAX_BYTES + 1)
    if len(raw) > DIGITRAFFIC_MAX_BYTES:
        raise ExportError(f"digitraffic: snapshot larger than {DIGITRAFFIC_MAX_BYTES >> 20} MiB; not a snapshot")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise ExportError(f"digitraffic: not valid JSON ({e})") from e
    if not isinstance(doc, dict) or "vessels" not in doc:
        raise ExportError("digitraffic: no 'vessels' array")
    vessels = doc["vessels"] or []
    if not isinstance(vessels, list):
        raise ExportError("digitraffic: 'vessels' is not an array")
    snap_ts, ts_source = _snapshot_time(doc.get("timestamp"), assume_time)
    lines = _record_lines(raw, len(vessels))
    line_of = lines.tolist() if lines is not None else []
    if len(set(line_of)) != len(vessels):  # minified (one line) or odd layout: key rows by -(record number)
        line_of = [-(i + 1) for i in range(len(vessels))]
    keep: list[int] = []
    seen: set[bytes] = set()
    dups = 0
    for i, rec in enumerate(vessels):
        key = orjson.dumps(rec, option=orjson.OPT_SORT_KEYS)
        if key in seen:
            dups += 1
            continue
        seen.add(key)
        keep.append(i)
    recs = [vessels[i] if isinstance(vessels[i], dict) else {"mmsi": "\x00"} for i in keep]
    cols = {c: pl.Series(c, [_scalar_text(r.get(c)) for r in recs], dtype=pl.String) for c in DIGITRAFFIC_FIELDS}
    v = pl.DataFrame(list(cols.values())).with_columns(
        pl.Series("__line", [line_of[i] for i in keep], dtype=pl.Int64),
        pl.Series("__rec", keep, dtype=pl.Int64), pl.lit(snap_ts).cast(_TS).alias("ts"))
    as_num = {c: pl.col(c).str.strip_chars().cast(pl.Float64, strict=False)
              for c in DIGITRAFFIC_FIELDS if c not in _DT_TEXT}
    bad = pl.any_horizontal([pl.col(c).is_not_null() & as_num[c].is_null() for c in as_num if c != "mmsi"]
                            + [(pl.col(c) == "\x00").fill_null(False) for c in _DT_TEXT])
    rows = v.select(
        pl.col("__line"), pl.col("__rec"), pl.col("ts"), as_num["mmsi"].cast(pl.Int64, strict=False).alias("mmsi"),
        bad.alias("bad"),
        _lat(as_num["lat"]).alias("lat"), _lon(as_num["lon"]).alias("lon"), _sog(as_num["sog"]).alias("sog"),
        _cog(as_num["cog"]).alias("cog"), _heading(as_num["heading"]).alias("heading"),
        _ship_type(as_num["ship_type"]).alias("ship_type"),
        _name(pl.col("name")).alias("name"), _name(pl.col("destination")).alias("destination"),
        decode_digitraffic_eta(as_num["eta"], pl.col("ts")).alias("eta"),
    )
    rec_of = {line_of[i]: i for i in keep}

    def raw_of(lines_: pl.Series) -> list[str]:
        return [orjson.dumps(vessels[rec_of[n]], default=str).decode() for n in lines_.to_list()]

    ok, rejects = _reject_rows(rows, raw_of)
    for r in rejects:
        r.line = max(r.line, 0)  # no line known: 0 (the record's JSON is the quarantined text)
    ok = ok.drop("__rec")
    prov = [pl.when(pl.col("__line") > 0).then(pl.col("__line")).alias("src_line"), pl.lit(ts_source)
            .alias("ts_source")]
    pos = ok.with_columns(pl.lit(1, pl.Int8).alias("msg_type"), pl.lit(None, pl.Int8).alias("nav_status"),
                          pl.lit(None, pl.Float32).alias("rot"), pl.lit(None, pl.Boolean).alias("accuracy")
                          ).select(*_POS_COLS, *prov)
    rep = ok.with_columns(pl.lit(5, pl.Int8).alias("msg_type"), pl.lit(None, pl.Int8).alias("part"),
                          pl.lit(None, pl.Int32).alias("imo"),
                          *[pl.lit(None, pl.Int16).alias(c) for c in ("to_bow", "to_stern", "to_port",
                                                                      "to_starboard")],
                          pl.lit(None, pl.String).alias("callsign"), pl.lit(None, pl.Float32).alias("draught"),
                          ).filter(_has_static()).select(*_REP_COLS, *prov)
    batch = _batch(pos, rep, rejects, raw.count(b"\n") + 1, ok.height, Counter(), Counter())
    batch.duplicates_folded = dups
    yield batch


def read_export(stream: BinaryIO, fmt: str, *, source: str, assume_time: datetime | None = None,
                chunk_bytes: int | None = None) -> Iterator[DecodedBatch]:
    """Decoded batches of an export `fmt` (see FORMATS) read from `stream` in bounded chunks."""
    chunk_bytes = min(chunk_bytes or DEFAULT_CHUNK_BYTES, CSV_CHUNK_CAP)
    if fmt == "marinecadastre":
        yield from _read_marinecadastre(stream, chunk_bytes)
    elif fmt == "dma_aisdk":
        yield from _read_dma(stream, chunk_bytes)
    elif fmt == "sat_csv":
        yield from _read_sat_csv(stream, chunk_bytes)
    elif fmt == "digitraffic":
        yield from _read_digitraffic(stream, assume_time)
    else:
        raise ExportError(f"{source}: unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
