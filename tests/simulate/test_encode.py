"""The vectorised NMEA encoder against pyais' decoder: every field round-trips, checksums are right."""

from __future__ import annotations

import functools

import numpy as np
import pyais
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionwatch.ais import encode as enc


def _xor(s: str) -> str:
    return f"{functools.reduce(lambda a, c: a ^ ord(c), s, 0):02X}"


def _lines(m: np.ndarray) -> list[str]:
    return enc.join_rows(m).decode().splitlines()


def _frame(payload: np.ndarray, n: int, fill: int = 0) -> list[str]:
    st_ = enc.station_matrix(["RUVVO001", "KRPUS003"], np.arange(n) % 2)
    return _lines(enc.frame_lines(payload, fill, np.full(n, 1_767_571_200), st_, np.full(n, ord("B"), np.uint8)))


def test_tag_block_and_sentence_checksums_are_valid():
    p = enc.class_a_payload(np.array([273123456]), np.array([0]), np.array([0.0]), np.array([10.0]),
                            np.array([131.9]), np.array([43.1]), np.array([90.0]), np.array([91.0]), np.array([5]))
    (line,) = _frame(p, 1)
    tag, sentence = line[1:].split("\\", 1)
    body, ck = tag.split("*")
    assert body == "s:RUVVO001,c:1767571200" and ck == _xor(body)
    sbody, sck = sentence[1:].split("*")
    assert sck == _xor(sbody)
    assert sentence.startswith("!AIVDM,1,1,,B,") and sentence.endswith(",0*" + sck)


@settings(max_examples=60, deadline=None)
@given(mmsi=st.integers(200_000_000, 799_999_999), status=st.integers(0, 15), sog=st.floats(0, 102.2),
       lon=st.floats(-180, 180), lat=st.floats(-90, 90), cog=st.floats(0, 359.9), hdg=st.integers(0, 359),
       sec=st.integers(0, 59), rot=st.floats(-700, 700))
def test_type1_round_trip(mmsi, status, sog, lon, lat, cog, hdg, sec, rot):
    p = enc.class_a_payload(np.array([mmsi]), np.array([status]), np.array([rot]), np.array([sog]), np.array([lon]),
                            np.array([lat]), np.array([cog]), np.array([float(hdg)]), np.array([sec]))
    (line,) = _frame(p, 1)
    d = pyais.decode(line.split("\\")[-1]).asdict()
    assert d["msg_type"] == 1 and d["mmsi"] == mmsi and d["status"] == status
    # speed and course are quantised to 0.1: within half a step (+ float slack) of the input, either rounding
    assert abs(d["speed"] - sog) <= 0.05 + 1e-6
    assert abs(d["lon"] - lon) < 1e-4 and abs(d["lat"] - lat) < 1e-4
    assert min(abs(d["course"] - cog), 360 - abs(d["course"] - cog)) <= 0.05 + 1e-6
    assert d["heading"] == hdg and d["second"] == sec
    # ROT_AIS = 4.733 * sqrt(|rot|) (M.1371), clipped to +-126; pyais reports (code / 4.733)^2 rounded to 1 deg/min
    code = np.clip(np.sign(rot) * np.rint(4.733 * np.sqrt(abs(rot))), -126, 126)
    assert d["turn"] == np.sign(code) * round((code / 4.733) ** 2)


def test_not_available_sentinels():
    nan = np.array([np.nan])
    p = enc.class_a_payload(np.array([1]), np.array([15]), nan, nan, nan, nan, nan, nan, np.array([60]))
    d = pyais.decode(_frame(p, 1)[0].split("\\")[-1]).asdict()
    assert (d["lon"], d["lat"], d["speed"], d["course"], d["heading"], d["second"]) == (181.0, 91.0, 102.3, 360.0,
                                                                                         511, 60)
    assert d["turn"] == -128.0


