"""Sanctions rule files (TOML): volume caps and HS-code bans on trade with DPRK, validated on load."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

DIRECTIONS = {"to_dprk": ("export", "re-export"), "from_dprk": ("import", "re-import")}
DPRK = 408


@dataclass(frozen=True)
class CapRule:
    """A volume cap in barrels over calendar years (from `start`) or one fixed window."""

    id: str
    resolution: str
    what: str
    direction: str
    commodities: tuple[str, ...]
    limit_barrels: float
    window: str
    start: datetime
    barrels_per_tonne: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BanRule:
    """A ban on goods (HS prefixes) in one direction, in force from `start` (until `end`, if given)."""

    id: str
    resolution: str
    what: str
    direction: str
    commodities: tuple[str, ...]
    start: datetime
    end: datetime | None = None


@dataclass(frozen=True)
class RuleSet:
    caps: tuple[CapRule, ...]
    bans: tuple[BanRule, ...]
    source: str


class RuleError(ValueError):
    """A rule file entry is invalid (message names the file, entry and field)."""


def _date(v: Any, where: str) -> datetime:
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=UTC)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)
    try:
        d = date.fromisoformat(str(v))
    except ValueError as e:
        raise RuleError(f"{where}: bad date {v!r} (want YYYY-MM-DD)") from e
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _common(r: dict, where: str) -> dict:
    missing = [k for k in ("id", "resolution", "direction", "commodities", "from") if k not in r]
    if missing:
        raise RuleError(f"{where}: missing field(s) {missing}")
    if r["direction"] not in DIRECTIONS:
        raise RuleError(f"{where}: direction must be one of {sorted(DIRECTIONS)}, got {r['direction']!r}")
    codes = tuple(str(c) for c in r["commodities"])
    bad = [c for c in codes if not c.isdigit() or len(c) % 2]
    if bad or not codes:
        raise RuleError(f"{where}: commodities must be HS codes of 2, 4, 6 or 8 digits, got {bad or codes}")
    return {"id": str(r["id"]), "resolution": str(r["resolution"]), "what": str(r.get("what", "")),
            "direction": r["direction"], "commodities": codes, "start": _date(r["from"], where)}


def parse_rules(doc: dict, source: str) -> RuleSet:
    """Rules from a parsed TOML document."""
    caps, bans = [], []
    for i, r in enumerate(doc.get("cap", [])):
        where = f"{source}: cap #{i + 1} ({r.get('id', '?')})"
        if "limit_barrels" not in r or "window" not in r:
            raise RuleError(f"{where}: missing limit_barrels or window")
        caps.append(CapRule(**_common(r, where), limit_barrels=float(r["limit_barrels"]), window=str(r["window"]),
                            barrels_per_tonne={str(k): float(v) for k, v in r.get("barrels_per_tonne", {}).items()}))
    for i, r in enumerate(doc.get("ban", [])):
        where = f"{source}: ban #{i + 1} ({r.get('id', '?')})"
        bans.append(BanRule(**_common(r, where), end=_date(r["to"], where) if "to" in r else None))
    unknown = set(doc) - {"cap", "ban"}
    if unknown:
        raise RuleError(f"{source}: unknown table(s) {sorted(unknown)} (want [[cap]] and [[ban]])")
    return RuleSet(tuple(caps), tuple(bans), source)


def load_rules(path: str | Path | None = None) -> RuleSet:
    """Rules from a TOML file, or the shipped DPRK rules (data/trade/rules_dprk.toml) when `path` is None."""
    if path is None:
        text = resources.files("sanctionwatch").joinpath("data/trade/rules_dprk.toml").read_text(encoding="utf-8")
        return parse_rules(tomllib.loads(text), "rules_dprk.toml")
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise RuleError(f"{p}: {e}") from e
    return parse_rules(doc, p.name)
