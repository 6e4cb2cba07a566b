"""BGP path attributes (RFC 4271, 6793, 4760) and NLRI decoding into the strings `bgpdump -m` prints."""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

AS_TRANS = 23456  # RFC 6793: placeholder ASN in 2-byte AS_PATH/AGGREGATOR
_AF = {1: socket.AF_INET, 2: socket.AF_INET6}
_ALEN = {1: 4, 2: 16}
_ORIGIN = {0: "IGP", 1: "EGP"}
_WELL_KNOWN_COMMUNITY = {0xFFFFFF01: "no-export", 0xFFFFFF02: "no-advertise", 0xFFFFFF03: "local-AS"}
_unpack_u16 = struct.Struct("!H").unpack_from
_unpack_u32 = struct.Struct("!I").unpack_from


class MrtError(ValueError):
    """A record whose content does not follow its declared structure (reported, never fatal)."""


def ip_str(afi: int, raw: bytes) -> str:
    """Address bytes to text exactly as inet_ntop prints them (what bgpdump uses)."""
    try:
        return socket.inet_ntop(_AF[afi], raw)
    except (KeyError, ValueError) as e:
        raise MrtError(f"bad address (afi {afi}, {len(raw)} bytes)") from e


_PREFIX_CACHE: dict[bytes, str] = {}
_PREFIX_CACHE_MAX = 1_000_000


def parse_nlri(buf: bytes, pos: int, end: int, afi: int, addpath: bool) -> list[tuple[str, int | None]]:
    """Decode a run of NLRI prefixes [(prefix 'a.b.c.d/n', path_id)], bounds-checked."""
    out: list[tuple[str, int | None]] = []
    alen = _ALEN.get(afi)
    if alen is None:
        raise MrtError(f"unsupported AFI {afi} in NLRI")
    maxbits = alen * 8
    while pos < end:
        path_id = None
        if addpath:
            if pos + 4 > end:
                raise MrtError("NLRI path id overruns its field")
            path_id = _unpack_u32(buf, pos)[0]
            pos += 4
        if pos >= end:
            raise MrtError("NLRI prefix length missing")
        plen = buf[pos]
        nbytes = (plen + 7) >> 3
        if plen > maxbits or pos + 1 + nbytes > end:
            raise MrtError(f"NLRI prefix /{plen} overruns its field")
        key = (b"\x04" if afi == 1 else b"\x06") + buf[pos:pos + 1 + nbytes]  # AFI tag: ::/0 != 0.0.0.0/6
        s = _PREFIX_CACHE.get(key)
        if s is None:
            addr = buf[pos + 1:pos + 1 + nbytes] + b"\x00" * (alen - nbytes)
            s = f"{socket.inet_ntop(_AF[afi], addr)}/{plen}"
            if len(_PREFIX_CACHE) >= _PREFIX_CACHE_MAX:
                _PREFIX_CACHE.clear()
            _PREFIX_CACHE[key] = s
        out.append((s, path_id))
        pos += 1 + nbytes
    return out


def _segments(buf: bytes, asn4: bool) -> list[tuple[int, list[int]]]:
    """AS_PATH / AS4_PATH bytes to [(segment type, [asn, ...])]."""
    segs: list[tuple[int, list[int]]] = []
    pos, end, w = 0, len(buf), (4 if asn4 else 2)
    fmt = "!%dI" if asn4 else "!%dH"
    while pos < end:
        if pos + 2 > end:
            raise MrtError("AS_PATH segment header truncated")
        stype, count = buf[pos], buf[pos + 1]
        pos += 2
        if pos + count * w > end:
            raise MrtError("AS_PATH segment overruns the attribute")
        segs.append((stype, list(struct.unpack_from(fmt % count, buf, pos))))
        pos += count * w
    return segs


def _merge_as4(segs: list[tuple[int, list[int]]], segs4: list[tuple[int, list[int]]]) -> list[tuple[int, list[int]]]:
    """RFC 6793 s4.2.3: keep the leading AS_PATH ASes the AS4_PATH lacks, then append AS4_PATH."""

    def count(ss: list[tuple[int, list[int]]]) -> int:
        return sum(len(a) if t == 2 else (1 if t == 1 else 0) for t, a in ss)

    n, n4 = count(segs), count(segs4)
    if n < n4:
        return segs
    keep, out = n - n4, []
    for t, a in segs:
        if keep <= 0:
            break
        if t == 2:
            out.append((t, a[:keep]))
            keep -= min(keep, len(a))
        elif t == 1:
            out.append((t, a))
            keep -= 1
        else:
            out.append((t, a))
    return out + segs4


def format_aspath(segs: list[tuple[int, list[int]]]) -> str:
    """Segments to bgpdump text: sequence 'a b', set '{a,b}', confed sequence '(a b)', confed set '[a,b]'."""
    parts = []
    for t, a in segs:
        if t == 2:
            parts.append(" ".join(map(str, a)))
        elif t == 1:
            parts.append("{" + ",".join(map(str, a)) + "}")
        elif t == 3:
            parts.append("(" + " ".join(map(str, a)) + ")")
        elif t == 4:
            parts.append("[" + ",".join(map(str, a)) + "]")
        else:
            raise MrtError(f"unknown AS_PATH segment type {t}")
    return " ".join(p for p in parts if p)


