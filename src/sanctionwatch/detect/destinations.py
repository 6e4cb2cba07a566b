"""destination_mismatch: a voyage that did not go where it said it was going.

Two cases (evidence `case`):

- `arrived_elsewhere`: a voyage runs from the end of one port call to the start of the next (same MMSI); the
  destination in force on arrival is compared with the port reached at the level the declaration allows
  (evidence `level`): a port (name or LOCODE that resolves to a gazetteer port: different port id / LOCODE
  and > same_port_km apart) or a country ('VIETNAM', 'CN', 'HONG KONG': the reached port's country differs).
- `went_dark_en_route`: the declared destination is not reached, and the last fixes before a silence of
  >= went_dark_h (or the end of the data) head toward a sanctioned area or port (DPRK territorial sea,
  gazetteer ports of `en_route_countries`) and either away from the declared destination (`reason:
  heading_away`) or - the silence ended - the vessel is seen again no closer to it, after a silence long
  enough to reach the target and come back at the speed of its last fixes (`reason: no_progress`: a call
  made unseen). Evidence `toward` gives the distances to the target and to the declared destination at the
  start and end of those last fixes (and `declared_distance_next_km` at the next fix). A silence starting
  inside a port area (radius + exit margin) is a berth silence, never this case.
  A declaration is compared only when it is this voyage's (`_current`): received after the previous stay, or
  evidently set at that berth (a report there shows another value before it; not naming that port); an
  older one belongs to an earlier voyage, and with one type 5 every 1-3 days (satellite AIS) a newer one set
  on departure may go unheard. Calls at one port split by a silence (the first not seen leaving) are one stay;
  a voyage back to the port it left is not compared (arrived_elsewhere).

Declarations that resolve to no place ('FOR ORDERS', 'CN FOR ORDERS'), weakly (confidence below
min_resolve_confidence) or only to a LOCODE missing from the gazetteer are never compared.
"""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, iso
from sanctionwatch.detect.params import AreaParams, DestinationParams


def resolved_declarations(reports: pl.DataFrame) -> pl.DataFrame:
    """Per report with a destination: t, mmsi, destination and its resolution (geo.destinations), `at` =
    file:line, `run_start`: the first report of the run of identical reports this one belongs to, and
    `changed_after`: the MMSI's last report before that run (another destination, or none: a blank field
    counts as another value) - the value was set between the two (null: the run starts at the MMSI's first
    report)."""
    from sanctionwatch.geo.destinations import resolve_destinations

    key = pl.col("destination").fill_null("").str.strip_chars()
    r = reports.select(pl.col("ts").dt.epoch("ms").alias("t"), "mmsi", "destination",
                       (pl.col("source").cast(pl.String) + ":" + pl.col("src_line").cast(pl.String)).alias("at")
                       ).sort("mmsi", "t")
    new_run = (key != key.shift(1)).over("mmsi").fill_null(True)
    r = (r.with_columns(new_run.alias("_new"), pl.col("t").shift(1).over("mmsi").alias("_prev"))
         .with_columns(pl.col("_new").cum_sum().over("mmsi").alias("_run"))
         .with_columns(pl.col("_prev").filter(pl.col("_new")).first().over("mmsi", "_run").alias("changed_after"),
                       pl.col("t").min().over("mmsi", "_run").alias("run_start"))
         .filter(key != "").drop("_new", "_prev", "_run"))
    if r.height == 0:
        return r
    res = resolve_destinations(r["destination"].unique()).unique("raw")
    return r.join(res, left_on="destination", right_on="raw", how="left").sort("mmsi", "t")


def sanctioned_targets(ports: pl.DataFrame, area: AreaParams = AreaParams(),
                       params: DestinationParams = DestinationParams(), areas: pl.DataFrame | None = None,
                       step_deg: float = 0.02) -> pl.DataFrame:
    """Points standing for sanctioned targets: kind, id, name, country, lat, lon (areas as densified outlines,
    ports as their point). Distances to a target are the minimum over its points (0 inside an area)."""
    import shapely

    if areas is None:
        from sanctionwatch.geo.areas import load_areas

        areas = load_areas()
    ctry = dict(s.split("=", 1) for s in area.area_countries if "=" in s)
    rows: list[dict] = []
    for a in areas.filter(pl.col("area_id").is_in(list(area.area_ids))).iter_rows(named=True):
        xy = shapely.get_coordinates(shapely.segmentize(a["geometry"].boundary, step_deg))
        rows += [{"kind": "area", "id": a["area_id"], "name": a["name"], "country": ctry.get(a["area_id"], ""),
                  "lat": float(y), "lon": float(x)} for x, y in xy]
    pts = pl.DataFrame(rows, schema={"kind": pl.String, "id": pl.String, "name": pl.String, "country": pl.String,
                                     "lat": pl.Float64, "lon": pl.Float64})
    p = ports.filter(pl.col("country").is_in(list(params.en_route_countries))).select(
        pl.lit("port").alias("kind"), pl.col("port_id").alias("id"), pl.col("name"), pl.col("country"),
        pl.col("lat").cast(pl.Float64), pl.col("lon").cast(pl.Float64))
    return pl.concat([pts, p])


