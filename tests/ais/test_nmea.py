"""Hand-built edge cases of the NMEA decoder: sentinels, timestamps, reassembly, rejects, dedup, streaming."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import reduce

import pyarrow as pa
import pytest
from pyais import decode, encode_dict

from sanctionwatch.ais.nmea import PARAMS, NmeaDecoder
from sanctionwatch.store.ingest_report import REASONS
from sanctionwatch.store.schemas import conform

T0 = 1506816000  # 2017-10-01T00:00:00Z
T0_DT = datetime(2017, 10, 1, tzinfo=UTC)


def cs(body: str) -> str:
    """NMEA checksum (XOR of the characters between the delimiter and '*') as two hex digits."""
    return f"{reduce(lambda a, c: a ^ ord(c), body, 0):02X}"


def tag(fields: str) -> str:
    return f"\\{fields}*{cs(fields)}\\"


def enc(fields: dict, **kw) -> list[str]:
    kw.setdefault("talker_id", "AI")
    kw.setdefault("sentence_type", "VDM")
    return encode_dict(fields, **kw)


def pos1(**over) -> dict:
    d = {"type": 1, "mmsi": 445123456, "lat": 39.0, "lon": 125.7, "speed": 10.5, "course": 90.0, "heading": 88,
         "turn": 0, "status": 0}
    d.update(over)
    return d


def run(*chunks: str, window: int = 60, assume: datetime | None = None):
    dec = NmeaDecoder("t", assume_time=assume, dedup_window_s=window)
    batches = [dec.feed(c.encode()) for c in chunks] + [dec.finish()]
    pos = pa.concat_tables([b.positions for b in batches])
    rep = pa.concat_tables([b.reports for b in batches])
    return pos.to_pylist(), rep.to_pylist(), [r for b in batches for r in b.rejects], batches


def stamped(lines: list[str], t: int = T0) -> str:
    """Each sentence prefixed by a tag block with time t (+1 s per line)."""
    return "".join(f"{tag(f'c:{t + i}')}{ln}\n" for i, ln in enumerate(lines))


# ---- sentinels -> null ------------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "value", "column"), [
    ("lat", 91.0, "lat"), ("lon", 181.0, "lon"), ("speed", 102.3, "sog"), ("course", 360.0, "cog"),
    ("heading", 511, "heading"), ("turn", -128, "rot"), ("status", 15, "nav_status"),
])
def test_position_sentinel_is_null(field, value, column):
    pos, _, rej, _ = run(stamped(enc(pos1(**{field: value}))))
    assert not rej and len(pos) == 1
    assert pos[0][column] is None
    ref, _, _, _ = run(stamped(enc(pos1())))
    assert ref[0][column] is not None  # the same field is present when not at its sentinel


def _static(**over) -> dict:
    d = {"type": 5, "mmsi": 445123456, "imo": 9123456, "shipname": "CHON MA SAN", "callsign": "HMXX",
         "ship_type": 80, "to_bow": 100, "to_stern": 20, "to_port": 10, "to_starboard": 8, "draught": 7.5,
         "destination": "NAMPO", "month": 10, "day": 3, "hour": 4, "minute": 5}
    d.update(over)
    return d


@pytest.mark.parametrize(("field", "value", "column"), [
    ("imo", 0, "imo"), ("ship_type", 0, "ship_type"), ("draught", 0, "draught"), ("shipname", "", "name"),
    ("callsign", "", "callsign"), ("destination", "", "destination"),
    ("month", 0, "eta"), ("day", 0, "eta"), ("hour", 24, "eta"), ("minute", 60, "eta"),
])
def test_report_sentinel_is_null(field, value, column):
    _, rep, rej, _ = run(stamped(enc(_static(**{field: value}))))
    assert not rej and len(rep) == 1
    assert rep[0][column] is None
    _, ref, _, _ = run(stamped(enc(_static())))
    assert ref[0][column] is not None


def test_static_fields_and_eta_next_occurrence():
    _, rep, _, _ = run(stamped(enc(_static(month=9, day=30, hour=23, minute=59)), t=T0))
    r = rep[0]
    assert (r["imo"], r["name"], r["callsign"], r["ship_type"], r["destination"]) == (
        9123456, "CHON MA SAN", "HMXX", 80, "NAMPO")
    assert (r["to_bow"], r["to_stern"], r["to_port"], r["to_starboard"]) == (100, 20, 10, 8)
    assert r["draught"] == pytest.approx(7.5)
    # ts is 2017-10-01, an ETA of 30 Sep 23:59 already passed: next occurrence is in 2018
    assert r["eta"] == datetime(2018, 9, 30, 23, 59, tzinfo=UTC)
    _, rep, _, _ = run(stamped(enc(_static(month=10, day=1, hour=0, minute=0)), t=T0))
    assert rep[0]["eta"] == datetime(2017, 10, 1, tzinfo=UTC)  # at ts counts


def test_at_padding_stripped():
    # a name written with explicit '@' padding and trailing spaces decodes to the bare name
    _, rep, _, _ = run(stamped(enc(_static(shipname="KUM UN SAN  @@@@"))))
    assert rep[0]["name"] == "KUM UN SAN"


# ---- timestamps -----------------------------------------------------------------------------------------
def test_tag_block_only_line_applies_to_next_sentence():
    s = enc(pos1())[0]
    pos, _, rej, _b = run(f"{tag(f's:STN7,c:{T0}')}\n{s}\n{s.replace('VDM', 'VDO')[:0]}")
    assert not rej
    assert pos[0]["ts"] == T0_DT and pos[0]["ts_source"] == "tag" and pos[0]["station"] == "STN7"
    assert pos[0]["src_line"] == 2


def test_tag_block_ms_epoch_same_line():
    s = enc(pos1())[0]
    pos, _, _, _ = run(f"{tag(f'c:{T0 * 1000 + 250},s:R1')}{s}\n")
    assert pos[0]["ts"] == datetime(2017, 10, 1, 0, 0, 0, 250000, tzinfo=UTC)
    assert pos[0]["station"] == "R1"


def test_pghp_time_and_station():
    s = enc(pos1())[0]
    body = f"PGHP,1,2017,10,1,12,30,5,123,219,,2190077,1,{s[-2:]}"
    pos, _, rej, _ = run(f"${body}*{cs(body)}\n{s}\n")
    assert not rej
    assert pos[0]["ts"] == datetime(2017, 10, 1, 12, 30, 5, 123000, tzinfo=UTC)
    assert (pos[0]["ts_source"], pos[0]["station"]) == ("pghp", "2190077")


@pytest.mark.parametrize("epoch", [T0, T0 * 1000])
def test_trailing_epoch_seconds_and_ms(epoch):
    pos, _, rej, _ = run(f"{enc(pos1())[0]},{epoch}\n")
    assert not rej and pos[0]["ts"] == T0_DT and pos[0]["ts_source"] == "trailing"


@pytest.mark.parametrize("prefix", ["2017-10-01T00:00:00Z,", "2017-10-01 00:00:00.000+00:00;", f"{T0} ",
                                    f"{T0}\t", f"{T0}000,"])
def test_leading_timestamp(prefix):
    pos, _, rej, _ = run(f"{prefix}{enc(pos1())[0]}\n")
    assert not rej and pos[0]["ts"] == T0_DT and pos[0]["ts_source"] == "leading"


def test_inferred_backfill_assumed_and_no_timestamp():
    s1, s2 = enc(pos1(mmsi=1))[0], enc(pos1(mmsi=2))[0]
    s3 = enc(pos1(mmsi=3))[0]
    # before the first stamp in the same chunk: backfilled; after it: carried forward
    pos, _, rej, _ = run(f"{s1}\n{s2},{T0}\n{s3}\n")
    assert not rej
    assert [(p["mmsi"], p["ts"], p["ts_source"]) for p in pos] == [
        (1, T0_DT, "inferred"), (2, T0_DT, "trailing"), (3, T0_DT, "inferred")]
    # the first stamp only comes in a later chunk: assume_time, else no_timestamp rejects with the raw line
    at = datetime(2020, 1, 1, tzinfo=UTC)
    pos, _, rej, _ = run(f"{s1}\n", f"{s2},{T0}\n", assume=at)
    assert [(p["ts"], p["ts_source"]) for p in pos] == [(at, "assumed"), (T0_DT, "trailing")]
    pos, _, rej, _ = run(f"{s1}\n", f"{s2},{T0}\n")
    assert [p["mmsi"] for p in pos] == [2]
    assert [(r.line, r.reason, r.raw) for r in rej] == [(1, "no_timestamp", s1)]


# ---- reassembly -------------------------------------------------------------------------------------
def test_multipart_interleaved_channels_and_seq_ids():
    a = enc(_static(mmsi=111111111, shipname="ALPHA"), seq_id=1, radio_channel="A")
    b = enc(_static(mmsi=222222222, shipname="BRAVO"), seq_id=2, radio_channel="B")
    lines = [a[0], b[0], a[1], b[1]]
    _, rep, rej, _ = run(stamped(lines))
    assert not rej
    assert [(r["mmsi"], r["name"], r["src_line"]) for r in rep] == [(111111111, "ALPHA", 3), (222222222, "BRAVO", 4)]


def test_same_seq_id_on_two_channels():
    a = enc(_static(mmsi=111111111), seq_id=5, radio_channel="A")
    b = enc(_static(mmsi=222222222), seq_id=5, radio_channel="B")
    _, rep, rej, _ = run(stamped([a[0], b[0], b[1], a[1]]))
    assert not rej and sorted(r["mmsi"] for r in rep) == [111111111, 222222222]


def test_orphan_fragments():
    a = enc(_static(), seq_id=1)
    b = enc(_static(mmsi=2), seq_id=2)
    # a second part without its first, and a first part whose second never comes
    _, rep, rej, _ = run(stamped([a[1], b[0]]))
    assert rep == []
    assert [(r.line, r.reason) for r in rej] == [(1, "orphan_fragment"), (2, "orphan_fragment")]
    assert rej[0].raw.endswith(a[1]) and rej[1].raw.endswith(b[0])


def test_fragment_split_across_feeds():
    a = enc(_static(shipname="SPLIT"), seq_id=4)
    text = stamped(a)
    cut = text.index("\n") + 1
    _, rep, rej, batches = run(text[:cut], text[cut:])
    assert not rej and [r["name"] for r in rep] == ["SPLIT"] and rep[0]["src_line"] == 2
    assert batches[0].reports.num_rows == 0 and batches[1].reports.num_rows == 1


def test_partial_line_carried_to_next_feed_and_line_numbers():
    text = stamped(enc(pos1(mmsi=1)) + enc(pos1(mmsi=2)) + enc(pos1(mmsi=3)))
    mid = len(text) // 2  # cuts a line in two
    pos, _, rej, batches = run(text[:mid], text[mid:])
    assert not rej and [p["src_line"] for p in pos] == [1, 2, 3]
    assert sum(b.lines for b in batches) == 3


# ---- rejects ------------------------------------------------------------------------------------------
def test_bad_checksum_truncated_not_ais_bad_payload():
    good = enc(pos1())[0]
    bad_cs = good[:-2] + ("00" if good[-2:] != "00" else "01")
    truncated = good[:25]
    rmc = "GPRMC,120000,A,3900.000,N,12540.000,E,10.0,90.0,011017,,"
    bad_chars = "AIVDM,1,1,,A,1~mg=5OP?w<tSF0l4Q@>4?v1P000,0"
    short = "AIVDM,1,1,,A,11mg=5,0"
    bad_fill = "AIVDM,1,1,,A,11mg=5OP?w<tSF0l4Q@>4?v1P000,7"
    text = "\n".join([bad_cs, truncated, f"${rmc}*{cs(rmc)}", f"!{bad_chars}*{cs(bad_chars)}",
                      f"!{short}*{cs(short)}", f"!{bad_fill}*{cs(bad_fill)}", f"{good},{T0}", ""])
    pos, _, rej, _b = run(text)
    assert [(r.line, r.reason) for r in rej] == [(1, "bad_checksum"), (2, "truncated"), (3, "not_ais"),
                                                 (4, "bad_payload"), (5, "bad_payload"), (6, "bad_fields")]
    assert all(r.reason in REASONS for r in rej)
    assert rej[0].raw == bad_cs and rej[1].raw == truncated
    assert [p["src_line"] for p in pos] == [7]


def test_odd_talkers_decode_like_pyais():
    body = "=IVDM,1,1,,A,18JSmJ001D8FqSClKd51JAD20D0W,0"  # from the AMSA file; pyais accepts any talker
    sentence = f"!{body}*{cs(body)}"
    pos, _, rej, _ = run(f"{sentence},{T0}\n")
    ref = decode(sentence)
    assert not rej and (pos[0]["mmsi"], pos[0]["lat"], pos[0]["lon"]) == (ref.mmsi, ref.lat, ref.lon)


# ---- dedup --------------------------------------------------------------------------------------------
def test_dedup_within_and_outside_window_and_across_chunks():
    s = enc(pos1())[0]
    lines = [f"{tag(f's:A,c:{T0}')}{s}", f"{tag(f's:B,c:{T0 + 30}')}{s}", f"{tag(f's:C,c:{T0 + 59}')}{s}",
             f"{tag(f's:D,c:{T0 + 61}')}{s}"]
    pos, _, _, b = run("\n".join(lines) + "\n")
    assert [(p["station"], p["n_receivers"]) for p in pos] == [("A", 3), ("D", 1)]
    assert sum(x.duplicates_folded for x in b) == 2
    # the same across chunk boundaries: folded and counted (n_receivers of a row already emitted stays)
    pos, _, _, b = run(lines[0] + "\n", lines[1] + "\n" + lines[3] + "\n")
    assert [p["station"] for p in pos] == ["A", "D"] and sum(x.duplicates_folded for x in b) == 1
    # disabled
    pos, _, _, _ = run("\n".join(lines) + "\n", window=0)
    assert len(pos) == 4


def test_dedup_table_prunes_and_stays_bounded():
    dec = NmeaDecoder("t", dedup_window_s=60)
    sentences = [enc(pos1(mmsi=100000 + i))[0] for i in range(3000)]
    for k in range(30):  # 30 chunks of the same 3,000 payloads, one hour apart: nothing folds, table is pruned
        text = "".join(f"{s},{T0 + 3600 * k}\n" for s in sentences)
        b = dec.feed(text.encode())
        assert b.duplicates_folded == 0 and b.positions.num_rows == 3000
        assert dec._st[13] <= 2 * 3001  # live entries: at most the previous and the current chunk
    # 90,000 distinct receptions went through a 65,536-slot table kept at most half full: it never grew
    assert dec._dd.shape[0] == PARAMS.dedup_table_initial == 65536
    again = dec.feed(f"{sentences[0]},{T0 + 3600 * 29 + 59}\n".encode())
    assert again.duplicates_folded == 1  # still folds within the window after pruning


# ---- geometry and message types ----------------------------------------------------------------------
@pytest.mark.parametrize(("lat", "lon"), [(-33.5, -179.9999), (-0.0001, 179.9999), (89.9, -0.5), (-90.0, 180.0)])
def test_dateline_and_negative_coordinates(lat, lon):
    pos, _, _, _ = run(stamped(enc(pos1(lat=lat, lon=lon))))
    assert pos[0]["lat"] == pytest.approx(lat, abs=1e-6) and pos[0]["lon"] == pytest.approx(lon, abs=1e-6)


def test_type27_tenth_minute_positions_and_sentinels():
    pos, _, _, _ = run(stamped(enc({"type": 27, "mmsi": 445000001, "lat": -33.5, "lon": 179.9, "speed": 12,
                                    "course": 90, "status": 3})))
    p = pos[0]
    assert (p["msg_type"], p["lat"], p["lon"], p["sog"], p["cog"], p["nav_status"]) == (27, -33.5, 179.9, 12, 90, 3)
    pos, _, _, _ = run(stamped(enc({"type": 27, "mmsi": 445000001, "lat": 91, "lon": 181, "speed": 63,
                                    "course": 511, "status": 15})))
    p = pos[0]
    assert (p["lat"], p["lon"], p["sog"], p["cog"], p["nav_status"]) == (None, None, None, None, None)


def test_type19_gives_position_and_report_type24_parts_type4():
    m19 = {"type": 19, "mmsi": 445000002, "lat": 38.9, "lon": 125.6, "speed": 5.0, "course": 45.0, "heading": 40,
           "shipname": "RYE SONG", "ship_type": 70, "to_bow": 50, "to_stern": 10, "to_port": 5, "to_starboard": 5}
    a = {"type": 24, "mmsi": 445000003, "partno": 0, "shipname": "SAM JONG 2"}
    b = {"type": 24, "mmsi": 445000003, "partno": 1, "ship_type": 52, "callsign": "HMAB", "to_bow": 20,
         "to_stern": 5, "to_port": 3, "to_starboard": 3}
    b4 = {"type": 4, "mmsi": 4450001, "lat": 39.0, "lon": 125.0, "year": 2017, "month": 10, "day": 1}
    pos, rep, rej, _ = run(stamped(enc(m19) + enc(a) + enc(b) + enc(b4)))
    assert not rej
    assert [(p["msg_type"], p["mmsi"]) for p in pos] == [(19, 445000002), (4, 4450001)]
    assert pos[1]["sog"] is None and pos[1]["lat"] == 39.0
    assert [(r["msg_type"], r["part"], r["name"], r["callsign"], r["ship_type"], r["to_bow"]) for r in rep] == [
        (19, None, "RYE SONG", None, 70, 50), (24, 0, "SAM JONG 2", None, None, None),
        (24, 1, None, "HMAB", 52, 20)]


def test_skipped_types_counted_not_rejected():
    m8 = {"type": 8, "mmsi": 445000004, "dac": 1, "fid": 31, "data": b"\x00" * 10}
    pos, rep, rej, b = run(stamped(enc(m8)))
    assert (pos, rep, rej) == ([], [], [])
    assert b[0].skipped_types == {8: 1} and b[0].messages == 1


def test_tables_conform_to_canonical_schemas():
    _, _, _, b = run(stamped(enc(pos1()) + enc(_static())))
    from sanctionwatch.ais.ingest import _with_source

    conform(_with_source(b[0].positions, "x"), "positions")
    conform(_with_source(b[0].reports, "x"), "vessel_reports")


def test_dedup_table_grows_when_the_window_holds_many_messages():
    """40,000 distinct payloads within one window overflow the 65,536-slot table (kept <= 1/4 after a prune):
    it grows while decoding, and every repeat still folds."""
    base = enc(pos1())[0].split(",")
    alphabet = "0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVW`abcdefghijklmnopqrstuvw"
    lines = []
    for i in range(40_000):
        payload = base[5][:10] + "".join(alphabet[(i >> (6 * k)) & 63] for k in range(3)) + base[5][13:]
        body = ",".join([base[0][1:], *base[1:5], payload, base[6].split("*")[0]])
        lines.append(f"!{body}*{cs(body)}")
    first = "".join(f"{ln},{T0}\n" for ln in lines)
    again = "".join(f"{ln},{T0 + 30}\n" for ln in lines)
    dec = NmeaDecoder("t", dedup_window_s=60)
    b1 = dec.feed(first.encode())
    b2 = dec.feed(again.encode())
    assert b1.positions.num_rows == 40_000 and b1.duplicates_folded == 0
    assert b2.positions.num_rows == 0 and b2.duplicates_folded == 40_000
    assert dec._dd.shape[0] >= 2 * 40_000 > 65_536  # grew past its initial size, kept at most half full


def test_crlf_and_blank_lines_and_bad_tag_checksum():
    s = enc(pos1())[0]
    bad_tag = f"\\c:{T0}*00\\{s}"  # wrong tag-block checksum
    pos, _, rej, b = run(f"{tag(f'c:{T0}')}{s}\r\n\r\n   \n{bad_tag}\r\n")
    assert [p["src_line"] for p in pos] == [1]
    assert [(r.line, r.reason, r.raw) for r in rej] == [(4, "bad_checksum", bad_tag)]
    assert sum(x.lines for x in b) == 4
