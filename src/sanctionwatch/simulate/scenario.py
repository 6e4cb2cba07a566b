"""The scenario world and its actors: each function schedules one vessel (or a pair) and records the
behaviour or control it stands for. Presets (presets.py) are compositions of these actors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sanctionwatch.simulate import kinematics as kin
from sanctionwatch.simulate.identity import Identity, IdentityFactory, messy_destination
from sanctionwatch.simulate.labels import Behaviour
from sanctionwatch.simulate.params import KINDS, SimParams
from sanctionwatch.simulate.routes import Port, offshore_point, port
from sanctionwatch.simulate.vessel import Point, Vessel

H = 3600.0


@dataclass
class World:
    """Everything a preset builds: vessels, injected behaviours and controls, the period."""

    params: SimParams
    rng: np.random.Generator
    t0: float
    t1: float
    ids: IdentityFactory = field(init=False)
    vessels: list[Vessel] = field(default_factory=list)
    behaviours: list[Behaviour] = field(default_factory=list)
    dark_notes: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ids = IdentityFactory(self.rng)

    def vessel(self, kind: str, flag: str, *, identity: Identity | None = None, imo: bool = True) -> Vessel:
        """A new vessel with its own child random stream (so adding actors does not reshuffle others)."""
        k = KINDS[kind]
        ident = identity or self.ids.new(flag, imo=imo and not k.class_b)
        v = Vessel(key=f"V{len(self.vessels) + 1:04d}", kind=k, identity=ident, params=self.params,
                   rng=np.random.default_rng(self.rng.integers(2**63)))
        self.vessels.append(v)
        return v

    def add(self, b: Behaviour) -> Behaviour:
        self.behaviours.append(b)
        return b

    def declare_for(self, v: Vessel, to: Port | tuple[str, str], prev: Port | None = None) -> dict:
        """Keyword arguments for `sail` declaring `to` the messy way; a (text, ISO country) pair declares a
        country ('VIETNAM', 'HONG KONG', 'CN'), whose meaning for the labels is the two-letter code."""
        if isinstance(to, tuple):
            return {"declare": to[0], "declare_locode": to[1]}
        return {"declare": messy_destination(to, v.rng, prev), "declare_locode": to.locode}


def background(w: World, ports: list[Port], *, kind: str, flag: str, t_start: float,
               identity: Identity | None = None) -> Vessel:
    """Honest trader: port to port, each leg declared (messily) and called at, stays of 8-40 h."""
    v = w.vessel(kind, flag, identity=identity)
    here = ports[int(v.rng.integers(len(ports)))]
    v.start_at_port(here, w.t0)
    t = t_start
    prev = None
    while True:
        nxt = ports[int(v.rng.integers(len(ports)))]
        if nxt.locode == here.locode:
            continue
        if t + v.leg_hours(nxt) * H > w.t1:
            break
        v.sail(nxt, depart_at=t, **w.declare_for(v, nxt, prev if v.rng.random() < 0.2 else None))
        prev, here = here, nxt
        t = v.t + float(v.rng.uniform(8, 40)) * H
    return v.finish(w.t1)


def false_destination_run(w: World, load: Port, dprk: Port, declared: Port | tuple[str, str], back: Port, *,
                          t_depart: float, flag: str = "KP", dark_km: float | None = None, stay_h: float = 20.0
                          ) -> Vessel:
    """DPRK tanker loads in Russia, declares a third country, sails to a DPRK port (seed: 'official should
    have followed in other ports'); optionally dark from `dark_km` off the DPRK coast until back out (the
    *went dark en route* case). `declared` may be a country: ('VIETNAM', 'VN')."""
    v = w.vessel("tanker", flag)
    v.start_at_port(load, w.t0)
    if dark_km is None:
        v.sail(dprk, depart_at=t_depart, **w.declare_for(v, declared))
        v.sail(back, depart_at=v.t + stay_h * H, **w.declare_for(v, back))
        return v.finish(w.t1)
    gate = offshore_point(dprk, load, dark_km)
    v.sail(gate, depart_at=t_depart, **w.declare_for(v, declared))
    t_off = v.t
    v.sail(dprk)
    v.sail(gate, depart_at=v.t + stay_h * H)
    t_on = v.t
    v.go_dark(t_off, t_on)
    w.dark_notes[(v.key, t_off, t_on)] = f"transponder off {dark_km:.0f} km off {dprk.name} (DPRK)"
    v.sail(back, **w.declare_for(v, back))
    return v.finish(w.t1)


def sts_transfer(w: World, a_from: Port, b_from: Port, spot: Point, a_to: Port, b_to: Port, *, t_meet: float,
                 hours: float, b_dark: bool = False, a_declares: Port | None = None) -> tuple[Vessel, Vessel]:
    """Ship-to-ship transfer at sea: both arrive together, drift side by side for `hours`, part."""
    a = w.vessel("tanker", "SL")
    b = w.vessel("tanker", "KP")
    a.start_at_port(a_from, w.t0)
    b.start_at_port(b_from, w.t0)
    t_meet = max(t_meet, w.t0 + (max(a.leg_hours(spot), b.leg_hours(spot)) + 1) * H)
    a.sail(spot, arrive_at=t_meet, slow_at_end=True, **w.declare_for(a, a_declares or a_to))
    b.sail(spot, arrive_at=t_meet, slow_at_end=True, **w.declare_for(b, b_to))
    phase = (float(w.rng.uniform(0, 6.28)), float(w.rng.uniform(0, 6.28)))
    speed = float(w.rng.uniform(0.3, 0.8))
    a.drift(hours, phase=phase, speed_kn=speed, radius_km=1.5)
    b.drift(hours, phase=phase, speed_kn=speed, radius_km=1.5, offset_m=(w.params.movement.encounter_offset_m, 0.0))
    a.sail(a_to, **({} if a_declares else w.declare_for(a, a_to)))  # keeps the false declaration
    b.sail(b_to, **w.declare_for(b, b_to))
    notes = "ship-to-ship transfer, side by side"
    if b_dark:
        t_off, t_on = t_meet - 3 * H, t_meet + (hours + 3) * H
        b.go_dark(t_off, t_on)
        w.dark_notes[(b.key, t_off, t_on)] = "transponder off for a ship-to-ship transfer"
        notes += f"; {b.identity.name} dark (only {a.identity.name} visible)"
        # dark STS: what AIS can show is the visible partner loitering at sea (GFW: potential encounter)
        w.add(Behaviour("loitering", [a], t_meet, t_meet + hours * H, lat=spot[0], lon=spot[1],
                        notes=f"dark STS: {a.identity.name} alongside {b.identity.name}, whose transponder is off",
                        extra={"case": "dark_sts"}))
    w.add(Behaviour("encounter", [a, b], t_meet, t_meet + hours * H, lat=spot[0], lon=spot[1], notes=notes,
                    observable=not b_dark, extra={"implies": "loitering"}))
    a.finish(w.t1)
    b.finish(w.t1)
    return a, b


def loiterer(w: World, start: Port, spot: Point, end: Port, *, t_depart: float, hours: float) -> Vessel:
    """A tanker that sails to open sea and drifts for hours with nobody alongside."""
    v = w.vessel("tanker", "MN")
    v.start_at_port(start, w.t0)
    v.sail(spot, depart_at=t_depart, slow_at_end=True, **w.declare_for(v, end))
    t = v.t
    v.drift(hours)
    w.add(Behaviour("loitering", [v], t, t + hours * H, lat=spot[0], lon=spot[1], notes="drifting at sea, alone"))
    v.sail(end)
    return v.finish(w.t1)


def identity_launderer(w: World, load: Port, dprk: Port, out: Port, *, t_depart: float, stay_h: float = 24.0,
                       old_reports: int | None = None) -> Vessel:
    """Same hull (IMO) leaves a DPRK port under a new MMSI, name and flag. `old_reports`: the old identity is
    heard in exactly that many static reports (1: the single-report identity of thin satellite data)."""
    v = w.vessel("tanker", "SL")
    if old_reports is not None:
        v.limit_static(0, old_reports)
    v.start_at_port(load, w.t0)
    v.sail(dprk, depart_at=t_depart, **w.declare_for(v, dprk))
    t_change = v.t + stay_h * H / 2
    new = w.ids.new("TG")
    v.change_identity(t_change, Identity(new.mmsi, v.identity.imo, new.name, new.callsign, "TG"))
    v.sail(out, depart_at=v.t + stay_h * H, **w.declare_for(v, out))
    return v.finish(w.t1)


def renamer(w: World, a: Port, b: Port, *, t_depart: float) -> Vessel:
    """Name (and call sign) changes mid-voyage, same MMSI and IMO."""
    v = w.vessel("cargo", "PA")
    v.start_at_port(a, w.t0)
    v.sail(b, depart_at=t_depart, **w.declare_for(v, b))
    t_mid = (t_depart + v.t) / 2
    v.change_identity(t_mid, Identity(v.identity.mmsi, v.identity.imo, w.ids.name("PA"), w.ids.callsign("PA"), "PA"))
    return v.finish(w.t1)


def position_spoofer(w: World, load: Port, dprk: Port, back: Port, fake: Point, *, t_depart: float,
                     spoof_km: float, stay_h: float = 18.0) -> Vessel:
    """Broadcasts a made-up drift at `fake` while it really goes into a DPRK port and back out."""
    v = w.vessel("tanker", "KM")
    v.start_at_port(load, w.t0)
    gate = offshore_point(dprk, load, spoof_km)
    v.sail(gate, depart_at=t_depart, **w.declare_for(v, back))
    t_s = v.t
    v.sail(dprk)
    v.sail(gate, depart_at=v.t + stay_h * H)
    t_e = v.t
    v.spoof(t_s, t_e, fake)
    w.add(Behaviour("spoofing", [v], t_s, t_e, lat=fake[0], lon=fake[1],
                    notes=f"position jump: broadcasts a drift at {fake[0]:.2f},{fake[1]:.2f} while calling at {dprk.name}"))
    v.sail(back, **w.declare_for(v, back))
    return v.finish(w.t1)


def mmsi_twin(w: World, victim: Vessel, start: Port, end: Port, *, t_depart: float) -> Vessel:
    """A second hull broadcasting the victim's identity for one voyage (two hulls on one MMSI)."""
    own = w.ids.new("KP")
    v = w.vessel("cargo", "KP", identity=own)
    v.start_at_port(start, w.t0)
    v.sail(end, depart_at=t_depart, **w.declare_for(v, end))
    t_e = v.t - 1.0 * H
    v.change_identity(t_depart, victim.identity)
    v.change_identity(t_e, own)
    w.add(Behaviour("spoofing", [v], t_depart, t_e, notes=f"two hulls on MMSI {victim.identity.mmsi}: "
                    f"{own.name} ({own.mmsi}) broadcasts {victim.identity.name}'s identity",
                    extra={"other_mmsi": own.mmsi}))
    return v.finish(w.t1)


