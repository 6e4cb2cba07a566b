"""Claims files (TOML): check each trade claim against the store -> supported / contradicted / insufficient data.

Each verdict carries the numbers it used (value per period, rows, sources) so an analyst can see why.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanctionwatch.trade.analysis import measure_any
from sanctionwatch.trade.areas import area_code
from sanctionwatch.trade.data import Measurement, TradeData
from sanctionwatch.trade.params import DEFAULT_PARAMS, TradeParams
from sanctionwatch.trade.periods import PeriodSpec, parse_period

KINDS = ("value", "ratio", "share")
COMPARATORS = ("approx", ">", ">=", "<", "<=")
FLOWS = ("export", "import", "re-export", "re-import", "total")
MIRROR_FLOW = {"export": "import", "import": "export", "re-export": "re-import", "re-import": "re-export",
               "total": "total"}


class ClaimError(ValueError):
    """A claims-file entry is invalid (message names the file, claim and field)."""


@dataclass(frozen=True)
class Claim:
    """One checkable claim."""

    id: str
    text: str
    reporter_code: int
    partner_code: int
    flow: str
    period: PeriodSpec
    commodity: str
    kind: str
    expected: float
    comparator: str
    tolerance: float | None
    base_period: PeriodSpec | None
    share_of: str
    classification: str
    mirror: bool
    note: str
    source: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "reporter_code": self.reporter_code,
                "partner_code": self.partner_code, "flow": self.flow, "period": self.period.text,
                "base_period": self.base_period.text if self.base_period else None, "commodity": self.commodity,
                "share_of": self.share_of, "kind": self.kind, "expected": self.expected,
                "comparator": self.comparator, "tolerance": self.tolerance, "note": self.note,
                "source": self.source}


def parse_claim(r: dict[str, Any], where: str) -> Claim:
    """Validate one [[claim]] table."""
    missing = [k for k in ("id", "text", "reporter", "partner", "flow", "period", "kind", "expected") if k not in r]
    if missing:
        raise ClaimError(f"{where}: missing field(s) {missing}")
    kind, comparator, flow = r["kind"], r.get("comparator", "approx"), r["flow"]
    if kind not in KINDS:
        raise ClaimError(f"{where}: kind must be one of {KINDS}, got {kind!r}")
    if comparator not in COMPARATORS:
        raise ClaimError(f"{where}: comparator must be one of {COMPARATORS}, got {comparator!r}")
    if flow not in FLOWS:
        raise ClaimError(f"{where}: flow must be one of {FLOWS}, got {flow!r}")
    if kind == "ratio" and "base_period" not in r:
        raise ClaimError(f"{where}: kind 'ratio' needs base_period")
    try:
        period = parse_period(str(r["period"]))
        base = parse_period(str(r["base_period"])) if "base_period" in r else None
        reporter, partner = area_code(r["reporter"]), area_code(r["partner"])
    except ValueError as e:
        raise ClaimError(f"{where}: {e}") from e
    return Claim(id=str(r["id"]), text=str(r["text"]), reporter_code=reporter, partner_code=partner, flow=flow,
                 period=period, commodity=str(r.get("commodity", "TOTAL")), kind=kind, expected=float(r["expected"]),
                 comparator=comparator, tolerance=float(r["tolerance"]) if "tolerance" in r else None,
                 base_period=base, share_of=str(r.get("share_of", "TOTAL")),
                 classification=str(r.get("classification", "HS")), mirror=bool(r.get("mirror", False)),
                 note=str(r.get("note", "")), source=dict(r.get("source", {})))


def load_claims(path: str | Path) -> list[Claim]:
    """Claims from a TOML file with [[claim]] tables; ids must be unique."""
    p = Path(path)
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise ClaimError(f"{p}: {e}") from e
    claims = [parse_claim(r, f"{p.name}: claim #{i + 1} ({r.get('id', '?')})") for i, r in
              enumerate(doc.get("claim", []))]
    ids = [c.id for c in claims]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise ClaimError(f"{p.name}: duplicate claim id(s) {dup}")
    if not claims:
        raise ClaimError(f"{p.name}: no [[claim]] tables")
    return claims


def _measure(data: TradeData, c: Claim, spec: PeriodSpec, commodity: str, params: TradeParams) -> Measurement:
    """Reporter's own figures; if missing and the claim allows it, the partner's mirror figures (margin-adjusted)."""
    m = measure_any(data, c.reporter_code, c.partner_code, c.flow, spec, commodity, c.classification)
    if m.ok or not c.mirror:
        return m
    mm = measure_any(data, c.partner_code, c.reporter_code, MIRROR_FLOW[c.flow], spec, commodity, c.classification)
    if not mm.ok or mm.value_usd is None:
        return m
    factor = {"export": 1 / (1 + params.cif_fob_margin), "re-export": 1 / (1 + params.cif_fob_margin),
              "import": 1 + params.cif_fob_margin, "re-import": 1 + params.cif_fob_margin}.get(c.flow, 1.0)
    mm.value_usd *= factor
    mm.query = {**mm.query, "mirror_of": m.query, "cif_fob_factor": factor}
    return mm


def compare(measured: float, expected: float, comparator: str, tolerance: float) -> bool:
    """Whether `measured` satisfies the claim's comparator."""
    if comparator == "approx":
        return abs(measured - expected) <= tolerance * abs(expected)
    return {">": measured > expected, ">=": measured >= expected, "<": measured < expected,
            "<=": measured <= expected}[comparator]