def _compare(row: dict) -> str | None:
    """Level a declaration can be compared at: 'port', 'country' or None (no place / too weak / code only)."""
    if row["status"] == "resolved" and row["port_id"]:
        return "port"
    if row["status"] == "unspecified" and row["country"] and "country_only" in (row["rule"] or ""):
        return "country"
    return None


def destination_mismatches(calls: list[dict], decl: pl.DataFrame, ports: pl.DataFrame, last_seen: dict[int, int],
                           data_end_ms: int | None, params: DestinationParams = DestinationParams(),
                           fixes: pl.DataFrame | None = None, targets: pl.DataFrame | None = None) -> list[dict]:
    """Mismatch events from port-call events, resolved declarations and (for the en-route case) main-track
    fixes (mmsi, t, lat, lon) with the sanctioned targets (sanctioned_targets)."""
    from sanctionwatch.geo.distance import haversine_km

    if decl.height == 0:
        return []
    coords = {r[0]: (r[1], r[2]) for r in ports.select("port_id", "lat", "lon").iter_rows()}
    by_m: dict[int, list[dict]] = {}
    for c in sorted(calls, key=lambda c: (c["mmsi"], c["start"])):
        by_m.setdefault(c["mmsi"], []).append(c)
    dm = {k[0]: g for k, g in decl.partition_by("mmsi", as_dict=True).items()}
    thresholds = {"min_resolve_confidence": params.min_resolve_confidence, "same_port_km": params.same_port_km,
                  "compare_country_level": params.compare_country_level}
    out = []
    stays = {m: _stays(cs) for m, cs in by_m.items()}
    for m, ss in stays.items():
        d = dm.get(m)
        if d is None:
            continue
        t = d["t"].to_numpy()
        for prev, nxt in pairwise(ss):
            if _port_id(prev) == _port_id(nxt):
                continue  # back where it left: not an arrival elsewhere (turned back, or the stay was split when
                # an MMSI twin took the main track); a round trip made dark is the went_dark_en_route case
            arrive = int(nxt["start"].timestamp() * 1000)
            k = int((t < arrive).sum()) - 1
            if k < 0:
                continue
            row = d.row(k, named=True)
            level = _compare(row)
            if level is None or (row["confidence"] or 0) < params.min_resolve_confidence or (
                    level == "country" and not params.compare_country_level):
                continue
            if not _current(row, level, prev, coords, params):
                continue
            if level == "port":
                declared_id, reached_id = row["port_id"], _port_id(nxt)
                if declared_id == reached_id or (row["locode"] and row["locode"] == nxt["locode"]):
                    continue
                if declared_id in coords and reached_id in coords:
                    (la1, lo1), (la2, lo2) = coords[declared_id], coords[reached_id]
                    if float(haversine_km(la1, lo1, la2, lo2)) <= params.same_port_km:
                        continue
                what = f"{row['port']} ({row['locode']})"
            else:
                if row["country"] == nxt["country"]:
                    continue
                what = f"country {row['country']}"
            p_end = int(prev["end"].timestamp() * 1000)
            out.append(event("destination_mismatch", m, p_end, arrive, lat=nxt["lat"], lon=nxt["lon"],
                             port=nxt["port"], locode=nxt["locode"], country=nxt["country"],
                             confidence=0.95 * row["confidence"] * (0.9 if level == "country" else 1.0),
                             rule=f"declared {row['destination']!r} -> {what}, called at {nxt['port']} "
                                  f"({nxt['locode']}, {nxt['country']})",
                             case="arrived_elsewhere", level=level, toward=None, kind="different " + level,
                             declared=row["destination"], declared_port=row["port"], declared_locode=row["locode"],
                             declared_country=row["country"],
                             resolution={"rule": row["rule"], "confidence": row["confidence"]},
                             declaration_report=row["at"], previous_call=prev["event_id"],
                             arrival_call=nxt["event_id"], thresholds=thresholds))
    if fixes is not None and targets is not None and targets.height and fixes.height:
        out += _went_dark_en_route(fixes, decl, ports, targets, data_end_ms, params, stays)
    return out


