"""Upstream (first-hop transit) of a target's routes, per collector peer and over time.

A route's upstream is the AS just before the origin in its AS path (prepending removed): for DPRK's
`... 4837 131279` that is China Unicom. Routes are streamed file by file and only the target's rows
are kept (vectorised filter per batch), so memory follows the target, not the full table.
State follows BGP semantics per (peer, prefix, path id): an announcement or RIB entry replaces the
route, a withdrawal removes it, and a peer session leaving Established drops all its routes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from sanctionwatch.network.asinfo import Target
from sanctionwatch.network.mrt import ROUTE_SCHEMA, ParseReport, iter_batches
from sanctionwatch.network.params import DEFAULT_PARAMS, BgpParams

ESTABLISHED = 6  # RFC 4271 FSM state number as written by RFC 6396 STATE_CHANGE


@dataclass
class Selection:
    """The target's route rows from all inputs (with file names), and one parse report per file."""

    routes: pl.DataFrame
    reports: list[ParseReport] = field(default_factory=list)
    start: datetime | None = None  # observation window over all parsed rows, not just the target's
    end: datetime | None = None


def _origin_expr() -> pl.Expr:
    return pl.col("as_path").str.extract(r"(\d+)$", 1).cast(pl.Int64, strict=False)


def select_routes(files: Sequence[str | Path], target: Target, params: BgpParams = DEFAULT_PARAMS) -> Selection:
    """Stream MRT files and keep the rows that concern `target` (plus all session-state rows)."""
    known: set[str] = set()
    covered: dict[str, bool] = {}
    parts: list[pl.DataFrame] = []
    reports: list[ParseReport] = []
    asns = list(target.asns)
    start: datetime | None = None
    end: datetime | None = None
    for i, f in enumerate(files):
        rep = ParseReport(str(f))
        reports.append(rep)
        for batch in iter_batches(f, rep, params):
            df = pl.from_arrow(pa.Table.from_batches([batch]))
            assert isinstance(df, pl.DataFrame)
            lo, hi = df["time"].min(), df["time"].max()
            start = lo if start is None or lo < start else start  # type: ignore[operator]
            end = hi if end is None or hi > end else end  # type: ignore[operator]
            is_route = pl.col("kind").is_in(["A", "B"])
            hit = is_route & _origin_expr().is_in(asns) if asns else pl.lit(False)
            if target.networks:
                for p in df.filter(is_route)["prefix"].unique().to_list():
                    if p not in covered:
                        covered[p] = target.covers(p)
                inside = [p for p, ok in covered.items() if ok]
                hit = hit | (is_route & pl.col("prefix").is_in(inside))
            new = df.filter(hit)["prefix"].unique().to_list()
            known.update(new)
            keep = df.filter(hit | (pl.col("kind") == "STATE") | ((pl.col("kind") == "W")
                                                                  & pl.col("prefix").is_in(list(known))))
            if keep.height:
                parts.append(keep.with_columns(pl.lit(str(f)).alias("file"), pl.lit(i).alias("file_index")))
    if parts:
        routes = pl.concat(parts, how="vertical")
    else:
        empty = pl.from_arrow(ROUTE_SCHEMA.empty_table())
        assert isinstance(empty, pl.DataFrame)
        routes = empty.with_columns(pl.lit("").alias("file"), pl.lit(0).alias("file_index")).clear()
    routes = routes.with_row_index("seq").sort(["time", "file_index", "seq"])
    return Selection(routes.drop("seq"), reports, start, end)


def upstream_of(as_path: str | None) -> int | None:
    """AS before the origin in a path with prepending removed; None for a one-AS path or a set origin."""
    if not as_path:
        return None
    toks = as_path.split()
    if not toks[-1].isdigit():
        return None
    dedup: list[str] = []
    for t in toks:
        if not dedup or dedup[-1] != t:
            dedup.append(t)
    if len(dedup) < 2 or not dedup[-2].isdigit():
        return None
    return int(dedup[-2])


TRANSITION_SCHEMA = {
    "time": pl.Datetime("us", "UTC"), "file": pl.String, "record": pl.Int64, "kind": pl.String,
    "peer_ip": pl.String, "peer_as": pl.Int64, "prefix": pl.String, "as_path": pl.String,
    "prev_upstream": pl.Int64, "upstream": pl.Int64,
}


