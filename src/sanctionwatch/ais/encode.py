"""Vectorised AIS NMEA encoder: numpy bit packing of many messages at once into tag-blocked AIVDM lines.

Why: the simulator must write >= 1M messages/minute on one core; pyais' per-message encoder manages a
few tens of thousands. Every line has a fixed width per message type, so a batch becomes one uint8
matrix that is turned into bytes in one call. Field layouts follow ITU-R M.1371-5 Annex 8 (the same
bit specs pyais uses; tests decode our output with pyais).

Line format (the project convention): `\\s:<station>,c:<epoch>*hh\\!AIVDM,1,1,,<ch>,<payload>,<fill>*hh`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# 6-bit ASCII armouring (ITU-R M.1371 / IEC 61162): value v -> chr(v + 48) if v < 40 else chr(v + 56)
_ARMOUR = np.array([v + 48 if v < 40 else v + 56 for v in range(64)], dtype=np.uint8)
# AIS 6-bit text alphabet: '@' = 0, 'A'..'Z' = 1..26, ... ' ' = 32 ... '?' = 63
_TEXT_CODE = np.zeros(256, dtype=np.int64)
for _c in range(256):
    _ch = chr(_c).upper()
    _o = ord(_ch) if len(_ch) == 1 else 32
    _TEXT_CODE[_c] = (_o - 64) if 64 <= _o < 96 else (_o if 32 <= _o < 64 else 32)

STATION_WIDTH = 8
EPOCH_WIDTH = 10


def _bits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) uint8 big-endian bit matrix of int values masked to `width` bits (two's complement)."""
    v = values.astype(np.int64) & ((1 << width) - 1)
    shifts = np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((v[:, None] >> shifts) & 1).astype(np.uint8)


def _text_bits(texts: Sequence[str] | np.ndarray, chars: int) -> np.ndarray:
    """(n, 6*chars) bit matrix of AIS 6-bit text, right-padded with '@' (value 0) as the spec says."""
    n = len(texts)
    raw = np.asarray(texts, dtype=f"S{chars}") if n else np.zeros(0, dtype=f"S{chars}")
    buf = np.frombuffer(raw.tobytes(), dtype=np.uint8).reshape(n, chars) if n else np.zeros((0, chars), np.uint8)
    codes = _TEXT_CODE[buf]
    codes[buf == 0] = 0  # padding
    shifts = np.arange(5, -1, -1, dtype=np.int64)
    return ((codes[:, :, None] >> shifts) & 1).astype(np.uint8).reshape(n, chars * 6)


