"""The same route tuples via `mrtparse` (the reference implementation): cross-checks in tests and the benchmark."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

RouteKey = tuple[str, str, int, str, int | None, str]  # kind, peer_ip, peer_as, prefix, path_id, as_path


def _aspath(attrs: list[dict[str, Any]]) -> str:
    segs: list[str] = []
    merged: list[dict[str, Any]] | None = None
    for a in attrs:
        code = next(iter(a["type"]))
        if code == 2:
            merged = a["value"]
    for s in merged or []:
        t = next(iter(s["type"]))
        vals = [str(int(v)) for v in s["value"]]
        segs.append({1: "{" + ",".join(vals) + "}", 2: " ".join(vals), 3: "(" + " ".join(vals) + ")",
                     4: "[" + ",".join(vals) + "]"}[t])
    return " ".join(x for x in segs if x)


def _nlri(items: list[dict[str, Any]]) -> Iterator[tuple[str, int | None]]:
    for n in items:
        yield f"{n['prefix']}/{n['length']}", n.get("path_id")


def mrtparse_routes(path: str | Path, max_records: int | None = None) -> Iterator[RouteKey]:
    """Route keys for TABLE_DUMP_V2 RIB entries and BGP4MP updates, decoded by mrtparse (stops at its first
    error, or after `max_records` MRT records)."""
    import mrtparse

    peers: list[tuple[str, int]] = []
    reader = iter(mrtparse.Reader(str(path)))
    n = 0
    while max_records is None or n < max_records:
        n += 1
        try:
            entry = next(reader)
        except (StopIteration, EOFError):  # EOFError: truncated compressed file, keep what came before
            return
        d = entry.data
        if entry.err:
            return
        mtype = next(iter(d["type"]))
        sub = next(iter(d["subtype"]))
        if mtype == 13 and sub == 1:
            peers = [(p["peer_ip"], int(p["peer_as"])) for p in d["peer_entries"]]
        elif mtype == 13 and "rib_entries" in d and "prefix" in d:
            prefix = f"{d['prefix']}/{d['length']}"
            for r in d["rib_entries"]:
                ip, asn = peers[r["peer_index"]]
                yield "B", ip, asn, prefix, r.get("path_id"), _aspath(r["path_attributes"])
        elif mtype in (16, 17) and "bgp_message" in d:
            m = d["bgp_message"]
            if next(iter(m["type"])) != 2:
                continue
            ip, asn = d["peer_ip"], int(d["peer_as"])
            for pfx, pid in _nlri(m.get("withdrawn_routes", [])):
                yield "W", ip, asn, pfx, pid, ""
            attrs = m.get("path_attributes", [])
            for a in attrs:
                if next(iter(a["type"])) == 15:
                    for pfx, pid in _nlri(a["value"].get("withdrawn_routes", [])):
                        yield "W", ip, asn, pfx, pid, ""
            path = _aspath(attrs)
            for pfx, pid in _nlri(m.get("nlri", [])):
                yield "A", ip, asn, pfx, pid, path
            for a in attrs:
                if next(iter(a["type"])) == 14:
                    for pfx, pid in _nlri(a["value"].get("nlri", [])):
                        yield "A", ip, asn, pfx, pid, path


def count_records(path: str | Path) -> int:
    """Records mrtparse reads (benchmark: full decode, no conversion)."""
    import mrtparse

    return sum(1 for _ in mrtparse.Reader(str(path)))