def _current(row: dict, level: str, stay: dict, coords: dict, params: DestinationParams,
             first_report_ok: bool = False) -> bool:
    """Is the declaration `row` (the newest received before the voyage's end) this voyage's, after `stay`?

    Received after the stay ended: broadcast on this voyage, so it is the declaration in force (by the book,
    even if never updated). Received before the stay began: an earlier voyage's. Received during the stay: the
    destination field is set for a voyage at its start, and with one type 5 every 1-3 days (satellite AIS) a
    newer one set on departure may never be heard - so it counts only when it was evidently set at the berth
    for the next voyage: a report from the stay itself shows another value before it (`changed_after` >= the
    stay's start: it was changed at the berth), and it does not name the stay's own port, which is the
    arriving voyage's destination. A berth report with no earlier value in the stay may be the arriving
    voyage's declaration (a tanker that declared 'VIETNAM' and called at Nampo still broadcasts VIETNAM there),
    so it is not compared with the next call. (Own country is not tested: 'CN' declared at a Chinese berth may
    as well be the next, domestic voyage's.) Received after the last fix seen in port but before the first
    outside (satellite revisits in port are 3-6 h apart: the ship may have left unseen): compared unless it
    names the stay's own port. `first_report_ok` (went_dark_en_route) also keeps the MMSI's very
    first report when heard at the berth: that case rests on the heading toward a sanctioned target, away from
    the declared place, when the ship went dark, not on the declaration alone."""
    t_decl, a, z = row["t"], _ms(stay["stay_start"]), _ms(stay["end"])
    if t_decl >= z:
        return True
    if t_decl > _last_in_port(stay):  # after the last fix seen in port: at the berth or under way, unseen
        return level != "port" or not _names_stay(row, stay, coords, params)
    if t_decl < a or (row["changed_after"] is None and not first_report_ok) or (
            row["changed_after"] is not None and row["changed_after"] < a):
        return False
    return level != "port" or not _names_stay(row, stay, coords, params)


def _names_stay(row: dict, stay: dict, coords: dict, params: DestinationParams) -> bool:
    """The declared port is the stay's port (same id / LOCODE / within same_port_km)."""
    from sanctionwatch.geo.distance import haversine_km

    pid = _port_id(stay)
    if row["port_id"] == pid or (row["locode"] and row["locode"] == stay["locode"]):
        return True
    if row["port_id"] in coords and pid in coords:
        (la1, lo1), (la2, lo2) = coords[row["port_id"]], coords[pid]
        return float(haversine_km(la1, lo1, la2, lo2)) <= params.same_port_km
    return False


def _last_in_port(stay: dict) -> int:
    """Epoch ms of the stay's last fix seen inside the port (port-call evidence `observed_h`, else its end)."""
    h = json.loads(stay["evidence"]).get("observed_h")
    return _ms(stay["start"]) + int(h * 3_600_000) if h is not None else _ms(stay["end"])


def _ms(x) -> int:
    """Epoch milliseconds of an event's datetime."""
    return int(x.timestamp() * 1000)


def _stays(calls: list[dict]) -> list[dict]:
    """Port calls of one MMSI in time order, consecutive calls at the same port merged when the first was not
    seen leaving (its segment ended inside: a silence > track.max_silence_h split one stay): no voyage between.
    Each stay is its last call plus `stay_start` (the first call's start)."""
    out: list[dict] = []
    for c in calls:
        if out and _port_id(out[-1]) == _port_id(c) and not json.loads(out[-1]["evidence"]).get("left_seen", True):
            out[-1] = {**c, "stay_start": out[-1]["stay_start"]}
        else:
            out.append({**c, "stay_start": c["start"]})
    return out


