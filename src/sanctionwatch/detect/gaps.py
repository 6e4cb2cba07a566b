"""gap: >= min_gap_h without a report, rated by reception evidence before it and by neighbours still received.

A gap where other vessels nearby kept being received (`coverage`) is stronger evidence of a transponder
switched off than one in a coverage hole; both are reported, with confidence and the counts behind it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, new_vessel, point_rows
from sanctionwatch.detect.params import GapParams

HOUR_MS = 3_600_000


def coverage_table(positions: pl.DataFrame, params: GapParams = GapParams()) -> pl.DataFrame:
    """Distinct (cell, hour, vessel) receptions: the reception map gaps are judged against."""
    c = params.coverage_cell_deg
    return (positions.lazy().select(
        (pl.col("lat") / c).floor().cast(pl.Int32).alias("cy"), (pl.col("lon") / c).floor().cast(pl.Int32).alias("cx"),
        (pl.col("t") // HOUR_MS).alias("h"), "mmsi").unique().collect())


def gaps(track: pl.DataFrame, params: GapParams = GapParams(), data_end_ms: int | None = None) -> list[dict]:
    """Gap candidates (coverage not yet applied) from main-track fixes sorted by (mmsi, t)."""
    if track.height == 0:
        return []
    mmsi, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    first = new_vessel(mmsi)
    dt = np.r_[0, np.diff(t)]
    gmin = params.min_gap_h * HOUR_MS
    idx = np.flatnonzero(~first & (dt >= gmin))  # i: first fix after the gap, i-1: last before
    # positions in the lookback window before each gap, same vessel: search a key that is monotonic over the
    # whole table (vessel number, then time), all in int64
    vidx = np.cumsum(first) - 1
    t_rel = t - t.min()
    key = (vidx << 42) + t_rel
    look = int(params.lookback_h * HOUR_MS)
    vstart = np.flatnonzero(first)[vidx]

    def n_before(i: np.ndarray) -> np.ndarray:
        """Fixes in [t_i - lookback, t_i] of the same vessel, for row indices i."""
        lo = np.searchsorted(key, (vidx[i] << 42) + np.maximum(t_rel[i] - look, 0), side="left")
        return i + 1 - np.maximum(lo, vstart[i])

    before = n_before(idx - 1) if idx.size else idx
    cands = [(int(i - 1), int(i), int(t[i]), int(nb)) for i, nb in zip(idx.tolist(), np.atleast_1d(before).tolist(),
                                                                          strict=True)]
    if data_end_ms is not None:  # silent until the end of the feed: went dark and never came back
        last = np.flatnonzero(np.r_[first[1:], True])
        last = last[data_end_ms - t[last] >= gmin]
        cands += [(int(j), -1, int(data_end_ms), int(nb)) for j, nb in zip(last.tolist(), n_before(last).tolist(),
                                                                            strict=True)]
    pts = point_rows(track, [[a] + ([b] if b >= 0 else []) for a, b, _, _ in cands])
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    out = []
    for (a, b, end, nb), ev in zip(cands, pts, strict=True):
        hours = (end - t[a]) / HOUR_MS
        moved = None
        if b >= 0:
            from sanctionwatch.geo.distance import haversine_km

            moved = round(float(haversine_km(lat[a], lon[a], lat[b], lon[b])), 2)
        out.append(event("gap", int(mmsi[a]), int(t[a]), end, lat=lat[a], lon=lon[a], confidence=0.5,
                         rule=f"no report for {hours:.1f} h (>= {params.min_gap_h} h)",
                         hours=round(hours, 2), positions_before=nb, open_ended=b < 0, moved_km=moved,
                         positions=ev, thresholds={"min_gap_h": params.min_gap_h, "lookback_h": params.lookback_h,
                                                   "min_positions_before": params.min_positions_before}))
    return out


def rate_gaps(events: list[dict], coverage: pl.DataFrame, params: GapParams = GapParams()) -> list[dict]:
    """Set gap confidence from reception before the gap and others received nearby during it; returns the kept
    gaps (open-ended ones only where others were still received: otherwise the feed may simply have ended)."""
    if not events:
        return events
    import json

    c = params.coverage_cell_deg
    ks, hs, meta = [], [], []
    for k, e in enumerate(events):
        h0, h1 = int(e["start"].timestamp() * 1000) // HOUR_MS + 1, int(e["end"].timestamp() * 1000) // HOUR_MS
        hrs = np.arange(h0, max(h0, h1))
        if hrs.size > params.coverage_max_hours:
            hrs = np.linspace(h0, h1 - 1, params.coverage_max_hours).round().astype(np.int64)
        ks.append(np.full(hrs.size, k))
        hs.append(hrs)
        meta.append((k, int(np.floor(e["lat"] / c)), int(np.floor(e["lon"] / c)), e["mmsi"], hrs.size))
    ev_df = pl.DataFrame(meta, schema={"k": pl.Int64, "cy0": pl.Int32, "cx0": pl.Int32, "own": pl.Int32,
                                       "n_h": pl.Int64}, orient="row")
    offs = pl.DataFrame({"dy": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dx": [-1, 0, 1] * 3},
                        schema={"dy": pl.Int32, "dx": pl.Int32})
    q = (pl.DataFrame({"k": np.concatenate(ks), "h": np.concatenate(hs).astype(np.int64)})
         .join(ev_df, on="k").join(offs, how="cross")
         .with_columns((pl.col("cy0") + pl.col("dy")).alias("cy"), (pl.col("cx0") + pl.col("dx")).alias("cx")))
    hit = (q.join(coverage, on=["cy", "cx", "h"], how="inner").filter(pl.col("mmsi") != pl.col("own"))
           .group_by("k").agg(pl.col("h").n_unique().alias("hours_seen"), pl.col("mmsi").n_unique().alias("others")))
    by_k = {r["k"]: r for r in hit.iter_rows(named=True)}
    kept = []
    for k, e in enumerate(events):
        r = by_k.get(k)
        n_h = max(1, meta[k][4])
        frac = (r["hours_seen"] / n_h) if r else 0.0
        ev = json.loads(e["evidence"])
        strong_before = ev["positions_before"] >= params.min_positions_before
        conf = 0.4 + (0.25 if strong_before else 0.0) + 0.35 * frac
        ev["coverage"] = {"hours_sampled": n_h, "hours_with_others_received": (r or {}).get("hours_seen", 0),
                          "other_vessels_received": (r or {}).get("others", 0),
                          "cells": f"3x3 cells of {c} deg around the last fix"}
        ev["reading"] = ("others were received nearby during the gap: transponder likely off" if frac >= 0.5 else
                         "little or no reception of other vessels nearby: possibly a coverage hole")
        from sanctionwatch.store.events import evidence_json

        e["evidence"] = evidence_json(**ev)
        e["confidence"] = round(conf, 3)
        if not ev["open_ended"] or (frac >= params.open_ended_min_coverage
                                    and ev["hours"] >= params.open_ended_min_h):
            kept.append(e)
    return kept
