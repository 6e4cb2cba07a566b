"""Streaming MRT (RFC 6396) reader: TABLE_DUMP, TABLE_DUMP_V2 (incl. ADD-PATH), BGP4MP/_ET (AS4, ADD-PATH).

Yields Arrow record batches with one row per route line as `bgpdump -m` prints it (B, A, W, STATE), each
carrying its file record number and byte offset so every downstream result points back to its source.
gzip/bz2/plain are detected by magic bytes. A corrupt record is reported (file, record, offset, reason) and
skipped; a truncated file is reported and ends the stream. Memory is bounded by one record plus one batch;
work is bounded too: a run of records of no MRT type (what zeros or other garbage frame as) and a
decompressed stream far larger than any real MRT file compresses to end the stream with a reported error.
"""

from __future__ import annotations

import bz2
import gzip
import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa

from sanctionwatch.network.attrs import Attrs, MrtError, ip_str, parse_attrs, parse_nlri
from sanctionwatch.network.params import DEFAULT_PARAMS, BgpParams

TS = pa.timestamp("us", tz="UTC")
ROUTE_SCHEMA = pa.schema([
    pa.field("record", pa.int64(), nullable=False),      # 0-based MRT record number in the file
    pa.field("offset", pa.int64(), nullable=False),      # byte offset of the record in the decompressed stream
    pa.field("format", pa.string(), nullable=False),     # bgpdump's first column: TABLE_DUMP, TABLE_DUMP2, BGP4MP...
    pa.field("time", TS, nullable=False),                # record time (RIB: dump time), UTC, microseconds for _ET
    pa.field("kind", pa.string(), nullable=False),       # B (RIB entry), A (announce), W (withdraw), STATE
    pa.field("peer_ip", pa.string(), nullable=False),
    pa.field("peer_as", pa.int64(), nullable=False),
    pa.field("prefix", pa.string()),
    pa.field("path_id", pa.int64()),                     # ADD-PATH identifier (RFC 7911), null otherwise
    pa.field("as_path", pa.string()),
    pa.field("origin", pa.string()),
    pa.field("next_hop", pa.string()),
    pa.field("local_pref", pa.int64()),
    pa.field("med", pa.int64()),
    pa.field("communities", pa.string()),
    pa.field("atomic_aggregate", pa.bool_()),
    pa.field("aggregator", pa.string()),
    pa.field("old_state", pa.int32()),                   # STATE_CHANGE: the 16-bit unsigned FSM states as stored
    pa.field("new_state", pa.int32()),                   # (1-6 RFC 6396, Quagga adds 7-8; any u16 fits)
])

_HDR = struct.Struct("!IHHI")
_u16 = struct.Struct("!H").unpack_from
_u32 = struct.Struct("!I").unpack_from
# BGP4MP subtypes: (asn4, addpath, local)
_MSG_SUBTYPES = {1: (False, False, False), 4: (True, False, False), 6: (False, False, True),
                 7: (True, False, True), 8: (False, True, False), 9: (True, True, False),
                 10: (False, True, True), 11: (True, True, True)}
# TABLE_DUMP_V2 RIB subtypes: (afi or None for RIB_GENERIC, addpath)
_RIB_SUBTYPES = {2: (1, False), 3: (1, False), 4: (2, False), 5: (2, False), 6: (None, False),
                 8: (1, True), 9: (1, True), 10: (2, True), 11: (2, True), 12: (None, True)}


@dataclass
class ParseReport:
    """What one file contained and what could not be read (with locations)."""

    file: str
    records: int = 0
    rows: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)   # understood but producing no route rows
    errors: list[dict] = field(default_factory=list)        # {file, record, offset, error}
    truncated: bool = False

    def error(self, record: int, offset: int, message: str) -> None:
        self.errors.append({"file": self.file, "record": record, "offset": offset, "error": message})

    def count(self, bucket: dict[str, int], key: str) -> None:
        bucket[key] = bucket.get(key, 0) + 1