def _silences(fixes: pl.DataFrame, data_end_ms: int | None, params: DestinationParams) -> pl.DataFrame:
    """Last fix before each silence >= went_dark_h (or before the end of the data) per MMSI, with the fix
    tail_h earlier (first fix of the tail): mmsi, t1, lat1, lon1, t_next, ta, lata, lona."""
    dark = int(params.went_dark_h * 3.6e6)
    tail = int(params.en_route_tail_h * 3.6e6)
    f = fixes.select("mmsi", "t", "lat", "lon").filter(pl.col("lat").is_not_null()).sort("mmsi", "t")
    nxt = pl.col("t").shift(-1).over("mmsi")
    end = pl.lit(data_end_ms if data_end_ms is not None else None, dtype=pl.Int64)
    f = f.with_columns(nxt.alias("t_next"), pl.col("lat").shift(-1).over("mmsi").alias("lat_next"),
                       pl.col("lon").shift(-1).over("mmsi").alias("lon_next"))
    s = f.filter(((pl.col("t_next") - pl.col("t")) >= dark)
                 | (pl.col("t_next").is_null() & ((end - pl.col("t")) >= dark).fill_null(False)))
    if s.height == 0:
        return s
    s = s.select("mmsi", pl.col("t").alias("t1"), pl.col("lat").alias("lat1"), pl.col("lon").alias("lon1"), "t_next",
                 "lat_next", "lon_next", (pl.col("t") - tail).alias("ta"))
    # first fix of the tail: earliest fix at or after ta (same vessel), by an as-of join
    a = f.select("mmsi", pl.col("t").alias("ta_fix"), pl.col("lat").alias("lata"), pl.col("lon").alias("lona"))
    s = s.sort("ta").join_asof(a.sort("ta_fix"), left_on="ta", right_on="ta_fix", by="mmsi", strategy="forward",
                               check_sortedness=False)  # both sorted by the time key (globally)
    return s.filter(pl.col("ta_fix").is_not_null() & (pl.col("ta_fix") < pl.col("t1"))).sort("mmsi", "t1")


def _dist_per_target(lat: np.ndarray, lon: np.ndarray, tlat: np.ndarray, tlon: np.ndarray, starts: np.ndarray
                     ) -> np.ndarray:
    """(queries x targets) min haversine km from each query point to each target's points (points grouped by
    target, `starts` = first point of each group); chunked so memory stays bounded."""
    from sanctionwatch.geo.distance import haversine_km

    out = np.empty((lat.size, starts.size))
    for i in range(0, lat.size, 256):
        d = np.asarray(haversine_km(lat[i:i + 256, None], lon[i:i + 256, None], tlat[None, :], tlon[None, :]))
        out[i:i + 256] = np.minimum.reduceat(d, starts, axis=1)
    return out


