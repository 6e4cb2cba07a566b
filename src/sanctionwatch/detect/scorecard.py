"""Scorecard: detector events vs simulator labels (labels.jsonl), per event type precision and recall.

Matching rule (docs/detectors.md): an event matches a label of the same type when they share a vessel
(encounters: the same unordered pair; single-vessel types: any MMSI the labelled hull used, since a
hull that changed MMSI is still the same vessel) and their intervals overlap ([start, end) half-open; a label
without an end is open to the end of data). Labels with `control: true` are honest look-alikes: an event
matching only controls is a false positive. Labels with `observable: false` (nothing visible in AIS) are
left out of recall, and events matching them are not counted against precision; likewise a loitering
event of a vessel whose labelled encounter partner was dark (GFW: loitering is a potential encounter
with an unseen partner).

Per-regime scorecard (`evaluate`, `aggregate`, `table`): the same scenario simulated under each coverage
regime (simulate.params.REGIMES), ingested and detected, scored per detector type; `gap_dark` scores only
gap events claimed dark (`evidence.dark`) against the transponder-off labels, with honest silences
(berth silences, coverage holes, Class B) as controls. Runs are meant for held-out seeds and presets.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import polars as pl

DARK = "gap_dark"


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


def _matches(e: dict, lab: dict, hulls: dict[str, set[int]] | None = None, tol_ms: float = 0.0) -> bool:
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
    return (_ms(e["start"], 0) < _ms(lab["end"], float("inf")) + tol_ms
            and _ms(lab["start"], 0) - tol_ms < _ms(e["end"], float("inf")))


def score(events: pl.DataFrame, labels: list[dict], types: tuple[str, ...] | None = None,
          tolerance_s: float = 0.0) -> dict[str, dict]:
    """Per type: tp/fp/fn, precision, recall, controls flagged, and the unmatched items (for debugging).

    `tolerance_s` widens every label interval on both sides (receiver clock error of noisy regimes: the event
    times are the receivers', the label times the transmitter's)."""
    tol = tolerance_s * 1000
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
            hit = [lab for lab in pos if _matches(e, lab, hulls, tol)]
            if t == "loitering" and not hit:  # the visible half of an encounter whose partner was dark
                hit = [lab for lab in labels if lab["type"] == "encounter" and not lab["control"]
                       and not lab["observable"] and _matches({**e, "type": "encounter", "other_mmsi": None},
                                                              {**lab, "other_mmsi": None}, None, tol)]
            if any(lab["observable"] for lab in hit):
                tp += 1
            elif hit:
                ignored += 1
            else:
                fp += 1
                fps.append(e)
                controls_flagged += [lab["id"] for lab in ctl if _matches(e, lab, hulls, tol)]
        want = [lab for lab in pos if lab["observable"]]
        missed = [lab for lab in want if not any(_matches(e, lab, hulls, tol) for e in evs)]
        out[t] = {"events": len(evs), "labels": len(want), "tp": tp, "fp": fp, "fn": len(missed),
                  "ignored_unobservable": ignored,
                  "precision": tp / (tp + fp) if tp + fp else 1.0,
                  "recall": (len(want) - len(missed)) / len(want) if want else 1.0,
                  "controls": len(ctl), "controls_flagged": sorted(set(controls_flagged)),
                  "false_positives": fps, "missed": missed}
    return out


def with_dark_gaps(events: pl.DataFrame, labels: list[dict]) -> tuple[pl.DataFrame, list[dict]]:
    """Add the `gap_dark` type: gap events whose evidence says `dark: true`, and copies of every gap label."""
    if "evidence" in events.columns and events.height:
        dark = events.filter((pl.col("type") == "gap")
                             & pl.col("evidence").map_elements(lambda e: bool(json.loads(e or "{}").get("dark")),
                                                                return_dtype=pl.Boolean))
        events = pl.concat([events, dark.with_columns(pl.lit(DARK).alias("type"))], how="vertical_relaxed")
    return events, labels + [{**lab, "type": DARK} for lab in labels if lab["type"] == "gap"]


def evaluate(preset: str, seed: int, regime: str, workdir: str | Path, *, days: float | None = None,
             vessels: int | None = None, keep: bool = False) -> dict:
    """Simulate `preset` under `regime`, ingest the NMEA, detect, and score. Returns the run's card with
    `preset`, `seed`, `regime`, `summary` and per type `score` (including `gap_dark`)."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines.embedded import run
    from sanctionwatch.simulate import run as simulate
    from sanctionwatch.simulate.params import NoisyParams
    from sanctionwatch.store import Store, connect

    d = Path(workdir) / f"{preset}-{regime}-{seed}"
    shutil.rmtree(d, ignore_errors=True)
    summary = simulate(preset, d, seed=seed, days=days, vessels=vessels, csv=False, regime=regime)
    st = Store(d / "store")
    ingest(st, [str(d / "traffic.nmea")])
    run(st)
    ev = pl.from_arrow(connect(st).sql("SELECT * FROM events").arrow())
    ev, labels = with_dark_gaps(ev, load_labels(d / "labels.jsonl"))
    tol = NoisyParams().clock_error_s if regime.endswith("-noisy") else 0.0
    card = {"preset": preset, "seed": seed, "regime": regime, "summary": summary,
            "score": score(ev, labels, tolerance_s=tol)}
    if not keep:
        shutil.rmtree(d, ignore_errors=True)
    return card


