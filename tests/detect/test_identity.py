"""MID -> flag table and handover detection (identity swapped at sea, no static-data link)."""

from __future__ import annotations

import polars as pl

from sanctionwatch.detect.handover import handovers
from sanctionwatch.detect.identity import flag_of, mid_table
from sanctionwatch.detect.tracks import build_tracks
from tests.detect.conftest import cat, leg


def test_mid_table():
    t = mid_table()
    assert len(t) > 250
    assert (flag_of(445123456), flag_of(273123456), flag_of(352000001), flag_of(477000001)) == ("KP", "RU", "PA", "HK")
    assert flag_of(2734567) is None and flag_of(992190917) is None  # not ship MMSIs (AtoN / base station ranges)


def test_handover_found_and_not_by_chance():
    old = leg(445000001, 0, 5, 41.0, 130.0, 41.2, 130.2)
    new = leg(273000002, 5.05, 5, 41.2005, 130.2, 41.4, 130.4)  # starts 3 min later, 50 m away
    far = leg(412000003, 5.05, 5, 41.5, 130.5, 41.7, 130.7)  # starts at the same time 40 km away
    late = leg(431000004, 6.5, 3, 41.2, 130.2, 41.3, 130.3)  # same spot, 90 min later
    tr, _ = build_tracks(cat(old, new, far, late))
    ev = handovers(tr)
    assert [(e["mmsi"], e["other_mmsi"]) for e in ev] == [(445000001, 273000002)]
    assert '"flag":{"from":"MMSI MID (ITU table)","new":"RU","old":"KP"}' in ev[0]["evidence"]
    assert pl.Series([e["confidence"] for e in ev]).max() < 0.95  # weaker than a static-data link


def test_single_report_same_imo_link_needs_a_valid_check_digit():
    from sanctionwatch.detect.identity import identity_changes
    from tests.detect.conftest import reports

    rows = [(0.0, 445000011, 9074729, "CHON MA", "HMAA1", None), (1.0, 445000011, 9074729, "CHON MA", "HMAA1", None),
            (30.0, 273000012, 9074729, "SEA STAR", "UBAA2", None),  # one report of the new MMSI, valid IMO
            (0.0, 445000021, 9074728, "PAK", "HMAA3", None), (1.0, 445000021, 9074728, "PAK", "HMAA3", None),
            (30.0, 273000022, 9074728, "SUN", "UBAA4", None),  # same, but the IMO fails its check digit
            (0.0, 445000031, None, "DRIFTER", None, None), (1.0, 445000031, None, "DRIFTER", None, None),
            (2.0, 445000031, None, "DRIFTFR", None, None)]  # a single garbled name without IMO
    ev = identity_changes(reports(rows))
    assert [(e["mmsi"], e["other_mmsi"]) for e in ev] == [(445000011, 273000012)]
    one = ev[0]["confidence"]
    rows2 = [*rows[:3], (31.0, 273000012, 9074729, "SEA STAR", "UBAA2", None),
             (32.0, 273000012, 9074729, "SEA STAR", "UBAA2", None)]
    ev2 = identity_changes(reports(rows2))
    assert len(ev2) == 1 and ev2[0]["confidence"] > one  # confidence grows with the report count


def test_handover_needs_continuity_coverage_and_quiet_waters():
    def ho(*parts):
        tr, _ = build_tracks(cat(*parts))
        return [(e["mmsi"], e["other_mmsi"]) for e in handovers(tr)]

    old = leg(445000001, 0, 5, 41.0, 130.0, 41.2, 130.2)
    assert ho(old, leg(273000002, 5.05, 5, 41.2005, 130.2, 41.4, 130.4)) == [(445000001, 273000002)]
    # turns back on itself: not the same hull's track
    assert ho(old, leg(273000002, 5.05, 5, 41.2005, 130.2, 41.0, 130.0)) == []
    # the new MMSI was heard before (elsewhere, hours earlier): not a new identity
    assert ho(old, leg(273000002, 0, 1, 35.0, 125.0, 35.1, 125.1),
              leg(273000002, 5.05, 5, 41.2005, 130.2, 41.4, 130.4)) == []
    # nothing received anywhere near before the new track starts (a file/receiver edge): not evidence
    assert ho(leg(445000001, 4.7, 0.3, 41.19, 130.19, 41.2, 130.2),
              leg(273000002, 5.05, 5, 41.2005, 130.2, 41.4, 130.4)) == []
    # a place where several other tracks start and stop around the same time
    busy = [leg(412000100 + k, 5.0 + 0.2 * k, 0.5, 41.21 + 0.01 * k, 130.21, 41.22 + 0.01 * k, 130.22)
            for k in range(3)]
    assert ho(old, leg(273000002, 5.05, 5, 41.2005, 130.2, 41.4, 130.4), *busy) == []


