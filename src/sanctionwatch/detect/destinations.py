"""destination_mismatch: the destination in force on arrival names a different port than the one reached.

A voyage runs from the end of one port call to the start of the next (same MMSI). Declarations that
resolve to no port ('FOR ORDERS') or only weakly are not compared. A vessel that declared a port and went
silent for >= went_dark_h until the end of the data without arriving is reported as 'never reached, went dark'.
"""

from __future__ import annotations

from itertools import pairwise

import polars as pl

from sanctionwatch.detect.evidence import event
from sanctionwatch.detect.params import DestinationParams


def resolved_declarations(reports: pl.DataFrame) -> pl.DataFrame:
    """Per report: t, mmsi, destination and its resolution (geo.destinations), `at` = file:line."""
    from sanctionwatch.geo.destinations import resolve_destinations

    r = reports.filter(pl.col("destination").is_not_null()).select(
        pl.col("ts").dt.epoch("ms").alias("t"), "mmsi", "destination",
        (pl.col("source").cast(pl.String) + ":" + pl.col("src_line").cast(pl.String)).alias("at")).sort("mmsi", "t")
    if r.height == 0:
        return r
    res = resolve_destinations(r["destination"].unique()).unique("raw")
    return r.join(res, left_on="destination", right_on="raw", how="left").sort("mmsi", "t")


def destination_mismatches(calls: list[dict], decl: pl.DataFrame, ports: pl.DataFrame, last_seen: dict[int, int],
                           data_end_ms: int | None, params: DestinationParams = DestinationParams()) -> list[dict]:
    """Mismatch events from port-call events and resolved declarations of the same vessels."""
    from sanctionwatch.geo.distance import haversine_km

    coords = {r[0]: (r[1], r[2]) for r in ports.select("port_id", "lat", "lon").iter_rows()}
    by_m: dict[int, list[dict]] = {}
    for c in sorted(calls, key=lambda c: (c["mmsi"], c["start"])):
        by_m.setdefault(c["mmsi"], []).append(c)
    dm = {k[0]: g for k, g in decl.partition_by("mmsi", as_dict=True).items()} if decl.height else {}
    out = []
    for m, cs in by_m.items():
        d = dm.get(m)
        if d is None:
            continue
        t = d["t"].to_numpy()
        legs: list[tuple[dict, dict | None]] = [*pairwise(cs), (cs[-1], None)]
        for prev, nxt in legs:
            p_end = int(prev["end"].timestamp() * 1000)
            if nxt is None:
                seen = last_seen.get(m)
                if data_end_ms is None or seen is None or seen < p_end \
                        or data_end_ms - seen < params.went_dark_h * 3.6e6:
                    continue
                k = int((t < seen).sum()) - 1
                arrive = data_end_ms
            else:
                arrive = int(nxt["start"].timestamp() * 1000)
                k = int((t < arrive).sum()) - 1
            if k < 0:
                continue
            row = d.row(k, named=True)
            if row["status"] != "resolved" or (row["confidence"] or 0) < params.min_resolve_confidence:
                continue
            declared_id = row["port_id"]
            ev_common = {"declared": row["destination"], "declared_port": row["port"], "declared_locode": row["locode"],
                         "resolution": {"rule": row["rule"], "confidence": row["confidence"]},
                         "declaration_report": row["at"], "previous_call": prev["event_id"],
                         "thresholds": {"min_resolve_confidence": params.min_resolve_confidence,
                                        "same_port_km": params.same_port_km, "went_dark_h": params.went_dark_h}}
            if nxt is None:
                if declared_id == _port_id(prev):
                    continue
                out.append(event("destination_mismatch", m, p_end, arrive, lat=None, lon=None, port=None,
                                 locode=None, country=row["country"], confidence=0.6 * row["confidence"],
                                 rule=f"declared {row['destination']!r} ({row['locode']}) after leaving "
                                      f"{prev['port']}, never reached: silent from last fix to end of data "
                                      f"(>= {params.went_dark_h} h)", kind="never reached, went dark",
                                 last_seen=last_seen.get(m), **ev_common))
                continue
            reached_id = _port_id(nxt)
            if declared_id == reached_id or (row["locode"] and row["locode"] == nxt["locode"]):
                continue
            if declared_id in coords and reached_id in coords:
                (la1, lo1), (la2, lo2) = coords[declared_id], coords[reached_id]
                if float(haversine_km(la1, lo1, la2, lo2)) <= params.same_port_km:
                    continue
            out.append(event("destination_mismatch", m, p_end, arrive, lat=nxt["lat"], lon=nxt["lon"],
                             port=nxt["port"], locode=nxt["locode"], country=nxt["country"],
                             confidence=0.95 * row["confidence"],
                             rule=f"declared {row['destination']!r} -> {row['port']} ({row['locode']}), "
                                  f"called at {nxt['port']} ({nxt['locode']})", kind="different port",
                             arrival_call=nxt["event_id"], **ev_common))
    return out


def _port_id(call: dict) -> str | None:
    """port_id recorded in a port-call event's evidence."""
    import json

    return json.loads(call["evidence"]).get("port_id")
