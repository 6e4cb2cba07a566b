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