def test_round_trip_identity_borrowed_for_a_voyage():
    """A berthed hull goes silent, a twin of another ship's MMSI sails from its berth (that ship keeps transmitting
    elsewhere), and the old MMSI comes back where the twin's track ends: two events, and look-alikes stay quiet."""
    def ho(*parts):
        tr, _ = build_tracks(cat(*parts))
        return sorted((e["mmsi"], e["other_mmsi"]) for e in handovers(tr))

    from tests.detect.conftest import stay

    a, b = 445000001, 273000002
    berth = stay(a, 0, 5, 41.77, 129.82)
    back = leg(a, 14.1, 5, 42.35, 130.6, 42.6, 131.0)
    elsewhere = stay(b, 0, 24, 43.11, 131.89)  # the real owner of MMSI b, ~190 km away all day
    twin = leg(b, 5.05, 9, 41.7705, 129.82, 42.35, 130.6)  # sails from the berth, ends 3 min before a returns
    assert ho(berth, back, elsewhere, twin) == sorted([(a, b), (b, a)])
    # the twin's track ends 60 km short of where a is heard again: nothing links them
    assert ho(berth, back, elsewhere, leg(b, 5.05, 9, 41.7705, 129.82, 42.0, 130.2)) == []
    # berth neighbours powering on and off in turn: nobody moved, a chance neighbour is not a switch
    assert ho(berth, stay(a, 14.1, 5, 41.77, 129.82), elsewhere, stay(b, 5.05, 9, 41.7705, 129.82)) == []
    # the other ship sails from the berth alongside and was already heard there before: no appearance
    assert ho(berth, back, elsewhere.filter(pl.col("ts") < pl.col("ts").min()),
              stay(b, 0, 5, 41.7705, 129.82), twin) == []


def test_not_available_imo_links_nothing_and_event_mmsis_match_evidence():
    import json

    from sanctionwatch.detect.identity import identity_changes
    from tests.detect.conftest import reports

    rows = []
    for k, imo in enumerate((1073741823, 0, 999999999, 1111111, 9074728)):  # not available / filler / bad check
        a, b = 432000100 + k, 540000200 + k
        rows += [(0.0, a, imo, f"FUJI {k}", f"7JG{k}", None), (1.0, a, imo, f"FUJI {k}", f"7JG{k}", None),
                 (2.0, b, imo, f"MARY {k}", f"FG{k}", None), (3.0, b, imo, f"MARY {k}", f"FG{k}", None),
                 (4.0, a, imo, f"FUJI {k}", f"7JG{k}", None), (5.0, a, imo, f"FUJI {k}", f"7JG{k}", None)]
    assert identity_changes(reports(rows)) == []
    # a valid IMO: one event, and its mmsi/other_mmsi are the MMSI change's whatever attribute came first
    ok = [(0.0, 432000001, 9074729, "FUJI", "7JGM", None), (1.0, 432000001, 9074729, "FUJI", "7JGM", None),
          (2.0, 540000002, 9074729, "FUJI", "FG87", None), (2.1, 540000002, 9074729, "MARY", "FG87", None),
          (3.0, 540000002, 9074729, "MARY", "FG87", None)]
    ev = identity_changes(reports(ok))
    assert len(ev) == 1
    ch = json.loads(ev[0]["evidence"])["changes"]
    assert (ev[0]["mmsi"], ev[0]["other_mmsi"]) == (int(ch["mmsi"]["old"]), int(ch["mmsi"]["new"])) \
        == (432000001, 540000002)
