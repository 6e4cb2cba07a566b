"""Field-by-field equality of our NMEA decoder with pyais 3.3.1 on every raw NMEA file in the shared data.

The reference is pyais' own stream assembly (`IterMessages`) and decoder, fed the lines our decoder
accepts as clean sentences: lines with a bad checksum or invalid payload characters (which pyais does
not check) are filtered out first, and the trailing epoch field (which pyais cannot parse) is cut off.
Every message pyais decodes must appear in our output at the same line with equal fields (modulo the
documented not-available -> null rules), and every difference in counts must be explained by a reject.
Two documented departures from pyais (issue 19): a field cut by the end of a short payload is null (pyais
returns its leftover bits: draught 0.8 for 3.4, a spurious last destination letter), and text is stripped of
trailing `@` and spaces in any mix (gpsd's rule; pyais strips `@` then spaces, keeping `@@@@  `).
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from pyais.stream import IterMessages
from pyais.util import compute_checksum

from sanctionwatch.ais.nmea import NmeaDecoder

FILES = ["212123000_drift_1.ais", "amsa_risky_ais.txt.gz", "dma_aisabnormal_ais-sample.txt.gz",
         "exact-earth-augmented-3.txt"]
POS_TYPES = {1, 2, 3, 4, 18, 19, 27}
REP_TYPES = {5, 19, 24}
MIN_BITS = {1: 116, 2: 116, 3: 116, 4: 134, 18: 112, 19: 112, 27: 79, 5: 70, 24: 40}
# (start, width) of the fields we store, per message type (ITU-R M.1371-5; pyais messages.py), to know which
# ones a short payload cuts. Type 24 is keyed (24, part).
_CLASS_A = {"status": (38, 4), "turn": (42, 8), "speed": (50, 10), "accuracy": (60, 1), "lon": (61, 28),
            "lat": (89, 27), "course": (116, 12), "heading": (128, 9)}
_CLASS_B = {"speed": (46, 10), "accuracy": (56, 1), "lon": (57, 28), "lat": (85, 27), "course": (112, 12),
            "heading": (124, 9)}
_DIMS = ("to_bow", "to_stern", "to_port", "to_starboard")
FIELDS: dict = {
    1: _CLASS_A, 2: _CLASS_A, 3: _CLASS_A, 18: _CLASS_B,
    4: {"accuracy": (78, 1), "lon": (79, 28), "lat": (107, 27)},
    27: {"accuracy": (38, 1), "status": (40, 4), "lon": (44, 18), "lat": (62, 17), "speed": (79, 6),
         "course": (85, 9)},
    5: {"imo": (40, 30), "callsign": (70, 42), "shipname": (112, 120), "ship_type": (232, 8),
        **dict(zip(_DIMS, ((240, 9), (249, 9), (258, 6), (264, 6)), strict=True)),
        "month": (274, 4), "day": (278, 5), "hour": (283, 5), "minute": (288, 6), "draught": (294, 8),
        "destination": (302, 120)},
    19: {**_CLASS_B, "shipname": (143, 120), "ship_type": (263, 8),
         **dict(zip(_DIMS, ((271, 9), (280, 9), (289, 6), (295, 6)), strict=True))},
    (24, 0): {"shipname": (40, 120)},
    (24, 1): {"ship_type": (40, 8), "callsign": (90, 42),
              **dict(zip(_DIMS, ((132, 9), (141, 9), (150, 6), (156, 6)), strict=True))},
}
_TEXT = {"shipname", "callsign", "destination"}


def _text_from_bits(bv, start: int, width: int) -> str | None:
    """The characters the payload holds whole, stripped as we document."""
    n = min(width, len(bv) - start) // 6
    chars = []
    for i in range(n):
        v = bv.get(start + 6 * i, 6)
        chars.append(chr(v + 64 if v < 32 else v))
    return "".join(chars).rstrip("@ ").lstrip(" ") or None


def apply_short_payload_rules(d: dict, bv) -> dict:
    """pyais' values with our two documented rules applied (see the module docstring)."""
    t = d["msg_type"]
    fields = FIELDS.get((24, d.get("partno")) if t == 24 else t, {})
    out = dict(d)
    for key, (start, width) in fields.items():
        cut = start + width > len(bv)
        if key in _TEXT:
            out[key] = _text_from_bits(bv, start, width) if cut else (d.get(key) or "").rstrip("@ ") or None
        elif cut:
            out[key] = None
    if t in (1, 2, 3) and len(bv) >= 50:  # the raw rate of turn's sign (pyais rounds small rates to 0)
        raw = bv.get(42, 8)
        raw = raw - 256 if raw >= 128 else raw
        out["rot_direction"] = None if raw == -128 else (raw > 0) - (raw < 0)
    return out
