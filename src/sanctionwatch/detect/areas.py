"""sanctioned_area: entries into configured areas (runs of fixes inside), DPRK port calls named on the entry."""

from __future__ import annotations

import numpy as np
import polars as pl
import shapely

from sanctionwatch.detect.evidence import event, new_segment, point_rows, runs, sample_idx, segment_ids
from sanctionwatch.detect.params import AreaParams


def sanctioned_areas(track: pl.DataFrame, areas: pl.DataFrame, params: AreaParams = AreaParams(),
                     port_calls: list[dict] | None = None) -> list[dict]:
    """One event per entry (run of main-track fixes inside) into each configured area."""
    if track.height == 0:
        return []
    mmsi, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    seg = segment_ids(track)
    calls = [c for c in (port_calls or []) if c["country"] in params.port_countries]
    countries = dict(kv.split("=", 1) for kv in params.area_countries if "=" in kv)
    out = []
    for r in areas.filter(pl.col("area_id").is_in(list(params.area_ids))).iter_rows(named=True):
        geom = r["geometry"]
        x0, y0, x1, y1 = geom.bounds
        cand = np.flatnonzero((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        inside = np.zeros(t.size, bool)
        if cand.size:  # geometries come prepared from load_areas (never prepared here: threads share them)
            inside[cand] = shapely.intersects_xy(geom, lon[cand], lat[cand])
        starts, stops = runs(inside, new_segment(seg))  # a visit never runs across a segment break
        spans = [(a, b, int(t[b]) if b < t.size and seg[b] == seg[a] else int(t[b - 1]) + 1000)
                 for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]
        pts = point_rows(track, [sample_idx(a, b) for a, b, _ in spans])
        for (a, b, end), ev in zip(spans, pts, strict=True):
            m = int(mmsi[a])
            called = [c for c in calls if c["mmsi"] == m and c["start"].timestamp() * 1000 < end
                      and c["end"].timestamp() * 1000 > t[a]]
            c0 = called[0] if called else None
            out.append(event("sanctioned_area", m, int(t[a]), end, lat=lat[a], lon=lon[a],
                             port=c0["port"] if c0 else None, locode=c0["locode"] if c0 else None,
                             country=c0["country"] if c0 else countries.get(r["area_id"]),
                             confidence=0.95 if c0 else 0.85,
                             rule=f"{b - a} fixes inside area {r['area_id']} ({r['name']})"
                                  + (f"; port call at {c0['port']} ({c0['locode']})" if c0 else ""),
                             area_id=r["area_id"], area_name=r["name"], area_source=r["source"],
                             port_calls=[c["event_id"] for c in called], n_positions=b - a, positions=ev,
                             thresholds={"area_ids": list(params.area_ids),
                                         "port_countries": list(params.port_countries)}))
    return out
