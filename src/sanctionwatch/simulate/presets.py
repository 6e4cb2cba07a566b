"""Presets: `smoke` (tiny, every behaviour and control once), `sea-of-japan` (the DPRK/Russia channels of
the seed reports: tankers loading in Russia with false destinations, the Rajin-Vladivostok ferry, STS) and
`yellow-sea` (held out: never used to tune a detector; China/Korea Bay traffic into Nampo with the issue-12 cases:
country-level declarations, a single-report identity, honest berth silences, a dark STS, went dark en route).
The `global` preset is a separate streaming generator (world_global.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np

from sanctionwatch.simulate import scenario as sc
from sanctionwatch.simulate.identity import Identity
from sanctionwatch.simulate.params import SimParams
from sanctionwatch.simulate.routes import offshore_point, port
from sanctionwatch.simulate.scenario import H, World

EPOCH0 = datetime(2026, 1, 5, tzinfo=UTC).timestamp()  # a Monday; all presets start here


def _world(params: SimParams, seed: int, days: float) -> World:
    return World(params=params, rng=np.random.default_rng(seed), t0=EPOCH0, t1=EPOCH0 + days * 86400)


def smoke(params: SimParams, seed: int, vessels: int | None, days: float | None) -> World:
    """Two days in Peter the Great Bay / Rajin / Chongjin, sparse reporting: every behaviour and control once."""
    params = replace(params, reporting=replace(params.reporting, interval_scale=6.0))
    w = _world(params, seed, days or 2.0)
    j = lambda h: w.t0 + (h + float(w.rng.uniform(0, 0.5))) * H  # noqa: E731
    vvo, njk, vyp, ska, zar, rjn, cho = sc.ports("RUVVO", "RUNJK", "RUVYP", "RUSKA", "RUZAR", "KPRJN", "KPCHO")
    sc.false_destination_run(w, njk, rjn, port("CNDLC"), vvo, t_depart=j(2), stay_h=8)
    sc.false_destination_run(w, vyp, cho, port("KRPUS"), njk, t_depart=j(1), dark_km=40, stay_h=6)
    sc.sts_transfer(w, vvo, cho, (42.0, 131.5), ska, rjn, t_meet=j(14), hours=4, a_declares=port("CNYNT"))
    sc.loiterer(w, njk, (42.3, 132.6), vyp, t_depart=j(3), hours=6)
    sc.identity_launderer(w, zar, rjn, vvo, t_depart=j(3), stay_h=10)
    sc.renamer(w, vvo, njk, t_depart=j(4))
    sc.position_spoofer(w, ska, cho, zar, (42.35, 131.45), t_depart=j(2), spoof_km=45, stay_h=6)
    victim = sc.long_stay(w, vvo, days=2)
    sc.mmsi_twin(w, victim, cho, rjn, t_depart=j(5))
    sc.ferry(w, rjn, vvo, first_depart=j(6), cycle_h=24, flag="KP", name="MANGYONGBONG")
    sc.anchorage_queue(w, vyp, vvo, t_arrive=j(12), wait_h=10)
    sc.bunkering(w, vvo, njk, t_meet=j(12), hours=4)
    sc.fishing(w, zar, (42.45, 131.45), t_depart=j(4), hours=10, flag="RU")
    sc.pleasure(w, vvo, offshore_point(vvo, njk, 18), t_depart=j(7), hours=3)
    sc.orders_then_port(w, njk, vvo, t_depart=j(5))
    for _ in range(vessels if vessels is not None else 3):
        sc.background(w, [vvo, njk, vyp, ska, zar], kind="cargo", flag="RU", t_start=j(1))
    return w


def sea_of_japan(params: SimParams, seed: int, vessels: int | None, days: float | None) -> World:
    """A week of Sea of Japan / Yellow Sea traffic with the seed channels and every control."""
    w = _world(params, seed, days or 7.0)
    j = lambda h: w.t0 + (h + float(w.rng.uniform(0, 2))) * H  # noqa: E731
    P = port
    vvo, njk, vyp, vnn, ska, zar = sc.ports("RUVVO", "RUNJK", "RUVYP", "RUVNN", "RUSKA", "RUZAR")
    rjn, cho, kim, hgm, won, nam, sgn = sc.ports("KPRJN", "KPCHO", "KPSON", "KPHGM", "KPWON", "KPNAM", "KPSGN")
    pus = P("KRPUS")
    # seed 000/003: DPRK tankers load diesel in Russia, declare other ports, sail to DPRK
    sc.false_destination_run(w, njk, rjn, P("CNDLC"), vvo, t_depart=j(6), stay_h=30)
    sc.false_destination_run(w, vvo, cho, pus, njk, t_depart=j(20), stay_h=36)
    sc.false_destination_run(w, vyp, kim, P("CNSHA"), vyp, t_depart=j(30), dark_km=60, stay_h=30)
    sc.false_destination_run(w, ska, hgm, P("JPKIJ"), ska, t_depart=j(10), dark_km=40, stay_h=24)
    sc.false_destination_run(w, P("CNDLC"), nam, P("KRINC"), P("CNDLC"), t_depart=j(12), stay_h=30, flag="MN")
    sc.false_destination_run(w, P("CNLKU"), sgn, P("CNTAO"), P("CNLKU"), t_depart=j(24), stay_h=40, flag="KP")
    # ship-to-ship transfers (one with the DPRK tanker dark)
    sc.sts_transfer(w, vvo, cho, (41.2, 131.2), pus, rjn, t_meet=j(30), hours=6, a_declares=P("CNYNT"))
    sc.sts_transfer(w, njk, won, (40.0, 130.5), P("CNTAO"), hgm, t_meet=j(50), hours=8, b_dark=True)
    sc.loiterer(w, vyp, (41.8, 132.5), pus, t_depart=j(20), hours=14)
    sc.identity_launderer(w, vnn, cho, ska, t_depart=j(4), stay_h=30)
    sc.renamer(w, pus, vvo, t_depart=j(18))
    sc.position_spoofer(w, njk, won, vyp, (41.5, 132.0), t_depart=j(40), spoof_km=80, stay_h=20)
    victim = sc.long_stay(w, vvo, days=6)
    sc.mmsi_twin(w, victim, kim, cho, t_depart=j(60))
    # seed 003: Rajin-Vladivostok ferry service
    sc.ferry(w, rjn, vvo, first_depart=j(8), cycle_h=84, flag="KP", name="MANGYONGBONG 92")
    sc.passing_ferries(w, pus, P("JPHKT"), first_depart=j(9))
    for k in range(3):
        sc.anchorage_queue(w, vyp, [vvo, njk, ska][k], t_arrive=j(20 + 10 * k), wait_h=12 + 8 * k)
    sc.bunkering(w, pus, P("KRUSN"), t_meet=j(36), hours=5)
    for ground, home, flag in (((39.5, 129.8), P("KRTGA"), "KR"), ((37.8, 130.5), P("KRTGA"), "KR"),
                               ((41.8, 132.9), njk, "RU")):
        sc.fishing(w, home, ground, t_depart=j(6), hours=float(w.rng.uniform(12, 30)), flag=flag)
    sc.pleasure(w, vvo, offshore_point(vvo, njk, 18), t_depart=j(30), hours=5)
    sc.pleasure(w, pus, offshore_point(pus, P("KRUSN"), 16), t_depart=j(54), hours=4)
    sc.orders_then_port(w, P("CNDLC"), pus, t_depart=j(12))
    trade = [vvo, njk, vyp, vnn, ska, zar, pus, P("KRUSN"), P("KRTGA"), P("JPKIJ"), P("JPMAI"), P("JPFTX"),
             P("JPHKT"), P("CNDLC"), P("CNTAO"), P("CNYNT"), P("CNLKU"), P("KRINC")]
    kinds = [("cargo", "PA"), ("tanker", "LR"), ("container", "MH"), ("cargo", "CN"), ("cargo", "RU"),
             ("tanker", "KR"), ("cargo", "JP"), ("container", "SG")]
    for i in range(vessels if vessels is not None else 30):
        kind, flag = kinds[i % len(kinds)]
        sc.background(w, trade, kind=kind, flag=flag, t_start=j(float(w.rng.uniform(0, 24))))
    # A designated tanker trading with an honest-looking track: TONG SAN 2, IMO 8937675, on the OFAC SDN
    # (DPRK) and UK lists shipped in ../shared/data/sanctions. Only its list hit can flag it (added last, so
    # the random streams of every other actor are unchanged).
    designated = Identity(w.ids.mmsi("KP"), 8937675, "TONG SAN 2", w.ids.callsign("KP"), "KP")
    sc.background(w, trade, kind="tanker", flag="KP", t_start=j(2.0), identity=designated)
    return w


def yellow_sea(params: SimParams, seed: int, vessels: int | None, days: float | None) -> World:
    """Three days in the Bohai / Yellow Sea / Korea Bay (Chinese and Korean ports, DPRK west coast), sparse
    reporting like `smoke`. Held out from detector tuning; carries every issue-12 case."""
    params = replace(params, reporting=replace(params.reporting, interval_scale=6.0))
    w = _world(params, seed, days or 3.0)
    j = lambda h: w.t0 + (h + float(w.rng.uniform(0, 1.0))) * H  # noqa: E731
    dlc, txg, tao, ynt, lku, yik = sc.ports("CNDLC", "CNTXG", "CNTAO", "CNYNT", "CNLKU", "CNYIK")
    inc, ptk, kuv = sc.ports("KRINC", "KRPTK", "KRKUV")
    nam, sgn = sc.ports("KPNAM", "KPSGN")
    # country-level declarations (issue 12: 'VIETNAM', 'HONG KONG' resolves as a country, 'CN') and a DPRK call
    sc.false_destination_run(w, dlc, nam, ("VIETNAM", "VN"), dlc, t_depart=j(3), stay_h=12)
    sc.false_destination_run(w, lku, sgn, ("HONG KONG", "HK"), lku, t_depart=j(2), stay_h=10, flag="SL")
    sc.false_destination_run(w, tao, nam, ("CN", "CN"), tao, t_depart=j(1), stay_h=8, flag="TG")
    # went dark en route: declares elsewhere, heads for DPRK, transponder off from 40-60 km out
    sc.false_destination_run(w, ynt, nam, txg, ynt, t_depart=j(2), dark_km=50, stay_h=10)
    sc.false_destination_run(w, yik, sgn, ("CHINA", "CN"), yik, t_depart=j(4), dark_km=60, stay_h=8, flag="MN")
    # same hull, new MMSI in a DPRK port; the old identity was heard in one static report only
    sc.identity_launderer(w, dlc, nam, yik, t_depart=j(2), stay_h=12, old_reports=1)
    # ship-to-ship transfers: one visible pair, one with the DPRK tanker dark
    sc.sts_transfer(w, dlc, nam, (38.45, 123.9), ynt, nam, t_meet=j(16), hours=5, a_declares=inc)
    sc.sts_transfer(w, lku, sgn, (37.7, 123.4), tao, sgn, t_meet=j(20), hours=6, b_dark=True)
    sc.loiterer(w, tao, (36.3, 123.0), kuv, t_depart=j(4), hours=8)
    sc.renamer(w, inc, tao, t_depart=j(6))
    sc.position_spoofer(w, ynt, nam, dlc, (38.2, 122.9), t_depart=j(3), spoof_km=50, stay_h=8)
    victim = sc.long_stay(w, inc, days=3)
    sc.mmsi_twin(w, victim, dlc, tao, t_depart=j(8))
    # honest controls
    sc.berth_silence(w, dlc, inc, t_depart=j(2), silent_after_h=6)
    sc.berth_silence(w, ptk, tao, t_depart=j(1), silent_after_h=10, kind="tanker", flag="KR")
    sc.anchorage_queue(w, inc, tao, t_arrive=j(20), wait_h=10)
    sc.bunkering(w, tao, dlc, t_meet=j(18), hours=4)
    sc.fishing(w, kuv, (36.2, 125.2), t_depart=j(5), hours=12, flag="KR")
    sc.pleasure(w, tao, offshore_point(tao, ynt, 15), t_depart=j(8), hours=3)
    sc.orders_then_port(w, dlc, inc, t_depart=j(6))
    trade = [dlc, txg, tao, ynt, lku, yik, inc, ptk, kuv]
    kinds = [("cargo", "PA"), ("tanker", "LR"), ("container", "MH"), ("cargo", "CN"), ("cargo", "KR")]
    for i in range(vessels if vessels is not None else 5):
        kind, flag = kinds[i % len(kinds)]
        sc.background(w, trade, kind=kind, flag=flag, t_start=j(float(w.rng.uniform(0, 12))))
    return w


PRESETS = {"smoke": smoke, "sea-of-japan": sea_of_japan, "yellow-sea": yellow_sea}