_TRAILING = re.compile(rb"(\*[0-9A-Fa-f]{2}),\d+$")
_PAYLOAD_OK = re.compile(rb"^[0-W`-w]*$")


def _read(path: Path) -> bytes:
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


def _clean_lines(data: bytes):
    """(line number, sentence bytes) of AIS sentences our decoder should accept before reassembly."""
    for i, raw in enumerate(data.split(b"\n"), start=1):
        line = _TRAILING.sub(rb"\1", raw.strip())
        if line.startswith(b"\\"):
            continue  # no tag block + sentence lines in these files (only tag-only lines)
        if line[:1] != b"!" or line[3:6].upper() not in (b"VDM", b"VDO") or b"*" not in line:
            continue
        body, _, cs = line.rpartition(b"*")
        try:
            if int(cs[:2], 16) != compute_checksum(body):
                continue
            parts = body.split(b",")
            fill = int(parts[6]) if parts[6] else 0
            if not (1 <= int(parts[1]) <= 9 and 1 <= int(parts[2]) <= int(parts[1]) and 0 <= fill <= 5):
                continue
        except (ValueError, IndexError):
            continue
        if not _PAYLOAD_OK.match(parts[5]):
            continue
        yield i, line


def pyais_reference(data: bytes) -> list[tuple[int, int, dict]]:
    """(line of the completing fragment, bit length, pyais asdict) for every message pyais decodes."""
    current = [0]

    def gen():
        for i, line in _clean_lines(data):
            current[0] = i
            yield line

    out = []
    for msg in IterMessages(gen()):
        try:
            decoded = msg.decode()
        except Exception:  # pyais raises on unknown types / bad parts; we count those apart
            continue
        d = decoded.asdict(enum_as_int=True)
        # pyais maps reserved ship-type codes onto enum members (39 -> NotAvailable = 0); we store the ITU
        # code itself, so the reference is the raw 8 bits read by pyais' own bit vector.
        at = {5: 232, 19: 263}.get(d["msg_type"])
        if at is not None and len(msg.bv) > at:
            d["ship_type"] = msg.bv.get(at, 8)
        out.append((current[0], len(msg.bv), apply_short_payload_rules(d, msg.bv)))
    return out


def _ours(data: bytes, chunk: int | None = None, window: int = 0):
    dec = NmeaDecoder("t", dedup_window_s=window)
    batches = []
    if chunk is None:
        batches.append(dec.feed(data))
    else:
        cut = 0
        while cut < len(data):
            nxt = data.find(b"\n", cut + chunk)
            nxt = len(data) if nxt < 0 else nxt + 1
            batches.append(dec.feed(data[cut:nxt]))
            cut = nxt
    batches.append(dec.finish())
    import pyarrow as pa

    pos = pa.concat_tables([b.positions for b in batches], promote_options="permissive")
    rep = pa.concat_tables([b.reports for b in batches], promote_options="permissive")
    return pos, rep, batches


def _f32(x):
    return None if x is None else float(np.float32(x))


def expected_position(t: int, d: dict) -> dict:
    """Our null rules applied to pyais' values."""
    lat, lon = d.get("lat"), d.get("lon")
    sog, cog, hdg = d.get("speed"), d.get("course"), d.get("heading")
    if t == 27:
        sog = None if sog is None or sog == 63 else sog
        cog = None if cog is None or cog >= 360 else cog
        hdg = None
    elif t == 4:
        sog = cog = hdg = None
    else:
        sog = None if sog is None or sog == 102.3 else sog
        cog = None if cog is None or cog >= 360 else cog
        hdg = None if hdg is None or hdg >= 360 else hdg
    status = d.get("status") if t in (1, 2, 3, 27) else None
    turn = d.get("turn") if t in (1, 2, 3) else None
    return {
        "mmsi": d["mmsi"],
        "lat": None if lat is None or abs(lat) > 90 else lat,
        "lon": None if lon is None or abs(lon) > 180 else lon,
        "sog": _f32(sog), "cog": _f32(cog), "heading": hdg,
        "nav_status": None if status is None or status == 15 else status,
        "rot": None if turn is None or turn in (127, -127, -128) else _f32(turn),
        "rot_direction": d.get("rot_direction"),
        "accuracy": d.get("accuracy"),
        "msg_type": t,
    }


