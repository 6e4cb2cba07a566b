"""One call from MRT files to the upstream analysis of a target: transitions, timeline, peers, changes, events."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa

from sanctionwatch.network.asinfo import Target
from sanctionwatch.network.changes import Change, detect_changes
from sanctionwatch.network.params import DEFAULT_PARAMS, BgpParams
from sanctionwatch.network.upstreams import Selection, peer_view, select_routes, timeline, track
from sanctionwatch.store.events import event_id, events_table, evidence_json


@dataclass
class Analysis:
    """Everything `bgp upstreams` shows, each part traceable to MRT rows."""

    target: Target
    selection: Selection
    transitions: pl.DataFrame
    timeline: pl.DataFrame
    peers: pl.DataFrame
    changes: list[Change]
    names: dict[int, str]
    params: BgpParams
    baseline_end: datetime | None = None  # set when no RIB was given (updates-only warm-up)


def analyze(files: Sequence[str | Path], target: Target, names: dict[int, str] | None = None,
            params: BgpParams = DEFAULT_PARAMS, per_prefix: bool = False) -> Analysis:
    """Parse, track upstream state, and detect changes (whole target; each prefix too when `per_prefix`)."""
    names = names or {}
    sel = select_routes(files, target, params)
    tr = track(sel.routes)
    tl = timeline(tr, per_prefix=per_prefix)
    end = sel.end or datetime.fromtimestamp(0).astimezone()
    has_rib = sel.routes.height > 0 and (sel.routes["kind"] == "B").any()
    baseline_end = None if has_rib or sel.start is None else sel.start + timedelta(seconds=params.warmup_s)
    changes = detect_changes(tl, tr, end, names, params, baseline_end) if tl.height else []
    return Analysis(target, sel, tr, tl, peer_view(tr), changes, names, params, baseline_end)


def summary_rows(an: Analysis) -> list[dict]:
    """Per upstream of the whole target: name, first/last seen, peers, prefixes, share at end and max share."""
    tl = an.timeline.filter(pl.col("scope") == "*")
    if not tl.height:
        return []
    last_t = tl["time"].max()
    rows = []
    for (u,), g in tl.sort("time").group_by(["upstream"], maintain_order=True):
        seen = g.filter(pl.col("paths") > 0)
        via = an.transitions.filter(pl.col("upstream") == u)
        end_share = g.filter(pl.col("time") == last_t)["share"]
        rows.append({
            "upstream": f"AS{u}", "name": an.names.get(u, "direct" if u == 0 else ""),
            "first_seen": seen["time"].min(), "last_change": g["time"].max(),
            "peers": via.select(pl.struct("peer_ip", "peer_as").n_unique()).item(),
            "prefixes": via["prefix"].n_unique(),
            "share_at_end": round(float(end_share[0]) if len(end_share) else 0.0, 4),
            "max_share": round(float(g["share"].max() or 0.0), 4),
        })
    return sorted(rows, key=lambda r: (-r["max_share"], r["upstream"]))


def events_of(an: Analysis) -> pa.Table:
    """The changes as rows of the one events table (type routing_change, subject = target or prefix)."""
    baseline = ("RIB dump: upstreams in the first observation are baseline" if an.baseline_end is None else
                f"no RIB for the target: upstreams first seen before {an.baseline_end.isoformat()} are baseline")
    rows = []
    for c in an.changes:
        subject = an.target.label if c.scope == "*" else c.scope
        key = f"{subject}|{c.change}|AS{c.upstream}" if c.upstream is not None else f"{subject}|{c.change}"
        rows.append({
            "event_id": event_id("routing_change", c.start, subject=key),
            "type": "routing_change", "start": c.start, "end": c.end, "country": an.target.country,
            "confidence": c.confidence, "subject": subject,
            "evidence": evidence_json(change=c.change, target=an.target.label, **c.evidence, baseline=baseline,
                                      rule=_RULES[c.change], params=an.params.as_dict(),
                                      inputs=[r.file for r in an.selection.reports]),
        })
    return events_table(rows)


_RULES = {
    "upstream_appeared": "AS before the origin in collector AS paths is new for this scope (absent >= min_absence_s "
                         "before, and not part of the first observation)",
    "upstream_disappeared": "no collector path via this upstream for >= min_absence_s while other routes remain",
    "outage": "every route of this scope withdrawn for >= min_outage_s",
}