def track(routes: pl.DataFrame) -> pl.DataFrame:
    """Replay the rows in time order; one transition row per (peer, prefix) whose upstream state changed.

    `upstream` is null when the route is gone; `prev_upstream` null when there was none. A route whose
    path has no upstream (the peer is the origin) is tracked with upstream 0 ('direct')."""
    state: dict[tuple[str, int, str, int | None], int] = {}
    out: list[tuple] = []
    cols = ["time", "file", "record", "kind", "peer_ip", "peer_as", "prefix", "path_id", "as_path",
            "new_state", "old_state"]
    for t, f, rec, kind, ip, asn, pfx, pid, path, new_st, old_st in routes.select(cols).iter_rows():
        if kind == "STATE":
            if old_st == ESTABLISHED and new_st != ESTABLISHED:
                for key in [k for k in state if k[0] == ip and k[1] == asn]:
                    out.append((t, f, rec, "STATE", ip, asn, key[2], None, state.pop(key), None))
            continue
        key = (ip, asn, pfx, pid)
        prev = state.get(key)
        if kind == "W":
            if prev is not None:
                del state[key]
                out.append((t, f, rec, kind, ip, asn, pfx, None, prev, None))
            continue
        up = upstream_of(path)
        up = 0 if up is None else up
        state[key] = up
        if prev != up:
            out.append((t, f, rec, kind, ip, asn, pfx, path, prev, up))
    return pl.DataFrame(out, schema=TRANSITION_SCHEMA, orient="row")


def timeline(transitions: pl.DataFrame, per_prefix: bool = False) -> pl.DataFrame:
    """Route counts per upstream after each change time: (scope, time, upstream, paths, total, share).

    scope is '*' (the whole target) or the prefix when `per_prefix`; share = paths / total routes in scope."""
    counts: dict[str, dict[int, int]] = {}
    rows: list[tuple] = []
    seen: dict[str, set[int]] = {}
    tr = transitions.select(["time", "prefix", "prev_upstream", "upstream"])
    for (t,), grp in tr.group_by(["time"], maintain_order=True):
        touched: set[str] = set()
        for _, pfx, prev, up in grp.iter_rows():
            for scope in ("*", pfx) if per_prefix else ("*",):
                c = counts.setdefault(scope, {})
                s = seen.setdefault(scope, set())
                if prev is not None:
                    c[prev] -= 1
                if up is not None:
                    c[up] = c.get(up, 0) + 1
                    s.add(up)
                touched.add(scope)
        for scope in sorted(touched):
            c = counts[scope]
            total = sum(c.values())
            for up in sorted(seen[scope]):
                n = c.get(up, 0)
                rows.append((scope, t, up, n, total, (n / total) if total else 0.0))
    return pl.DataFrame(rows, schema={"scope": pl.String, "time": pl.Datetime("us", "UTC"), "upstream": pl.Int64,
                                      "paths": pl.Int64, "total": pl.Int64, "share": pl.Float64}, orient="row")


def peer_view(transitions: pl.DataFrame) -> pl.DataFrame:
    """Per collector peer and upstream: first time seen, prefixes ever carried, prefixes still carried at the end."""
    tr = transitions.filter(pl.col("upstream").is_not_null())
    first = tr.group_by(["peer_ip", "peer_as", "upstream"]).agg(
        pl.col("time").min().alias("first_seen"), pl.col("prefix").n_unique().alias("prefixes"))
    final = (transitions.group_by(["peer_ip", "peer_as", "prefix"], maintain_order=True)
             .agg(pl.col("upstream").last()).filter(pl.col("upstream").is_not_null())
             .group_by(["peer_ip", "peer_as", "upstream"]).agg(pl.len().cast(pl.Int64).alias("prefixes_at_end")))
    return (first.join(final, on=["peer_ip", "peer_as", "upstream"], how="left")
            .with_columns(pl.col("prefixes_at_end").fill_null(0)).sort(["peer_as", "peer_ip", "first_seen"]))