def expected_report(t: int, d: dict) -> dict:
    aux = t == 24 and d.get("partno") == 1 and 980000000 <= d["mmsi"] <= 989999999

    def s(key):
        v = d.get(key)
        return v if v else None

    def dim(key):
        return None if aux else d.get(key)

    out = {"mmsi": d["mmsi"], "msg_type": t, "part": d.get("partno") if t == 24 else None,
           "imo": s("imo"), "name": s("shipname"), "callsign": s("callsign"), "ship_type": s("ship_type"),
           "to_bow": dim("to_bow"), "to_stern": dim("to_stern"), "to_port": dim("to_port"),
           "to_starboard": dim("to_starboard"), "draught": _f32(s("draught")), "destination": s("destination")}
    if t == 19:
        out["callsign"] = out["imo"] = None
    return out


def _eta_ok(d: dict, eta) -> bool:
    m, day, h, mi = (d.get(k) for k in ("month", "day", "hour", "minute"))
    valid = None not in (m, day, h, mi) and 1 <= m <= 12 and 1 <= day <= 31 and h < 24 and mi < 60
    if not valid:
        return eta is None
    if eta is None:  # only impossible dates (e.g. Feb 30) may stay null
        import calendar

        return day > calendar.monthrange(2024, m)[1]
    return (eta.month, eta.day, eta.hour, eta.minute) == (m, day, h, mi)


@pytest.fixture(scope="module", params=FILES)
def decoded(request, shared_data):
    data = _read(shared_data / "ais" / request.param)
    ref = pyais_reference(data)
    pos, rep, batches = _ours(data)
    return request.param, data, ref, pos, rep, batches


def test_positions_and_reports_equal_pyais(decoded):
    name, _, ref, pos, rep, batches = decoded
    pos_rows = {}
    for r in pos.to_pylist():
        pos_rows.setdefault(r["src_line"], []).append(r)
    rep_rows = {}
    for r in rep.to_pylist():
        rep_rows.setdefault(r["src_line"], []).append(r)
    n_pos = n_rep = short = 0
    for line, nbits, d in ref:
        t = d["msg_type"]
        if t not in POS_TYPES | REP_TYPES:
            continue
        if nbits < MIN_BITS[t]:
            short += 1  # we reject these as bad_payload (counted below)
            continue
        if t in POS_TYPES:
            got = pos_rows[line].pop(0)
            exp = expected_position(t, d)
            assert {k: got[k] for k in exp} == exp, f"{name}:{line}"
            n_pos += 1
        if t in REP_TYPES:
            got = rep_rows[line].pop(0)
            exp = expected_report(t, d)
            assert {k: got[k] for k in exp} == exp, f"{name}:{line}"
            assert _eta_ok(d, got["eta"]) if t == 5 else got["eta"] is None, f"{name}:{line}"
            n_rep += 1
    assert n_pos == pos.num_rows and n_rep == rep.num_rows, "rows without a pyais counterpart"
    rejects = Counter(r.reason for b in batches for r in b.rejects)
    assert rejects["bad_payload"] >= short
    assert pos.num_rows > 0


# Reject counts by reason per file (inspected by hand: $PSTT/$PFEC/$GPRMC/$xxALR/$xxVSI are not_ais;
# AMSA has truncated sentences and corrupt payloads; the drift file has one truncated $PGHP).
EXPECTED_REJECTS: dict[str, dict[str, int]] = {
    "212123000_drift_1.ais": {"not_ais": 33},
    "amsa_risky_ais.txt.gz": {"not_ais": 10632, "bad_checksum": 3, "truncated": 13, "orphan_fragment": 4},
    "dma_aisabnormal_ais-sample.txt.gz": {"not_ais": 973},
    "exact-earth-augmented-3.txt": {"orphan_fragment": 4, "bad_payload": 4},
}


def test_reject_counts(decoded):
    name, data, _ref, _pos, _rep, batches = decoded
    rejects = Counter(r.reason for b in batches for r in b.rejects)
    lines = sum(b.lines for b in batches)
    assert lines == data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    print(name, dict(rejects))
    if name in EXPECTED_REJECTS:
        assert dict(rejects) == EXPECTED_REJECTS[name]


