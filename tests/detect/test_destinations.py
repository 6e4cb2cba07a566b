"""destination_mismatch on hand-built voyages: country-level and LOCODE declarations, went dark en route toward
DPRK (and honest look-alikes), and the guards for split port calls and destinations updated at the berth."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from tests.detect.conftest import cat, leg, reports, stay

DLC, NAM, PUS = (38.9167, 121.6667), (38.7167, 125.4), (35.1, 129.0333)
VVO, SHA_DECL, END_H = (43.1089, 131.8883), "CN SHA", 60.0


def _on(a: tuple, b: tuple, f: float) -> tuple[float, float]:
    return a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f


def _voyage(m: int, a: tuple, b: tuple, t_dep: float, hours: float, end_h: float = END_H) -> list[pl.DataFrame]:
    """Moored at a for t_dep h, sails to b in `hours`, moored at b until end_h."""
    return [stay(m, 0, t_dep, *a, step_s=600), leg(m, t_dep, hours, *a, *b, step_s=600),
            stay(m, t_dep + hours, end_h - t_dep - hours, *b, step_s=600)]


# mmsi -> (parts, declarations [(hour, destination)], expected (case, level) or None)
def _fleet() -> dict[int, tuple[list[pl.DataFrame], list[tuple[float, str]]]]:
    f: dict[int, tuple[list[pl.DataFrame], list[tuple[float, str]]]] = {}
    for m, decl in ((352000101, "VIETNAM"), (352000102, "HONG KONG"), (352000103, "CN"), (352000104, "VNSGN")):
        f[m] = (_voyage(m, DLC, NAM, 3, 18), [(6, decl)])  # heard under way (a declaration of this voyage)
    f[352000105] = (_voyage(352000105, NAM, DLC, 3, 18), [(6, "CN")])  # declared China, reached Dalian: honest
    # guard: berthed at Dalian, a > 24 h silence splits the call in two, the destination is updated at the berth
    # (KR PUS) and the ship then sails there: no mismatch; the same with a call at Nampo instead: one mismatch
    for m, to in ((352000106, PUS), (352000107, NAM)):
        parts = [stay(m, 0, 3, *DLC, step_s=600), stay(m, 29, 3, *DLC, step_s=600),
                 leg(m, 32, 20 if to == PUS else 12, *DLC, *to, step_s=600)]
        parts.append(stay(m, 52 if to == PUS else 44, END_H - (52 if to == PUS else 44), *to, step_s=600))
        f[m] = (parts, [(0.5, "DALIAN"), (2, "KR PUS")])
    # went dark en route: leaves Dalian for Shanghai, heads east toward Nampo, silent 40 km off it until the end
    off_nam = (38.72, 124.94)
    f[636000108] = ([stay(636000108, 0, 3, *DLC, step_s=600), leg(636000108, 3, 15, *DLC, *off_nam, step_s=600)],
                    [(5, SHA_DECL)])
    # honest: Dalian -> Busan past the DPRK coast, silent 8 h en route and seen again further on; and one that
    # goes silent en route until the end of the data, still heading for Busan
    m = 636000109
    p1, p2 = _on(DLC, PUS, 9 / 25), _on(DLC, PUS, 17 / 25)
    f[m] = ([stay(m, 0, 3, *DLC, step_s=600), leg(m, 3, 9, *DLC, *p1, step_s=600), leg(m, 20, 8, *p2, *PUS, step_s=600),
             stay(m, 28, END_H - 28, *PUS, step_s=600)], [(5, "KR PUS")])
    m = 636000110
    f[m] = ([stay(m, 0, 3, *DLC, step_s=600), leg(m, 3, 9, *DLC, *p1, step_s=600)], [(5, "KR PUS")])
    # called unseen: Vladivostok for Busan, dark 11 h 40 km off Ch'ongjin, seen again at the same spot, back home
    m, spot = 538000111, (41.88, 130.28)
    f[m] = ([stay(m, 0, 3, *VVO, step_s=600), leg(m, 3, 10, *VVO, *spot, step_s=600),
             leg(m, 24, 10, *spot, *VVO, step_s=600), stay(m, 34, END_H - 34, *VVO, step_s=600)], [(5, "KR PUS")])
    # berthed at Nampo after declaring VIETNAM, then silent 7 h at the berth (satellite revisit in port): the
    # call is a mismatch and nothing else (the in-port rule itself is exercised by tests/detect/test_regimes.py mixed)
    m = 352000112
    f[m] = ([stay(m, 0, 3, *DLC, step_s=600), leg(m, 3, 18, *DLC, *NAM, step_s=600), stay(m, 21, 1, *NAM, step_s=600),
             stay(m, 29, END_H - 29, *NAM, step_s=600)], [(6, "VIETNAM")])
    # satellite-like static reports: Dalian -> Nampo declaring VIETNAM, then back to Dalian (declared CN on
    # departure, or never heard). A: VIETNAM heard only at the Nampo berth - the arriving voyage's declaration
    # as far as the data can tell: compared with neither call. B: VIETNAM heard under way and again at the
    # berth (unchanged since before the stay): the first voyage is a mismatch, the return is not compared.
    # C: VIETNAM under way, then CN at the Nampo berth (changed there): the first voyage is a mismatch, the
    # return (CN, reached Dalian) is honest. D: at the Nampo berth VIETNAM is replaced by NAMPO (its own port):
    # not the next voyage's, not compared.
    for m, ds in ((352000113, [(25, "VIETNAM")]), (352000114, [(6, "VIETNAM"), (25, "VIETNAM")]),
                  (352000115, [(6, "VIETNAM"), (25, "CN")]), (352000116, [(6, "VIETNAM"), (24, "KP NAM")])):
        f[m] = ([stay(m, 0, 3, *DLC, step_s=600), leg(m, 3, 18, *DLC, *NAM, step_s=600),
                 stay(m, 21, 9, *NAM, step_s=600), leg(m, 30, 18, *NAM, *DLC, step_s=600),
                 stay(m, 48, END_H - 48, *DLC, step_s=600)], ds)
    return f


@pytest.fixture(scope="module")
def found() -> dict[int, list[dict]]:
    from sanctionwatch.engines.embedded import detect

    fleet = _fleet()
    pos = cat(*[p for parts, _ in fleet.values() for p in parts])
    rep = reports([(h, m, None, f"SHIP {m % 1000}", None, d) for m, (_, ds) in fleet.items() for h, d in ds])
    table, _ = detect(pos, rep, threads=1)
    ev = pl.from_arrow(table).filter(pl.col("type") == "destination_mismatch")
    out: dict[int, list[dict]] = {m: [] for m in fleet}
    for r in ev.iter_rows(named=True):
        out[r["mmsi"]].append({**r, **json.loads(r["evidence"])})
    return out


def _kinds(evs: list[dict]) -> list[tuple[str, str]]:
    return sorted((e["case"], e["level"]) for e in evs)


def test_country_and_locode_declarations(found):
    for m in (352000101, 352000102, 352000104):
        assert _kinds(found[m]) == [("arrived_elsewhere", "port" if m == 352000104 else "country")], m
        assert found[m][0]["locode"] == "KPNAM"
    assert found[352000101][0]["declared_country"] == "VN" and found[352000102][0]["declared_country"] == "HK"
    assert _kinds(found[352000103]) == [("arrived_elsewhere", "country")]  # 'CN', reached a DPRK port
    assert found[352000105] == []  # 'CN', reached Dalian
    assert _kinds(found[352000112]) == [("arrived_elsewhere", "country")]  # its berth silence is not went dark


def test_split_call_and_destination_updated_at_the_berth(found):
    assert found[352000106] == []  # two calls at Dalian (split by a silence), then Busan as declared at the berth
    evs = found[352000107]
    assert _kinds(evs) == [("arrived_elsewhere", "port")] and evs[0]["locode"] == "KPNAM"
    assert evs[0]["declared_locode"] == "KRPUS"


def test_went_dark_en_route_toward_dprk(found):
    evs = found[636000108]
    assert _kinds(evs) == [("went_dark_en_route", "port")]
    tw = evs[0]["toward"]
    assert tw["country"] == "KP" and tw["distance_after_km"] < tw["distance_before_km"]
    assert tw["declared_distance_after_km"] > tw["declared_distance_before_km"]
    assert evs[0]["reason"] == "heading_away" and evs[0]["open_ended"]
    unseen = [e for e in found[538000111] if e["case"] == "went_dark_en_route"]
    assert len(unseen) == 1 and unseen[0]["reason"] == "no_progress" and unseen[0]["toward"]["country"] == "KP"
    assert unseen[0]["declared_distance_next_km"] >= unseen[0]["toward"]["declared_distance_after_km"] - 15


def test_honest_silence_en_route_not_flagged(found):
    assert found[636000109] == [] and found[636000110] == []
    # the honest tracks do pass within reach of the DPRK coast (the negative is not trivially far away)
    from sanctionwatch.geo.distance import haversine_km

    p1 = _on(DLC, PUS, 9 / 25)
    assert float(np.asarray(haversine_km(p1[0], p1[1], 37.7, 125.0))) < 150


def test_declarations_heard_at_the_berth_are_judged_by_when_they_were_set(found):
    assert found[352000113] == []  # only heard at the berth of the arrival it describes
    for m in (352000114, 352000115, 352000116):
        evs = found[m]
        assert _kinds(evs) == [("arrived_elsewhere", "country")], m  # Dalian -> Nampo declaring VIETNAM
        assert evs[0]["locode"] == "KPNAM" and evs[0]["declared_country"] == "VN"