def _armour(bits: np.ndarray) -> tuple[np.ndarray, int]:
    """Pack a (n, nbits) bit matrix into (n, nchars) armoured ASCII and return (chars, fill_bits)."""
    n, nbits = bits.shape
    fill = (-nbits) % 6
    if fill:
        bits = np.concatenate([bits, np.zeros((n, fill), np.uint8)], axis=1)
    six = bits.reshape(n, -1, 6).astype(np.uint8)
    vals = six @ np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)
    return _ARMOUR[vals], fill


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) ASCII digits of non-negative ints, zero padded on the left."""
    v = values.astype(np.int64)
    pows = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((v[:, None] // pows) % 10 + 48).astype(np.uint8)


_HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


def _hex2(x: np.ndarray) -> np.ndarray:
    return np.stack([_HEX[(x >> 4) & 15], _HEX[x & 15]], axis=1)


def _xor_rows(m: np.ndarray) -> np.ndarray:
    return np.bitwise_xor.reduce(m, axis=1) if m.shape[1] else np.zeros(m.shape[0], np.uint8)


def _const(s: str, n: int) -> np.ndarray:
    return np.tile(np.frombuffer(s.encode(), dtype=np.uint8), (n, 1))


def frame_lines(payload: np.ndarray, fill: int, epoch: np.ndarray, station: np.ndarray, channel: np.ndarray,
                *, frag: tuple[int, int] = (1, 1), seq: np.ndarray | None = None) -> np.ndarray:
    """Wrap armoured payloads into full tag-blocked NMEA lines: a (n, width) uint8 matrix ending in '\\n'.

    `station` is an (n, STATION_WIDTH) uint8 matrix of station ids, `channel` an (n,) array of b'A'/b'B'.
    """
    n = payload.shape[0]
    epoch = np.asarray(epoch, dtype=np.int64)
    if n and (epoch.min() < 10 ** (EPOCH_WIDTH - 1) or epoch.max() >= 10**EPOCH_WIDTH):
        raise ValueError("epoch seconds out of the 10-digit range (2001-09-09 .. 2286-11-20)")
    tag_body = np.concatenate([_const("s:", n), station, _const(",c:", n), _digits(epoch, EPOCH_WIDTH)], axis=1)
    tag_ck = _hex2(_xor_rows(tag_body))
    seq_part = _digits(seq, 1) if seq is not None else np.zeros((n, 0), np.uint8)
    head = np.concatenate([_const(f"AIVDM,{frag[0]},{frag[1]},", n), seq_part, _const(",", n),
                           channel.reshape(n, 1).astype(np.uint8), _const(",", n)], axis=1)
    body = np.concatenate([head, payload, _const(f",{fill}", n)], axis=1)
    ck = _hex2(_xor_rows(body))
    return np.concatenate([_const("\\", n), tag_body, _const("*", n), tag_ck, _const("\\!", n), body,
                           _const("*", n), ck, _const("\n", n)], axis=1)


def _i(a, n: int) -> np.ndarray:
    arr = np.asarray(a)
    return np.broadcast_to(arr, (n,)).astype(np.int64) if arr.ndim == 0 else arr.astype(np.int64)


def _scale_pos(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Degrees to 1/10000 minute (M.1371), NaN -> not-available sentinels 181/91 degrees."""
    lon = np.where(np.isnan(lon), 181.0, lon)
    lat = np.where(np.isnan(lat), 91.0, lat)
    return np.rint(lon * 600000).astype(np.int64), np.rint(lat * 600000).astype(np.int64)


def _sog(sog: np.ndarray) -> np.ndarray:
    """Knots to 0.1 kn, NaN -> 1023 (not available), capped at 102.2 kn."""
    return np.where(np.isnan(sog), 1023, np.clip(np.rint(sog * 10), 0, 1022)).astype(np.int64)


def _cog(cog: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(cog), 3600, np.rint(np.mod(cog, 360.0) * 10) % 3600).astype(np.int64)


def _hdg(hdg: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(hdg), 511, np.rint(np.mod(hdg, 360.0)) % 360).astype(np.int64)


def _rot(rot_deg_min: np.ndarray) -> np.ndarray:
    """Rate of turn in deg/min to the M.1371 ROT_AIS code 4.733*sqrt(|rot|), NaN -> -128."""
    code = np.sign(rot_deg_min) * np.rint(4.733 * np.sqrt(np.abs(np.nan_to_num(rot_deg_min))))
    return np.where(np.isnan(rot_deg_min), -128, np.clip(code, -126, 126)).astype(np.int64)


def class_a_payload(mmsi, status, rot, sog, lon, lat, cog, heading, second, msg_type=1) -> np.ndarray:
    """Armoured 28-char payloads of position reports type 1/2/3 (168 bits, fill 0)."""
    n = len(mmsi)
    x, y = _scale_pos(np.asarray(lon, float), np.asarray(lat, float))
    bits = np.concatenate([
        _bits(_i(msg_type, n), 6), _bits(_i(0, n), 2), _bits(_i(mmsi, n), 30), _bits(_i(status, n), 4),
        _bits(_rot(np.asarray(rot, float)), 8), _bits(_sog(np.asarray(sog, float)), 10), _bits(_i(1, n), 1),
        _bits(x, 28), _bits(y, 27), _bits(_cog(np.asarray(cog, float)), 12), _bits(_hdg(np.asarray(heading, float)), 9),
        _bits(_i(second, n), 6), _bits(_i(0, n), 2), _bits(_i(0, n), 3), _bits(_i(0, n), 1), _bits(_i(0, n), 19),
    ], axis=1)
    return _armour(bits)[0]


