"""Explainable vessel risk: events + list hits -> one contribution row per piece of evidence -> ranked score.

Every point of a vessel's score is a row in the contributions table that names its signal, the event id or
list entry behind it and a one-line reason, so an analyst can check each by hand.
"""

from __future__ import annotations

import json
import math

import polars as pl

from sanctionwatch.risk.weights import FLAGS_OF_CONCERN, RiskWeights

CONTRIB_SCHEMA = {
    "mmsi": pl.Int64,
    "signal": pl.Utf8,
    "points": pl.Float64,
    "ref_kind": pl.Utf8,  # 'event' | 'list'
    "ref_id": pl.Utf8,
    "start": pl.Datetime("ms", "UTC"),
    "reason": pl.Utf8,
}

DPRK_MID = 445  # ITU Maritime Identification Digits of the DPRK.

HITS_COLUMNS = ("mmsi", "entity_id", "caption", "dataset", "programs", "match_kind", "score", "field", "list_version")


def _evidence_flag(evidence: str | None, key: str) -> object:
    if not evidence:
        return None
    try:
        return json.loads(evidence).get(key)
    except (ValueError, AttributeError):
        return None


def _mid(mmsi: int | None) -> int | None:
    return None if mmsi is None else int(str(mmsi)[:3]) if len(str(mmsi)) == 9 else None


def _event_rows(events: pl.DataFrame, listed: set[int], w: RiskWeights) -> list[dict]:
    """One contribution per (vessel, event); encounters count for both vessels."""
    rows: list[dict] = []
    for e in events.iter_rows(named=True):
        conf = float(e.get("confidence") if e.get("confidence") is not None else 1.0)
        etype, eid, start = e["type"], e["event_id"], e["start"]
        where = f" at {e['port']}" if e.get("port") else ""

        def add(mmsi, signal, points, reason, *, _eid=eid, _start=start):
            if mmsi is not None and points > 0:
                rows.append({"mmsi": int(mmsi), "signal": signal, "points": float(points), "ref_kind": "event",
                             "ref_id": _eid, "start": _start, "reason": reason})

        if etype == "port_call" and e.get("country") == "KP":
            add(e["mmsi"], "dprk_port_call", w.dprk_port_call * conf, f"port call in DPRK{where} ({eid})")
        elif etype == "sanctioned_area":
            add(e["mmsi"], "sanctioned_area", w.sanctioned_area * conf, f"entered sanctioned area{where} ({eid})")
        elif etype == "gap":
            near = bool(_evidence_flag(e.get("evidence"), "near_sanctioned_area")) or e.get("country") == "KP"
            if near:
                add(e["mmsi"], "gap_near_area", w.gap_near_area * conf, f"AIS gap near a sanctioned area ({eid})")
            else:
                add(e["mmsi"], "gap", w.gap * conf, f"AIS gap ({eid})")
        elif etype == "encounter":
            for me, other in ((e["mmsi"], e.get("other_mmsi")), (e.get("other_mmsi"), e["mmsi"])):
                if me is None:
                    continue
                risky_other = other is not None and (other in listed or _mid(other) == DPRK_MID)
                if risky_other:
                    add(me, "encounter_listed", w.encounter_listed * conf,
                        f"ship-to-ship encounter with listed/DPRK vessel {other} ({eid})")
                else:
                    add(me, "encounter", w.encounter * conf, f"ship-to-ship encounter with {other} ({eid})")
        elif etype == "destination_mismatch":
            add(e["mmsi"], "destination_mismatch", w.destination_mismatch * conf,
                f"declared destination not reached ({eid})")
        elif etype == "identity_change":
            add(e["mmsi"], "identity_change", w.identity_change * conf, f"identity change ({eid})")
            new_flag = _evidence_flag(e.get("evidence"), "new_flag")
            if isinstance(new_flag, str) and new_flag.upper() in FLAGS_OF_CONCERN:
                add(e["mmsi"], "flag_hop_concern", w.flag_hop_concern * conf,
                    f"re-flagged to {new_flag.upper()}, a flag of concern ({eid})")
        elif etype == "spoofing":
            add(e["mmsi"], "spoofing", w.spoofing * conf, f"position spoofing ({eid})")
            if e.get("other_mmsi") is not None:
                add(e["other_mmsi"], "spoofing", w.spoofing * conf, f"position spoofing ({eid})")
        elif etype == "loitering":
            add(e["mmsi"], "loitering", w.loitering * conf, f"loitering offshore ({eid})")
    return rows