def ferry(w: World, a: Port, b: Port, *, first_depart: float, cycle_h: float, flag: str, name: str | None = None,
          control: bool = True) -> Vessel:
    """Scheduled ferry a<->b: departs a at first_depart + k*cycle_h, b half a cycle later."""
    v = w.vessel("passenger", flag, identity=w.ids.new(flag, name=name) if name else None)
    v.start_at_port(a, w.t0)
    t, here, there = first_depart, a, b
    while t + v.leg_hours(there) * H < w.t1:
        v.sail(there, depart_at=t, **w.declare_for(v, there))
        t += cycle_h * H / 2
        here, there = there, here
    if control:
        w.add(Behaviour("loitering", [v], w.t0, w.t1, control=True,
                        notes=f"scheduled ferry {a.name}-{b.name}, every {cycle_h:.0f} h: long regular port stays"))
    return v.finish(w.t1)


def anchorage_queue(w: World, dest: Port, origin: Port, *, t_arrive: float, wait_h: float) -> Vessel:
    """Control: arrives, anchors off the port (outside its radius) for `wait_h`, then berths."""
    v = w.vessel("cargo", "PA")
    v.start_at_port(origin, w.t0)
    spot = offshore_point(dest, origin, dest.radius_km + 3.0)
    v.sail(spot, arrive_at=t_arrive, slow_at_end=True, **w.declare_for(v, dest))
    v.anchor(wait_h)
    w.add(Behaviour("loitering", [v], t_arrive, t_arrive + wait_h * H, lat=spot[0], lon=spot[1], control=True,
                    notes=f"anchorage queue off {dest.name}"))
    v.sail(dest)
    v.sail(origin, depart_at=v.t + 12 * H, **w.declare_for(v, origin))
    return v.finish(w.t1)


