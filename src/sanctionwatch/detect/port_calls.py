"""port_call: a stop inside a gazetteer port's radius, left only beyond radius + margin (GFW port visits).

A call is confined to one track segment (tracks.main_track): it ends at the first fix outside the port,
or - when the segment ends first (a silence > track.max_silence_h) - at its last fix inside (evidence
`left_seen: false`: a later call at the same port may be the same stay). A stay is as long as the
observations show, never longer.

Calls are also found on the MMSI's other track segments (`secondary_tracks`: fixes the track builder could not
join to the main track - a second hull on the same MMSI, or the real track beside a spoofed one): a hull
that stayed in port is a call whichever of the two identities' tracks won the main-track vote (evidence
`on_main_track: false`; dropped when it overlaps a main-track call at the same port).

Short stops: a call must last `min_duration_h`, except one seen arriving (a fix outside before it in the
same segment) and never seen leaving, with >= `min_open_positions` fixes inside - its length is unknown, not
short. A ship at the berth at its first and last fix (a file shorter than a call) shows presence only.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, new_segment, point_rows, runs, sample_idx, segment_ids
from sanctionwatch.detect.near import lookup
from sanctionwatch.detect.params import PortCallParams

HOUR_MS = 3_600_000


def port_calls(track: pl.DataFrame, ports: pl.DataFrame, params: PortCallParams = PortCallParams(),
               sanctioned_countries: tuple[str, ...] = ("KP",), data_end_ms: int | None = None,
               fixes: pl.DataFrame | None = None, max_silence_h: float = 24.0) -> list[dict]:
    """Port-call events from main-track fixes (sorted by mmsi, t, with `spd`) of one or many vessels, plus,
    given all `fixes` (tracks.build_tracks), calls on their off-track segments (`secondary_tracks`)."""
    main = _calls(track, ports, params, sanctioned_countries, data_end_ms, True)
    if fixes is None:
        return main
    sec = _calls(secondary_tracks(fixes, max_silence_h), ports, params, sanctioned_countries, data_end_ms, False)
    by: dict[tuple, list[dict]] = {}
    for c in main:
        by.setdefault((c["mmsi"], c["port"]), []).append(c)
    return main + [c for c in sec if not any(c["start"] < m["end"] and m["start"] < c["end"]
                                             for m in by.get((c["mmsi"], c["port"]), []))]


def secondary_tracks(fixes: pl.DataFrame, max_silence_h: float) -> pl.DataFrame:
    """Off-track fixes as tracks: sorted by (mmsi, seg, t), `segment` per track segment and silence
    > max_silence_h (as tracks.main_track), `spd` = SOG, else the implied speed within the segment."""
    off = fixes.filter(~pl.col("on_track")).sort(["mmsi", "seg", "t"])
    if off.height == 0:
        return off.with_columns(pl.lit(None, pl.Float64).alias("spd"), pl.lit(0, pl.Int64).alias("segment"))
    m, sg, t = off["mmsi"].to_numpy(), off["seg"].to_numpy(), off["t"].to_numpy()
    brk = np.ones(off.height, bool)
    brk[1:] = (m[1:] != m[:-1]) | (sg[1:] != sg[:-1]) | (np.diff(t) > max_silence_h * HOUR_MS)
    lat, lon = off["lat"].to_numpy(), off["lon"].to_numpy()
    v = np.full(off.height, np.nan)
    if off.height > 1:
        from sanctionwatch.geo.distance import haversine_km

        dt_h = np.diff(t) / HOUR_MS
        with np.errstate(divide="ignore", invalid="ignore"):
            v[1:] = np.where(dt_h > 0, haversine_km(lat[:-1], lon[:-1], lat[1:], lon[1:]) / dt_h / 1.852, np.nan)
    v[brk] = np.nan
    return off.with_columns(pl.coalesce(pl.col("sog").cast(pl.Float64), pl.Series(v, nan_to_null=True)).alias("spd"),
                            pl.Series("segment", np.cumsum(brk) - 1, dtype=pl.Int64))


def _calls(track: pl.DataFrame, ports: pl.DataFrame, params: PortCallParams, sanctioned_countries: tuple[str, ...],
           data_end_ms: int | None, on_main: bool) -> list[dict]:
    """Port calls of one table of tracks (main or secondary), sorted by mmsi, segment, t.

    A call lasts from its first fix inside to the first fix outside (or, unseen leaving, its last fix inside)
    and must last min_duration_h - except a stop seen arriving (a fix before it, outside, in the same segment)
    and never seen leaving, with >= min_open_positions fixes inside: its length is unknown, not short
    (evidence `left_seen: false`, `arrival_seen: true`). `open_ended`: the vessel's last fix, within
    min_duration_h of `data_end_ms` (still in port when the data ends).
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
        arrived = a > 0 and seg[a - 1] == seg[a]  # a fix before, outside this port, in the same segment
        end = int(t[b]) if seen_leaving else int(t[b - 1]) + 1000
        vessel_last = not (b < t.size and mmsi[b] == mmsi[a])
        cut = vessel_last and data_end_ms is not None and data_end_ms - t[b - 1] < params.min_duration_h * HOUR_MS
        # seen arriving and stopping, never seen leaving (the track ends in port): the stay's length is unknown,
        # not short. Seen neither arriving nor leaving (a file that starts and ends while the ship is at the
        # berth) shows no call, only presence.
        unfinished = arrived and not seen_leaving and b - s >= params.min_open_positions
        if ((end - t[s]) < params.min_duration_h * HOUR_MS and not unfinished) \
                or spd[s:b].min() > params.max_stop_speed_kn:
            continue
        keep.append((s, b, end, cut, seen_leaving, arrived))
        spans.append(sample_idx(s, b))
    pts = point_rows(track, spans)
    out = []
    for (s, b, end, cut, left, arrived), ev in zip(keep, pts, strict=True):
        p = ports.row(int(best[s]), named=True)
        sanctioned = p["country"] in sanctioned_countries
        out.append(event(
            "port_call", int(mmsi[s]), int(t[s]), end, lat=p["lat"], lon=p["lon"], port=p["name"],
            locode=p["locode"], country=p["country"], confidence=0.9 if b - s >= 3 else 0.7,
            rule=f"entered within {p['radius_km']} km of port {p['port_id']}, stopped (<= {params.max_stop_speed_kn} kn),"
                 + (f" left beyond {p['radius_km'] + params.exit_margin_km} km" if left else
                    " not seen leaving (its track ends in port: length unknown, at least as observed)")
                 + ("" if on_main else "; on a secondary track of this MMSI (another transmitter, see spoofing)"),
            port_id=p["port_id"], sanctioned_port=sanctioned, n_positions=b - s, open_ended=bool(cut),
            left_seen=bool(left), on_main_track=on_main, arrival_seen=bool(arrived), observed_h=round((t[b - 1] - t[s]) / HOUR_MS, 2),
            min_speed_kn=round(float(spd[s:b].min()), 2), positions=ev,
            thresholds={"radius_km": p["radius_km"], "exit_margin_km": params.exit_margin_km,
                        "min_duration_h": params.min_duration_h, "max_stop_speed_kn": params.max_stop_speed_kn}))
    return out
