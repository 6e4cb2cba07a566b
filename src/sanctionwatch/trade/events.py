"""Cap, ban and claim findings as `trade_anomaly` events in the one events table (producer 'trade')."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sanctionwatch.store.events import event_id, events_table, evidence_json, write_events
from sanctionwatch.store.layout import Store
from sanctionwatch.trade.areas import area_iso3

TYPE = "trade_anomaly"


def _event(subject: str, start: datetime, end: datetime, confidence: float, check: str, key: str,
           **evidence: Any) -> dict[str, Any]:
    return {"event_id": event_id(TYPE, start, subject=f"{subject}|{check}|{key}"), "type": TYPE, "start": start,
            "end": end, "country": "KP", "confidence": confidence, "subject": subject,
            "evidence": evidence_json(check=check, **evidence)}


def cap_events(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event per cap window whose barrels exceed the limit; subject lists the suppliers."""
    out = []
    for r in results:
        if not r["exceeded"]:
            continue
        sups = sorted({area_iso3(s["reporter"]) for s in r["suppliers"] if s["barrels"] > 0})
        out.append(_event(f"{'+'.join(sups)}->PRK", r["start"], r["end"], 0.9, "cap", r["rule"],
                          rule=r["rule"], resolution=r["resolution"], window=r["window"],
                          limit_barrels=r["limit_barrels"], barrels=round(r["barrels"], 1),
                          pct_of_limit=round(r["pct_of_limit"], 1), lower_bound=r["lower_bound"],
                          suppliers=[{k: s[k] for k in ("reporter", "flow", "commodity", "barrels", "net_weight_t",
                                                        "value_usd", "sources", "factors")} for s in r["suppliers"]]))
    return out


def ban_events(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event per banned-goods flow; partial periods (begun before the ban) get lower confidence."""
    out = []
    for h in hits:
        rep = area_iso3(h["reporter_code"])
        subject = f"{rep}->PRK" if h["direction"] == "to_dprk" else f"PRK->{rep}"
        out.append(_event(subject, h["start"], h["end"], 0.5 if h["partial"] else 0.9, "ban",
                          f"{h['rule']}|{h['commodity']}|{h['flow']}",
                          rule=h["rule"], resolution=h["resolution"], reported_by=rep, flow=h["flow"],
                          period=h["period"], commodity=h["commodity"], codes=h["codes"],
                          value_usd=h["value_usd"], net_weight_kg=h["net_weight_kg"], partial=h["partial"],
                          sources=h["sources"].split(";")))
    return out


def claim_events(verdicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One event per contradicted claim, carrying the claim and the numbers that contradict it."""
    out = []
    for v in verdicts:
        if v["verdict"] != "contradicted":
            continue
        c = v["claim"]
        subject = f"{area_iso3(c['reporter_code'])}->{area_iso3(c['partner_code'])}"
        out.append(_event(subject, v["start"], v["end"], 0.7, "claim", c["id"], claim=c["id"], text=c["text"],
                          source=c.get("source"), measured=v["measured"], expected=v["expected"],
                          comparator=v["comparator"], reason=v["reason"]))
    return out


def replace_trade_events(store: Store, checks: set[str], rows: list[dict[str, Any]]) -> int:
    """Replace the trade producer's events of the given check kinds ('cap', 'ban', 'claim'), keep the others."""
    path = store.table_dir("events") / "producer=trade" / "events.parquet"
    kept: list[dict[str, Any]] = []
    if path.exists():
        for r in pq.read_table(path).to_pylist():
            if json.loads(r["evidence"] or "{}").get("check") not in checks:
                kept.append(r)
    table: pa.Table = events_table(kept + rows)
    write_events(store, "trade", table.sort_by([("start", "ascending"), ("event_id", "ascending")]))
    return len(rows)