def _went_dark_en_route(fixes: pl.DataFrame, decl: pl.DataFrame, ports: pl.DataFrame, targets: pl.DataFrame,
                        data_end_ms: int | None, params: DestinationParams,
                        stays: dict[int, list[dict]] | None = None) -> list[dict]:
    """went_dark_en_route events: silences whose last fixes head away from the declared place, toward a target;
    the declaration must be this voyage's (`_current`, against the last stay that ended before the silence)."""
    from sanctionwatch.geo.distance import haversine_km

    s = _silences(fixes, data_end_ms, params)
    if s.height == 0:
        return []
    # cheap prefilter: the last fix within the toward radius of the targets' bounding box
    pad = params.en_route_toward_max_km / 111.195
    la0, la1 = targets["lat"].min() - pad, targets["lat"].max() + pad
    lo_pad = pad / max(0.2, float(np.cos(np.radians(max(abs(la0), abs(la1))))))
    s = s.filter(pl.col("lat1").is_between(la0, la1)
                 & pl.col("lon1").is_between(targets["lon"].min() - lo_pad, targets["lon"].max() + lo_pad))
    # the declaration in force at the last fix
    dd = decl.select("mmsi", pl.col("t").alias("t_decl"), "run_start", "changed_after", "destination", "status", "confidence",
                     "rule", "port_id", "port", "locode", "country", "at").sort("t_decl")
    s = s.sort("t1").join_asof(dd, left_on="t1", right_on="t_decl", by="mmsi", strategy="backward",
                               check_sortedness=False)
    if s.height == 0:
        return []
    level = (pl.when((pl.col("status") == "resolved") & pl.col("port_id").is_not_null()).then(pl.lit("port"))
             .when((pl.col("status") == "unspecified") & pl.col("country").is_not_null()
                   & pl.col("rule").str.contains("country_only") & pl.lit(params.compare_country_level))
             .then(pl.lit("country")).otherwise(None))
    s = s.with_columns(level.alias("level")).filter(pl.col("level").is_not_null()
                                                    & (pl.col("confidence") >= params.min_resolve_confidence))
    # not a target country itself (declaring a DPRK port and going there is an honest declaration)
    s = s.filter(~pl.col("country").is_in(list(params.en_route_countries)))
    # went dark at sea: a silence starting inside a port area (radius + the port-call exit margin, as a gap's
    # 'in_port' class) is a berthed ship's (satellite revisits in port are hours apart), not going dark
    from sanctionwatch.detect.near import lookup
    from sanctionwatch.detect.params import PortCallParams

    in_port, _ = lookup(s["lat1"].to_numpy(), s["lon1"].to_numpy(), ports, "margin", PortCallParams().exit_margin_km)
    s = s.filter(pl.Series(in_port < 0))
    if s.height == 0:
        return []
    moved = haversine_km(s["lata"].to_numpy(), s["lona"].to_numpy(), s["lat1"].to_numpy(), s["lon1"].to_numpy())
    s = s.with_columns(pl.Series("moved_km", np.asarray(moved, float))).filter(
        pl.col("moved_km") >= params.en_route_min_move_km)
    if s.height == 0:
        return []
    # per target (an area outline or a port): distance at the tail's first and last fix; the target is the
    # nearest (at the last fix) of those the tail heads toward: within the radius and closing fast enough
    tg = targets.sort("id")
    tid = tg["id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, tid[1:] != tid[:-1]])
    tla, tlo = tg["lat"].to_numpy(), tg["lon"].to_numpy()
    la1, lo1 = s["lat1"].to_numpy(), s["lon1"].to_numpy()
    ds0, ds1 = _dist_per_target(s["lata"].to_numpy(), s["lona"].to_numpy(), tla, tlo, starts), \
        _dist_per_target(la1, lo1, tla, tlo, starts)
    ds1 = np.where(_inside(la1, lo1, tg, starts), 0.0, ds1)
    moved = s["moved_km"].to_numpy()[:, None]
    ok = (ds1 <= params.en_route_toward_max_km) & ((ds0 - ds1) >= params.en_route_min_closing * moved)
    best = np.where(ok, ds1, np.inf).argmin(axis=1)
    rows = np.arange(s.height)
    d0, d1, dn = _declared_dist(s, ports)
    s = s.with_columns(pl.Series("s0", ds0[rows, best]), pl.Series("s1", ds1[rows, best]),
                       pl.Series("tidx", starts[best]), pl.Series("d0", d0), pl.Series("d1", d1), pl.Series("dn", dn))
    # away: the last fixes draw away from the declared place; or (closed silence) no progress: seen again no
    # closer to it although the silence left time to reach the target and come back at the tail's speed
    kmh = pl.col("moved_km") / ((pl.col("t1") - pl.col("ta_fix")) / 3.6e6)
    silence_h = (pl.col("t_next") - pl.col("t1")) / 3.6e6
    away = pl.col("d1") > pl.col("d0")
    no_progress = (pl.col("t_next").is_not_null() & (pl.col("dn") >= pl.col("d1") - params.same_port_km)
                   & (silence_h >= 2 * pl.col("s1") / kmh))
    keep = ((pl.col("s1") <= params.en_route_toward_max_km)
            & ((pl.col("s0") - pl.col("s1")) >= params.en_route_min_closing * pl.col("moved_km"))
            & (away | no_progress.fill_null(False)) & (pl.col("d1") > params.same_port_km))
    s = s.filter(keep).with_columns(pl.when(away).then(pl.lit("heading_away")).otherwise(pl.lit("no_progress"))
                                    .alias("reason"))
    targets = tg
    coords = {r[0]: (r[1], r[2]) for r in ports.select("port_id", "lat", "lon").iter_rows()}
    out = []
    for r in s.sort("mmsi", "t1").iter_rows(named=True):
        before = [st for st in (stays or {}).get(int(r["mmsi"]), []) if _ms(st["end"]) <= r["t1"]]
        if before and not _current({**r, "t": r["t_decl"]}, r["level"], before[-1], coords, params, True):
            continue  # an earlier voyage's declaration (e.g. a ferry's, heard before its last call)
        tg = targets.row(int(r["tidx"]), named=True)
        open_end = r["t_next"] is None
        end = data_end_ms if open_end else int(r["t_next"])
        gap_h = (end - r["t1"]) / 3.6e6
        tail_h = (r["t1"] - r["ta_fix"]) / 3.6e6
        what = f"{r['port']} ({r['locode']})" if r["level"] == "port" else f"country {r['country']}"
        if r["reason"] == "heading_away":
            why = f"and away from the declared destination ({r['d0']:.0f} -> {r['d1']:.0f} km)"
        else:
            why = (f"and it was seen again no closer to the declared destination ({r['d1']:.0f} -> {r['dn']:.0f} km): "
                   f"time enough to reach {tg['name']} and come back unseen")
        silence = (f"silent {gap_h:.1f} h until the end of the data" if open_end
                   else f"silent {gap_h:.1f} h, next fix {iso(end)}")
        toward = {"kind": tg["kind"], "id": tg["id"], "name": tg["name"], "country": tg["country"],
                  "distance_before_km": round(float(r["s0"]), 1), "distance_after_km": round(float(r["s1"]), 1),
                  "declared_distance_before_km": round(float(r["d0"]), 1),
                  "declared_distance_after_km": round(float(r["d1"]), 1)}
        out.append(event(
            "destination_mismatch", int(r["mmsi"]), int(r["t1"]), end, lat=r["lat1"], lon=r["lon1"],
            country=tg["country"] or None, confidence=0.85 * float(r["confidence"]),
            rule=f"declared {r['destination']!r} -> {what}, not reached: went dark {r['s1']:.0f} km from "
                 f"{tg['name']} ({tg['country']}) at {iso(r['t1'])} ({silence}); the last {tail_h:.1f} h head "
                 f"toward it ({r['s0']:.0f} -> {r['s1']:.0f} km) {why}",
            case="went_dark_en_route", level=r["level"], toward=toward, kind="went dark en route", reason=r["reason"],
            declared_distance_next_km=None if r["dn"] is None or np.isnan(r["dn"]) else round(float(r["dn"]), 1),
            declared=r["destination"], declared_port=r["port"], declared_locode=r["locode"],
            declared_country=r["country"], resolution={"rule": r["rule"], "confidence": r["confidence"]},
            declaration_report=r["at"], last_fix={"ts": iso(r["t1"]), "lat": r["lat1"], "lon": r["lon1"]},
            tail_start={"ts": iso(r["ta_fix"]), "lat": r["lata"], "lon": r["lona"]}, open_ended=open_end,
            thresholds={"went_dark_h": params.went_dark_h, "tail_h": params.en_route_tail_h,
                        "min_move_km": params.en_route_min_move_km, "toward_max_km": params.en_route_toward_max_km,
                        "min_closing": params.en_route_min_closing}))
    return out


def _inside(lat: np.ndarray, lon: np.ndarray, targets: pl.DataFrame, starts: np.ndarray) -> np.ndarray:
    """(queries x targets) True where the point lies inside the target's area (ports: never)."""
    import shapely

    from sanctionwatch.geo.areas import load_areas

    out = np.zeros((lat.size, starts.size), bool)
    geoms = {r["area_id"]: r["geometry"] for r in load_areas().iter_rows(named=True)}
    for j, k in enumerate(starts):
        if targets["kind"][int(k)] == "area" and targets["id"][int(k)] in geoms:
            out[:, j] = shapely.contains_xy(geoms[targets["id"][int(k)]], lon, lat)
    return out


def _declared_dist(s: pl.DataFrame, ports: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Distance from the tail's first and last fix and the next fix after the silence (NaN when open) to the
    declared port, or the nearest port of the declared country (country-level declarations)."""
    from sanctionwatch.geo.distance import haversine_km

    coords = {r[0]: (r[1], r[2]) for r in ports.select("port_id", "lat", "lon").iter_rows()}
    by_c = {k[0]: (g["lat"].to_numpy(), g["lon"].to_numpy())
            for k, g in ports.select("country", "lat", "lon").partition_by("country", as_dict=True).items()}
    d0, d1, dn = np.full(s.height, np.nan), np.full(s.height, np.nan), np.full(s.height, np.nan)
    for k, r in enumerate(s.select("level", "port_id", "country", "lata", "lona", "lat1", "lon1", "lat_next",
                                   "lon_next").iter_rows()):
        lvl, pid, c, la, lo, la1, lo1, lan, lon_ = r
        if lvl == "port" and pid in coords:
            pla, plo = np.array([coords[pid][0]]), np.array([coords[pid][1]])
        elif c in by_c:
            pla, plo = by_c[c]
        else:
            continue
        d0[k] = float(np.asarray(haversine_km(la, lo, pla, plo)).min())
        d1[k] = float(np.asarray(haversine_km(la1, lo1, pla, plo)).min())
        if lan is not None:
            dn[k] = float(np.asarray(haversine_km(lan, lon_, pla, plo)).min())
    return d0, d1, dn


def _port_id(call: dict) -> str | None:
    """port_id recorded in a port-call event's evidence."""
    return json.loads(call["evidence"]).get("port_id")
