"""Render route rows as `bgpdump -m` lines: the golden-file comparison and a familiar export for analysts."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pyarrow as pa


def bgpdump_ipv6(text: str) -> str:
    """bgpdump's own IPv6 text: the longest zero run is compressed even when it is one group (unlike RFC 5952)."""
    if ":" not in text:
        return text
    addr, slash, plen = text.partition("/")
    groups = [int.from_bytes(g, "big") for g in _pairs(socket.inet_pton(socket.AF_INET6, addr))]
    best, best_len, i = -1, 0, 0
    while i < 8:
        if groups[i] == 0:
            j = i
            while j < 8 and groups[j] == 0:
                j += 1
            if j - i > best_len:
                best, best_len = i, j - i
            i = j
        else:
            i += 1
    hexes = [f"{g:x}" for g in groups]
    out = ":".join(hexes[:best]) + "::" + ":".join(hexes[best + best_len:]) if best_len else ":".join(hexes)
    return out + slash + plen


def _pairs(raw: bytes) -> list[bytes]:
    return [raw[k:k + 2] for k in range(0, 16, 2)]


def bgpdump_lines(table: pa.Table | pa.RecordBatch) -> Iterator[str]:
    """One `bgpdump -m` line per route row (no trailing newline), in row order."""
    cols = {n: table.column(n).to_pylist() for n in table.column_names if n != "time"}
    micros = table.column("time").cast(pa.int64()).to_pylist()
    for i in range(table.num_rows):
        fmt = cols["format"][i]
        us = micros[i]
        t = f"{us // 1_000_000}.{us % 1_000_000:06d}" if fmt.startswith("BGP4MP_ET") else str(us // 1_000_000)
        kind = cols["kind"][i]
        head = f"{fmt}|{t}|{kind}|{bgpdump_ipv6(cols['peer_ip'][i])}|{cols['peer_as'][i]}|"
        if kind == "STATE":
            yield f"{head}{cols['old_state'][i]}|{cols['new_state'][i]}"
            continue
        pid = cols["path_id"][i]
        pid_s = "" if pid is None else f"|{pid}"
        if kind == "W":
            yield f"{head}{bgpdump_ipv6(cols['prefix'][i])}{pid_s}"
            continue
        yield (f"{head}{bgpdump_ipv6(cols['prefix'][i])}{pid_s}|{cols['as_path'][i]}|{cols['origin'][i]}|"
               f"{bgpdump_ipv6(cols['next_hop'][i])}|"
               f"{cols['local_pref'][i] or 0}|{cols['med'][i] or 0}|{cols['communities'][i]}|"
               f"{'AG' if cols['atomic_aggregate'][i] else 'NAG'}|{cols['aggregator'][i]}|")
