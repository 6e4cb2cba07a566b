"""A small MRT writer (TABLE_DUMP_V2 RIBs, BGP4MP_MESSAGE_AS4 updates, STATE_CHANGE_AS4) for constructed fixtures.

Only what fixtures need: IPv4 unicast, AS_SEQUENCE paths, ORIGIN/AS_PATH/NEXT_HOP. Output is plain or gzip
bytes; the reader must decode it like any collector file (the round trip is tested).
"""

from __future__ import annotations

import gzip
import ipaddress
import socket
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sanctionwatch.store.files import atomic_path


def _ts(t: datetime) -> int:
    if t.tzinfo is None:
        raise ValueError("fixture times must be timezone-aware (UTC)")
    return int(t.timestamp())


def _record(ts: int, mtype: int, subtype: int, body: bytes) -> bytes:
    return struct.pack("!IHHI", ts, mtype, subtype, len(body)) + body


def _nlri(prefix: str, path_id: int | None = None) -> bytes:
    net = ipaddress.IPv4Network(prefix)
    n = (net.prefixlen + 7) // 8
    pid = b"" if path_id is None else struct.pack("!I", path_id)
    return pid + bytes([net.prefixlen]) + net.network_address.packed[:n]


def _attrs(as_path: Sequence[int], next_hop: str) -> bytes:
    path = struct.pack(f"!BB{len(as_path)}I", 2, len(as_path), *as_path)
    out = b"\x40\x01\x01\x00"  # ORIGIN IGP
    out += struct.pack("!BBB", 0x40, 2, len(path)) + path
    out += b"\x40\x03\x04" + socket.inet_aton(next_hop)
    return out


@dataclass(frozen=True)
class Peer:
    ip: str
    asn: int


def peer_index(collector_id: str, peers: Sequence[Peer], ts: int) -> bytes:
    """TABLE_DUMP_V2 PEER_INDEX_TABLE with IPv4 peers and 4-byte ASNs."""
    body = socket.inet_aton(collector_id) + struct.pack("!HH", 0, len(peers))
    for p in peers:
        body += b"\x02" + socket.inet_aton(p.ip) + socket.inet_aton(p.ip) + struct.pack("!I", p.asn)
    return _record(ts, 13, 1, body)


def rib_entry(seq: int, prefix: str, entries: Sequence[tuple[int, Sequence[int], str]], ts: int) -> bytes:
    """RIB_IPV4_UNICAST: entries are (peer index, AS path, next hop)."""
    body = struct.pack("!I", seq) + _nlri(prefix) + struct.pack("!H", len(entries))
    for idx, path, nh in entries:
        a = _attrs(path, nh)
        body += struct.pack("!HIH", idx, ts, len(a)) + a
    return _record(ts, 13, 2, body)


def update(t: datetime, peer: Peer, local: Peer, announce: Sequence[str] = (), as_path: Sequence[int] = (),
           withdraw: Sequence[str] = (), path_id: int | None = None, extended_time: bool = False) -> bytes:
    """BGP4MP_MESSAGE_AS4 carrying one UPDATE (IPv4 NLRI / withdrawn routes); with `path_id` the
    MESSAGE_AS4_ADDPATH subtype (RFC 8050), with `extended_time` BGP4MP_ET (microseconds from `t`)."""
    w = b"".join(_nlri(p, path_id) for p in withdraw)
    a = _attrs(as_path, peer.ip) if announce else b""
    nl = b"".join(_nlri(p, path_id) for p in announce)
    msg_body = struct.pack("!H", len(w)) + w + struct.pack("!H", len(a)) + a + nl
    msg = b"\xff" * 16 + struct.pack("!HB", 19 + len(msg_body), 2) + msg_body
    head = struct.pack("!IIHH", peer.asn, local.asn, 0, 1) + socket.inet_aton(peer.ip) + socket.inet_aton(local.ip)
    subtype = 4 if path_id is None else 9
    if extended_time:
        return _record(_ts(t), 17, subtype, struct.pack("!I", t.microsecond) + head + msg)
    return _record(_ts(t), 16, subtype, head + msg)


def state_change(t: datetime, peer: Peer, local: Peer, old: int, new: int) -> bytes:
    """BGP4MP_STATE_CHANGE_AS4 (e.g. 6 -> 1: the session went down)."""
    head = struct.pack("!IIHH", peer.asn, local.asn, 0, 1) + socket.inet_aton(peer.ip) + socket.inet_aton(local.ip)
    return _record(_ts(t), 16, 5, head + struct.pack("!HH", old, new))


def write_mrt(path: str | Path, records: Sequence[bytes], compress: bool = True) -> Path:
    """Write records atomically, gzip-compressed unless `compress` is False."""
    data = b"".join(records)
    with atomic_path(path) as tmp:
        tmp.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return Path(path)
