"""Ground-truth labels derived from what each vessel really did and what its transponder emitted.

Label times are snapped to emitted messages (see docs/simulator.md "Label definitions") so a detector
that sees the same messages can match them exactly; behaviours nobody could see (a port call made with
the transponder off) are still labelled, with `observable: false` and true times.

Labels are the ground truth of the *behaviour*, whatever the coverage regime (params.CoverageParams): a
`gap` label exists only where the transponder really was off, never where no satellite passed. What the
regime let through is recorded beside it (`seen`: counts of received reports behind the label), and
`observable` is false when the received data cannot show the behaviour at all (rules in docs/simulator.md
"Detectability under a coverage regime").
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from sanctionwatch.geo.distance import haversine_km
from sanctionwatch.simulate.vessel import Vessel

LABEL_TYPES = ("port_call", "gap", "encounter", "loitering", "destination_mismatch", "identity_change",
               "spoofing", "sanctioned_area")


def iso(t: float | None) -> str | None:
    """Epoch seconds -> ISO-8601 UTC ('2026-01-05T00:00:00Z')."""
    if t is None:
        return None
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Behaviour:
    """An injected behaviour (or honest control) with its true interval, before snapping to messages."""

    type: str
    vessels: list[Vessel]
    t0: float
    t1: float
    lat: float | None = None
    lon: float | None = None
    control: bool = False
    notes: str = ""
    observable: bool = True
    extra: dict = field(default_factory=dict)


def _label(type_: str, mmsi: int | None, start: float | None, end: float | None, *, other_mmsi: int | None = None,
           lat: float | None = None, lon: float | None = None, port: str | None = None, locode: str | None = None,
           declared: str | None = None, control: bool = False, observable: bool = True, notes: str = "",
           vessel: str = "", imo: int | None = None, **extra) -> dict:
    if type_ not in LABEL_TYPES:
        raise ValueError(f"unknown label type {type_!r}")
    key = f"{type_}|{mmsi}|{other_mmsi}|{start}|{notes}"
    return {"id": "lbl-" + hashlib.sha1(key.encode()).hexdigest()[:12], "type": type_, "mmsi": mmsi,
            "other_mmsi": other_mmsi, "imo": imo or None, "vessel": vessel, "start": iso(start), "end": iso(end),
            "start_epoch": None if start is None else int(start), "end_epoch": None if end is None else int(end),
            "lat": None if lat is None else round(float(lat), 5), "lon": None if lon is None else round(float(lon), 5),
            "port": port, "locode": locode, "declared_destination": declared, "control": control,
            "observable": observable, "notes": notes, **extra}


def _first_at_or_after(ts: np.ndarray, t: float) -> int | None:
    i = int(np.searchsorted(ts, t, side="left"))
    return int(ts[i]) if i < len(ts) else None


def _last_before(ts: np.ndarray, t: float) -> int | None:
    i = int(np.searchsorted(ts, t, side="left")) - 1
    return int(ts[i]) if i >= 0 else None


def _runs(mask: np.ndarray, key: np.ndarray | None = None) -> list[tuple[int, int]]:
    """[start, stop) index runs where mask is True (and, if given, `key` - the identity - is constant)."""
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    runs = list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))
    if key is None:
        return runs
    out = []
    for a, b in runs:
        cuts = [a, *(np.flatnonzero(np.diff(key[a:b]) != 0) + a + 1).tolist(), b]
        out += list(itertools.pairwise(cuts))
    return out


def _mmsi(v: Vessel, t: float) -> int:
    return v.identities[int(v.identity_at(np.array([float(t)]))[0])][1].mmsi


@functools.lru_cache(maxsize=1)
def _all_ports() -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str], list[str]]:
    from sanctionwatch.geo.gazetteer import load_ports

    df = load_ports()
    return (df["lat"].to_numpy(), df["lon"].to_numpy(), df["radius_km"].to_numpy(), df["name"].to_list(),
            [x or "" for x in df["locode"].to_list()], df["country"].to_list())


def _port_area_at(lat: float, lon: float):
    """The nearest gazetteer port whose radius contains (lat, lon), as a routes.Port-like record, or None."""
    from sanctionwatch.simulate.routes import Port

    la, lo, r, names, codes, countries = _all_ports()
    d = haversine_km(la, lo, lat, lon)
    inside = np.flatnonzero(d <= r)
    if not len(inside):
        return None
    i = int(inside[np.argmin(d[inside])])
    return Port(codes[i], names[i], countries[i], float(la[i]), float(lo[i]), float(r[i]), float(r[i]))


def port_calls(v: Vessel, em: dict[str, np.ndarray]) -> list[dict]:
    """One label per berth stay: the run of emitted messages within the port radius around it.

    An anchored stop inside a gazetteer port's radius (an anchorage within the port area) is a port call at
    that port too (GFW port visits count any stop in the port area). Observable with >= 2 received reports in
    the run (one report shows no stay); `seen.fixes` counts them.
    """
    out = []
    ts = em["ts"]
    for st in v.stays:
        if st.t1 <= st.t0:
            continue
        p = st.port
        if st.anchored or p is None:
            i = int(np.searchsorted(ts, st.t0))
            if i >= len(ts) or ts[i] >= st.t1:
                continue
            p = _port_area_at(float(em["lat"][i]), float(em["lon"][i]))
            if p is None:
                continue
        inside = haversine_km(em["lat"], em["lon"], p.lat, p.lon) <= p.radius_km
        idx = np.flatnonzero(inside & (ts >= st.t0) & (ts < st.t1))
        if len(idx) == 0:
            off = not v.transmitting(np.array([st.t0, (st.t0 + st.t1) / 2, st.t1 - 1])).any()
            out.append(_label("port_call", _mmsi(v, st.t0), st.t0, st.t1, lat=p.lat, lon=p.lon, port=p.name,
                              locode=p.locode or None, observable=False, vessel=v.key, imo=v.identity.imo,
                              country=p.country, radius_km=p.radius_km, anchored=st.anchored,
                              notes="transponder off during the call" if off else "no report received during the call",
                              seen={"fixes": 0}))
            continue
        a0 = b0 = int(idx[0])
        ident = em["ident"]
        while a0 > 0 and inside[a0 - 1]:
            a0 -= 1
        while b0 < len(ts) and inside[b0]:
            b0 += 1
        # an identity switch at the berth ends the call of the old MMSI and starts one of the new
        cuts = [a0, *(np.flatnonzero(np.diff(ident[a0:b0]) != 0) + a0 + 1).tolist(), b0]
        for a, b in itertools.pairwise(cuts):
            if len(cuts) > 2 and em["sog"][a:b].min() >= 1.0:
                continue  # this identity only passed through the port circle (arriving or leaving): no stop
            end = int(ts[b]) if b < len(ts) else int(ts[b - 1]) + 1
            out.append(_label("port_call", _mmsi(v, ts[a]), ts[a], end, lat=p.lat, lon=p.lon, port=p.name,
                              locode=p.locode or None, vessel=v.key, imo=v.identity.imo, observable=b - a >= 2,
                              country=p.country, radius_km=p.radius_km, anchored=st.anchored,
                              notes="" if b < len(ts) else "still in port at end of data", seen={"fixes": b - a}))
    return out


def sanctioned_area(v: Vessel, em: dict[str, np.ndarray], area_geom, area_id: str) -> list[dict]:
    """Entries into the sanctioned area: runs of emitted messages inside; unseen true entries unobservable."""
    import shapely

    out = []
    ts = em["ts"]
    inside = shapely.intersects_xy(area_geom, em["lon"], em["lat"]) if len(ts) else np.zeros(0, bool)
    for a, b in _runs(inside, em["ident"]):
        end = int(ts[b]) if b < len(ts) else int(ts[b - 1]) + 1
        out.append(_label("sanctioned_area", _mmsi(v, ts[a]), ts[a], end, lat=em["lat"][a], lon=em["lon"][a],
                          vessel=v.key, imo=v.identity.imo, notes=area_id))
    tr = v.true_track()
    tin = shapely.intersects_xy(area_geom, tr["lon"], tr["lat"])
    for a, b in _runs(tin):
        t0, t1 = tr["t"][a], tr["t"][b - 1] + 1
        seen = inside & (ts >= t0) & (ts < t1)
        if not seen.any():
            out.append(_label("sanctioned_area", _mmsi(v, t0), t0, t1, lat=tr["lat"][a], lon=tr["lon"][a],
                              vessel=v.key, imo=v.identity.imo, observable=False,
                              notes=f"{area_id}; not visible in AIS (transponder off or position spoofed)"))
    return out


def _count(ts: np.ndarray, a: float, b: float) -> int:
    """Received reports in [a, b)."""
    return int(np.searchsorted(ts, b, side="left") - np.searchsorted(ts, a, side="left"))


def _in_stay(v: Vessel, t: float) -> bool:
    return any(st.port is not None and st.t0 <= t < st.t1 + 1 for st in v.stays)


def gaps(v: Vessel, em: dict[str, np.ndarray], control_notes: dict[tuple[float, float], str] | None = None
         ) -> list[dict]:
    """Transponder-off intervals: from the last message before to the first message after.

    `seen`: fixes received in the 12 h before the silence (GFW's disabling evidence window), the silence as
    received (hours from last fix to next fix, or to the end of the data) and where it started.
    """
    out = []
    ts = em["ts"]
    t_end = float(ts[-1]) if len(ts) else None
    for t0, t1 in v.dark:
        s, e = _last_before(ts, t0), _first_at_or_after(ts, t1)
        i = int(np.searchsorted(ts, t0)) - 1
        lat, lon = (em["lat"][i], em["lon"][i]) if i >= 0 else (None, None)
        seen = {"fixes_before_12h": _count(ts, t0 - 12 * 3600, t0),
                "silence_h": None if s is None else round(((e if e is not None else t1) - s) / 3600, 2),
                "start": "in_port" if _in_stay(v, t0) else "at_sea", "end": "closed" if e is not None else "open"}
        out.append(_label("gap", _mmsi(v, t0), s, e, lat=lat, lon=lon, vessel=v.key, imo=v.identity.imo,
                          observable=s is not None and (e is not None or (t_end is not None and t1 > t_end)),
                          notes=(control_notes or {}).get((t0, t1), "transponder off"), seen=seen))
    return out


def quiet_gaps(v: Vessel, em: dict[str, np.ndarray]) -> list[dict]:
    """Control gaps: honest silences (transponder powered down at a berth), open when they last to the end."""
    out = []
    ts = em["ts"]
    for t0, t1 in v.quiet:
        s, e = _last_before(ts, t0), _first_at_or_after(ts, t1)
        i = int(np.searchsorted(ts, t0)) - 1
        lat, lon = (em["lat"][i], em["lon"][i]) if i >= 0 else (None, None)
        where = "at berth" if _in_stay(v, t0) else "at sea"
        out.append(_label("gap", _mmsi(v, t0), s, e, lat=lat, lon=lon, vessel=v.key, imo=v.identity.imo,
                          control=True, notes=f"honest silence {where}" + (" until the end of the data" if e is None
                                                                          else "") + ": not dark activity",
                          seen={"start": "in_port" if where == "at berth" else "at_sea",
                                "end": "closed" if e is not None else "open"}))
    return out


def coverage_gaps(v: Vessel, em: dict[str, np.ndarray], min_s: float = 900.0) -> list[dict]:
    """Control gaps: runs of reports lost in a coverage hole (>= min_s), spanning last-before to first-after."""
    if not v.params.noise.coverage_holes:
        return []
    tr = v.true_track()
    lost = v.in_hole(tr["lat"], tr["lon"]) & v.transmitting(tr["t"])
    out = []
    ts = em["ts"]
    for a, b in _runs(lost):
        s, e = _last_before(ts, tr["t"][a]), _first_at_or_after(ts, tr["t"][b - 1] + 1)
        if s is None or e is None or e - s < min_s:
            continue
        out.append(_label("gap", _mmsi(v, s), s, e, lat=tr["lat"][a], lon=tr["lon"][a], control=True,
                          vessel=v.key, imo=v.identity.imo, notes="coverage hole (no receiver): not a transponder-off"))
    return out


def identity_changes(v: Vessel, em: dict[str, np.ndarray], static_ts: np.ndarray,
                     shared_mmsis: frozenset[int] = frozenset()) -> list[dict]:
    """Each identity switch: last emitted message (position or static) under the old identity -> first under new.

    `seen`: static reports and position fixes received under the old and the new identity (the whole run).
    Observable when a static report was received under each side (the change is in the static data), or, for
    a new MMSI, when both MMSIs were received at all and neither is also broadcast by another hull
    (`shared_mmsis`: a borrowed MMSI was heard before the switch, so no handover can show in the tracks).
    """
    out = []
    allts = np.sort(np.concatenate([em["ts"], static_ts]))
    sid = v.identity_at(static_ts.astype(float))
    pid = em["ident"]
    for k, ((t, new), (_, old)) in enumerate(zip(v.identities[1:], v.identities[:-1], strict=True)):
        seen = {"old_reports": int((sid == k).sum()), "new_reports": int((sid == k + 1).sum()),
                "old_fixes": int((pid == k).sum()), "new_fixes": int((pid == k + 1).sum())}
        last_old, first_new = _last_before(em["ts"], t), _first_at_or_after(em["ts"], t)
        seen["switch_silence_min"] = (None if last_old is None or first_new is None
                                      else round((first_new - last_old) / 60, 1))
        visible = (seen["old_reports"] > 0 and seen["new_reports"] > 0) or (
            new.mmsi != old.mmsi and seen["old_fixes"] > 0 and seen["new_fixes"] > 0
            and not {old.mmsi, new.mmsi} & shared_mmsis)
        s, e = _last_before(allts, t), _first_at_or_after(allts, t)
        what = [k for k in ("mmsi", "name", "callsign", "flag") if getattr(old, k) != getattr(new, k)]
        notes = "; ".join(f"{k} {getattr(old, k)} -> {getattr(new, k)}" for k in what)
        i = max(int(np.searchsorted(em["ts"], t)) - 1, 0)
        out.append(_label("identity_change", old.mmsi, s, e, other_mmsi=new.mmsi if new.mmsi != old.mmsi else None,
                          lat=em["lat"][i], lon=em["lon"][i], vessel=v.key, imo=old.imo or None, notes=notes,
                          observable=visible, old_name=old.name, new_name=new.name, old_flag=old.flag,
                          new_flag=new.flag, seen=seen))
    return out


def behaviour(b: Behaviour, emitted: dict[str, dict[str, np.ndarray]]) -> dict:
    """Snap an injected behaviour's true interval to the involved vessels' emitted messages.

    `seen.fixes`: fixes received of each involved vessel inside the interval. A behaviour that lasts (encounter,
    loitering, spoofing) is observable only with >= 2 received fixes of every vessel in it (one fix shows no
    duration and no motion); controls keep `observable` from the first rule (any fix).
    """
    starts, ends, counts = [], [], []
    for v in b.vessels:
        ts = emitted[v.key]["ts"]
        inwin = ts[(ts >= b.t0) & (ts < b.t1)]
        counts.append(len(inwin))
        if len(inwin):
            starts.append(int(inwin[0]))
        e = _first_at_or_after(ts, b.t1)
        if e is not None:
            ends.append(e)
    start = min(starts) if starts else b.t0
    end = min(ends) if ends else b.t1
    v0 = b.vessels[0]
    other = _mmsi(b.vessels[1], b.t0) if len(b.vessels) > 1 else b.extra.pop("other_mmsi", None)
    lasting = b.control or b.type not in ("encounter", "loitering", "spoofing") or min(counts) >= 2
    return _label(b.type, _mmsi(v0, b.t0), start, end, other_mmsi=other, lat=b.lat, lon=b.lon, control=b.control,
                  observable=b.observable and bool(starts) and lasting, notes=b.notes, vessel=v0.key,
                  imo=v0.identity.imo, seen={"fixes": counts}, **b.extra)


def destination_mismatches(v: Vessel, calls: list[dict], em: dict[str, np.ndarray] | None = None,
                           static_ts: np.ndarray | None = None) -> list[dict]:
    """Voyages whose destination in force on arrival is not the port (or country) actually reached.

    A voyage runs from the end of one port call to the start of the next (of the same hull). Voyages
    whose declared destination names no port (e.g. 'FOR ORDERS') are not mismatches. A declaration's
    meaning is a UN/LOCODE (port level) or a two-letter country code ('VIETNAM', 'HONG KONG', 'CN': country
    level, compared with the reached port's country).

    When the arrival was made dark (the transponder went off on the way and came back after the call), the
    label is the *went dark en route* case: `start`/`end` = last fix before / first fix after the silence.
    `seen.declared_reports`: static reports received between the declaration and the arrival (or the silence):
    with none, the declaration was never seen and the label is not observable.
    """
    out = []
    ts = em["ts"] if em is not None else np.zeros(0, np.int64)
    st = np.sort(static_ts) if static_ts is not None else None
    mine = sorted((c for c in calls if c["vessel"] == v.key), key=lambda c: c["start_epoch"])
    for prev, nxt in itertools.pairwise(mine):
        t_arr = nxt["start_epoch"]
        decl = [d for d in v.destinations if d[0] < t_arr]
        if not decl:
            continue
        t_decl, text, loc = decl[-1]
        level = "country" if loc is not None and len(loc) == 2 else "port"
        if loc is None or loc == (nxt["locode"] if level == "port" else nxt["country"]):
            continue
        if nxt["port"] == prev["port"] and nxt["start_epoch"] == prev["end_epoch"]:
            continue  # one stay split at an identity switch, not a voyage
        dark = [(a, b) for a, b in v.dark if prev["end_epoch"] <= a < t_arr] if not nxt["observable"] else []
        until = dark[0][0] if dark else t_arr
        seen = {"declared_reports": None if st is None else _count(st, t_decl, until)}
        heard = seen["declared_reports"] is None or seen["declared_reports"] > 0
        base = dict(lat=nxt["lat"], lon=nxt["lon"], port=nxt["port"], locode=nxt["locode"], declared=text,
                    declared_locode=loc, vessel=v.key, imo=v.identity.imo, level=level)
        if dark:
            a, b = dark[0]
            s, e = _last_before(ts, a), _first_at_or_after(ts, b)
            seen["fixes_before_6h"] = _count(ts, a - 6 * 3600, a)
            out.append(_label("destination_mismatch", prev["mmsi"], s if s is not None else a,
                              e if e is not None else b, case="went_dark_en_route", seen=seen,
                              observable=heard and s is not None and seen["fixes_before_6h"] >= 2,
                              notes=f"declared {text!r} ({loc}), went dark en route to {nxt['port']} "
                                    f"({nxt['locode']}) and called there unseen", **base))
            continue
        out.append(_label("destination_mismatch", prev["mmsi"], prev["end_epoch"], t_arr, case="arrived_elsewhere",
                          observable=prev["observable"] and nxt["observable"] and heard, seen=seen,
                          notes=f"declared {text!r} ({loc}), called at {nxt['port']} ({nxt['locode']})"
                          + ("" if nxt["observable"] else "; arrival not visible in AIS"), **base))
    return out
