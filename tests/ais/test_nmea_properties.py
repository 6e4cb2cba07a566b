"""Property tests: random field values encoded by pyais (`encode_dict`) decode back to the same values."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from pyais import decode, encode_dict
from pyais.constants import ShipType

from sanctionwatch.ais.nmea import NmeaDecoder

T0 = 1506816000
SIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-./"

mmsi = st.integers(1, 999_999_999)
# pyais' encoder maps reserved ship-type codes to its enum (e.g. 1 -> 0), so draw defined codes only
SHIP_TYPES = sorted(int(v) for v in ShipType if int(v) != 0)
lat_raw = st.integers(-90 * 600_000, 90 * 600_000)
lon_raw = st.integers(-180 * 600_000, 180 * 600_000)


def text(n: int):
    return st.text(SIX + " ", max_size=n).map(str.strip)


def _decode_one(sentences: list[str], split: int = 0):
    body = "".join(f"{s},{T0}\n" for s in sentences).encode()
    dec = NmeaDecoder("p", dedup_window_s=0)
    cut = body.find(b"\n", min(split, len(body) - 1)) + 1 if split else 0
    batches = [dec.feed(body[:cut]), dec.feed(body[cut:]), dec.finish()]
    assert [r for b in batches for r in b.rejects] == []
    pos = [r for b in batches for r in b.positions.to_pylist()]
    rep = [r for b in batches for r in b.reports.to_pylist()]
    return pos, rep


@settings(max_examples=150, deadline=None)
@given(t=st.sampled_from([1, 2, 3, 18]), m=mmsi, la=lat_raw, lo=lon_raw, sog=st.integers(0, 1022),
       cog=st.integers(0, 3599), hdg=st.integers(0, 359), status=st.integers(0, 14), turn=st.integers(-126, 126),
       acc=st.booleans())
def test_position_roundtrip(t, m, la, lo, sog, cog, hdg, status, turn, acc):
    fields = {"type": t, "msg_type": t, "mmsi": m, "lat": la / 600_000, "lon": lo / 600_000, "speed": sog / 10,
              "course": cog / 10, "heading": hdg, "accuracy": acc}
    if t != 18:
        fields |= {"status": status, "turn": turn}
    sentences = encode_dict(fields, talker_id="AI", sentence_type="VDM")
    (p,), rep = _decode_one(sentences)
    assert rep == []
    ref = decode(*sentences)  # pyais as the oracle for the quantised values
    assert (p["msg_type"], p["mmsi"], p["accuracy"], p["heading"]) == (t, m, acc, hdg)
    assert p["lat"] == ref.lat and p["lon"] == ref.lon
    assert abs(p["lat"] - la / 600_000) < 1e-6 and abs(p["lon"] - lo / 600_000) < 1e-6
    assert p["sog"] == float(np.float32(sog / 10)) and round(p["cog"] * 10) == cog
    if t != 18:
        assert p["nav_status"] == status
        assert p["rot"] == (None if abs(ref.turn) in (127, 128) else ref.turn)
    assert p["ts"] == datetime.fromtimestamp(T0, UTC)


@settings(max_examples=100, deadline=None)
@given(m=mmsi, imo=st.integers(1, 2**30 - 1), name=text(20), call=text(7), dest=text(20),
       ship_type=st.sampled_from(SHIP_TYPES), bow=st.integers(0, 511), stern=st.integers(0, 511), port=st.integers(0, 63),
       stbd=st.integers(0, 63), draught=st.integers(1, 255), month=st.integers(1, 12), day=st.integers(1, 28),
       hour=st.integers(0, 23), minute=st.integers(0, 59), split=st.integers(0, 200))
def test_static_roundtrip(m, imo, name, call, dest, ship_type, bow, stern, port, stbd, draught, month, day, hour,
                          minute, split):
    fields = {"type": 5, "mmsi": m, "imo": imo, "shipname": name, "callsign": call, "destination": dest,
              "ship_type": ship_type, "to_bow": bow, "to_stern": stern, "to_port": port, "to_starboard": stbd,
              "draught": draught / 10, "month": month, "day": day, "hour": hour, "minute": minute}
    sentences = encode_dict(fields, talker_id="AI", sentence_type="VDM", seq_id=split % 10)
    pos, (r,) = _decode_one(sentences, split)  # fed in two chunks split at a random line
    assert pos == []
    assert (r["mmsi"], r["imo"], r["ship_type"]) == (m, imo, ship_type)
    assert (r["name"], r["callsign"], r["destination"]) == (name or None, call or None, dest or None)
    assert (r["to_bow"], r["to_stern"], r["to_port"], r["to_starboard"]) == (bow, stern, port, stbd)
    assert round(r["draught"] * 10) == draught
    eta = r["eta"]
    assert (eta.month, eta.day, eta.hour, eta.minute) == (month, day, hour, minute)
    assert datetime.fromtimestamp(T0, UTC) <= eta < datetime.fromtimestamp(T0, UTC).replace(year=2018, month=10)


@settings(max_examples=60, deadline=None)
@given(m=st.one_of(mmsi, st.integers(980_000_000, 989_999_999)), name=text(20), call=text(7),
       ship_type=st.integers(1, 99), bow=st.integers(0, 511))
def test_type24_roundtrip(m, name, call, ship_type, bow):
    a = encode_dict({"type": 24, "mmsi": m, "partno": 0, "shipname": name}, talker_id="AI", sentence_type="VDM")
    aux = 980_000_000 <= m <= 989_999_999  # auxiliary craft: a mothership MMSI replaces the dimensions
    fb = {"type": 24, "mmsi": m, "partno": 1, "callsign": call, "ship_type": ship_type, "to_bow": bow}
    if aux:
        fb["mothership_mmsi"] = 445000000
    b = encode_dict(fb, talker_id="AI", sentence_type="VDM")
    _, (ra, rb) = _decode_one(a + b)
    assert (ra["part"], ra["name"]) == (0, name or None)
    assert (rb["part"], rb["callsign"], rb["ship_type"], rb["to_bow"]) == (1, call or None, ship_type,
                                                                          None if aux else bow)
