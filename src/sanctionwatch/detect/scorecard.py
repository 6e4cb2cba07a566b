"""Scorecard: detector events vs simulator labels (labels.jsonl), per event type precision and recall.

Matching rule (docs/detectors.md): an event matches a label of the same type when they share a vessel
(encounters: the same unordered pair; single-vessel types: any MMSI the labelled hull used, since a
hull that changed MMSI is still the same vessel) and their intervals overlap ([start, end) half-open; a label
without an end is open to the end of data). Labels with `control: true` are honest look-alikes: an event
matching only controls is a false positive. Labels with `observable: false` (nothing visible in AIS) are
left out of recall, and events matching them are not counted against precision; likewise a loitering
event of a vessel whose labelled encounter partner was dark (GFW: loitering is a potential encounter
with an unseen partner).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl


def load_labels(path: str | Path) -> list[dict]:
    """Labels from a simulator labels.jsonl."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def _ms(x: datetime | str | None, default: float) -> float:
    if x is None:
        return default
    if isinstance(x, str):
        x = datetime.fromisoformat(x.replace("Z", "+00:00"))
    return x.timestamp() * 1000


def hull_mmsis(labels: list[dict]) -> dict[str, set[int]]:
    """MMSIs each simulated hull (label `vessel`) used: its labels' MMSIs plus new MMSIs of its identity changes."""
    out: dict[str, set[int]] = {}
    for lab in labels:
        s = out.setdefault(lab.get("vessel") or "", set())
        s.add(lab["mmsi"])
        if lab["type"] == "identity_change" and lab.get("other_mmsi"):
            s.add(lab["other_mmsi"])
    return out


def _matches(e: dict, lab: dict, hulls: dict[str, set[int]] | None = None) -> bool:
    if e["type"] != lab["type"]:
        return False
    ev = {e["mmsi"], e["other_mmsi"]} - {None}
    lv = {lab["mmsi"], lab.get("other_mmsi")} - {None}
    if hulls and e["type"] not in ("encounter", "identity_change", "spoofing"):
        lv |= hulls.get(lab.get("vessel") or "", set())
    if e["type"] == "encounter":
        if ev != lv:
            return False
    elif not ev & lv:
        return False
    return _ms(e["start"], 0) < _ms(lab["end"], float("inf")) and _ms(lab["start"], 0) < _ms(e["end"], float("inf"))


def score(events: pl.DataFrame, labels: list[dict], types: tuple[str, ...] | None = None) -> dict[str, dict]:
    """Per type: tp/fp/fn, precision, recall, controls flagged, and the unmatched items (for debugging)."""
    types = types or tuple(sorted({lab["type"] for lab in labels} | set(events["type"].unique().to_list())))
    out: dict[str, dict] = {}
    hulls = hull_mmsis(labels)
    for t in types:
        evs = events.filter(pl.col("type") == t).to_dicts()
        labs = [lab for lab in labels if lab["type"] == t]
        pos = [lab for lab in labs if not lab["control"]]
        ctl = [lab for lab in labs if lab["control"]]
        tp = fp = ignored = 0
        controls_flagged, fps = [], []
        for e in evs:
            hit = [lab for lab in pos if _matches(e, lab, hulls)]
            if t == "loitering" and not hit:  # the visible half of an encounter whose partner was dark
                hit = [lab for lab in labels if lab["type"] == "encounter" and not lab["control"]
                       and not lab["observable"] and _matches({**e, "type": "encounter", "other_mmsi": None},
                                                              {**lab, "other_mmsi": None}, None)]
            if any(lab["observable"] for lab in hit):
                tp += 1
            elif hit:
                ignored += 1
            else:
                fp += 1
                fps.append(e)
                controls_flagged += [lab["id"] for lab in ctl if _matches(e, lab, hulls)]
        want = [lab for lab in pos if lab["observable"]]
        missed = [lab for lab in want if not any(_matches(e, lab, hulls) for e in evs)]
        out[t] = {"events": len(evs), "labels": len(want), "tp": tp, "fp": fp, "fn": len(missed),
                  "ignored_unobservable": ignored,
                  "precision": tp / (tp + fp) if tp + fp else 1.0,
                  "recall": (len(want) - len(missed)) / len(want) if want else 1.0,
                  "controls": len(ctl), "controls_flagged": sorted(set(controls_flagged)),
                  "false_positives": fps, "missed": missed}
    return out