def long_stay(w: World, p: Port, *, days: float) -> Vessel:
    """Control: moored in port for days."""
    v = w.vessel("cargo", "RU")
    v.start_at_port(p, w.t0)
    w.add(Behaviour("loitering", [v], w.t0, min(w.t0 + days * 86400, w.t1), lat=p.lat, lon=p.lon, control=True,
                    notes=f"long port stay at {p.name}"))
    return v.finish(w.t1)


def bunkering(w: World, p: Port, origin: Port, *, t_meet: float, hours: float) -> tuple[Vessel, Vessel]:
    """Control: a bunker tanker alongside an anchored ship just off a port."""
    ship = w.vessel("container", "LR")
    barge = w.vessel("tanker", "KR")
    spot = offshore_point(p, origin, p.radius_km + 2.5)
    ship.start_at_port(origin, w.t0)
    barge.start_at_port(p, w.t0)
    t_meet = max(t_meet, w.t0 + (ship.leg_hours(spot) + 2) * H)
    ship.sail(spot, arrive_at=t_meet - 1 * H, slow_at_end=True, **w.declare_for(ship, p))
    ship.anchor(hours + 2)
    off = (spot[0] + 60 / 111_320.0, spot[1])
    barge.sail(off, arrive_at=t_meet, slow_at_end=True, declare=f"{p.locode[:2]} {p.locode[2:]}", declare_locode=p.locode)
    barge.anchor(hours)
    barge.sail(p)
    ship.sail(p)
    w.add(Behaviour("encounter", [ship, barge], t_meet, t_meet + hours * H, lat=spot[0], lon=spot[1], control=True,
                    notes=f"bunkering at the anchorage of {p.name} (legitimate, next to port)"))
    ship.finish(w.t1)
    barge.finish(w.t1)
    return ship, barge


