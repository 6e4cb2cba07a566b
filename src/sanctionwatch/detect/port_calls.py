"""port_call: a stop inside a gazetteer port's radius, left only beyond radius + margin (GFW port visits).

A call is confined to one track segment (tracks.main_track): it ends at the first fix outside the port,
or - when the segment ends first (a silence > track.max_silence_h) - at its last fix inside (evidence
`left_seen: false`: a later call at the same port may be the same stay). A stay is as long as the
observations show, never longer.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, new_segment, point_rows, runs, sample_idx, segment_ids
from sanctionwatch.detect.near import lookup
from sanctionwatch.detect.params import PortCallParams

HOUR_MS = 3_600_000


def port_calls(track: pl.DataFrame, ports: pl.DataFrame, params: PortCallParams = PortCallParams(),
               sanctioned_countries: tuple[str, ...] = ("KP",), data_end_ms: int | None = None) -> list[dict]:
    """Port-call events from main-track fixes (sorted by mmsi, t, with `spd`) of one or many vessels.

    A stop still in progress when the data ends (last fix within min_duration_h of `data_end_ms`) is kept
    whatever its length so far: its duration is unknown, not short (evidence `open_ended`).
    """
    if track.height == 0:
        return []
    best, dist = lookup(track["lat"].to_numpy(), track["lon"].to_numpy(), ports, "margin", params.exit_margin_km)
    radius = ports["radius_km"].to_numpy()
    inside = (best >= 0) & (dist <= radius[np.where(best >= 0, best, 0)])
    mmsi, t = track["mmsi"].to_numpy(), track["t"].to_numpy()
    spd = track["spd"].fill_null(np.inf).to_numpy()
    seg = segment_ids(track)
    brk = new_segment(seg)
    brk[1:] |= best[1:] != best[:-1]
    starts, stops = runs(best >= 0, brk)
    keep, spans = [], []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        ins = np.flatnonzero(inside[a:b])
        if ins.size == 0:
            continue
        s = a + int(ins[0])
        seen_leaving = b < t.size and seg[b] == seg[a]  # next fix (outside) in the same segment
        end = int(t[b]) if seen_leaving else int(t[b - 1]) + 1000
        vessel_last = not (b < t.size and mmsi[b] == mmsi[a])
        cut = vessel_last and data_end_ms is not None and data_end_ms - t[b - 1] < params.min_duration_h * HOUR_MS
        if ((end - t[s]) < params.min_duration_h * HOUR_MS and not cut) or spd[s:b].min() > params.max_stop_speed_kn:
            continue
        keep.append((s, b, end, cut, seen_leaving))
        spans.append(sample_idx(s, b))
    pts = point_rows(track, spans)
    out = []
    for (s, b, end, cut, left), ev in zip(keep, pts, strict=True):
        p = ports.row(int(best[s]), named=True)
        sanctioned = p["country"] in sanctioned_countries
        out.append(event(
            "port_call", int(mmsi[s]), int(t[s]), end, lat=p["lat"], lon=p["lon"], port=p["name"],
            locode=p["locode"], country=p["country"], confidence=0.9 if b - s >= 3 else 0.7,
            rule=f"entered within {p['radius_km']} km of port {p['port_id']}, stopped (<= {params.max_stop_speed_kn} kn),"
                 f" left beyond {p['radius_km'] + params.exit_margin_km} km",
            port_id=p["port_id"], sanctioned_port=sanctioned, n_positions=b - s, open_ended=bool(cut),
            left_seen=bool(left),
            min_speed_kn=round(float(spd[s:b].min()), 2), positions=ev,
            thresholds={"radius_km": p["radius_km"], "exit_margin_km": params.exit_margin_km,
                        "min_duration_h": params.min_duration_h, "max_stop_speed_kn": params.max_stop_speed_kn}))
    return out
