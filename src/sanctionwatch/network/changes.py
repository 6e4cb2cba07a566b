"""Routing-change events from the upstream timeline: an upstream appears, one disappears, or everything goes (outage).

Per scope (the whole target, or one prefix) the upstream's presence intervals are built from the route counts;
absences shorter than `min_absence_s` are merged (path exploration, not a change). The upstreams present at the
scope's first observation are its baseline, not an appearance. An upstream ending when all routes end is part of
the outage event, and one that returns with the routes after an outage is a restoration, not a new upstream.
Each event carries its evidence: the MRT rows (file:record, peer, prefix, AS path) and shares before/after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from sanctionwatch.network.params import DEFAULT_PARAMS, BgpParams


@dataclass(frozen=True)
class Change:
    """One detected change; `evidence` is JSON-ready."""

    change: str            # upstream_appeared | upstream_disappeared | outage
    scope: str             # '*' = whole target, else the prefix
    upstream: int | None   # null for outages
    start: datetime
    end: datetime          # half-open [start, end): until the reverse change or the end of the data
    confidence: float
    evidence: dict


def _intervals(times: list[datetime], present: list[bool], gap: timedelta) -> list[list[datetime | None]]:
    """[start, end) runs where `present`, end None = still present at the end; gaps shorter than `gap` merged."""
    runs: list[list[datetime | None]] = []
    for t, p in zip(times, present, strict=True):
        if p and (not runs or runs[-1][1] is not None):
            if runs and runs[-1][1] is not None and t - runs[-1][1] < gap:  # type: ignore[operator]
                runs[-1][1] = None
            else:
                runs.append([t, None])
        elif not p and runs and runs[-1][1] is None:
            runs[-1][1] = t
    return runs


def _rows(transitions: pl.DataFrame, scope: str, t: datetime, expr: pl.Expr, n: int) -> list[dict]:
    df = transitions.filter((pl.col("time") == t) & expr)
    if scope != "*":
        df = df.filter(pl.col("prefix") == scope)
    return [
        {"source": f"{r['file']}#record={r['record']}", "time": r["time"].isoformat(), "kind": r["kind"],
         "peer": f"{r['peer_ip']} AS{r['peer_as']}", "prefix": r["prefix"], "as_path": r["as_path"]}
        for r in df.head(n).iter_rows(named=True)
    ]


def detect_changes(timeline: pl.DataFrame, transitions: pl.DataFrame, data_end: datetime,
                   names: dict[int, str] | None = None, params: BgpParams = DEFAULT_PARAMS,
                   baseline_end: datetime | None = None) -> list[Change]:
    """Appearance, disappearance and outage changes for every scope in `timeline`.

    `baseline_end`: without a RIB, upstreams first seen before this time are baseline (see BgpParams.warmup_s)."""
    names = names or {}
    out: list[Change] = []
    gap_up = timedelta(seconds=params.min_absence_s)
    gap_all = timedelta(seconds=params.min_outage_s)
    for (scope,), tl in timeline.sort("time").group_by(["scope"], maintain_order=True):
        wide = tl.pivot(on="upstream", index="time", values="paths").sort("time").fill_null(0)
        times: list[datetime] = wide["time"].to_list()
        ups = [int(c) for c in wide.columns if c != "time"]
        totals = tl.group_by("time", maintain_order=True).agg(pl.col("total").first()).sort("time")
        total_runs = _intervals(totals["time"].to_list(), [x > 0 for x in totals["total"].to_list()], gap_all)
        outage_starts = {r[1] for r in total_runs if r[1] is not None}
        restores = {r[0] for r in total_runs[1:]}
        baseline = times[0] if baseline_end is None else max(times[0], baseline_end)
        scope_peers = transitions if scope == "*" else transitions.filter(pl.col("prefix") == scope)
        n_peers = max(1, scope_peers.select(pl.struct("peer_ip", "peer_as").n_unique()).item())

        def shares(t: datetime, tl: pl.DataFrame = tl) -> dict[str, float]:
            snap = tl.filter(pl.col("time") == t)
            return {f"AS{u}": round(s, 4) for u, s in zip(snap["upstream"], snap["share"], strict=True) if s > 0}

        def before(t: datetime, tl: pl.DataFrame = tl) -> dict[str, float]:
            prev = tl.filter(pl.col("time") < t)
            return shares(prev["time"].max()) if prev.height else {}

        for u in ups:
            col = wide[str(u)].to_list()
            runs = _intervals(times, [c > 0 for c in col], gap_up)
            label = {"upstream": f"AS{u}", "upstream_name": names.get(u, "direct (peer is the origin)" if u == 0
                                                                     else "unknown")}
            for i, (a, b) in enumerate(runs):
                assert a is not None
                end = b if b is not None else data_end
                restored_same = a in restores and i > 0 and runs[i - 1][1] in outage_starts
                if a > baseline and not restored_same:
                    during = tl.filter((pl.col("time") >= a) & (pl.col("time") < end) & (pl.col("upstream") == u))
                    via = scope_peers.filter((pl.col("upstream") == u) & (pl.col("time") >= a) & (pl.col("time") < end))
                    peers = sorted({f"{ip} AS{asn}" for ip, asn in via.select(["peer_ip", "peer_as"]).iter_rows()})
                    out.append(Change("upstream_appeared", scope, u, a, end, round(len(peers) / n_peers, 4), {
                        **label, "scope": scope, "shares_before": before(a), "shares_after": shares(a),
                        "max_share": round(float(during["share"].max() or 0.0), 4),
                        "peers_seeing": len(peers), "peers_in_scope": n_peers, "peers": peers[:20],
                        "prefixes": sorted(set(via["prefix"].to_list())),
                        "rows": _rows(transitions, scope, a, pl.col("upstream") == u, params.max_evidence_rows),
                    }))
                if b is not None and b not in outage_starts:
                    nxt = runs[i + 1][0] if i + 1 < len(runs) else None
                    out.append(Change("upstream_disappeared", scope, u, b, nxt or data_end, 1.0, {
                        **label, "scope": scope, "shares_before": before(b), "shares_after": shares(b),
                        "returned": nxt.isoformat() if nxt else None,
                        "rows": _rows(transitions, scope, b, pl.col("prev_upstream") == u, params.max_evidence_rows),
                    }))
        for i, (_a, b) in enumerate(total_runs):
            if b is None:
                continue
            nxt = total_runs[i + 1][0] if i + 1 < len(total_runs) else None
            out.append(Change("outage", scope, None, b, nxt or data_end, 1.0, {
                "scope": scope, "shares_before": before(b), "restored": nxt.isoformat() if nxt else None,
                "lost_upstreams": sorted(before(b)),
                "rows": _rows(transitions, scope, b, pl.col("upstream").is_null(), params.max_evidence_rows),
            }))
    return sorted(out, key=lambda c: (c.start, c.scope != "*", c.scope, c.change, c.upstream or 0))