def fishing(w: World, home: Port, ground: Point, *, t_depart: float, hours: float, flag: str) -> Vessel:
    """Control: fishing vessel working its grounds (slow, turning) then returning."""
    v = w.vessel("fishing", flag)
    v.start_at_port(home, w.t0)
    v.sail(ground, depart_at=t_depart, slow_at_end=True, declare="FISHING GROUND", declare_locode=None)
    t = v.t
    v.drift(hours, status=kin.FISHING, radius_km=4.0, speed_kn=2.5)
    w.add(Behaviour("loitering", [v], t, t + hours * H, lat=ground[0], lon=ground[1], control=True,
                    notes="fishing on grounds (nav status 'engaged in fishing')"))
    v.sail(home, declare=f"{home.locode}", declare_locode=home.locode)
    return v.finish(w.t1)


def pleasure(w: World, home: Port, spot: Point, *, t_depart: float, hours: float) -> Vessel:
    """Control: Class B pleasure craft day trip (30 s / 3 min reporting, type 18/24)."""
    v = w.vessel("pleasure", "RU", imo=False)
    v.start_at_port(home, w.t0)
    v.sail(spot, depart_at=t_depart, slow_at_end=True)
    v.drift(hours, radius_km=1.0, speed_kn=1.5)
    v.sail(home)
    w.add(Behaviour("gap", [v], t_depart, v.t, control=True,
                    notes="Class B craft: sparse reporting (30 s moving, 3 min slow) is not a gap"))
    return v.finish(w.t1)


def orders_then_port(w: World, a: Port, b: Port, *, t_depart: float) -> Vessel:
    """Control: sails 'FOR ORDERS', updates the destination to the real port mid-voyage, calls there."""
    v = w.vessel("cargo", "HK")
    v.start_at_port(a, w.t0)
    v.sail(b, depart_at=t_depart, declare="FOR ORDERS", declare_locode=None)
    t_upd = (t_depart + v.t) / 2
    v.declare(t_upd, f"{b.locode[:2]} {b.locode[2:]}", b.locode)
    w.add(Behaviour("destination_mismatch", [v], t_depart, v.t, control=True,
                    notes=f"'FOR ORDERS' then updated to {b.locode} before arriving there"))
    return v.finish(w.t1)


def passing_ferries(w: World, a: Port, b: Port, *, first_depart: float) -> tuple[Vessel, Vessel]:
    """Control: two ferries on the same line in opposite directions pass each other at speed."""
    f1 = ferry(w, a, b, first_depart=first_depart, cycle_h=24, flag="KR", control=False)
    f2 = ferry(w, b, a, first_depart=first_depart, cycle_h=24, flag="JP", control=False)
    w.add(Behaviour("encounter", [f1, f2], first_depart, first_depart + 12 * H, control=True,
                    notes=f"sister ferries {a.name}-{b.name} pass each other at service speed"))
    return f1, f2


def berth_silence(w: World, origin: Port, dest: Port, *, t_depart: float, silent_after_h: float,
                  kind: str = "cargo", flag: str = "PA") -> Vessel:
    """Control: an honest trader berths and powers its transponder down `silent_after_h` after arriving,
    silent until the end of the data (a berth silence is not dark activity)."""
    v = w.vessel(kind, flag)
    v.start_at_port(origin, w.t0)
    v.sail(dest, depart_at=t_depart, **w.declare_for(v, dest))
    v.fall_silent(v.t + silent_after_h * H, w.t1 + H)
    return v.finish(w.t1)


def ports(*codes: str) -> list[Port]:
    return [port(c) for c in codes]