def aggregate(cards: list[dict]) -> dict[str, dict[str, dict]]:
    """Sum cards per regime and type: tp, fp, found, labels, precision, recall, controls flagged."""
    out: dict[str, dict[str, dict]] = {}
    for c in cards:
        per = out.setdefault(c["regime"], {})
        for t, x in c["score"].items():
            a = per.setdefault(t, {"tp": 0, "fp": 0, "found": 0, "labels": 0, "controls_flagged": 0})
            a["tp"] += x["tp"]
            a["fp"] += x["fp"]
            a["found"] += x["labels"] - x["fn"]
            a["labels"] += x["labels"]
            a["controls_flagged"] += len(x["controls_flagged"])
    for per in out.values():
        for a in per.values():
            a["precision"] = a["tp"] / (a["tp"] + a["fp"]) if a["tp"] + a["fp"] else None
            a["recall"] = a["found"] / a["labels"] if a["labels"] else None
    return out


def _cell(a: dict | None) -> str:
    if a is None:
        return "-"
    p = "n/a" if a["precision"] is None else f"{a['precision']:.2f}"
    r = "n/a" if a["recall"] is None else f"{a['recall']:.2f}"
    return f"{p} / {r} ({a['tp']}+{a['fp']}fp, {a['found']}/{a['labels']})"


def table(agg: dict[str, dict[str, dict]], regimes: tuple[str, ...] | None = None) -> str:
    """Markdown table: one row per detector type, one column per regime, 'precision / recall (tp+fp, found/labels)'."""
    regimes = regimes or tuple(agg)
    types = sorted({t for r in regimes for t in agg.get(r, {})})
    lines = ["| type | " + " | ".join(regimes) + " |", "|---|" + "---|" * len(regimes)]
    for t in types:
        lines.append(f"| `{t}` | " + " | ".join(_cell(agg.get(r, {}).get(t)) for r in regimes) + " |")
    return "\n".join(lines)


def failures(cards: list[dict], types: tuple[str, ...] | None = None) -> list[str]:
    """One line per false positive and per missed label: run, type, mmsi, times, what the detector said/missed."""
    out = []
    for c in cards:
        run_id = f"{c['preset']} seed {c['seed']} {c['regime']}"
        for t, x in sorted(c["score"].items()):
            if types and t not in types:
                continue
            for e in x["false_positives"]:
                ev = e.get("evidence")
                rule = (json.loads(ev).get("rule") if isinstance(ev, str) and ev else None) or ""
                out.append(f"{run_id} | {t} | FP | mmsi {e['mmsi']} other {e.get('other_mmsi')} | "
                           f"{e['start']} -> {e['end']} | {rule[:220]}")
            for lab in x["missed"]:
                out.append(f"{run_id} | {t} | MISSED | mmsi {lab['mmsi']} other {lab.get('other_mmsi')} | "
                           f"{lab['start']} -> {lab['end']} | {lab['notes'][:160]} | seen {lab.get('seen')}")
    return out