def _dedup_reference(data: bytes, ts_by_line: dict[int, list], window_ms: int) -> tuple[list[int], list[int]]:
    """Python dedup over pyais messages: first reception of a payload is kept, later ones within the window fold.

    Returns (kept completing lines in order, receptions per kept message). Times come from our decoder
    (dedup disabled), matched to pyais messages by their completing line.
    """
    current = [0]

    def gen():
        for i, line in _clean_lines(data):
            current[0] = i
            yield line

    first: dict[tuple[bytes, int], tuple[int, int]] = {}  # payload -> (first ts, index in kept)
    kept: list[int] = []
    nrecv: list[int] = []
    for msg in IterMessages(gen()):
        line = current[0]
        if line not in ts_by_line:
            continue  # not a stored message type (or too short): not part of dedup
        ts = ts_by_line[line]
        key = (msg.payload, msg.fill_bits)
        hit = first.get(key)
        if hit is not None and abs(ts - hit[0]) <= window_ms:
            nrecv[hit[1]] += 1
            continue
        first[key] = (ts, len(kept))
        kept.append(line)
        nrecv.append(1)
    return kept, nrecv


@pytest.mark.parametrize("name", ["212123000_drift_1.ais", "exact-earth-augmented-3.txt"])
def test_dedup_matches_reference(shared_data, name):
    """The drift file has each sentence from up to 5 stations: our folding equals the Python reference."""
    data = _read(shared_data / "ais" / name)
    pos0, rep0, _ = _ours(data, window=0)
    ts_by_line = {}
    for t in (pos0, rep0):
        for line, ts in zip(t.column("src_line").to_pylist(), t.column("ts").cast("int64").to_pylist(), strict=True):
            ts_by_line[line] = ts
    kept, nrecv = _dedup_reference(data, ts_by_line, 60_000)
    pos, rep, batches = _ours(data, window=60)
    ours = sorted({*pos.column("src_line").to_pylist(), *rep.column("src_line").to_pylist()})
    recv = {}
    for t in (pos, rep):
        recv.update(zip(t.column("src_line").to_pylist(), t.column("n_receivers").to_pylist(), strict=True))
    folded = sum(b.duplicates_folded for b in batches)
    assert folded == sum(recv.values()) - len(ours)
    if name.startswith("exact-earth"):
        # A $PGHP that follows its sentence retimes the row after the fold decision was taken with the row's
        # preliminary time (the last $PGHP's): the few payloads whose two times straddle the window differ.
        assert len(set(ours) ^ set(kept)) <= 0.005 * len(kept)
        return
    assert ours == sorted(kept)
    assert [recv[k] for k in kept] == nrecv
    assert folded == sum(nrecv) - len(kept)
    if name.startswith("212123000"):
        assert folded > 1000  # the point of this file: many stations hear the same sentence
    # streaming in small chunks folds the same messages (n_receivers may only be lower across chunk edges)
    pos_c, rep_c, batches_c = _ours(data, chunk=50_000, window=60)
    assert sorted({*pos_c.column("src_line").to_pylist(), *rep_c.column("src_line").to_pylist()}) == ours
    assert sum(b.duplicates_folded for b in batches_c) == folded


@pytest.mark.parametrize(("name", "chunk"), [("exact-earth-augmented-3.txt", 20_000),
                                             ("212123000_drift_1.ais", 150_000),
                                             ("amsa_risky_ais.txt.gz", 150_000),
                                             ("amsa_risky_ais.txt.gz", 1_000)])
def test_chunked_equals_whole(shared_data, name, chunk):
    """Feeding a file in chunks gives the same rows and rejects as one feed, except that messages before the
    first timestamp can only be backfilled within their own chunk (AMSA: the others become no_timestamp)."""
    data = _read(shared_data / "ais" / name)
    if chunk < 2_000:  # many tiny feeds: the first 60 kB are enough
        data = data[: data.index(b"\n", 60_000) + 1]
    pos, rep, b1 = _ours(data)
    pos_c, rep_c, b2 = _ours(data, chunk=chunk)
    rej1 = sorted((r.line, r.reason, r.raw) for b in b1 for r in b.rejects)
    rej2 = sorted((r.line, r.reason, r.raw) for b in b2 for r in b.rejects)
    no_ts = {line for line, reason, _ in rej2 if reason == "no_timestamp"}
    assert [r for r in rej2 if r[1] != "no_timestamp"] == rej1
    assert pos_c.to_pylist() == [r for r in pos.to_pylist() if r["src_line"] not in no_ts]
    assert rep_c.to_pylist() == [r for r in rep.to_pylist() if r["src_line"] not in no_ts]
    if no_ts:  # only lines before the first stamp of the input, all in the first chunk
        first_stamped = min(r["src_line"] for r in pos.to_pylist() if r["ts_source"] != "inferred")
        assert max(no_ts) < first_stamped
    # AMSA's first stamp is on line 40 (about 2.3 kB in): a 1 kB first chunk has none to backfill from
    assert bool(no_ts) == (name == "amsa_risky_ais.txt.gz" and chunk < 2_000)