def test_type5_two_sentences_round_trip():
    n = 3
    p, fill = enc.static_payload(np.array([445000001, 273000002, 352000003]), [9123457, 0, 8765432],
                                 ["HMAB1", "UBX", ""], ["MANGYONGBONG 92", "A VERY LONG NAME THAT IS CUT", ""],
                                 [60, 80, 70], [100, 1, 511], [20, 2, 0], [10, 3, 63], [10, 4, 0], [1, 12, 0],
                                 [5, 31, 0], [14, 23, 24], [30, 59, 60], [5.5, 25.5, 0.0],
                                 ["CN SHA", "CNSHA>KRPUS", "FOR ORDERS"])
    assert fill == 2 and p.shape == (n, 71)
    st_ = enc.station_matrix(["X"], np.zeros(n, int))
    a, b = enc.type5_lines(p, fill, np.full(n, 1_767_571_200), st_, np.full(n, ord("A"), np.uint8), np.arange(n))
    got = [pyais.decode(x.split("\\")[-1], y.split("\\")[-1]).asdict() for x, y in zip(_lines(a), _lines(b), strict=True)]
    assert [g["shipname"] for g in got] == ["MANGYONGBONG 92", "A VERY LONG NAME THA", ""]
    assert [g["destination"] for g in got] == ["CN SHA", "CNSHA>KRPUS", "FOR ORDERS"]
    assert [g["imo"] for g in got] == [9123457, 0, 8765432]
    assert [g["callsign"] for g in got] == ["HMAB1", "UBX", ""]
    assert [g["draught"] for g in got] == [5.5, 25.5, 0.0]
    assert [(g["month"], g["day"], g["hour"], g["minute"]) for g in got] == [(1, 5, 14, 30), (12, 31, 23, 59),
                                                                                (0, 0, 24, 60)]
    g0 = got[0]
    assert (g0["to_bow"], g0["to_stern"], g0["to_port"], g0["to_starboard"]) == (100, 20, 10, 10)
    assert all(line.startswith("\\s:X0000000,") for line in _lines(a))


def test_class_b_types_18_and_24():
    n = 2
    m = np.array([273000111, 412000222])
    p = enc.class_b_payload(m, np.array([5.0, 0.0]), np.array([131.5, 121.0]), np.array([43.0, 31.0]),
                            np.array([10.0, 0.0]), np.array([12.0, np.nan]), np.array([1, 2]))
    d = [pyais.decode(x.split("\\")[-1]).asdict() for x in _frame(p, n)]
    assert [x["msg_type"] for x in d] == [18, 18] and [x["mmsi"] for x in d] == m.tolist()
    assert d[0]["speed"] == 5.0 and abs(d[1]["lat"] - 31.0) < 1e-6 and d[1]["heading"] == 511
    pa, pb = enc.class_b_static_payloads(m, ["SEA BIRD", "LUCKY"], [37, 37], ["UBQ1", "BO9"], [5, 6], [3, 4], [1, 2],
                                         [1, 2])
    da = [pyais.decode(x.split("\\")[-1]).asdict() for x in _frame(pa, n)]
    db = [pyais.decode(x.split("\\")[-1]).asdict() for x in _frame(pb, n)]
    assert [x["shipname"] for x in da] == ["SEA BIRD", "LUCKY"] and {x["partno"] for x in da} == {0}
    assert [x["callsign"] for x in db] == ["UBQ1", "BO9"] and [x["ship_type"] for x in db] == [37, 37]
    assert [x["to_bow"] for x in db] == [5, 6]


def test_epoch_out_of_range_is_a_clear_error():
    p = enc.class_b_payload(np.array([1]), np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array([0.0]),
                            np.array([0.0]), np.array([0]))
    try:
        enc.frame_lines(p, 0, np.array([12]), enc.station_matrix(["X"], np.zeros(1, int)), np.array([65], np.uint8))
    except ValueError as e:
        assert "10-digit" in str(e)
    else:
        raise AssertionError("expected ValueError")
