"""AS names (pyasn asnames.json) and prefix-to-origin tables (pyasn ipasn .dat), plus target resolution."""

from __future__ import annotations

import gzip
import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

IpNet = ipaddress.IPv4Network | ipaddress.IPv6Network


def _open_text(path: str | Path) -> IO[str]:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt", encoding="utf-8") if gz else open(path, encoding="utf-8")


BUILTIN_ASNAMES = Path(__file__).with_name("asnames_dprk.json")


def load_asnames(path: str | Path | None = None) -> dict[int, str]:
    """ASN -> 'HANDLE Org name, CC' from a pyasn asnames.json(.gz); default: the small built-in DPRK subset."""
    with _open_text(path or BUILTIN_ASNAMES) as fh:
        raw = json.load(fh)
    return {int(k): str(v) for k, v in raw.items() if k.isdigit()}


def as_country(name: str | None) -> str | None:
    """The trailing ', CC' country code of a pyasn AS name, if any."""
    m = re.search(r", ([A-Z]{2})$", name or "")
    return m.group(1) if m else None


@dataclass
class IpasnTable:
    """prefix -> origin ASN rows, with malformed lines counted and located (file:line), not dropped silently."""

    prefixes: dict[str, int]
    errors: list[str]


_IPASN_LINE = re.compile(r"^((?:\d{1,3}\.){3}\d{1,3}/\d{1,2}|[0-9A-Fa-f:]+/\d{1,3})\s+(\d+)\s*$")


def load_ipasn(path: str | Path) -> IpasnTable:
    """Read a pyasn ipasn .dat(.gz): `prefix<TAB>asn`, ';' comment lines (syntax checked per line; the
    prefixes a target uses are fully validated when the target is built)."""
    out: dict[str, int] = {}
    errors: list[str] = []
    match = _IPASN_LINE.match
    with _open_text(path) as fh:
        for lineno, line in enumerate(fh, 1):
            if line.startswith(";") or not line.strip():
                continue
            m = match(line)
            if m is None:
                errors.append(f"{path}:{lineno}: not 'prefix<TAB>asn': {line.strip()[:80]!r}")
                continue
            out[m.group(1)] = int(m.group(2))
    return IpasnTable(out, errors)


@dataclass(frozen=True)
class Target:
    """What to watch: origin ASNs and/or networks; routes for prefixes inside `networks` count too."""

    label: str
    asns: frozenset[int]
    networks: tuple[IpNet, ...]
    country: str | None

    def covers(self, prefix: str) -> bool:
        """Whether a route prefix lies inside one of the target networks."""
        if not self.networks:
            return False
        net = ipaddress.ip_network(prefix, strict=False)
        return any(net.version == t.version and net.subnet_of(t) for t in self.networks)  # type: ignore[arg-type]


def parse_target(spec: str, asnames: dict[int, str] | None = None, ipasn: IpasnTable | None = None) -> Target:
    """'AS131279' / '131279' (origin AS), '175.45.176.0/22' (network), or 'KP' (country: its ASes by AS-name
    country code, plus that country's prefixes from the ipasn table when one is given)."""
    s = spec.strip()
    m = re.fullmatch(r"(?i)(?:AS)?(\d+)", s)
    if m:
        asn = int(m.group(1))
        return Target(f"AS{asn}", frozenset([asn]), (), as_country((asnames or {}).get(asn)))
    if "/" in s:
        try:
            net = ipaddress.ip_network(s, strict=False)
        except ValueError as e:
            raise ValueError(f"target {spec!r}: not a valid network ({e})") from e
        return Target(str(net), frozenset(), (net,), None)
    if re.fullmatch(r"[A-Za-z]{2}", s):
        cc = s.upper()
        if not asnames:
            raise ValueError(f"target {spec!r}: a country target needs the AS-name table (--asnames)")
        asns = frozenset(a for a, n in asnames.items() if as_country(n) == cc)
        if not asns:
            raise ValueError(f"target {spec!r}: no AS name ends in ', {cc}'")
        nets: tuple[IpNet, ...] = ()
        if ipasn is not None:
            try:
                nets = tuple(ipaddress.ip_network(p) for p, a in sorted(ipasn.prefixes.items()) if a in asns)
            except ValueError as e:
                raise ValueError(f"target {spec!r}: bad prefix in the ipasn table: {e}") from e
        return Target(cc, asns, nets, cc)
    raise ValueError(f"target {spec!r}: expected AS<number>, a prefix like 175.45.176.0/22, or a country code")