def class_b_payload(mmsi, sog, lon, lat, cog, heading, second) -> np.ndarray:
    """Armoured 28-char payloads of type 18 (Class B CS position report, 168 bits)."""
    n = len(mmsi)
    x, y = _scale_pos(np.asarray(lon, float), np.asarray(lat, float))
    z = _i(0, n)
    bits = np.concatenate([
        _bits(_i(18, n), 6), _bits(z, 2), _bits(_i(mmsi, n), 30), _bits(z, 8), _bits(_sog(np.asarray(sog, float)), 10),
        _bits(_i(1, n), 1), _bits(x, 28), _bits(y, 27), _bits(_cog(np.asarray(cog, float)), 12),
        _bits(_hdg(np.asarray(heading, float)), 9), _bits(_i(second, n), 6), _bits(z, 2),
        _bits(_i(1, n), 1), _bits(z, 1), _bits(_i(1, n), 1), _bits(_i(1, n), 1), _bits(z, 1), _bits(z, 1),
        _bits(z, 1), _bits(z, 20),
    ], axis=1)
    return _armour(bits)[0]


def static_payload(mmsi, imo, callsign, name, ship_type, to_bow, to_stern, to_port, to_starboard,
                   eta_month, eta_day, eta_hour, eta_minute, draught, destination) -> tuple[np.ndarray, int]:
    """Armoured 71-char payloads of type 5 (424 bits + 2 fill bits); returns (chars, fill)."""
    n = len(mmsi)
    z = _i(0, n)
    bits = np.concatenate([
        _bits(_i(5, n), 6), _bits(z, 2), _bits(_i(mmsi, n), 30), _bits(z, 2), _bits(_i(imo, n), 30),
        _text_bits(callsign, 7), _text_bits(name, 20), _bits(_i(ship_type, n), 8),
        _bits(_i(to_bow, n), 9), _bits(_i(to_stern, n), 9), _bits(_i(to_port, n), 6), _bits(_i(to_starboard, n), 6),
        _bits(_i(1, n), 4), _bits(_i(eta_month, n), 4), _bits(_i(eta_day, n), 5), _bits(_i(eta_hour, n), 5),
        _bits(_i(eta_minute, n), 6), _bits(np.clip(np.rint(np.asarray(draught, float) * 10), 0, 255).astype(np.int64), 8),
        _text_bits(destination, 20), _bits(z, 1), _bits(z, 1),
    ], axis=1)
    return _armour(bits)


def class_b_static_payloads(mmsi, name, ship_type, callsign, to_bow, to_stern, to_port, to_starboard
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Armoured payloads of type 24 part A (name) and part B (type, callsign, dimensions), 168 bits each."""
    n = len(mmsi)
    z = _i(0, n)
    a = np.concatenate([_bits(_i(24, n), 6), _bits(z, 2), _bits(_i(mmsi, n), 30), _bits(z, 2),
                        _text_bits(name, 20), _bits(z, 8)], axis=1)
    b = np.concatenate([_bits(_i(24, n), 6), _bits(z, 2), _bits(_i(mmsi, n), 30), _bits(_i(1, n), 2),
                        _bits(_i(ship_type, n), 8), _text_bits(["SWS"] * n, 3), _bits(z, 4), _bits(z, 20),
                        _text_bits(callsign, 7), _bits(_i(to_bow, n), 9), _bits(_i(to_stern, n), 9),
                        _bits(_i(to_port, n), 6), _bits(_i(to_starboard, n), 6), _bits(z, 6)], axis=1)
    return _armour(a)[0], _armour(b)[0]


def station_matrix(names: Sequence[str], idx: np.ndarray) -> np.ndarray:
    """(n, STATION_WIDTH) uint8 station ids for each message (names are padded/cut to the width)."""
    table = np.frombuffer(b"".join(s.encode()[:STATION_WIDTH].ljust(STATION_WIDTH, b"0") for s in names),
                          dtype=np.uint8).reshape(len(names), STATION_WIDTH)
    return table[idx]


def type5_lines(payload: np.ndarray, fill: int, epoch, station, channel, seq) -> tuple[np.ndarray, np.ndarray]:
    """Split 71-char type 5 payloads into the two sentences (60 + 11 chars); returns both line matrices."""
    first = frame_lines(payload[:, :60], 0, epoch, station, channel, frag=(2, 1), seq=seq)
    second = frame_lines(payload[:, 60:], fill, epoch, station, channel, frag=(2, 2), seq=seq)
    return first, second


def join_rows(m: np.ndarray) -> bytes:
    """All rows of a line matrix as one bytes object."""
    return np.ascontiguousarray(m).tobytes()
