"""The `global` preset: world traffic for scale, generated window by window in bounded memory.

Vessels shuttle between pairs of large World Port Index harbours on land-checked sea routes: sail at a
constant service speed (no harbour slow-down here, for throughput), moor for 6-48 h, sail back. All
vessels are advanced together with numpy per time window; each window is encoded and appended to the
outputs, so memory depends on the window, not on the run length. Labels: every port call (same
definition as the other presets).
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from sanctionwatch import __version__
from sanctionwatch.geo.distance import haversine_km
from sanctionwatch.progress import ProgressFn, report
from sanctionwatch.simulate import kinematics as kin
from sanctionwatch.simulate.emit import CsvEmitter, NmeaEmitter, open_out, quantise
from sanctionwatch.simulate.identity import IdentityFactory, messy_destination
from sanctionwatch.simulate.labels import _label, iso
from sanctionwatch.simulate.params import KINDS, SimParams
from sanctionwatch.simulate.presets import EPOCH0
from sanctionwatch.simulate.routes import Port, major_ports, port_route
from sanctionwatch.store.files import atomic_path, write_text_atomic

KM_PER_NM = 1.852
FLAGS = ("PA", "LR", "MH", "SG", "MT", "HK", "CN", "GR", "JP", "KR")
GLOBAL_KINDS = ("cargo", "container", "tanker")


@dataclass(frozen=True)
class GlobalParams:
    """Sizes of the global world (route library built once per run, a few seconds)."""

    n_ports: int = 60
    n_routes: int = 40
    max_route_km: float = 9000.0
    batch_messages: int = 250_000  # target messages per window (memory bound ~ 0.5 KB per message)
    dwell_h: tuple[float, float] = (6.0, 48.0)
    dark_fraction: float = 0.03  # share of legs on which the transponder goes off once (gap labels)
    dark_h: tuple[float, float] = (3.0, 12.0)  # how long it stays off


@dataclass
class RouteLib:
    """All routes concatenated: positions along route r live at s in [off[r], off[r] + length[r]]."""

    ports: list[tuple[Port, Port]]
    off: np.ndarray
    length: np.ndarray
    cum: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    brg: np.ndarray
    skipped: list[str]


def build_routes(rng: np.random.Generator, gp: GlobalParams) -> RouteLib:
    """Pick port pairs among large harbours and build their sea routes; pairs that fail are reported."""
    ports = major_ports(10_000)
    pick = rng.choice(len(ports), size=min(gp.n_ports, len(ports)), replace=False)
    hubs = [ports[i] for i in sorted(pick)]
    pairs, skipped = [], []
    tries = 0
    while len(pairs) < gp.n_routes and tries < gp.n_routes * 6:
        tries += 1
        a, b = rng.choice(len(hubs), 2, replace=False)
        pa, pb = hubs[a], hubs[b]
        d = float(haversine_km(pa.lat, pa.lon, pb.lat, pb.lon))
        if d < 150 or d > gp.max_route_km * 0.8 or any({pa.locode, pb.locode} == {x.locode, y.locode} for x, y, _ in pairs):
            continue
        try:
            r = port_route(pa, pb)
        except ValueError as e:  # a harbour the land mask closes off: report it, use another pair
            skipped.append(f"{pa.locode}-{pb.locode}: {e}")
            continue
        if r.length_km > gp.max_route_km:
            continue
        pairs.append((pa, pb, r))
    off, cum, lat, lon, brg, base = [], [], [], [], [], 0.0
    for _, _, r in pairs:
        off.append(base)
        cum.append(base + r.cum_km)
        lat.append(r.lat)
        lon.append(r.lon)
        b = kin.bearing_deg(r.lat[:-1], r.lon[:-1], r.lat[1:], r.lon[1:])
        brg.append(np.append(b, b[-1] if len(b) else 0.0))
        base += r.length_km + 10.0  # a gap so interpolation never blends two routes
    return RouteLib([(a, b) for a, b, _ in pairs], np.array(off), np.array([r.length_km for _, _, r in pairs]),
                    np.concatenate(cum), np.concatenate(lat), np.concatenate(lon), np.concatenate(brg), skipped)


class Fleet:
    """Per-vessel state arrays and the step that turns a time window into messages."""

    def __init__(self, n: int, lib: RouteLib, rng: np.random.Generator, params: SimParams, gp: GlobalParams,
                 t0: float):
        self.n, self.lib, self.rng, self.p, self.gp = n, lib, rng, params, gp
        ids = IdentityFactory(rng)
        flags = rng.choice(FLAGS, n)
        idents = [ids.new(str(f)) for f in flags]
        self.mmsi = np.array([i.mmsi for i in idents], np.int64)
        self.imo = np.array([i.imo for i in idents], np.int64)
        self.name = np.array([i.name for i in idents], dtype=object)
        self.callsign = np.array([i.callsign for i in idents], dtype=object)
        kinds = rng.choice(len(GLOBAL_KINDS), n)
        self.kind = kinds
        ks = [KINDS[k] for k in GLOBAL_KINDS]
        self.ship_type = np.array([ks[k].ais_type for k in kinds], np.int64)
        self.dma_type = np.array([ks[k].dma_type for k in kinds], dtype=object)
        lo = np.array([ks[k].cruise_kn[0] for k in kinds])
        hi = np.array([ks[k].cruise_kn[1] for k in kinds])
        self.speed = rng.uniform(lo, hi)
        length = np.array([rng.integers(*ks[k].length_m) for k in kinds])
        beam = np.array([rng.integers(*ks[k].beam_m) for k in kinds])
        self.dims = {"a": np.rint(length * 0.8).astype(np.int64), "c": beam // 2}
        self.dims["b"] = length - self.dims["a"]
        self.dims["d"] = beam - self.dims["c"]
        self.draught = np.round(rng.uniform(6.0, 12.0, n), 1)
        nr = len(lib.length)
        self.route = rng.integers(0, nr, n)
        self.dir = rng.choice([0, 1], n)  # 0: ports[r][0] -> [1]; 1: back
        # destination texts per (route, direction, vessel variant), chosen once per vessel
        self.dest = np.array([[messy_destination(lib.ports[r][1 - d], rng, lib.ports[r][d]) for d in (0, 1)]
                              for r in range(nr)], dtype=object)
        self.plat = np.array([[a.lat, b.lat] for a, b in lib.ports])
        self.plon = np.array([[a.lon, b.lon] for a, b in lib.ports])
        self.prad = np.array([[a.radius_km, b.radius_km] for a, b in lib.ports])
        self.moored = rng.random(n) < 0.3
        L = lib.length[self.route]
        dur = L / (self.speed * KM_PER_NM) * 3600.0
        frac = rng.random(n)
        self.phase_t0 = np.where(self.moored, t0 - frac * 6 * 3600, t0 - frac * dur)
        self.phase_t1 = np.where(self.moored, t0 + rng.uniform(1, 24, n) * 3600, self.phase_t0 + dur)
        self.iv = self._intervals()
        self.next_t = t0 + rng.random(n) * self.iv
        self.next_static = t0 + rng.random(n) * params.reporting.static_s
        self.berth = rng.normal(0, 150, (n, 2))  # metres from the port reference point
        # port-call tracking: current port index (-1 none), its first message time
        self.call_port = np.full(n, -1, np.int64)
        self.call_start = np.zeros(n, np.int64)
        # transponder-off interval of the current leg ([inf, inf) = none) and last report time (for gap labels)
        self.dark_t0 = np.full(n, np.inf)
        self.dark_t1 = np.full(n, np.inf)
        self.last_ts = np.full(n, -1, np.int64)
        self._schedule_dark(~self.moored, np.full(n, t0))

    def _intervals(self) -> np.ndarray:
        rp = self.p.reporting
        status = np.where(self.moored, kin.MOORED, kin.UNDER_WAY)
        return kin.interval_s(np.where(self.moored, 0.0, self.speed), status, False, rp)

    def _port_of(self, idx: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """lat, lon, radius of the port at the start (end=0) or end (end=1) of each vessel's current leg."""
        which = np.where(self.dir[idx] == 0, end, 1 - end)
        r = self.route[idx]
        return self.plat[r, which], self.plon[r, which], self.prad[r, which]

    def _emit(self, next_t: np.ndarray, iv: np.ndarray, until: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(vessel index, time) of every report in [next_t, until) per vessel."""
        cnt = np.maximum(np.ceil((until - next_t) / iv), 0).astype(np.int64)
        v = np.repeat(np.arange(self.n), cnt)
        k = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        return v, next_t[v] + k * iv[v]

    def _schedule_dark(self, legs: np.ndarray, since: np.ndarray) -> None:
        """For a random `dark_fraction` of the vessels starting a leg, one transponder-off interval in it."""
        pick = legs & (self.rng.random(self.n) < self.gp.dark_fraction)
        rest = np.minimum(self.phase_t1[pick] - since[pick], 8 * 3600.0)  # off within 1-4 h of the leg's start
        d0 = since[pick] + self.rng.uniform(0.1, 0.5, int(pick.sum())) * rest
        d1 = np.minimum(d0 + self.rng.uniform(*self.gp.dark_h, int(pick.sum())) * 3600, self.phase_t1[pick] - 600)
        ok = d1 > d0
        self.dark_t0[pick] = np.where(ok, d0, np.inf)
        self.dark_t1[pick] = np.where(ok, d1, np.inf)

    def _heard(self, v: np.ndarray, t: np.ndarray) -> np.ndarray:
        return ~((t >= self.dark_t0[v]) & (t < self.dark_t1[v]))

    def step(self, t_lo: float, t_hi: float) -> tuple[dict, dict, list[tuple], list[tuple]]:
        """Messages of every vessel in [t_lo, t_hi); advances phases that end inside the window."""
        parts = []
        for _ in range(4):  # phases are hours long: a vessel changes phase at most once or twice a window
            until = np.minimum(self.phase_t1, t_hi)
            v, t = self._emit(self.next_t, self.iv, until)
            on = self._heard(v, t)
            v, t = v[on], t[on]
            parts.append(self._positions(v, t))  # positions of the phase these reports belong to
            self.next_t = self.next_t + np.maximum(np.ceil((until - self.next_t) / self.iv), 0) * self.iv
            done = self.phase_t1 < t_hi
            if not done.any():
                break
            self._advance(done)
        pos = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
        order = np.lexsort((pos["ts"], pos["vessel"]))
        pos = {c: x[order] for c, x in pos.items()}
        calls = self._track_calls(pos["vessel"], pos)
        gaps = self._track_gaps(pos["vessel"], pos["ts"])
        order = np.argsort(pos["ts"], kind="stable")
        pos = {c: x[order] for c, x in pos.items()}
        sv, st = self._emit(self.next_static, np.full(self.n, self.p.reporting.static_s), np.full(self.n, t_hi))
        self.next_static = self.next_static + np.maximum(
            np.ceil((t_hi - self.next_static) / self.p.reporting.static_s), 0) * self.p.reporting.static_s
        on = self._heard(sv, st)
        stat = self._statics(sv[on], st[on])
        return pos, stat, calls, gaps

    def _track_gaps(self, v: np.ndarray, ts: np.ndarray) -> list[tuple]:
        """(vessel, last report before, first report after) for every dark interval that ended (v, ts sorted)."""
        if not len(v):
            return []
        first = np.concatenate([[True], v[1:] != v[:-1]])
        prev = np.where(first, self.last_ts[v], np.concatenate([[-1], ts[:-1]]))
        hit = (prev >= 0) & (prev < self.dark_t0[v]) & (ts >= self.dark_t1[v])
        out = [(int(v[i]), int(prev[i]), int(ts[i])) for i in np.flatnonzero(hit)]
        last = np.concatenate([v[1:] != v[:-1], [True]])
        self.last_ts[v[last]] = ts[last]
        return out

    def _advance(self, done: np.ndarray) -> None:
        """End the phase of `done` vessels: arrive -> moor, or depart -> sail back."""
        t = self.phase_t1[done]
        arriving = done & ~self.moored
        departing = done & self.moored
        self.dir[departing] = 1 - self.dir[departing]
        self.moored[done] = ~self.moored[done]
        self.phase_t0[done] = t
        dw = self.rng.uniform(*self.gp.dwell_h, int(arriving.sum())) * 3600
        self.phase_t1[arriving] = self.phase_t0[arriving] + dw
        L = self.lib.length[self.route[departing]]
        self.phase_t1[departing] = self.phase_t0[departing] + L / (self.speed[departing] * KM_PER_NM) * 3600
        self.iv = self._intervals()
        self.next_t[done] = t + self.rng.random(int(done.sum())) * self.iv[done]
        self._schedule_dark(departing, self.phase_t0)

    def _positions(self, v: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Reports of vessels v at times t, all within each vessel's current phase."""
        lib, n = self.lib, len(v)
        moored = self.moored[v]
        dirv = self.dir[v]
        L = lib.length[self.route[v]]
        s = np.clip((t - self.phase_t0[v]) * self.speed[v] * KM_PER_NM / 3600, 0, L)
        gs = lib.off[self.route[v]] + np.where(dirv == 0, s, L - s)
        lat = np.interp(gs, lib.cum, lib.lat)
        lon = np.interp(gs, lib.cum, lib.lon)
        seg = np.clip(np.searchsorted(lib.cum, gs, side="right") - 1, 0, len(lib.cum) - 1)
        cog = np.mod(lib.brg[seg] + np.where(dirv == 0, 0, 180), 360)
        plat, plon, _ = self._port_of(v, np.ones(n, np.int64))  # moored: at the end port of the leg
        lat = np.where(moored, plat + self.berth[v, 0] / 111_320, lat)
        lon = np.where(moored, plon + self.berth[v, 1] / (111_320 * np.cos(np.radians(plat))), lon)
        sig = self.p.noise.position_sigma_m
        lat = lat + self.rng.normal(0, sig, n) / 111_320
        lon = lon + self.rng.normal(0, sig, n) / (111_320 * np.cos(np.radians(lat)))
        sog = np.where(moored, np.abs(self.rng.normal(0, 0.05, n)), self.speed[v] + self.rng.normal(0, 0.1, n))
        cog = np.where(moored, self.rng.uniform(0, 360, n), cog + self.rng.normal(0, 1.0, n))
        pos = {"ts": np.floor(t).astype(np.int64), "lat": lat, "lon": lon, "sog": sog, "cog": cog,
               "hdg": np.mod(np.rint(cog + self.rng.normal(0, 2, n)), 360), "rot": np.zeros(n),
               "status": np.where(moored, kin.MOORED, kin.UNDER_WAY).astype(np.int64), "vessel": v,
               "pid": self._pid(v, lat, lon)}
        quantise(pos)
        pos.update(self._static_cols(v, pos["ts"], dirv))
        return pos

    def _pid(self, v: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Port id (route*2 + end) whose radius contains each position, else -1."""
        n = len(v)
        p0 = self._port_of(v, np.zeros(n, np.int64))
        p1 = self._port_of(v, np.ones(n, np.int64))
        in0 = haversine_km(lat, lon, p0[0], p0[1]) <= p0[2]
        in1 = haversine_km(lat, lon, p1[0], p1[1]) <= p1[2]
        end0 = np.where(self.dir[v] == 0, 0, 1)
        return np.where(in0, self.route[v] * 2 + end0, np.where(in1, self.route[v] * 2 + 1 - end0, -1))

    def _static_cols(self, v: np.ndarray, ts: np.ndarray, dirv: np.ndarray) -> dict[str, np.ndarray]:
        n = len(v)
        return {"mmsi": self.mmsi[v], "imo": self.imo[v], "name": self.name[v], "callsign": self.callsign[v],
                "destination": self.dest[self.route[v], dirv], "eta": np.full(n, -1, np.int64),
                "ship_type": self.ship_type[v], "dma_type": self.dma_type[v], "draught": self.draught[v],
                "class_b": np.zeros(n, bool), **{c: x[v] for c, x in self.dims.items()}}

    def _statics(self, v: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        order = np.argsort(t, kind="stable")
        v, t = v[order], t[order]
        ts = np.floor(t).astype(np.int64)
        return {"ts": ts, **self._static_cols(v, ts, self.dir[v])}

    def _track_calls(self, v: np.ndarray, pos: dict[str, np.ndarray]) -> list[tuple]:
        """Port-call runs: consecutive messages of a vessel within the radius of the same port."""
        if not len(v):
            return []
        pid = pos["pid"]
        out = []
        first = np.concatenate([[True], v[1:] != v[:-1]])
        prev = np.where(first, self.call_port[v], np.concatenate([[-1], pid[:-1]]))
        for i in np.flatnonzero(pid != prev):  # only where a vessel enters or leaves a port circle
            vi = int(v[i])
            if prev[i] >= 0:
                out.append((vi, int(self.call_port[vi]), int(self.call_start[vi]), int(pos["ts"][i])))
            self.call_port[vi] = pid[i]
            self.call_start[vi] = pos["ts"][i]
        last = np.concatenate([v[1:] != v[:-1], [True]])
        self.call_port[v[last]] = pid[last]
        return out


def run_global(out: Path, *, seed: int, vessels: int | None, days: float | None, messages: int | None, gz: bool,
               csv: bool, params: SimParams, gp: GlobalParams | None = None, progress: ProgressFn | None = None
               ) -> dict:
    """Stream the global world into out/ until `messages` (default 1M) or `days` are reached (`progress`:
    messages written of the target, else simulated seconds of `days`; sanctionwatch.progress)."""
    gp = gp or GlobalParams()
    t_start = time.perf_counter()
    rng = np.random.default_rng([seed, 42])
    target = messages if messages is not None else (None if days else 1_000_000)
    n = vessels or max(500, int((target or 1_000_000) // 2_000))
    report(progress, "simulate: routes and fleet", 0, 1)
    lib = build_routes(rng, gp)
    if not len(lib.length):
        raise ValueError("no usable routes for the global preset: " + "; ".join(lib.skipped))
    t0 = EPOCH0
    t_end = t0 + days * 86400 if days else np.inf
    fleet = Fleet(n, lib, rng, params, gp, t0)
    t_build = time.perf_counter() - t_start
    report(progress, "simulate: routes and fleet", 1, 1)
    window = float(np.clip(gp.batch_messages / (n * 0.08), 30, 3600))
    out.mkdir(parents=True, exist_ok=True)
    nmea_path = out / ("traffic.nmea.gz" if gz else "traffic.nmea")
    written = 0
    n_labels = 0
    n_gaps = 0
    t = t0
    em_c = None
    with contextlib.ExitStack() as stack:
        em_n = NmeaEmitter(stack.enter_context(open_out(stack.enter_context(atomic_path(nmea_path)), gz)),
                           params.noise, np.random.default_rng([seed, 7]), params.noise.stations)
        if csv:
            em_c = CsvEmitter(stack.enter_context(open(stack.enter_context(atomic_path(out / "traffic.csv")), "wb")))
        lab = stack.enter_context(open(stack.enter_context(atomic_path(out / "labels.jsonl")), "wb"))
        cut = None
        if target is not None:
            report(progress, "simulate: messages", 0, target)
        else:
            report(progress, "simulate: simulated seconds", 0, int(t_end - t0))
        while t < t_end and (target is None or written < target):
            hi = min(t + window, t_end)
            pos, stat, calls, gaps = fleet.step(t, hi)
            if target is not None and written + len(pos["ts"]) + len(stat["ts"]) > target:
                pos, stat, calls, cut = _trim(pos, stat, calls, target - written)
                gaps = [g for g in gaps if g[2] <= cut]
            em_n.write(pos, stat)
            if em_c:
                em_c.write(pos)
            written += len(pos["ts"]) + len(stat["ts"])
            for vi, pid, s, e, *note in calls:
                lab.write(orjson.dumps(_call_label(fleet, vi, pid, s, e, *note)) + b"\n")
                n_labels += 1
            for vi, s0, e0 in gaps:
                lab.write(orjson.dumps(_gap_label(fleet, vi, s0, e0)) + b"\n")
                n_gaps += 1
            t = hi
            if target is not None:
                report(progress, "simulate: messages", min(written, target), target)
            else:
                report(progress, "simulate: simulated seconds", int(t - t0), int(t_end - t0))
        if target is not None and written < target:  # --days ended the run first: the stage is complete
            report(progress, "simulate: messages", written, written)
        last_ts = em_n.stats.ts_max or int(t)
        for vi in np.flatnonzero(fleet.call_port >= 0):  # calls still open at the end of the data
            if cut is not None and fleet.call_start[vi] > cut:
                continue  # began in the part of the last window cut off by --messages
            lab.write(orjson.dumps(_call_label(fleet, int(vi), int(fleet.call_port[vi]), int(fleet.call_start[vi]),
                                               last_ts + 1, notes="still in port at end of data")) + b"\n")
            n_labels += 1
    st = em_n.stats
    secs = time.perf_counter() - t_start
    summary = {
        "preset": "global", "seed": seed, "sanctionwatch_version": __version__, "start": iso(t0),
        "end": iso(st.ts_max), "vessels": n, "routes": len(lib.length), "routes_skipped": lib.skipped,
        "messages": st.messages, "lines": st.lines, "duplicate_receptions": st.duplicates,
        "corrupt_lines": st.corrupt, "by_type": {str(k): v for k, v in sorted(st.by_type.items())},
        "csv_rows": em_c.rows if em_c else 0, "labels": n_labels + n_gaps,
        "labels_by_type": {"gap": n_gaps, "port_call": n_labels},
        "controls_by_type": {}, "window_s": window, "seconds_total": round(secs, 2),
        "seconds_route_build": round(t_build, 2),
        "files": {"nmea": nmea_path.name, "csv": "traffic.csv" if csv else None, "labels": "labels.jsonl"},
    }
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def _trim(pos: dict, stat: dict, calls: list, budget: int) -> tuple[dict, dict, list, int]:
    """Keep the first `budget` messages (by time) of a window so the run stops at exactly --messages."""
    ts = np.concatenate([pos["ts"], stat["ts"]])
    cut = np.sort(ts, kind="stable")[budget - 1] if budget > 0 else -1
    kp = pos["ts"] < cut
    ks = stat["ts"] < cut
    room = budget - int(kp.sum()) - int(ks.sum())
    eq_p = np.flatnonzero(pos["ts"] == cut)[:max(room, 0)]
    kp[eq_p] = True
    room -= len(eq_p)
    ks[np.flatnonzero(stat["ts"] == cut)[:max(room, 0)]] = True
    kept = [c for c in calls if c[3] <= cut]
    kept += [(*c[:3], cut + 1, "still in port at end of data") for c in calls if c[3] > cut >= c[2]]
    return {c: x[kp] for c, x in pos.items()}, {c: x[ks] for c, x in stat.items()}, kept, int(cut)


def _call_label(f: Fleet, vi: int, pid: int, start: int, end: int, notes: str = "") -> dict:
    p = f.lib.ports[pid // 2][pid % 2]
    return _label("port_call", int(f.mmsi[vi]), start, end, lat=p.lat, lon=p.lon, port=p.name, locode=p.locode,
                  vessel=f"G{vi:06d}", imo=int(f.imo[vi]), notes=notes)


def _gap_label(f: Fleet, vi: int, start: int, end: int) -> dict:
    return _label("gap", int(f.mmsi[vi]), start, end, vessel=f"G{vi:06d}", imo=int(f.imo[vi]),
                  notes="transponder off at sea")