@dataclass
class Attrs:
    """The decoded attributes one route line needs (plus MP_REACH/UNREACH NLRI for updates)."""

    as_path: str = ""
    origin: str | None = None
    next_hop: str | None = None
    local_pref: int | None = None
    med: int | None = None
    communities: str = ""
    atomic_aggregate: bool = False
    aggregator: str = ""
    mp_next_hop: dict[int, str] = field(default_factory=dict)
    mp_reach: list[tuple[int, list[tuple[str, int | None]]]] = field(default_factory=list)
    mp_unreach: list[tuple[int, list[tuple[str, int | None]]]] = field(default_factory=list)


_ASPATH_CACHE: dict[tuple[bytes, bytes | None, bool], str] = {}


def parse_attrs(buf: bytes, asn4: bool, addpath: bool, rib: bool) -> Attrs:
    """Decode a path-attribute block; `rib` selects the abbreviated MP_REACH of TABLE_DUMP_V2 (RFC 6396 4.3.4)."""
    a = Attrs()
    pos, end = 0, len(buf)
    aspath_raw: bytes | None = None
    as4path_raw: bytes | None = None
    agg: tuple[int, str] | None = None
    agg4: tuple[int, str] | None = None
    while pos < end:
        if pos + 3 > end:
            raise MrtError("attribute header truncated")
        flags, code = buf[pos], buf[pos + 1]
        if flags & 0x10:
            if pos + 4 > end:
                raise MrtError("attribute header truncated")
            alen = _unpack_u16(buf, pos + 2)[0]
            pos += 4
        else:
            alen = buf[pos + 2]
            pos += 3
        if pos + alen > end:
            raise MrtError(f"attribute {code} ({alen} bytes) overruns the attribute block")
        v = buf[pos:pos + alen]
        pos += alen
        if code == 1:
            a.origin = _ORIGIN.get(v[0], "INCOMPLETE") if v else "INCOMPLETE"
        elif code == 2:
            aspath_raw = v
        elif code == 3:
            if alen != 4:
                raise MrtError(f"NEXT_HOP of {alen} bytes")
            a.next_hop = socket.inet_ntop(socket.AF_INET, v)
        elif code == 4:
            a.med = _unpack_u32(v)[0] if alen == 4 else None
        elif code == 5:
            a.local_pref = _unpack_u32(v)[0] if alen == 4 else None
        elif code == 6:
            a.atomic_aggregate = True
        elif code == 7:
            if alen == 8:
                agg = (_unpack_u32(v)[0], socket.inet_ntop(socket.AF_INET, v[4:8]))
            elif alen == 6:
                agg = (_unpack_u16(v)[0], socket.inet_ntop(socket.AF_INET, v[2:6]))
            else:
                raise MrtError(f"AGGREGATOR of {alen} bytes")
        elif code == 8:
            if alen % 4:
                raise MrtError(f"COMMUNITIES of {alen} bytes")
            cs = struct.unpack_from(f"!{alen // 4}I", v)
            a.communities = " ".join(_WELL_KNOWN_COMMUNITY.get(c) or f"{c >> 16}:{c & 0xFFFF}" for c in cs)
        elif code == 14:
            _mp_reach(a, v, addpath, rib)
        elif code == 15:
            if alen < 3:
                raise MrtError("MP_UNREACH_NLRI too short")
            afi, safi = _unpack_u16(v)[0], v[2]
            if safi in (1, 2, 3) and afi in _ALEN:
                a.mp_unreach.append((afi, parse_nlri(v, 3, alen, afi, addpath)))
        elif code == 17:
            as4path_raw = v
        elif code == 18 and alen == 8:
            agg4 = (_unpack_u32(v)[0], socket.inet_ntop(socket.AF_INET, v[4:8]))
    if aspath_raw is not None:
        key = (aspath_raw, None if asn4 else as4path_raw, asn4)
        s = _ASPATH_CACHE.get(key)
        if s is None:
            segs = _segments(aspath_raw, asn4)
            if not asn4 and as4path_raw is not None:
                segs = _merge_as4(segs, _segments(as4path_raw, True))
            s = format_aspath(segs)
            if len(_ASPATH_CACHE) >= _PREFIX_CACHE_MAX:
                _ASPATH_CACHE.clear()
            _ASPATH_CACHE[key] = s
        a.as_path = s
    if agg is not None:
        if not asn4 and agg4 is not None and agg[0] == AS_TRANS:
            agg = agg4
        a.aggregator = f"{agg[0]} {agg[1]}"
    return a


def _mp_reach(a: Attrs, v: bytes, addpath: bool, rib: bool) -> None:
    """MP_REACH_NLRI: full form (afi, safi, next hop, NLRI) or TABLE_DUMP_V2's next-hop-only form."""
    n = len(v)
    if rib and n >= 1 and v[0] in (4, 16, 32) and n == 1 + v[0]:
        nhl = v[0]
        afi = 1 if nhl == 4 else 2
        a.mp_next_hop[afi] = ip_str(afi, v[1:1 + (4 if afi == 1 else 16)])
        return
    if n < 5:
        raise MrtError("MP_REACH_NLRI too short")
    afi, safi, nhl = _unpack_u16(v)[0], v[2], v[3]
    if 4 + nhl + 1 > n:
        raise MrtError("MP_REACH_NLRI next hop overruns the attribute")
    nh = v[4:4 + nhl]
    if nhl in (16, 32):
        a.mp_next_hop[afi] = socket.inet_ntop(socket.AF_INET6, nh[:16])
    elif nhl == 4:
        a.mp_next_hop[afi] = socket.inet_ntop(socket.AF_INET, nh)
    pos = 4 + nhl + 1  # skip the reserved octet
    if safi in (1, 2, 3) and afi in _ALEN:
        a.mp_reach.append((afi, parse_nlri(v, pos, n, afi, addpath)))