def open_mrt(path: str | Path) -> IO[bytes]:
    """Open plain, gzip or bz2 MRT by magic bytes (not by file name)."""
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic == b"BZh":
        return bz2.open(path, "rb")
    return open(path, "rb", buffering=1 << 20)


# MRT types of RFC 6396 (incl. the deprecated 1-10 of its appendix; 0 is only "NULL") and RFC 8050 ADD-PATH
# reuse: a record of any other type is not MRT, so a long run of them means framing is lost.
MRT_TYPES = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 32, 33, 48, 49})


def iter_raw(path: str | Path, report: ParseReport, params: BgpParams = DEFAULT_PARAMS
             ) -> Iterator[tuple[int, int, int, int, int, bytes]]:
    """Frame MRT records: (record, offset, ts, type, subtype, body); framing damage is reported, then stops.

    Two work bounds (BgpParams): `max_unknown_run` consecutive records of no MRT type stop the stream ("framing
    lost"), and a decompressed stream longer than `max_expansion` x the file size stops it (a compression bomb).
    """
    offset = 0
    rec = 0
    unknown_run = 0
    limit = params.max_expansion * max(os.path.getsize(path), 1) + params.max_record_bytes
    with open_mrt(path) as fh:
        while True:
            try:
                hdr = fh.read(12)
                if not hdr:
                    return
                if len(hdr) < 12:
                    report.truncated = True
                    report.error(rec, offset, f"truncated MRT header ({len(hdr)} of 12 bytes)")
                    return
                ts, mtype, subtype, length = _HDR.unpack(hdr)
                if length > params.max_record_bytes:
                    report.error(rec, offset, f"record length {length} exceeds {params.max_record_bytes}; "
                                 "framing lost, stopping")
                    return
                body = fh.read(length)
            except (EOFError, OSError, zlib.error) as e:
                report.truncated = True
                report.error(rec, offset, f"compressed stream ended or is corrupt: {e}")
                return
            if len(body) < length:
                report.truncated = True
                report.error(rec, offset, f"truncated record body ({len(body)} of {length} bytes)")
                return
            unknown_run = unknown_run + 1 if mtype not in MRT_TYPES else 0
            if unknown_run > params.max_unknown_run:
                report.error(rec, offset, f"{unknown_run} consecutive records of no MRT type (last type {mtype}); "
                             "framing lost or not an MRT file, stopping")
                return
            if offset + 12 + length > limit:
                report.error(rec, offset, f"decompressed stream passes {params.max_expansion}x the file size "
                             f"({limit:,} bytes); compression bomb or corrupt stream, stopping")
                return
            yield rec, offset, ts, mtype, subtype, body
            offset += 12 + length
            rec += 1


Row = tuple


def _tail(a: Attrs, next_hop: str | None) -> Row:
    """The attribute columns of a route row (shared by every prefix/entry with the same attributes)."""
    return (a.as_path, a.origin or "IGP", next_hop, a.local_pref, a.med, a.communities, a.atomic_aggregate,
            a.aggregator, None, None)


def _route_row(rec: int, off: int, fmt: str, t: int, kind: str, peer_ip: str, peer_as: int, prefix: str,
               path_id: int | None, a: Attrs, next_hop: str | None) -> Row:
    return (rec, off, fmt, t, kind, peer_ip, peer_as, prefix, path_id, *_tail(a, next_hop))


_RIB_ATTR_CACHE_MAX = 200_000  # distinct attribute blobs kept (route-views2 RIB: ~1 in 3 entries is new)


def _withdraw_row(rec: int, off: int, fmt: str, t: int, peer_ip: str, peer_as: int, prefix: str,
                  path_id: int | None) -> Row:
    return (rec, off, fmt, t, "W", peer_ip, peer_as, prefix, path_id) + (None,) * 10


