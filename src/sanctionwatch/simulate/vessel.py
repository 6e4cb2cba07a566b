"""One simulated vessel: an itinerary builder (stay, sail, anchor, drift) and what its transponder emits.

The scenario code calls the builder in time order; `emit()` then turns the true track into what the
AIS network sees: transponder-off intervals removed, spoofed positions substituted, GNSS noise added,
identities and destinations attached, static reports every 6 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sanctionwatch.simulate import coverage as cov
from sanctionwatch.simulate import kinematics as kin
from sanctionwatch.simulate.identity import Identity
from sanctionwatch.simulate.params import ShipKind, SimParams
from sanctionwatch.simulate.routes import Port, Route, point_route

Point = tuple[float, float]


@dataclass
class Stay:
    """A stop: at a port berth (port set, anchored False) or at an anchorage / open-sea point."""

    port: Port | None
    t0: float
    t1: float
    anchored: bool


@dataclass
class Vessel:
    """Builder and container of one hull's true track and transponder behaviour."""

    key: str
    kind: ShipKind
    identity: Identity
    params: SimParams
    rng: np.random.Generator
    cruise_kn: float = 0.0
    length_m: int = 0
    beam_m: int = 0
    draught_m: float = 0.0
    pieces: list[dict[str, np.ndarray]] = field(default_factory=list)
    identities: list[tuple[float, Identity]] = field(default_factory=list)
    destinations: list[tuple[float, str, str | None]] = field(default_factory=list)  # (from, text, locode)
    dark: list[tuple[float, float]] = field(default_factory=list)
    quiet: list[tuple[float, float]] = field(default_factory=list)  # honest silences (off at berth): controls
    static_limit: dict[int, int] = field(default_factory=dict)  # identity index -> exactly this many type 5 heard
    spoofed: list[tuple[float, float, Point]] = field(default_factory=list)
    stays: list[Stay] = field(default_factory=list)
    t: float = 0.0
    pos: Point = (0.0, 0.0)
    port: Port | None = None
    v_now: float = 0.0  # speed at the end of the last piece (kn)
    _open_hold: tuple[float, int, float] | None = None  # (since, status, swing_m)

    def __post_init__(self) -> None:
        k = self.kind
        self.cruise_kn = self.cruise_kn or float(self.rng.uniform(*k.cruise_kn))
        self.length_m = self.length_m or int(self.rng.integers(*k.length_m))
        self.beam_m = self.beam_m or int(self.rng.integers(*k.beam_m))
        self.draught_m = self.draught_m or round(float(self.rng.uniform(*k.draught_m)), 1)
        self.identities.append((-np.inf, self.identity))

    # --- itinerary -------------------------------------------------------------------------------------
    def start_at_port(self, p: Port, t: float) -> Vessel:
        """Begin moored at a port berth at time t."""
        self.t, self.pos, self.port = t, (p.lat, p.lon), p
        self._open_hold = (t, kin.MOORED, self.params.movement.moored_jitter_m)
        return self

    def start_at(self, pt: Point, t: float) -> Vessel:
        """Begin at an open-sea point at time t (no stop)."""
        self.t, self.pos, self.port = t, pt, None
        return self

    def _close_hold(self, until: float) -> None:
        if self._open_hold is None:
            return
        since, status, swing = self._open_hold
        if until < since:
            raise ValueError(f"{self.key}: departure {until} before the stop began {since}")
        self.pieces.append(kin.hold(self.pos[0], self.pos[1], since, until, status, swing, kind=self.kind,
                                    rng=self.rng, rp=self.params.reporting))
        self.stays.append(Stay(self.port, since, until, status == kin.AT_ANCHOR))
        self._open_hold = None
        self.t = until

    def _transit(self, to: Port | Point, t0: float, cruise: float, slow: bool, rng: np.random.Generator,
                 stopped: bool):
        """Sail from here (a port berth if stopped in port, else the current point) to `to`."""
        here: Port | Point = self.port if (self.port is not None and stopped) else self.pos
        r: Route = point_route(here, to)
        v0 = 1.0 if stopped else max(self.v_now, 1.0)
        return kin.transit(r, t0, cruise, self.kind, rng=rng, rp=self.params.reporting, mp=self.params.movement,
                           start_port=isinstance(here, Port), end_port=isinstance(to, Port), v_start_kn=v0,
                           v_end_kn=1.0 if slow else cruise)

    def leg_hours(self, to: Port | Point, cruise_kn: float | None = None, slow_at_end: bool = True) -> float:
        """How long sailing to `to` would take from here (for scheduling rendezvous)."""
        _, t_end = self._transit(to, 0.0, cruise_kn or self.cruise_kn, slow_at_end, np.random.default_rng(0),
                                 self._open_hold is not None)
        return t_end / 3600.0

    def sail(self, to: Port | Point, *, depart_at: float | None = None, arrive_at: float | None = None,
             cruise_kn: float | None = None, declare: str | None = None, declare_locode: str | None = None,
             anchor: bool = False, slow_at_end: bool | None = None) -> Vessel:
        """Leave the current stop and sail to a port (then moored, or anchored if `anchor`) or a sea point.

        A sea point is passed at cruise speed unless `slow_at_end` (a rendezvous or a loitering spot).
        """
        cruise = cruise_kn or self.cruise_kn
        slow = isinstance(to, Port) if slow_at_end is None else slow_at_end
        if arrive_at is not None:  # arrive then, or as soon as possible after
            depart_at = arrive_at - self.leg_hours(to, cruise, slow) * 3600.0
            if self._open_hold is not None:
                depart_at = max(depart_at, self._open_hold[0])
        depart = self.t if depart_at is None else depart_at
        stopped = self._open_hold is not None
        if stopped:
            self._close_hold(depart)
        elif depart > self.t + 1:
            raise ValueError(f"{self.key}: cannot wait at sea without a stop (t={self.t}, depart={depart})")
        if declare is not None:
            self.destinations.append((depart, declare, declare_locode))
        piece, t_end = self._transit(to, depart, cruise, slow, self.rng, stopped)
        self.pieces.append(piece)
        self.t = t_end
        self.v_now = 1.0 if slow else cruise
        if isinstance(to, Port):
            self.pos, self.port = (to.lat, to.lon), to
            status = kin.AT_ANCHOR if anchor else kin.MOORED
            swing = self.params.movement.anchor_swing_m if anchor else self.params.movement.moored_jitter_m
            self._open_hold = (t_end, status, swing)
        else:
            self.pos, self.port = to, None
        return self

    def anchor(self, hours: float) -> Vessel:
        """Drop anchor where the vessel is (must be at sea) for `hours`."""
        if self._open_hold is not None:
            raise ValueError(f"{self.key}: already stopped")
        self._open_hold = (self.t, kin.AT_ANCHOR, self.params.movement.anchor_swing_m)
        self._close_hold(self.t + hours * 3600.0)
        self.v_now = 0.0
        return self

    def drift(self, hours: float, *, status: int = kin.UNDER_WAY, phase: tuple[float, float] | None = None,
              speed_kn: float | None = None, radius_km: float | None = None, offset_m: Point = (0.0, 0.0)) -> Vessel:
        """Move slowly around the current sea position for `hours` (loiter, fish, transfer cargo)."""
        if self._open_hold is not None:
            raise ValueError(f"{self.key}: drift needs the vessel under way")
        lat = self.pos[0] + offset_m[0] / 111_320.0
        lon = self.pos[1] + offset_m[1] / (111_320.0 * np.cos(np.radians(self.pos[0])))
        piece = kin.drift(lat, lon, self.t, self.t + hours * 3600.0, kind=self.kind, rng=self.rng,
                          rp=self.params.reporting, mp=self.params.movement, status=status, phase=phase,
                          speed_kn=speed_kn, radius_km=radius_km)
        self.pieces.append(piece)
        self.t += hours * 3600.0
        if len(piece["t"]):
            self.pos = (float(piece["lat"][-1]), float(piece["lon"][-1]))
            self.v_now = float(piece["sog"][-1])
        return self

    def finish(self, t_end: float) -> Vessel:
        """Close an open stop at the end of the simulated period."""
        if self._open_hold is not None:
            self._close_hold(max(t_end, self._open_hold[0]))
        return self

    # --- transponder -----------------------------------------------------------------------------------
    def go_dark(self, t0: float, t1: float) -> Vessel:
        """Transponder off for [t0, t1)."""
        self.dark.append((t0, t1))
        return self

    def fall_silent(self, t0: float, t1: float) -> Vessel:
        """Honest silence [t0, t1): transponder powered down at a berth (labelled as a control, not a gap)."""
        self.quiet.append((t0, t1))
        return self

    def limit_static(self, identity_index: int, n: int) -> Vessel:
        """Exactly `n` static reports of identity `identity_index` are heard, in every regime."""
        self.static_limit[identity_index] = n
        return self

    def spoof(self, t0: float, t1: float, fake: Point) -> Vessel:
        """Broadcast positions around `fake` instead of the true ones during [t0, t1)."""
        self.spoofed.append((t0, t1, fake))
        return self

    def change_identity(self, t: float, new: Identity) -> Vessel:
        """From time t on, broadcast `new` (MMSI, name, call sign, flag)."""
        self.identities.append((t, new))
        return self

    def declare(self, t: float, text: str, locode: str | None) -> Vessel:
        """Set the type 5 destination text from time t (locode = what it really means, for labels)."""
        self.destinations.append((t, text, locode))
        return self

    # --- output ----------------------------------------------------------------------------------------
    def true_track(self) -> dict[str, np.ndarray]:
        """All samples of the true track, in time order."""
        tr = kin.concat(self.pieces)
        order = np.argsort(tr["t"], kind="stable")
        return {c: v[order] for c, v in tr.items()}

    def transmitting(self, t: np.ndarray) -> np.ndarray:
        """Mask of times when the transponder is on."""
        on = np.ones(len(t), bool)
        for t0, t1 in [*self.dark, *self.quiet]:
            on &= ~((t >= t0) & (t < t1))
        return on

    def identity_at(self, t: np.ndarray) -> np.ndarray:
        """Index into `identities` for each time."""
        starts = np.array([s for s, _ in self.identities])
        return np.searchsorted(starts, t, side="right") - 1

    def destination_at(self, t: np.ndarray) -> list[str]:
        """Declared destination text at each time ('' before the first declaration)."""
        if not self.destinations:
            return [""] * len(t)
        starts = np.array([s for s, _, _ in self.destinations])
        texts = np.array([""] + [d for _, d, _ in self.destinations], dtype=object)
        return list(texts[np.searchsorted(starts, t, side="right")])

    def emitted(self) -> dict[str, np.ndarray]:
        """Position reports as received (before duplication): noise, gaps, spoofing, decimation applied."""
        p = self.params
        tr = self.true_track()
        keep = self.transmitting(tr["t"]) & ~self.in_hole(tr["lat"], tr["lon"])
        if p.noise.satellite_keep_fraction < 1.0:
            keep &= self.rng.random(len(keep)) < p.noise.satellite_keep_fraction
        keep = self._covered(tr, keep)
        if p.noise.drop_fraction > 0:
            keep &= self.rng.random(len(keep)) >= p.noise.drop_fraction
        out = {c: v[keep].copy() for c, v in tr.items()}
        n = len(out["t"])
        for t0, t1, fake in self.spoofed:
            m = (out["t"] >= t0) & (out["t"] < t1)
            if m.any():
                fk = kin.drift(fake[0], fake[1], t0, t1, kind=self.kind, rng=self.rng, rp=p.reporting,
                               mp=p.movement, speed_kn=0.8)
                idx = np.clip(np.searchsorted(fk["t"], out["t"][m]), 0, len(fk["t"]) - 1)
                for c in ("lat", "lon", "sog", "cog", "hdg"):
                    out[c][m] = fk[c][idx]
        sig = p.noise.position_sigma_m
        out["lat"] = out["lat"] + self.rng.normal(0, sig, n) / 111_320.0
        out["lon"] = out["lon"] + self.rng.normal(0, sig, n) / (111_320.0 * np.cos(np.radians(out["lat"])))
        moving = out["sog"] > 0.5
        out["sog"] = np.clip(out["sog"] + self.rng.normal(0, p.noise.sog_sigma_kn, n) * moving, 0, 102.2)
        out["cog"] = np.mod(out["cog"] + self.rng.normal(0, p.noise.cog_sigma_deg, n), 360)
        out["hdg"] = np.mod(np.rint(out["hdg"] + self.rng.normal(0, p.noise.heading_sigma_deg, n)), 360)
        out["ts"] = np.floor(out.pop("t")).astype(np.int64)
        out["ident"] = self.identity_at(out["ts"].astype(float))
        return out

    def _covered(self, tr: dict[str, np.ndarray], sent: np.ndarray) -> np.ndarray:
        """Reports of the true track heard under the coverage regime (coverage.py), from those `sent`."""
        cp = self.params.coverage
        if cp.regime == "dense":
            return sent
        stopped = np.isin(tr["status"], (kin.MOORED, kin.AT_ANCHOR))
        rp = self.params.reporting
        longest = max(rp.moored_s, rp.class_b_slow_s) * rp.interval_scale + 1.0
        heard = cov.satellite_heard(tr["t"], sent, stopped, self.rng, cp, min_window_s=longest)
        if cp.regime == "mixed":
            heard |= sent & cov.terrestrial(tr["lat"], tr["lon"], cp)
        return heard

    def in_hole(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Mask of positions inside a coverage hole (no receiver hears them)."""
        m = np.zeros(len(lat), bool)
        for la0, la1, lo0, lo1 in self.params.noise.coverage_holes:
            m |= (lat >= la0) & (lat <= la1) & (lon >= lo0) & (lon <= lo1)
        return m

    def static_times(self, t_first: float, t_last: float) -> np.ndarray:
        """Times of static/voyage reports: every static_s while the transponder is on and heard."""
        iv = self.params.reporting.static_s * self.params.reporting.interval_scale
        t = np.arange(t_first + self.rng.uniform(0, iv), t_last, iv)
        sent = self.transmitting(t)
        keep = sent.copy()
        cp, nz = self.params.coverage, self.params.noise
        if nz.coverage_holes or cp.regime != "dense":
            tr = self.true_track()
            lat, lon = np.interp(t, tr["t"], tr["lat"]), np.interp(t, tr["t"], tr["lon"])
            keep &= ~self.in_hole(lat, lon)
            if cp.regime != "dense":
                heard = cov.satellite_static_heard(t, keep, self.rng, cp)
                if cp.regime == "mixed":
                    heard |= keep & cov.terrestrial(lat, lon, cp)
                keep = heard
        if nz.drop_fraction > 0:
            keep &= self.rng.random(len(keep)) >= nz.drop_fraction
        if self.static_limit:
            ii = self.identity_at(t)
            for k, n in self.static_limit.items():
                mine = ii == k
                keep &= ~mine
                cand = np.flatnonzero(mine & sent)
                if len(cand):
                    keep[self.rng.choice(cand, size=min(n, len(cand)), replace=False)] = True
        return np.floor(t[keep]).astype(np.int64)