def check_claim(data: TradeData, c: Claim, params: TradeParams = DEFAULT_PARAMS) -> dict[str, Any]:
    """Verdict for one claim with the measurements behind it."""
    tol = params.claim_tolerance if c.tolerance is None else c.tolerance
    used: dict[str, Measurement] = {"value": _measure(data, c, c.period, c.commodity, params)}
    if c.kind == "ratio" and c.base_period is not None:
        used["base"] = _measure(data, c, c.base_period, c.commodity, params)
    if c.kind == "share":
        used["whole"] = _measure(data, c, c.period, c.share_of, params)
    verdict: dict[str, Any] = {"claim": c.as_dict(), "expected": c.expected, "comparator": c.comparator,
                               "tolerance": tol if c.comparator == "approx" else None,
                               "start": c.period.start if c.base_period is None else min(c.period.start,
                                                                                         c.base_period.start),
                               "end": c.period.end, "numbers": {k: m.to_dict() for k, m in used.items()},
                               "sources": sorted({s for m in used.values() for s in m.sources()})}
    missing = {k: m for k, m in used.items() if not m.ok}
    if missing:
        return {**verdict, "verdict": "insufficient data", "measured": None,
                "reason": "; ".join(f"{k}: no data for {', '.join(m.missing) or 'any period'} "
                                    f"({'; '.join(sorted(set(m.missing_why.values())))})" for k, m in missing.items())}
    v = used["value"].value_usd or 0.0
    if c.kind == "value":
        measured = v
    else:
        denom = used["base" if c.kind == "ratio" else "whole"].value_usd or 0.0
        if denom == 0:
            return {**verdict, "verdict": "insufficient data", "measured": None,
                    "reason": f"{'base period' if c.kind == 'ratio' else 'total'} value is 0: ratio undefined"}
        measured = v / denom
    ok = compare(measured, c.expected, c.comparator, tol)
    rel = (measured - c.expected) / c.expected if c.expected else None
    what = f"{c.comparator} {c.expected:g}" + (f" (±{tol:.1%})" if c.comparator == "approx" else "")
    reason = f"measured {measured:,.4g} {'satisfies' if ok else 'does not satisfy'} {what}"
    return {**verdict, "verdict": "supported" if ok else "contradicted", "measured": measured,
            "relative_difference": rel, "reason": reason}


def check_claims(data: TradeData, claims: list[Claim], params: TradeParams = DEFAULT_PARAMS) -> list[dict[str, Any]]:
    """Verdicts for all claims, in file order."""
    return [check_claim(data, c, params) for c in claims]