class _Decoder:
    """Per-file decoding state (the TABLE_DUMP_V2 peer index) and record-type dispatch."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.peers: list[tuple[str, int, int]] | None = None  # (ip, asn, afi)
        self.rib_attrs: dict[bytes, Row] = {}  # RIB entries repeat attribute blobs across prefixes

    def decode(self, rec: int, off: int, ts: int, mtype: int, subtype: int, body: bytes) -> list[Row]:
        if mtype == 13:
            return self._table_dump_v2(rec, off, ts, subtype, body)
        if mtype in (16, 17):
            return self._bgp4mp(rec, off, ts, mtype, subtype, body)
        if mtype == 12:
            return self._table_dump(rec, off, ts, subtype, body)
        self.report.count(self.report.skipped, f"type {mtype}/{subtype}")
        return []

    def _table_dump(self, rec: int, off: int, ts: int, subtype: int, b: bytes) -> list[Row]:
        if subtype not in (1, 2):
            self.report.count(self.report.skipped, f"TABLE_DUMP/{subtype}")
            return []
        afi = subtype
        alen = 4 if afi == 1 else 16
        need = 4 + alen + 2 + 4 + alen + 4
        if len(b) < need:
            raise MrtError("TABLE_DUMP entry shorter than its fixed fields")
        p = 4
        prefix = f"{ip_str(afi, b[p:p + alen])}/{b[p + alen]}"
        p += alen + 2 + 4
        peer_ip = ip_str(afi, b[p:p + alen])
        p += alen
        peer_as, alen_attr = struct.unpack_from("!HH", b, p)
        p += 4
        if p + alen_attr > len(b):
            raise MrtError("TABLE_DUMP attributes overrun the record")
        a = parse_attrs(b[p:p + alen_attr], asn4=False, addpath=False, rib=False)
        nh = a.mp_next_hop.get(2) or a.next_hop or "0.0.0.0"
        return [_route_row(rec, off, "TABLE_DUMP", ts * 1_000_000, "B", peer_ip, peer_as, prefix, None, a, nh)]

    def _peer_index(self, b: bytes) -> None:
        p = 4
        vlen = _u16(b, p)[0]
        p += 2 + vlen
        n = _u16(b, p)[0]
        p += 2
        peers = []
        for _ in range(n):
            if p + 5 > len(b):
                raise MrtError("PEER_INDEX_TABLE truncated")
            ptype = b[p]
            afi = 2 if ptype & 1 else 1
            alen = 16 if afi == 2 else 4
            p += 5
            ip = ip_str(afi, b[p:p + alen])
            p += alen
            if ptype & 2:
                asn = _u32(b, p)[0]
                p += 4
            else:
                asn = _u16(b, p)[0]
                p += 2
            peers.append((ip, asn, afi))
        self.peers = peers

    def _table_dump_v2(self, rec: int, off: int, ts: int, subtype: int, b: bytes) -> list[Row]:
        if subtype == 1:
            self._peer_index(b)
            self.report.count(self.report.skipped, "TABLE_DUMP_V2/PEER_INDEX_TABLE")
            return []
        spec = _RIB_SUBTYPES.get(subtype)
        if spec is None:
            self.report.count(self.report.skipped, f"TABLE_DUMP_V2/{subtype}")
            return []
        if self.peers is None:
            raise MrtError("RIB entry before any PEER_INDEX_TABLE")
        afi, addpath = spec
        p = 4
        if afi is None:  # RIB_GENERIC: AFI, SAFI, one NLRI
            afi, safi = _u16(b, p)[0], b[p + 2]
            p += 3
            if afi not in (1, 2) or safi not in (1, 2, 3):
                self.report.count(self.report.skipped, f"RIB_GENERIC afi {afi} safi {safi}")
                return []
            plen = b[p + (4 if addpath else 0)]
            nl_end = p + (4 if addpath else 0) + 1 + ((plen + 7) >> 3)
            (prefix, _pid), = parse_nlri(b, p, nl_end, afi, addpath)
            p = nl_end
        else:
            plen = b[p]
            nl_end = p + 1 + ((plen + 7) >> 3)
            (prefix, _pid), = parse_nlri(b, p, nl_end, afi, False)
            p = nl_end
        fmt = "TABLE_DUMP2_AP" if addpath else "TABLE_DUMP2"
        n = _u16(b, p)[0]
        p += 2
        rows = []
        t = ts * 1_000_000
        cache = self.rib_attrs
        for _ in range(n):
            if p + 8 > len(b):
                raise MrtError("RIB entry header truncated")
            pidx = _u16(b, p)[0]
            p += 6
            path_id = None
            if addpath:
                path_id = _u32(b, p)[0]
                p += 4
            alen = _u16(b, p)[0]
            p += 2
            if p + alen > len(b):
                raise MrtError("RIB entry attributes overrun the record")
            if pidx >= len(self.peers):
                raise MrtError(f"peer index {pidx} not in PEER_INDEX_TABLE ({len(self.peers)} peers)")
            blob = b[p:p + alen]
            p += alen
            tail = cache.get(blob)
            if tail is None:
                a = parse_attrs(blob, asn4=True, addpath=False, rib=True)
                tail = _tail(a, a.mp_next_hop.get(2) or a.next_hop or "0.0.0.0")
                if len(cache) >= _RIB_ATTR_CACHE_MAX:
                    cache.clear()
                cache[blob] = tail
            ip, asn, _pafi = self.peers[pidx]
            rows.append((rec, off, fmt, t, "B", ip, asn, prefix, path_id, *tail))
        return rows

    def _bgp4mp(self, rec: int, off: int, ts: int, mtype: int, subtype: int, b: bytes) -> list[Row]:
        p = 0
        t = ts * 1_000_000
        if mtype == 17:
            t += _u32(b, 0)[0]
            p = 4
        base = "BGP4MP_ET" if mtype == 17 else "BGP4MP"
        if subtype in (0, 5):
            asn4 = subtype == 5
            peer_as, p = _asn(b, p, asn4)
            _local_as, p = _asn(b, p, asn4)
            afi = _u16(b, p + 2)[0]
            p += 4
            alen = 4 if afi == 1 else 16
            peer_ip = ip_str(afi, b[p:p + alen])
            p += 2 * alen
            old, new = struct.unpack_from("!HH", b, p)
            return [(rec, off, base, t, "STATE", peer_ip, peer_as) + (None,) * 10 + (old, new)]
        spec = _MSG_SUBTYPES.get(subtype)
        if spec is None:
            self.report.count(self.report.skipped, f"{base}/{subtype}")
            return []
        asn4, addpath, local = spec
        peer_as, p = _asn(b, p, asn4)
        local_as, p = _asn(b, p, asn4)
        if p + 4 > len(b):
            raise MrtError("BGP4MP header truncated")
        afi = _u16(b, p + 2)[0]
        p += 4
        alen = 4 if afi == 1 else 16
        if p + 2 * alen > len(b):
            raise MrtError("BGP4MP addresses truncated")
        peer_ip = ip_str(afi, b[p:p + alen])
        local_ip = ip_str(afi, b[p + alen:p + 2 * alen])
        p += 2 * alen
        if local:  # bgpdump prints the local side for messages the collector sent
            peer_ip, peer_as = local_ip, local_as
        fmt = base + ("_LOCAL" if local else "") + ("_AP" if addpath else "")
        if p + 19 > len(b):
            raise MrtError("BGP message header truncated")
        mlen, mtype_bgp = _u16(b, p + 16)[0], b[p + 18]
        if mtype_bgp != 2:
            self.report.count(self.report.skipped, {1: "OPEN", 3: "NOTIFICATION", 4: "KEEPALIVE"}.get(
                mtype_bgp, f"BGP message {mtype_bgp}"))
            return []
        end = p + mlen
        if end > len(b) or mlen < 23:
            raise MrtError(f"BGP UPDATE length {mlen} does not fit the record")
        p += 19
        wlen = _u16(b, p)[0]
        p += 2
        if p + wlen + 2 > end:
            raise MrtError("withdrawn routes overrun the UPDATE")
        withdrawn = parse_nlri(b, p, p + wlen, 1, addpath)
        p += wlen
        alen_attr = _u16(b, p)[0]
        p += 2
        if p + alen_attr > end:
            raise MrtError("path attributes overrun the UPDATE")
        a = parse_attrs(b[p:p + alen_attr], asn4=asn4, addpath=addpath, rib=False)
        announced = parse_nlri(b, p + alen_attr, end, 1, addpath)
        rows: list[Row] = [_withdraw_row(rec, off, fmt, t, peer_ip, peer_as, pfx, pid) for pfx, pid in withdrawn]
        for wafi, nl in sorted(a.mp_unreach, key=lambda x: x[0]):
            del wafi
            rows.extend(_withdraw_row(rec, off, fmt, t, peer_ip, peer_as, pfx, pid) for pfx, pid in nl)
        nh4 = a.next_hop or "0.0.0.0"
        rows.extend(_route_row(rec, off, fmt, t, "A", peer_ip, peer_as, pfx, pid, a, nh4) for pfx, pid in announced)
        for rafi, nl in sorted(a.mp_reach, key=lambda x: x[0]):
            nh = a.mp_next_hop.get(rafi) or ("::" if rafi == 2 else "0.0.0.0")
            rows.extend(_route_row(rec, off, fmt, t, "A", peer_ip, peer_as, pfx, pid, a, nh) for pfx, pid in nl)
        return rows


def _asn(b: bytes, p: int, asn4: bool) -> tuple[int, int]:
    if asn4:
        return _u32(b, p)[0], p + 4
    return _u16(b, p)[0], p + 2


_TYPE_NAMES = {12: "TABLE_DUMP", 13: "TABLE_DUMP_V2", 16: "BGP4MP", 17: "BGP4MP_ET"}


def _arrays(rows: list[Row]) -> pa.RecordBatch:
    cols = list(zip(*rows, strict=True))
    arrays = [pa.array(c, type=f.type) for c, f in zip(cols, ROUTE_SCHEMA, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=ROUTE_SCHEMA)


def _to_batch(rows: list[Row], report: ParseReport) -> pa.RecordBatch:
    """Rows to one Arrow batch; a row whose value does not fit its column loses only its own record (reported)."""
    try:
        return _arrays(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
        pass
    good, bad = [], {}
    for r in rows:
        try:
            _arrays([r])
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as e:
            bad.setdefault((r[0], r[1]), f"{r[2]}: value out of range for its column ({e})")
            continue
        good.append(r)
    good = [r for r in good if (r[0], r[1]) not in bad]  # a record is kept whole or not at all
    for (rec, off), msg in bad.items():
        report.error(rec, off, msg)
    return _arrays(good) if good else pa.RecordBatch.from_pylist([], schema=ROUTE_SCHEMA)


def iter_batches(path: str | Path, report: ParseReport | None = None,
                 params: BgpParams = DEFAULT_PARAMS) -> Iterator[pa.RecordBatch]:
    """Stream one MRT file as Arrow batches of ROUTE_SCHEMA; problems go into `report`."""
    report = report if report is not None else ParseReport(str(path))
    dec = _Decoder(report)
    rows: list[Row] = []
    for rec, off, ts, mtype, subtype, body in iter_raw(path, report, params):
        report.records += 1
        name = _TYPE_NAMES.get(mtype, str(mtype))
        report.by_type[name] = report.by_type.get(name, 0) + 1
        try:
            out = dec.decode(rec, off, ts, mtype, subtype, body)
        except (MrtError, struct.error, IndexError, ValueError) as e:
            report.error(rec, off, f"{name}/{subtype}: {e}")
            continue
        rows.extend(out)
        if len(rows) >= params.batch_rows:
            batch = _to_batch(rows, report)
            report.rows += batch.num_rows
            yield batch
            rows = []
    if rows:
        batch = _to_batch(rows, report)
        report.rows += batch.num_rows
        yield batch


def read_table(path: str | Path, params: BgpParams = DEFAULT_PARAMS) -> tuple[pa.Table, ParseReport]:
    """Read one whole MRT file into a table (small files, tests); large inputs should stream iter_batches."""
    report = ParseReport(str(path))
    batches = list(iter_batches(path, report, params))
    return pa.Table.from_batches(batches, schema=ROUTE_SCHEMA), report
