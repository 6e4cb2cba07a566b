"""Handovers on thin (satellite-like) coverage: the window follows the observed revisit of the two MMSIs.

A satellite hears a moored ship every 3-6 h and one at sea every 20-90 min (in bursts of a few reports), so an
identity swapped at a berth shows as a silence of hours between the old MMSI's last fix and the new one's
first. The window grows only where both tracks show such revisits; densely received tracks keep 30 min, and
the other safeguards (never heard again / before, same spot, coverage, local density) stay.
"""

from __future__ import annotations

import json

import polars as pl

from sanctionwatch.detect.handover import handovers
from sanctionwatch.detect.tracks import build_tracks
from tests.detect.conftest import cat, leg, stay

BERTH = (41.77, 129.82)
OLD, NEW = 667000001, 671000002


def passes(df: pl.DataFrame, every_h: float, burst: int = 2) -> pl.DataFrame:
    """Keep only what a satellite hears: the first `burst` one-minute fixes of every `every_h` hours."""
    t = pl.col("ts").dt.epoch("ms")
    per = int(every_h * 3_600_000)
    return df.filter((t - t.min()) % per < burst * 60_000)


def background() -> pl.DataFrame:
    """A ship moored ~48 km away all along, heard every 30 min: the feed was receiving the area (coverage),
    outside the ~30 km where track starts/ends are counted; its own first/last fixes are the data's edges."""
    return stay(440000009, 0, 48, BERTH[0], 130.4, step_s=1800)


def satellite_swap(silence_h: float = 5.0) -> list[pl.DataFrame]:
    """Old MMSI sails in (passes every hour), is heard once stopped at the berth, and `silence_h` later the new
    MMSI is heard at the same berth (passes every 4 h), then sails out (passes every hour)."""
    arrive = passes(leg(OLD, 2, 8, 41.2, 129.4, BERTH[0], BERTH[1] + 0.01, step_s=60), 1.0)
    at_berth = stay(OLD, 10.2, 0.0, *BERTH)  # one stopped fix
    t_new = 10.2 + silence_h
    moored = passes(stay(NEW, t_new, 8, BERTH[0] + 0.0003, BERTH[1], step_s=60), 4.0, burst=1)
    leave = passes(leg(NEW, t_new + 8.1, 8, BERTH[0], BERTH[1] + 0.01, 42.2, 130.9, step_s=60), 1.0)
    return [arrive, at_berth, moored, leave]


def _events(*parts: pl.DataFrame) -> list[dict]:
    tr, _ = build_tracks(cat(*parts))
    return handovers(tr)


def test_berth_handover_under_satellite_revisits():
    ev = _events(*satellite_swap(5.0), background())
    assert [(e["mmsi"], e["other_mmsi"]) for e in ev] == [(OLD, NEW)]
    x = json.loads(ev[0]["evidence"])
    assert x["moored"] and x["minutes"] > 290 and 300 < x["window_min"] <= 720, x
    assert "observed revisit" in x["rule"] and x["revisit_min"]["new"] >= 200
    assert ev[0]["confidence"] < 0.7  # a long-window handover weighs less than a 30-min one


def test_window_stays_short_on_dense_tracks_and_bounded_on_sparse_ones():
    # the same 5 h silence between densely received tracks: the feed heard them every minute, so 5 h is not
    # a revisit, and the floor (30 min) applies
    dense_old = leg(OLD, 2, 8, 41.2, 129.4, BERTH[0], BERTH[1] + 0.01, step_s=60)
    dense_end = stay(OLD, 10.0, 0.2, *BERTH, step_s=60)
    dense_new = stay(NEW, 15.2, 8, BERTH[0] + 0.0003, BERTH[1], step_s=60)
    assert _events(dense_old, dense_end, dense_new, background()) == []
    # beyond twice the observed revisit (4 h passes -> 8 h): not the same hull, whatever the spot
    assert _events(*satellite_swap(9.0), background()) == []


def test_long_window_keeps_the_other_safeguards():
    # several other ships start and stop at the berth inside the window: a busy berth, not evidence
    busy = [passes(stay(412000100 + k, 12 + k, 3, BERTH[0] + 0.005 * (k + 1), BERTH[1], step_s=60), 1.0)
            for k in range(3)]
    assert _events(*satellite_swap(5.0), background(), *busy) == []
    # a berth neighbour ~550 m off that starts transmitting 2 h after the old MMSI's last fix: not the same spot
    no_new = [x for x in satellite_swap(5.0) if x["mmsi"][0] != NEW]
    assert _events(*no_new, background(), busy[0]) == []
    # a thin file holding each ship twice (one interval is a silence, not a revisit): no long window
    thin = [stay(OLD, 6, 4, *BERTH, step_s=4 * 3600), stay(NEW, 15, 4, BERTH[0] + 0.0003, BERTH[1], step_s=4 * 3600)]
    assert all(p.height == 2 for p in thin)
    assert _events(*thin, background()) == []


def test_new_mmsi_heard_before_is_no_handover_even_with_long_windows():
    early = stay(NEW, 0.5, 0.1, 35.0, 125.0)  # the "new" MMSI already transmitted elsewhere
    assert _events(*satellite_swap(5.0), background(), early) == []


def test_round_trip_switch_out_of_a_sparsely_heard_berth():
    """MMSI A heard once at a berth (satellite), a twin of another ship's MMSI B appears hours later a few km
    out, on a course leading back to A's berth, and A is heard again where B's track ends: linked. With A's
    berth off B's course line, nothing links the start."""
    a, b = 445000001, 273000002
    elsewhere = stay(b, 0, 24, 43.11, 131.89, step_s=1800)  # B's real owner, ~190 km away all day
    twin = passes(leg(b, 5.5, 8.0, BERTH[0] + 0.04, BERTH[1] + 0.05, 42.35, 130.6, step_s=60), 1.0)  # ends 13.5 h
    back = leg(a, 13.6, 5, 42.35, 130.6, 42.6, 131.0)  # 6 min after B's last fix, where it was

    def pairs(a_lat: float) -> list[tuple[int, int]]:
        one_fix = stay(a, 1.0, 0.0, a_lat, BERTH[1])
        return sorted((e["mmsi"], e["other_mmsi"]) for e in _events(one_fix, twin, back, elsewhere, background()))

    assert pairs(BERTH[0]) == sorted([(a, b), (b, a)])
    assert pairs(BERTH[0] - 0.05) == []  # A ~10 km south of B's start, ~4 km off its course line
