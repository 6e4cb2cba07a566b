"""Port calls bounded by observations on hand-built tracks: a stay seen arriving but not leaving is a call of
unknown length (not a short one); a file that starts and ends while the ship is at the berth (a 5-minute
sample) shows presence, not a call; a hull at the berth whose MMSI is also broadcast by a sailing hull still
has its call (on the secondary track)."""

from __future__ import annotations

import json

import polars as pl

from sanctionwatch.detect.port_calls import port_calls
from sanctionwatch.detect.tracks import build_tracks, main_track
from tests.detect.conftest import cat, leg, stay

PORT = (42.633333, 131.083333)  # Zarubino, radius 3 km


def _calls(pos: pl.DataFrame, data_end_h: float | None = None) -> list[dict]:
    from sanctionwatch.detect.near import ports_table
    from tests.detect.conftest import T0

    tr, _ = build_tracks(pos)
    end = None if data_end_h is None else int((T0.timestamp() + data_end_h * 3600) * 1000)
    return port_calls(main_track(tr), ports_table(), data_end_ms=end, fixes=tr)


def _arrive(mmsi: int, step_s: float = 600.0) -> pl.DataFrame:
    """10 kn from 20 km south to the berth in ~1.1 h."""
    return leg(mmsi, 0, 1.1, PORT[0] - 0.18, PORT[1], PORT[0], PORT[1], step_s=step_s, sog=10.0)


def test_arrived_and_stopped_never_left_is_an_open_call():
    # satellite-like: arriving fixes, then one report stopped at the berth 38 min later, then the data ends
    pos = cat(_arrive(1, step_s=1800), stay(1, 1.75, 0.0, *PORT, step_s=60))
    ev = _calls(pos, data_end_h=4.0)
    assert len(ev) == 1
    e = json.loads(ev[0]["evidence"])
    assert e["arrival_seen"] and not e["left_seen"] and e["observed_h"] < 1.0 and e["on_main_track"]


def test_at_berth_for_the_whole_file_is_no_call():
    """A 5-minute sample: moored at its first and last fix, never seen arriving or leaving."""
    ev = _calls(stay(2, 0, 5 / 60, *PORT, step_s=10), data_end_h=5 / 60)
    assert ev == []


def test_at_berth_from_the_first_fix_then_leaves_is_a_call():
    out = leg(3, 3, 1, PORT[0], PORT[1], PORT[0] - 0.15, PORT[1], step_s=300, sog=9.0)
    ev = _calls(cat(stay(3, 0, 3, *PORT, step_s=1800), out))
    assert len(ev) == 1 and json.loads(ev[0]["evidence"])["left_seen"]


def test_short_stop_seen_leaving_is_no_call():
    stop = stay(4, 1.2, 0.3, *PORT, step_s=300)
    out = leg(4, 1.55, 1, PORT[0], PORT[1], PORT[0] - 0.15, PORT[1], step_s=300, sog=9.0)
    assert _calls(cat(_arrive(4), stop, out)) == []


def test_moored_hull_whose_mmsi_a_sailing_hull_also_uses_keeps_its_call():
    """Sparse reports of the moored hull (every 4 h for 2 days); a second hull on the same MMSI sails 100 km
    away (240 km: no ship links the two) with many more 10-minute slots, so the track builder makes the sailor the main track."""
    moored = stay(5, 0, 48, *PORT, step_s=4 * 3600)
    sailor = leg(5, 10, 10, 40.5, 132.0, 40.5, 133.5, step_s=300)
    tr, _ = build_tracks(cat(moored, sailor))
    assert tr.filter(pl.col("on_track"))["lat"].max() < 41  # the sailor is the main track
    ev = _calls(cat(moored, sailor), data_end_h=48.5)
    assert len(ev) == 1 and ev[0]["port"] == "Zarubino"
    assert json.loads(ev[0]["evidence"])["on_main_track"] is False