def _hit_rows(hits: pl.DataFrame, w: RiskWeights) -> list[dict]:
    rows = []
    for h in hits.iter_rows(named=True):
        kind = h["match_kind"]
        points = {"strong": w.list_hit_strong_id, "name": w.list_hit_name * float(h.get("score") or 0),
                  "related": w.list_hit_related}.get(kind, 0.0)
        if h.get("mmsi") is None or points <= 0:
            continue
        rows.append({"mmsi": int(h["mmsi"]), "signal": f"list_hit_{kind}", "points": float(points),
                     "ref_kind": "list", "ref_id": h["entity_id"], "start": None,
                     "reason": f"{h.get('field')} matches {h.get('caption')} on {h.get('dataset')} "
                               f"({h.get('programs') or 'no program'}; list {h.get('list_version')}; "
                               f"score {float(h.get('score') or 0):.2f})"})
    return rows


def contributions(events: pl.DataFrame, hits: pl.DataFrame | None = None,
                  weights: RiskWeights | None = None) -> pl.DataFrame:
    """All evidence rows (before caps), one per vessel and piece of evidence."""
    w = weights or RiskWeights()
    hits = hits if hits is not None else pl.DataFrame(schema={c: pl.Utf8 for c in HITS_COLUMNS})
    listed = {int(m) for m in hits.filter(pl.col("match_kind") == "strong")["mmsi"].drop_nulls().to_list()}
    rows = _event_rows(events, listed, w) + _hit_rows(hits, w)
    return pl.DataFrame(rows, schema=CONTRIB_SCHEMA)


def score(contribs: pl.DataFrame, weights: RiskWeights | None = None) -> pl.DataFrame:
    """Rank vessels: capped points per signal, summed; risk_0_100 scales points; top reasons listed."""
    w = weights or RiskWeights()
    if contribs.is_empty():
        return pl.DataFrame(schema={"mmsi": pl.Int64, "points": pl.Float64, "risk_0_100": pl.Float64,
                                    "signals": pl.Utf8, "top_reasons": pl.Utf8, "n_evidence": pl.UInt32})
    per_signal = (
        contribs.group_by("mmsi", "signal")
        .agg(pl.col("points").sum().clip(upper_bound=w.cap_per_signal).alias("points"), pl.len().alias("n"))
    )
    top = (
        contribs.sort("points", descending=True)
        .group_by("mmsi", maintain_order=True)
        .agg(pl.col("reason").head(3).str.join("; ").alias("top_reasons"), pl.len().alias("n_evidence"))
    )
    ranked = (
        per_signal.sort("points", descending=True)
        .group_by("mmsi", maintain_order=True)
        .agg(pl.col("points").sum().round(2).alias("points"),
             pl.format("{}={}", pl.col("signal"), pl.col("points").round(1)).str.join(", ").alias("signals"))
        .join(top, on="mmsi")
        .with_columns(
            (100.0 * (1.0 - (-pl.col("points") / w.scale_points).exp())).round(1).alias("risk_0_100")
        )
        .select("mmsi", "points", "risk_0_100", "signals", "top_reasons", "n_evidence")
        .sort(["points", "mmsi"], descending=[True, False])
    )
    return ranked


def risk_0_100(points: float, weights: RiskWeights | None = None) -> float:
    """The 0-100 scale used in `score` for one number of points."""
    return round(100.0 * (1.0 - math.exp(-points / (weights or RiskWeights()).scale_points)), 1)
