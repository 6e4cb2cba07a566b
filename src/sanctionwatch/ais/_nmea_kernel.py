"""Numba kernels of the NMEA decoder: framing, checksums, tag blocks, reassembly, 6-bit fields, dedup.

One call of `decode_chunk` processes a chunk of whole lines (a uint8 array) sequentially and writes
decoded rows into preallocated column arrays; all streaming state (line counter, last timestamp, pending
fragments, stations, dedup table) lives in numpy arrays owned by the Python `NmeaDecoder`.
Field layouts follow ITU-R M.1371-5 Annex 8 and pyais 3.3.1 (`pyais/messages.py`); see docs/ais.md.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# ---- reject reasons (index into REASON_NAMES) --------------------------------------------------
(R_BAD_CHECKSUM, R_TRUNCATED, R_NOT_AIS, R_BAD_PAYLOAD, R_ORPHAN, R_BAD_FIELDS, R_NO_TS, R_TOO_LONG,
 R_BAD_TIME) = range(9)
REASON_NAMES = ("bad_checksum", "truncated", "not_ais", "bad_payload", "orphan_fragment", "bad_fields",
                "no_timestamp", "line_too_long", "implausible_time")

# ---- timestamp sources --------------------------------------------------------------------------
TS_TAG, TS_PGHP, TS_TRAILING, TS_LEADING, TS_INFERRED, TS_ASSUMED, TS_PENDING = range(7)
TS_SOURCE_NAMES = ("tag", "pghp", "trailing", "leading", "inferred", "assumed")

# ---- scalar state (int64 array `st`) -------------------------------------------------------------
S_LINE = 0          # lines seen so far (1-based line number of the last line)
S_HAS_TS = 1        # a timestamp has been seen in this input
S_LAST_TS = 2       # last timestamp seen (ms)
S_PG_TS = 3         # pending $PGHP: time (ms)
S_PG_SET = 4        # pending $PGHP present
S_PG_CS = 5         # pending $PGHP: checksum of the sentence it belongs to (-1 unknown)
S_PG_STATION = 6    # pending $PGHP: station id (-1 none)
S_TG_TS = 7         # pending tag-only line: c: time (ms), -1 none
S_TG_SET = 8        # pending tag-only line present
S_TG_STATION = 9    # pending tag-only line: station id
S_POS_TOTAL = 10    # positions emitted in earlier chunks (global row ids)
S_REP_TOTAL = 11    # reports emitted in earlier chunks
S_FIRST_TS = 12     # first timestamp of the input (ms)
S_DD_COUNT = 13     # entries in the dedup table
S_N_STATIONS = 14   # stations interned
S_SENTENCES = 15    # AIS sentences (counter for this chunk)
S_MESSAGES = 16     # AIS messages after reassembly (this chunk)
S_DUPS = 17         # duplicates folded (this chunk)
S_FIRST_TS_CHUNK = 18  # 1 when the first timestamp of the input was seen in this chunk
S_MAX_TS = 19       # largest timestamp seen (dedup pruning horizon)
S_TMIN = 20         # plausible time window (ms), set by the decoder (batch.TIME_PARAMS): earlier/later times
S_TMAX = 21         #   are quarantined as implausible_time, never stored nor carried to other lines
S_PG_LINE = 22      # line of the last $PGHP seen (0 none): a stream with $PGHP lines within PG_WINDOW
S_PG_LAST_TS = 23   #   takes its sentences' times from that clock (see PG_WINDOW)
S_PG_RING = 24      # ring slot of the pending $PGHP of S_PG_SET (-1 none)
S_PG_DENS = 25      # share of $PGHP lines among $PGHP + AIS lines, moving average (fixed point, PG_ONE = 1)
N_STATE = 26

# ---- $PGHP <-> sentence matching ------------------------------------------------------------------
# Gatehouse `$PGHP` lines carry the reception time and, in their last field, the checksum of the sentence
# they belong to. DMA writes each one just before its sentence; exactEarth satellite files write them
# before OR after it, up to a few dozen lines away (exact-earth-augmented-3.txt: 3,153 of 3,355 match a
# sentence within 20 lines, 3,162 within 40). Unmatched $PGHP lines and sentences that got no $PGHP wait in
# two small rings (PG_RING entries, PG_WINDOW lines) and are paired by checksum, newest first, when the
# other one arrives. A stream with a $PGHP within PG_WINDOW lines is on the $PGHP clock: a sentence without
# its own $PGHP takes the last $PGHP time (inferred) rather than its trailing epoch, which in such files is
# the ground system's later arrival time (a second clock; mixing both made one track jump back and forth).
PG_WINDOW = 32
PG_RING = PG_WINDOW
# ring columns: used, line, ts (PGHP) / global position row (sentence), cs, station (PGHP) / report row,
# dedup key of the sentence's payload (0 none)
# and (sentence ring) the message's own UTC second, -1 unknown
Q_USED, Q_LINE, Q_TS, Q_CS, Q_AUX, Q_KEY, Q_SEC = range(7)
N_Q = 7
# A one-byte checksum is shared by 1 sentence in 256, so within PG_WINDOW lines two candidates can name the
# same one. Position reports carry their own UTC second (types 1-3: bits 137-142, 18/19: 133-138, 4: 72-77):
# a $PGHP whose second is not within PG_LAG_BEHIND s before to PG_LAG_AHEAD s after it is another sentence's
# (exact-earth pairs of adjacent lines: the reception second is 3 s before to 8 s after the report's, the
# satellite's clock and relay; DMA's terrestrial pairs 0-1 s after). Such a mismatch is still taken when
# the two lines are adjacent (the writer put them together) and there is no agreeing candidate.
PG_LAG_AHEAD = 10
PG_LAG_BEHIND = 5
# Only a stream dense in $PGHP lines is on the $PGHP clock: AMSA's terrestrial feed has a few satellite $PGHP
# bursts (26 in 44,687 lines) among sentences whose trailing epoch is their own reception time. The share of
# $PGHP lines among $PGHP + AIS lines (moving average over ~PG_DENS_SPAN lines) must be at least PG_DENS_MIN:
# exactEarth 0.44, DMA 0.50; a burst of 4 in AMSA reaches about 0.12. Simulated on the files (start 0.5 at
# the first $PGHP): no exactEarth sentence within PG_WINDOW of a $PGHP falls below 0.25, no AMSA sentence
# with a trailing epoch is above it.
PG_ONE = 1 << 20
PG_DENS_SPAN_LOG2 = 5  # 32 lines
PG_DENS_MIN = PG_ONE // 4
Q_POS = Q_TS

# ---- fragment slots --------------------------------------------------------------------------------
N_SLOTS = 64
MAX_FRAGS = 9            # IEC 61162-1: at most 9 sentences per message (pyais MAX_FRAG_CNT)
MAX_PAYLOAD = 200        # characters per sentence accepted (pyais MAX_PAYLOAD_LEN)
SLOT_PAY = MAX_FRAGS * MAX_PAYLOAD
SLOT_RAW = MAX_FRAGS * 256
# slot int64 columns
(SL_KEY, SL_USED, SL_CNT, SL_GOT, SL_PAYLEN, SL_RAWLEN, SL_TS, SL_TSSRC, SL_STATION, SL_FIRSTLINE, SL_RXTOD,
 SL_SIG) = range(12)
N_SL = 12 + MAX_FRAGS    # + line number of each fragment

# Longest line decoded (bytes): an NMEA sentence is <= 82 characters, tag blocks and receiver suffixes add a few
# hundred; longer lines are rejected as line_too_long and quarantined cut to this length (bounded memory).
MAX_LINE = 64 * 1024
# A decode call stops (status 2) before its outputs overflow, so memory per batch is bounded on any input.
REJ_SLACK = MAX_LINE + 2 * SLOT_RAW + 16  # reject bytes one line can add at most

# epoch values >= 1e11 are milliseconds (1e11 s is the year 5138, 1e11 ms is 1973)
EPOCH_MS_MIN = 100_000_000_000

# ---- stations ------------------------------------------------------------------------------------------
MAX_STATIONS = 4096
STATION_BYTES = 48
STATION_TABLE = 8192

# ---- output columns --------------------------------------------------------------------------------
# positions int64: ts, src_line, rx_time ; int32: mmsi, msg_type, heading, nav_status, accuracy, station, nrecv,
# tssrc, signal (dBm), rot direction
P64_TS, P64_LINE, P64_RX = range(3)
N_P64 = 3
P32_MMSI, P32_TYPE, P32_HEADING, P32_NAV, P32_ACC, P32_STATION, P32_NRECV, P32_TSSRC, P32_SIG, P32_ROTDIR = range(10)
N_P32 = 10
# positions float64: lat, lon, sog, cog, rot
PF_LAT, PF_LON, PF_SOG, PF_COG, PF_ROT = range(5)
# reports int64: ts, src_line, rx_time ; int32 columns:
R64_TS, R64_LINE, R64_RX = range(3)
N_R64 = 3
(R32_MMSI, R32_TYPE, R32_PART, R32_IMO, R32_SHIPTYPE, R32_BOW, R32_STERN, R32_PORT, R32_STBD, R32_MONTH,
 R32_DAY, R32_HOUR, R32_MINUTE, R32_STATION, R32_NRECV, R32_TSSRC, R32_SIG) = range(17)
N_R32 = 17
NO_SIGNAL = -32768  # signal column: no `d` field in the receiver suffix
NO_ROTDIR = -128    # rot direction column: not available (raw -128, or no rate-of-turn field)
DAY_MS = 86_400_000
NAME_LEN, CALL_LEN, DEST_LEN = 20, 7, 20

POSITION_TYPES = (1, 2, 3, 4, 18, 19, 27)
# minimum payload bits: up to the end of the latitude field (positions) / the fields needed (reports)
MIN_BITS = np.zeros(64, dtype=np.int64)
for _t in (1, 2, 3):
    MIN_BITS[_t] = 116
MIN_BITS[4] = 134
MIN_BITS[18] = 112
MIN_BITS[19] = 112
MIN_BITS[27] = 79
MIN_BITS[5] = 70
MIN_BITS[24] = 40


@njit(cache=True, error_model="numpy")
def _is_digit(c):
    return 48 <= c <= 57


@njit(cache=True, error_model="numpy")
def _hexval(c):
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


@njit(cache=True, error_model="numpy")
def _days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - (1 if m <= 2 else 0)
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = m - 3 if m > 2 else m + 9
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit(cache=True, error_model="numpy")
def _date_ok(y, mo, d, h, mi, s):
    if y < 1970 or y > 2200 or mo < 1 or mo > 12 or d < 1 or h < 0 or h > 23 or mi < 0 or mi > 59:
        return False
    if s < 0 or s > 60:
        return False
    mdays = 31
    if mo == 4 or mo == 6 or mo == 9 or mo == 11:
        mdays = 30
    elif mo == 2:
        leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
        mdays = 29 if leap else 28
    return d <= mdays


@njit(cache=True, error_model="numpy")
def _epoch_ms(y, mo, d, h, mi, s, ms):
    return ((_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms


@njit(cache=True, error_model="numpy")
def _parse_uint(buf, s, e):
    """Decimal digits in buf[s:e] -> value, or -1 when empty / not all digits / too long."""
    if e <= s or e - s > 18:
        return -1
    v = 0
    for i in range(s, e):
        c = buf[i]
        if not _is_digit(c):
            return -1
        v = v * 10 + (c - 48)
    return v


@njit(cache=True, error_model="numpy")
def _epoch_to_ms(v):
    """Unix epoch in seconds or milliseconds (decided by magnitude: >= 1e11 is ms) -> ms; -1 if implausible."""
    if v < 0:
        return -1
    ms = v if v >= EPOCH_MS_MIN else v * 1000
    if ms < 0 or ms > 7_258_118_400_000:  # 2200-01-01
        return -1
    return ms


@njit(cache=True, error_model="numpy")
def _parse_iso(buf, s, e):
    """ISO-8601 `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|+00:00]` in buf[s:e] -> (ms, end) or (-1, s)."""
    if e - s < 19:
        return -1, s
    if buf[s + 4] != 45 or buf[s + 7] != 45 or buf[s + 13] != 58 or buf[s + 16] != 58:
        return -1, s
    if buf[s + 10] != 84 and buf[s + 10] != 32:
        return -1, s
    y = _parse_uint(buf, s, s + 4)
    mo = _parse_uint(buf, s + 5, s + 7)
    d = _parse_uint(buf, s + 8, s + 10)
    h = _parse_uint(buf, s + 11, s + 13)
    mi = _parse_uint(buf, s + 14, s + 16)
    sec = _parse_uint(buf, s + 17, s + 19)
    if y < 0 or mo < 0 or d < 0 or h < 0 or mi < 0 or sec < 0 or not _date_ok(y, mo, d, h, mi, sec):
        return -1, s
    p = s + 19
    ms = 0
    if p < e and buf[p] == 46:
        p += 1
        scale = 100
        q = p
        while p < e and _is_digit(buf[p]):
            if scale > 0:
                ms += (buf[p] - 48) * scale
                scale //= 10
            p += 1
        if p == q:
            return -1, s
    if p < e and buf[p] == 90:
        p += 1
    elif p + 6 <= e and (buf[p] == 43 or buf[p] == 45):
        oh = _parse_uint(buf, p + 1, p + 3)
        om = _parse_uint(buf, p + 4, p + 6)
        if oh < 0 or om < 0 or buf[p + 3] != 58:
            return -1, s
        off = (oh * 60 + om) * 60000
        p += 6
        if buf[p - 6] == 43:
            ms -= off
        else:
            ms += off
    return _epoch_ms(y, mo, d, h, mi, sec, 0) + ms, p


@njit(cache=True, error_model="numpy")
def _fnv(buf, s, e, h):
    for i in range(s, e):
        h = (h ^ np.uint64(buf[i])) * np.uint64(1099511628211)
    return h


@njit(cache=True, error_model="numpy")
def _hash_payload(buf, s, e, fill):
    """64-bit hash of payload characters buf[s:e] plus fill bits: FNV-1a over 8-byte words, murmur3 fmix64."""
    prime = np.uint64(1099511628211)
    h = np.uint64(14695981039346656037) ^ np.uint64(e - s)
    i = s
    while i + 8 <= e:
        w = np.uint64(0)
        for k in range(8):
            w = (w << np.uint64(8)) | np.uint64(buf[i + k])
        h = (h ^ w) * prime
        i += 8
    w = np.uint64(fill) << np.uint64(56)
    while i < e:
        w = (w << np.uint64(8)) ^ np.uint64(buf[i])
        i += 1
    h = (h ^ w) * prime
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@njit(cache=True, error_model="numpy")
def _intern_station(buf, s, e, st, stab_key, stab_id, st_bytes, st_len):
    """Id of the station name buf[s:e] (interned in a small open-addressing table); -1 if empty/full."""
    if e <= s:
        return -1
    if e - s > STATION_BYTES:
        e = s + STATION_BYTES
    h = _fnv(buf, s, e, np.uint64(14695981039346656037))
    hk = np.int64(h >> np.uint64(1)) | 1
    mask = STATION_TABLE - 1
    j = hk & mask
    while True:
        k = stab_key[j]
        if k == 0:
            n = st[S_N_STATIONS]
            if n >= MAX_STATIONS:
                return -1
            stab_key[j] = hk
            stab_id[j] = n
            for i in range(e - s):
                st_bytes[n, i] = buf[s + i]
            st_len[n] = e - s
            st[S_N_STATIONS] = n + 1
            return n
        if k == hk:
            return stab_id[j]
        j = (j + 1) & mask


@njit(cache=True, error_model="numpy")
def _parse_suffix(buf, p, e, st, stab_key, stab_id, st_bytes, st_len):
    """Receiver metadata after a sentence's checksum: `,tok,tok,...,epoch` from buf[p] (a comma) to e.

    USCG NAIS style (libais ais/uscg.py: `d-107` signal dBm, `s22` RSSI, `t235959.00` receiver UTC time of
    day, `T59.4` arrival second, `S2229` slot, `x162` counter, `r|R|b|B|D<id>` station, then the logger's
    epoch); AISHub/AMSA/exactEarth style (`,epoch` alone, `,station`, `,station,epoch`). The epoch is the
    last token when it is a number (s or ms, decided by magnitude; a `.fraction` kept as ms); other tokens
    are ignored (the sentence's own checksum already vouches for the sentence). A `!`, `$`, `\\` or `*` in
    the suffix is another sentence run into this one (a lost newline): the line is rejected, so that
    sentence is quarantined rather than silently dropped.
    Returns (epoch ms | -1 none | -3 a last number that is no epoch, or a sentence in the suffix; receiver
    time of day ms | -1, signal dBm | NO_SIGNAL, station id | -1).
    """
    for i in range(p, e):
        c = buf[i]
        if c == 33 or c == 36 or c == 92 or c == 42:
            return np.int64(-3), np.int64(-1), NO_SIGNAL, -1
    epoch = np.int64(-1)
    tod = np.int64(-1)
    sig = NO_SIGNAL
    station = -1
    while p < e:
        g = p + 1
        q = g
        while q < e and buf[q] != 44:
            q += 1
        if q > g:
            c = buf[g]
            if _is_digit(c) and q == e:  # last token: the logger epoch
                d = g
                while d < q and _is_digit(buf[d]):
                    d += 1
                v = _parse_uint(buf, g, d)
                fms = 0
                ok = v >= 0
                if d < q:  # fraction
                    ok = ok and buf[d] == 46 and v < EPOCH_MS_MIN
                    scale = 100
                    for i in range(d + 1, q):
                        if not _is_digit(buf[i]):
                            ok = False
                        elif scale > 0:
                            fms += (buf[i] - 48) * scale
                            scale //= 10
                    if ok:
                        v = v * 1000 + fms
                t = _epoch_to_ms(v) if ok else -1
                epoch = t if t >= 0 else -3
            elif c == 100 and q - g >= 2:  # d: signal strength, dBm (`d-107`, `d-9`)
                neg = buf[g + 1] == 45
                v = _parse_uint(buf, g + 2 if neg else g + 1, q)
                if 0 <= v <= 999:
                    sig = -v if neg else v
            elif c == 116 and q - g >= 7:  # t: receiver time of day hhmmss[.ss]
                hh = _parse_uint(buf, g + 1, g + 3)
                mm = _parse_uint(buf, g + 3, g + 5)
                ss = _parse_uint(buf, g + 5, g + 7)
                ms = 0
                if q > g + 8 and buf[g + 7] == 46:
                    scale = 100
                    for i in range(g + 8, q):
                        if _is_digit(buf[i]) and scale > 0:
                            ms += (buf[i] - 48) * scale
                            scale //= 10
                if 0 <= hh <= 23 and 0 <= mm <= 59 and 0 <= ss <= 59:
                    tod = ((hh * 60 + mm) * 60 + ss) * 1000 + ms
            elif (c == 114 or c == 82 or c == 98 or c == 66 or c == 68) and q - g >= 2 and station < 0:
                station = _intern_station(buf, g, q, st, stab_key, stab_id, st_bytes, st_len)
        p = q
    return epoch, tod, sig, station


@njit(cache=True, error_model="numpy")
def _rx_time(ts, tod):
    """Receiver time of day placed on the day that puts it nearest `ts` (the logger clock); -1 if unknown."""
    if tod < 0 or ts < 0:
        return np.int64(-1)
    t = (ts // DAY_MS) * DAY_MS + tod
    if t - ts > DAY_MS // 2:
        t -= DAY_MS
    elif ts - t > DAY_MS // 2:
        t += DAY_MS
    return t


@njit(cache=True, error_model="numpy")
def _pg_patch(pq, j, t, pst, st, npos, nrep, p64, p32, r64, r32, dd):
    """A $PGHP (time t, station pst) that follows its sentence: give the rows of waiting sentence j its time
    (and its dedup entry, so later receptions of the payload are compared with the time the rows have).

    Rows already handed out cannot change: the decoder holds back the rows of a feed's last PG_WINDOW lines
    for this (nmea.py `_run_iter`); only where a batch is cut because its outputs are full (1 Mi rows) may a
    row keep its preliminary time."""
    hk = pq[j, Q_KEY]
    if hk != 0:
        mask = dd.shape[0] - 1
        i = hk & mask
        while dd[i, 0] != 0:
            if dd[i, 0] == hk and dd[i, 2] == pq[j, Q_POS] and dd[i, 3] == pq[j, Q_AUX]:
                dd[i, 1] = t
                break
            i = (i + 1) & mask
    r = pq[j, Q_POS] - st[S_POS_TOTAL]
    if pq[j, Q_POS] >= 0 and 0 <= r < npos:
        p64[P64_TS, r] = t
        p32[P32_TSSRC, r] = TS_PGHP
        if pst >= 0:
            p32[P32_STATION, r] = pst
    r = pq[j, Q_AUX] - st[S_REP_TOTAL]
    if pq[j, Q_AUX] >= 0 and 0 <= r < nrep:
        r64[R64_TS, r] = t
        r32[R32_TSSRC, r] = TS_PGHP
        if pst >= 0:
            r32[R32_STATION, r] = pst
    pq[j, Q_USED] = 0


@njit(cache=True, error_model="numpy")
def _ring_put(pq, base, line, a, b, c, key):
    """Put (line, a, b, c) into ring rows [base, base + PG_RING) at row line % PG_RING: at most one entry per
    line, so the row overwritten is one PG_RING (= PG_WINDOW) lines old, i.e. expired."""
    k = base + line % PG_RING
    pq[k, Q_USED] = 1
    pq[k, Q_LINE] = line
    pq[k, Q_TS] = a
    pq[k, Q_CS] = b
    pq[k, Q_AUX] = c
    pq[k, Q_KEY] = key
    pq[k, Q_SEC] = -1
    return k


@njit(cache=True, error_model="numpy")
def _sec_agrees(pg_ts, sec):
    """Does a $PGHP time agree with a report's own UTC second (see PG_LAG_AHEAD)? True when sec is unknown."""
    if sec < 0:
        return True
    d = ((pg_ts // 1000) % 60 - sec) % 60
    return d <= PG_LAG_AHEAD or d >= 60 - PG_LAG_BEHIND


@njit(cache=True, error_model="numpy")
def _ring_find(pq, base, line, cs, pg_ts, sec):
    """Newest live ring row in [base, base + PG_RING) for checksum cs within PG_WINDOW lines whose UTC second
    agrees (PGHP ring: the row's time with the sentence's second `sec`; sentence ring: the $PGHP time `pg_ts`
    with the row's second); else the adjacent line's row if its checksum matches; -1 if none."""
    best = -1
    near = -1
    for j in range(base, base + PG_RING):
        if pq[j, Q_USED] == 1 and pq[j, Q_CS] == cs and line - pq[j, Q_LINE] <= PG_WINDOW:
            if line - pq[j, Q_LINE] == 1:
                near = j
            ok = _sec_agrees(pg_ts, pq[j, Q_SEC]) if base > 0 else _sec_agrees(pq[j, Q_TS], sec)
            if ok and (best < 0 or pq[j, Q_LINE] > pq[best, Q_LINE]):
                best = j
    return best if best >= 0 else near


@njit(cache=True, error_model="numpy")
def _msg_second(buf, ps, pe):
    """The UTC second (0-59) a single-sentence position report carries in its payload buf[ps:pe]; -1 if none."""
    if pe - ps < 1:
        return -1
    c = buf[ps]
    t = c - 48 if c < 88 else c - 56
    if t == 1 or t == 2 or t == 3:
        start = 137
    elif t == 18 or t == 19:
        start = 133
    elif t == 4:
        start = 72
    else:
        return -1
    last = (start + 5) // 6
    if ps + last >= pe:
        return -1
    acc = 0
    for i in range(start // 6, last + 1):
        c = buf[ps + i]
        if c < 48 or c > 119 or (87 < c < 96):
            return -1
        acc = (acc << 6) | (c - 48 if c < 88 else c - 56)
    v = (acc >> ((last + 1) * 6 - (start + 6))) & 63
    return v if v < 60 else -1


@njit(cache=True, error_model="numpy")
def _add_reject(line, reason, buf, s, e, rej_i64, rej_buf, nrej, rbuf_used):
    """Record a reject with a verbatim copy of buf[s:e]; returns (nrej, rbuf_used)."""
    rej_i64[0, nrej] = line
    rej_i64[1, nrej] = reason
    rej_i64[2, nrej] = rbuf_used
    n = e - s
    if rbuf_used + n > rej_buf.shape[0]:
        n = rej_buf.shape[0] - rbuf_used
    for i in range(n):
        rej_buf[rbuf_used + i] = buf[s + i]
    rej_i64[3, nrej] = n
    return nrej + 1, rbuf_used + n


@njit(cache=True, error_model="numpy")
def _orphan_slot(k, slots, slot_raw, rej_i64, rej_buf, nrej, rbuf_used):
    """Reject the fragments held by slot k as orphan_fragment (raw lines joined by newlines)."""
    last = slots[k, N_SL - MAX_FRAGS + slots[k, SL_GOT] - 1]
    nrej, rbuf_used = _add_reject(last, R_ORPHAN, slot_raw[k], 0, slots[k, SL_RAWLEN], rej_i64, rej_buf,
                                  nrej, rbuf_used)
    slots[k, SL_USED] = 0
    return nrej, rbuf_used


@njit(cache=True, error_model="numpy")
def _get(sb, nbits, start, width):
    """Unsigned field (pyais semantics: a field cut by the payload end yields its available bits)."""
    avail = min(width, nbits - start)
    first = start // 6
    last = (start + avail - 1) // 6
    acc = np.int64(0)
    for c in range(first, last + 1):
        acc = (acc << 6) | sb[c]
    acc >>= (last + 1) * 6 - (start + avail)
    return acc & ((np.int64(1) << avail) - 1), avail


@njit(cache=True, error_model="numpy")
def _uint(sb, nbits, start, width):
    """Unsigned field, -1 (absent) when the payload ends before the field does.

    Short messages are common (type 5 of 420 or 422 bits instead of 424, gpsd driver_ais.c): the bits a cut
    field has are not its value (pyais reads them anyway, e.g. draught 0.8 for 3.4), so it is null.
    """
    if start + width > nbits:
        return -1
    v, _ = _get(sb, nbits, start, width)
    return v


@njit(cache=True, error_model="numpy")
def _sint(sb, nbits, start, width):
    """Two's-complement field; returns (value, present); absent when cut by the payload end."""
    if start + width > nbits:
        return 0, False
    v, avail = _get(sb, nbits, start, width)
    if v & (np.int64(1) << (avail - 1)):
        v -= np.int64(1) << avail
    return v, True


@njit(cache=True, error_model="numpy")
def _text(sb, nbits, start, width, out, row):
    """6-bit text into out[row]; returns its length, -1 if absent.

    The text ends at the last character the payload holds whole (a character cut by the payload end is
    padding, not a letter: 420-bit type 5 gave "WILMINGTON         H"); trailing `@` (the ITU padding) and
    spaces, in any mix, are stripped (gpsd's rule; pyais strips `@` then spaces, so `@@@@  ` stayed), and
    leading spaces.
    """
    if start + 6 > nbits:
        return -1
    n = min(width, nbits - start) // 6
    for i in range(n):
        v, _ = _get(sb, nbits, start + 6 * i, 6)
        out[row, i] = v + 64 if v < 32 else v
    e = n
    while e > 0 and (out[row, e - 1] == 64 or out[row, e - 1] == 32):
        e -= 1
    s = 0
    while s < e and out[row, s] == 32:
        s += 1
    if s > 0:
        for i in range(e - s):
            out[row, i] = out[row, s + i]
        e -= s
    return e


@njit(cache=True, error_model="numpy")
def _latlon(v, present, limit):
    """Raw 1/10000 min -> degrees rounded to 6 places exactly as pyais; NaN if absent or |x| > limit."""
    if not present:
        return np.nan
    x = ((10 * v + 3) // 6) / 1e6
    if x > limit or x < -limit:
        return np.nan
    return x


@njit(cache=True, error_model="numpy")
def _dedup_lookup(h, ts, window_ms, dd):
    """Row of the table entry for payload hash h: >= 0 duplicate within window, else -(row+1) to insert.

    `dd` rows are (key, first ts, global position row, global report row): one cache line per probe.
    """
    mask = dd.shape[0] - 1
    hk = np.int64(h >> np.uint64(1)) | 1
    j = hk & mask
    while True:
        k = dd[j, 0]
        if k == 0:
            return -(j + 1)
        if k == hk:
            if abs(ts - dd[j, 1]) <= window_ms:
                return j
            return -(j + 1)
        j = (j + 1) & mask


@njit(cache=True, error_model="numpy")
def dedup_rebuild(dd, horizon, new):
    """Copy entries with ts >= horizon into the (possibly larger) new table; returns their count."""
    mask = new.shape[0] - 1
    n = 0
    for i in range(dd.shape[0]):
        k = dd[i, 0]
        if k == 0 or dd[i, 1] < horizon:
            continue
        j = k & mask
        while new[j, 0] != 0:
            j = (j + 1) & mask
        for c in range(4):
            new[j, c] = dd[i, c]
        n += 1
    return n


@njit(cache=True, error_model="numpy")
def decode_chunk(buf, st, window_ms, slots, slot_pay, slot_raw, stab_key, stab_id, st_bytes, st_len,
                 dd, dd_tmp, pq,
                 p64, p32, pf, r64, r32, rf, names, calls, dests, rtext_len,
                 rej_i64, rej_buf, by_type, skipped, pend, ctr):
    """Decode a chunk of whole lines from byte ctr[0]; returns 0 when done, 1 when the dedup table must grow,
    2 when an output array is full (the caller takes the rows and calls again with fresh outputs).

    `ctr` = (byte offset, positions, reports, rejects, reject bytes, pending) is read at entry and written
    back at exit, so after growing the table the caller calls again and decoding resumes at the same line.
    `pend` rows: (kind 0=position/1=report, row, line start, line end) of messages decoded before
    any timestamp of the input was known (the caller backfills, assumes or rejects them).
    `pq`: the $PGHP and waiting-sentence rings (see PG_WINDOW), state carried across calls.
    """
    n = buf.shape[0]
    sb = np.empty(SLOT_PAY, dtype=np.uint8)
    fs = np.empty(16, dtype=np.int64)
    fe = np.empty(16, dtype=np.int64)
    pos = ctr[0]
    npos = ctr[1]
    nrep = ctr[2]
    nrej = ctr[3]
    rbu = ctr[4]
    npend = ctr[5]
    cap = dd.shape[0]
    status = 0
    while pos < n:
        # outputs full (a chunk of millions of short junk lines): return what we have, the caller resumes here
        if npos >= p64.shape[1] or nrep >= r64.shape[1] or nrej + 2 > rej_i64.shape[1] \
                or rbu + REJ_SLACK > rej_buf.shape[0] or npend + 2 > pend.shape[1]:
            status = 2
            break
        # keep the dedup table small (cache-resident): prune entries older than the window when half full,
        # and let the caller grow it if pruning does not bring it under a quarter (before touching this line)
        if window_ms >= 0 and 2 * st[S_DD_COUNT] + 2 > cap:
            for i in range(cap):
                for c in range(4):
                    dd_tmp[i, c] = 0
            kept = dedup_rebuild(dd, st[S_MAX_TS] - window_ms, dd_tmp)
            for i in range(cap):
                for c in range(4):
                    dd[i, c] = dd_tmp[i, c]
            st[S_DD_COUNT] = kept
            if 4 * kept + 4 > cap:
                status = 1
                break
        e = pos
        while e < n and buf[e] != 10:
            e += 1
        s = pos
        pos = e + 1
        st[S_LINE] += 1
        line = st[S_LINE]
        # rejects quarantine the line's exact bytes (only the CR of a CRLF dropped): they can be re-read as input
        line_s = s
        line_e = e - 1 if e > s and buf[e - 1] == 13 else e
        while e > s and (buf[e - 1] == 13 or buf[e - 1] == 32 or buf[e - 1] == 9):
            e -= 1
        while s < e and (buf[s] == 32 or buf[s] == 9):
            s += 1
        if s >= e:
            continue
        if line_e - line_s > MAX_LINE:
            nrej, rbu = _add_reject(line, R_TOO_LONG, buf, line_s, line_s + MAX_LINE, rej_i64, rej_buf, nrej, rbu)
            continue
        # ---- leading timestamp column (ISO-8601 or epoch) -------------------------------------------
        lead_ts = np.int64(-1)
        if _is_digit(buf[s]):
            t, p = _parse_iso(buf, s, e)
            if t < 0:
                p = s
                while p < e and _is_digit(buf[p]):
                    p += 1
                v = _parse_uint(buf, s, p)
                frac = p < e and buf[p] == 46
                if frac:  # epoch with fraction: keep ms
                    p += 1
                    scale = 100
                    fms = 0
                    while p < e and _is_digit(buf[p]):
                        fms += (buf[p] - 48) * scale
                        scale //= 10
                        p += 1
                    t = _epoch_to_ms(v * 1000 + fms) if v >= 0 and v < EPOCH_MS_MIN else -1
                else:
                    t = _epoch_to_ms(v)
            if t < 0 or p >= e or not (buf[p] == 44 or buf[p] == 32 or buf[p] == 9 or buf[p] == 59):
                nrej, rbu = _add_reject(line, R_NOT_AIS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            p += 1
            while p < e and (buf[p] == 32 or buf[p] == 9):
                p += 1
            lead_ts = t if st[S_TMIN] <= t <= st[S_TMAX] else -2
            s = p
            if s >= e:
                nrej, rbu = _add_reject(line, R_TRUNCATED, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
        # ---- NMEA 4.10 tag block ---------------------------------------------------------------------
        tag_ts = np.int64(-1)
        tag_station = -1
        has_tag = False
        if buf[s] == 92:
            q = s + 1
            while q < e and buf[q] != 92:
                q += 1
            if q >= e:
                nrej, rbu = _add_reject(line, R_TRUNCATED, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            star = q - 1
            while star > s and buf[star] != 42:
                star -= 1
            one_digit = star + 2 == q and star > s and _hexval(buf[star + 1]) >= 0
            if not one_digit and (star <= s or star + 3 != q or _hexval(buf[star + 1]) < 0
                                  or _hexval(buf[star + 2]) < 0):
                nrej, rbu = _add_reject(line, R_TRUNCATED, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            cs = 0
            for i in range(s + 1, star):
                cs ^= buf[i]
            # a one-digit checksum (writers that drop the leading zero; pyais tests/test_queue.py has
            # `\g:1-2-73874*A\!AIVDM...`): when it does not vouch for the tag, the sentence behind it, which has
            # its own checksum, is kept and the tag's fields (time, station) are not used
            trust = not one_digit or cs == _hexval(buf[star + 1])
            if not trust and q + 1 >= e:
                nrej, rbu = _add_reject(line, R_BAD_CHECKSUM, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            if not one_digit and cs != _hexval(buf[star + 1]) * 16 + _hexval(buf[star + 2]):
                nrej, rbu = _add_reject(line, R_BAD_CHECKSUM, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            # fields "k:value" separated by commas
            f = s + 1 if trust else star
            bad = False
            while f < star:
                g = f
                while g < star and buf[g] != 44:
                    g += 1
                if g - f >= 2 and buf[f + 1] == 58:
                    if buf[f] == 99:  # c: UNIX time (s or ms)
                        v = _parse_uint(buf, f + 2, g)
                        t = _epoch_to_ms(v) if v >= 0 else -1
                        if t < 0:
                            bad = True
                        elif t < st[S_TMIN] or t > st[S_TMAX]:
                            t = -2
                        tag_ts = t
                    elif buf[f] == 115:  # s: source station
                        tag_station = _intern_station(buf, f + 2, g, st, stab_key, stab_id, st_bytes, st_len)
                f = g + 1
            if bad:
                nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            if tag_ts == -2:
                nrej, rbu = _add_reject(line, R_BAD_TIME, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            has_tag = True
            s = q + 1
            if tag_ts >= 0:
                if st[S_HAS_TS] == 0:
                    st[S_HAS_TS] = 1
                    st[S_FIRST_TS] = tag_ts
                    st[S_FIRST_TS_CHUNK] = 1
                st[S_LAST_TS] = tag_ts
                st[S_MAX_TS] = max(st[S_MAX_TS], tag_ts)
            if s >= e:  # tag-block-only line: applies to the next sentence
                st[S_TG_SET] = 1
                st[S_TG_TS] = tag_ts
                st[S_TG_STATION] = tag_station
                continue
        # ---- sentence ------------------------------------------------------------------------------
        c0 = buf[s]
        if c0 != 33 and c0 != 36:
            nrej, rbu = _add_reject(line, R_NOT_AIS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        # one pass: checksum, field boundaries, '*'
        cs = 0
        nf = 0
        q = s + 1
        while q < e:
            c = buf[q]
            if c == 42:
                break
            cs ^= c
            if c == 44 and nf < 16:
                fs[nf] = q + 1
                nf += 1
            q += 1
        star = q
        for i in range(nf - 1):
            fe[i] = fs[i + 1] - 1
        if nf > 0:
            fe[nf - 1] = star
        f0e = fs[0] - 1 if nf > 0 else star
        is_ais = False
        is_pghp = False
        if f0e - s == 6:
            a = buf[s + 3] & 0xDF
            b = buf[s + 4] & 0xDF
            c = buf[s + 5] & 0xDF
            if a == 86 and b == 68 and (c == 77 or c == 79):
                is_ais = True
        if f0e - s == 5 and c0 == 36 and buf[s + 1] == 80 and buf[s + 2] == 71 and buf[s + 3] == 72 \
                and buf[s + 4] == 80:
            is_pghp = True
        if not is_ais and not is_pghp:
            nrej, rbu = _add_reject(line, R_NOT_AIS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        if star + 2 >= e or _hexval(buf[star + 1]) < 0 or _hexval(buf[star + 2]) < 0:
            nrej, rbu = _add_reject(line, R_TRUNCATED, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        sent_cs = _hexval(buf[star + 1]) * 16 + _hexval(buf[star + 2])
        if cs != sent_cs:
            nrej, rbu = _add_reject(line, R_BAD_CHECKSUM, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        trail_ts = np.int64(-1)
        rx_tod = np.int64(-1)
        sig = NO_SIGNAL
        suf_station = -1
        p = star + 3
        if p < e:
            if buf[p] != 44:  # something glued to the checksum: not a receiver suffix
                nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            trail_ts, rx_tod, sig, suf_station = _parse_suffix(buf, p, e, st, stab_key, stab_id, st_bytes, st_len)
            if trail_ts == -3:  # a number where the epoch goes that is no time, or a sentence run into it
                nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            if trail_ts >= 0 and (trail_ts < st[S_TMIN] or trail_ts > st[S_TMAX]):
                trail_ts = -2  # implausible: used by nothing; the line is rejected if it has no other clock
        if is_pghp:
            # $PGHP,1,yyyy,mm,dd,hh,mi,ss,ms,country,region,pss,online,cs*hh (Gatehouse wrapper)
            if nf < 8:
                nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            y = _parse_uint(buf, fs[1], fe[1])
            mo = _parse_uint(buf, fs[2], fe[2])
            d = _parse_uint(buf, fs[3], fe[3])
            h = _parse_uint(buf, fs[4], fe[4])
            mi = _parse_uint(buf, fs[5], fe[5])
            sec = _parse_uint(buf, fs[6], fe[6])
            ms = _parse_uint(buf, fs[7], fe[7])
            if min(y, mo, d, h, mi, sec, ms) < 0 or ms > 999 or not _date_ok(y, mo, d, h, mi, sec):
                nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            t = _epoch_ms(y, mo, d, h, mi, sec, ms)
            if t < st[S_TMIN] or t > st[S_TMAX]:
                st[S_PG_SET] = 0
                nrej, rbu = _add_reject(line, R_BAD_TIME, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            pst = -1
            pcs = -1
            if nf > 10:
                pst = _intern_station(buf, fs[10], fe[10], st, stab_key, stab_id, st_bytes, st_len)
            if nf > 12 and fe[12] - fs[12] == 2:
                h1 = _hexval(buf[fs[12]])
                h2 = _hexval(buf[fs[12] + 1])
                if h1 >= 0 and h2 >= 0:
                    pcs = h1 * 16 + h2
            if st[S_PG_LINE] == 0:  # the first $PGHP: an even share until the lines show otherwise
                st[S_PG_DENS] = PG_ONE // 2
            st[S_PG_LINE] = line
            st[S_PG_LAST_TS] = t
            st[S_PG_DENS] += (PG_ONE - st[S_PG_DENS]) >> PG_DENS_SPAN_LOG2
            # after its sentence? (a sentence within PG_WINDOW lines that got no $PGHP, with this checksum)
            j = _ring_find(pq, PG_RING, line, pcs, t, -1) if pcs > 0 else -1
            if j >= 0:
                _pg_patch(pq, j, t, pst, st, npos, nrep, p64, p32, r64, r32, dd)
                st[S_PG_SET] = 0
            else:  # before it: wait for the sentence
                st[S_PG_SET] = 1
                st[S_PG_TS] = t
                st[S_PG_STATION] = pst
                st[S_PG_CS] = pcs
                st[S_PG_RING] = _ring_put(pq, 0, line, t, pcs, pst, 0)
            if st[S_HAS_TS] == 0:
                st[S_HAS_TS] = 1
                st[S_FIRST_TS] = t
                st[S_FIRST_TS_CHUNK] = 1
            st[S_LAST_TS] = t
            st[S_MAX_TS] = max(st[S_MAX_TS], t)
            continue
        # ---- AIS sentence: !ccVDM,cnt,num,seq,chan,payload,fill*hh ---------------------------------------
        st[S_SENTENCES] += 1
        # own timestamp, by priority: tag c: (this line or a tag-only line before) > $PGHP > trailing > leading
        ts = np.int64(-1)
        tssrc = TS_PENDING
        station = -1
        # a $PGHP belongs to the next sentence when its last field is that sentence's checksum; DMA writes
        # 00 for own-ship sentences and another value before the first fragment of a multi-sentence message
        # (or, exactEarth, any $PGHP within PG_WINDOW lines with this sentence's checksum, before or after it)
        first_frag = nf >= 2 and _parse_uint(buf, fs[0], fe[0]) > 1 and _parse_uint(buf, fs[1], fe[1]) == 1
        pg_cs = st[S_PG_CS]
        pg_stream = st[S_PG_LINE] > 0 and line - st[S_PG_LINE] <= PG_WINDOW
        st[S_PG_DENS] -= st[S_PG_DENS] >> PG_DENS_SPAN_LOG2
        pg_clock = pg_stream and st[S_PG_DENS] >= PG_DENS_MIN
        msg_sec = -1
        if st[S_PG_LINE] > 0 and nf >= 6 and _parse_uint(buf, fs[0], fe[0]) == 1:  # $PGHP streams: pairing
            msg_sec = _msg_second(buf, fs[4], fe[4])
        pg_ts = np.int64(-1)
        pg_station = -1
        if st[S_PG_SET] == 1 and (pg_cs <= 0 or pg_cs == sent_cs or first_frag):
            # the $PGHP just before it, as DMA writes them (its `00` own-ship VDO may follow another $PGHP
            # naming the same checksum: dma_aisabnormal line 9163)
            pg_j = st[S_PG_RING]
            pg_ts, pg_station = st[S_PG_TS], st[S_PG_STATION]
        else:
            pg_j = _ring_find(pq, 0, line, sent_cs, -1, msg_sec) if pg_stream else -1
            if pg_j >= 0:
                pg_ts, pg_station = pq[pg_j, Q_TS], pq[pg_j, Q_AUX]
        pg_ok = pg_ts >= 0
        if pg_ok and pg_j >= 0:
            pq[pg_j, Q_USED] = 0
        if has_tag and tag_ts >= 0:
            ts, tssrc = tag_ts, TS_TAG
        elif st[S_TG_SET] == 1 and st[S_TG_TS] >= 0:
            ts, tssrc = st[S_TG_TS], TS_TAG
        elif pg_ok:
            ts, tssrc = pg_ts, TS_PGHP
        elif pg_clock:  # on the $PGHP clock: the last $PGHP time, until this sentence's own $PGHP follows
            ts, tssrc = st[S_PG_LAST_TS], TS_INFERRED
        elif trail_ts >= 0:
            ts, tssrc = trail_ts, TS_TRAILING
        elif lead_ts >= 0:
            ts, tssrc = lead_ts, TS_LEADING
        if has_tag and tag_station >= 0:
            station = tag_station
        elif st[S_TG_SET] == 1 and st[S_TG_STATION] >= 0:
            station = st[S_TG_STATION]
        elif pg_ok:
            station = pg_station
        if station < 0:
            station = suf_station
        st[S_TG_SET] = 0
        st[S_PG_SET] = 0
        if ts < 0 and (trail_ts == -2 or lead_ts == -2):  # its only own clock is implausible
            nrej, rbu = _add_reject(line, R_BAD_TIME, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        for t2 in (trail_ts, lead_ts):
            if t2 >= 0:
                if st[S_HAS_TS] == 0:
                    st[S_HAS_TS] = 1
                    st[S_FIRST_TS] = t2
                    st[S_FIRST_TS_CHUNK] = 1
                st[S_LAST_TS] = t2
                st[S_MAX_TS] = max(st[S_MAX_TS], t2)
        if nf < 6:
            nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        cnt = _parse_uint(buf, fs[0], fe[0])
        num = _parse_uint(buf, fs[1], fe[1])
        seq = _parse_uint(buf, fs[2], fe[2]) if fe[2] > fs[2] else -1
        fill = _parse_uint(buf, fs[5], fe[5]) if fe[5] > fs[5] else 0
        if cnt < 1 or cnt > MAX_FRAGS or num < 1 or num > cnt or fill < 0 or fill > 5 \
                or (fe[2] > fs[2] and (seq < 0 or seq > 99)) or fe[3] - fs[3] > 1:
            nrej, rbu = _add_reject(line, R_BAD_FIELDS, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        ps = fs[4]
        pe = fe[4]
        plen = pe - ps
        if plen > MAX_PAYLOAD:
            nrej, rbu = _add_reject(line, R_BAD_PAYLOAD, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        chan = buf[fs[3]] if fe[3] > fs[3] else 0
        ok = True
        for i in range(ps, pe):  # validate and de-armour in one pass (sb is only used for single sentences)
            c = buf[i]
            if c < 48 or c > 119 or (87 < c < 96):
                ok = False
                break
            sb[i - ps] = c - 48 if c < 88 else c - 56
        if not ok:
            nrej, rbu = _add_reject(line, R_BAD_PAYLOAD, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        if ts < 0 and st[S_HAS_TS] == 1:
            ts, tssrc = st[S_LAST_TS], TS_INFERRED
        # ---- reassembly --------------------------------------------------------------------------
        multi = cnt > 1
        k = -1
        if multi:
            key = (seq + 1) | (np.int64(chan) << 8) | (np.int64(buf[s + 1]) << 16) | (np.int64(buf[s + 2]) << 24) \
                | (np.int64(buf[s + 5]) << 32) | (np.int64(cnt) << 40)
            for j in range(N_SLOTS):
                if slots[j, SL_USED] == 1 and slots[j, SL_KEY] == key:
                    k = j
                    break
            if num == 1:
                if k >= 0:  # a new start overwrites a pending message (pyais does the same)
                    nrej, rbu = _orphan_slot(k, slots, slot_raw, rej_i64, rej_buf, nrej, rbu)
                else:
                    oldest = 0
                    for j in range(N_SLOTS):
                        if slots[j, SL_USED] == 0:
                            k = j
                            break
                        if slots[j, SL_FIRSTLINE] < slots[oldest, SL_FIRSTLINE]:
                            oldest = j
                    if k < 0:
                        k = oldest
                        nrej, rbu = _orphan_slot(k, slots, slot_raw, rej_i64, rej_buf, nrej, rbu)
                slots[k, SL_KEY] = key
                slots[k, SL_USED] = 1
                slots[k, SL_CNT] = cnt
                slots[k, SL_GOT] = 0
                slots[k, SL_PAYLEN] = 0
                slots[k, SL_RAWLEN] = 0
                slots[k, SL_TS] = -1
                slots[k, SL_TSSRC] = TS_PENDING
                slots[k, SL_STATION] = -1
                slots[k, SL_FIRSTLINE] = line
                slots[k, SL_RXTOD] = -1
                slots[k, SL_SIG] = NO_SIGNAL
            elif k < 0 or slots[k, SL_GOT] + 1 != num:
                nrej, rbu = _add_reject(line, R_ORPHAN, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
                continue
            # append this fragment
            got = slots[k, SL_GOT]
            slots[k, N_SL - MAX_FRAGS + got] = line
            slots[k, SL_GOT] = got + 1
            pl = slots[k, SL_PAYLEN]
            for i in range(plen):
                slot_pay[k, pl + i] = buf[ps + i]
            slots[k, SL_PAYLEN] = pl + plen
            rl = slots[k, SL_RAWLEN]
            if rl > 0 and rl < SLOT_RAW:
                slot_raw[k, rl] = 10
                rl += 1
            for i in range(line_s, line_e):
                if rl >= SLOT_RAW:
                    break
                slot_raw[k, rl] = buf[i]
                rl += 1
            slots[k, SL_RAWLEN] = rl
            if slots[k, SL_TSSRC] == TS_PENDING or (slots[k, SL_TSSRC] == TS_INFERRED and tssrc < TS_INFERRED):
                slots[k, SL_TS] = ts
                slots[k, SL_TSSRC] = tssrc
            if slots[k, SL_STATION] < 0:
                slots[k, SL_STATION] = station
            if slots[k, SL_RXTOD] < 0:
                slots[k, SL_RXTOD] = rx_tod
            if slots[k, SL_SIG] == NO_SIGNAL:
                slots[k, SL_SIG] = sig
            if got + 1 < cnt:
                continue
            slots[k, SL_USED] = 0
            ts = slots[k, SL_TS]
            tssrc = slots[k, SL_TSSRC]
            station = slots[k, SL_STATION]
            rx_tod = slots[k, SL_RXTOD]
            sig = slots[k, SL_SIG]
            plen = slots[k, SL_PAYLEN]
            for i in range(plen):
                c = slot_pay[k, i]
                sb[i] = c - 48 if c < 88 else c - 56
        # ---- decode -----------------------------------------------------------------------------------
        # a message without its own $PGHP waits for one that follows it, whatever becomes of it (stored,
        # folded as a duplicate, skipped type, too short): its $PGHP must not be given to another sentence
        qk = -1
        if tssrc != TS_PENDING and tssrc != TS_TAG and tssrc != TS_PGHP:
            qk = _ring_put(pq, PG_RING, line, -1, sent_cs, -1, 0)
            pq[qk, Q_SEC] = msg_sec
        nbits = plen * 6 - fill
        if nbits < 6:
            if multi:
                nrej, rbu = _add_reject(line, R_BAD_PAYLOAD, slot_raw[k], 0, slots[k, SL_RAWLEN], rej_i64,
                                        rej_buf, nrej, rbu)
            else:
                nrej, rbu = _add_reject(line, R_BAD_PAYLOAD, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        mtype = sb[0]
        is_pos = mtype == 1 or mtype == 2 or mtype == 3 or mtype == 4 or mtype == 18 or mtype == 19 or mtype == 27
        is_rep = mtype == 5 or mtype == 24 or mtype == 19
        if not is_pos and not is_rep:
            st[S_MESSAGES] += 1
            by_type[mtype] += 1
            skipped[mtype] += 1
            continue
        part = -1
        if mtype == 24:
            part = _uint(sb, nbits, 38, 2)
        if nbits < MIN_BITS[mtype] or (mtype == 24 and part > 1):
            if multi:
                nrej, rbu = _add_reject(line, R_BAD_PAYLOAD, slot_raw[k], 0, slots[k, SL_RAWLEN], rej_i64,
                                        rej_buf, nrej, rbu)
            else:
                nrej, rbu = _add_reject(line, R_BAD_PAYLOAD, buf, line_s, line_e, rej_i64, rej_buf, nrej, rbu)
            continue
        # a message: counted whether it is then stored, folded as a duplicate or waits for its time; a payload
        # rejected above (too short, bad characters) is a bad_payload reject, not a message
        st[S_MESSAGES] += 1
        by_type[mtype] += 1
        # ---- dedup on the full payload ------------------------------------------------------------------
        dkey = np.int64(0)
        if window_ms >= 0 and tssrc != TS_PENDING:
            h = _hash_payload(slot_pay[k], 0, plen, fill) if multi else _hash_payload(buf, ps, pe, fill)
            j = _dedup_lookup(h, ts, window_ms, dd)
            if j >= 0:
                st[S_DUPS] += 1
                r = dd[j, 2] - st[S_POS_TOTAL]
                if dd[j, 2] >= 0 and r >= 0:
                    p32[P32_NRECV, r] += 1
                r = dd[j, 3] - st[S_REP_TOTAL]
                if dd[j, 3] >= 0 and r >= 0:
                    r32[R32_NRECV, r] += 1
                continue
            j = -j - 1
            if dd[j, 0] == 0:
                st[S_DD_COUNT] += 1
            dkey = np.int64(h >> np.uint64(1)) | 1
            dd[j, 0] = dkey
            dd[j, 1] = ts
            dd[j, 2] = st[S_POS_TOTAL] + npos if is_pos else -1
            dd[j, 3] = st[S_REP_TOTAL] + nrep if is_rep else -1
        mmsi = _uint(sb, nbits, 8, 30)
        rx = _rx_time(ts, rx_tod)
        if qk >= 0:  # its $PGHP may still follow: the rows it retimes
            pq[qk, Q_POS] = st[S_POS_TOTAL] + npos if is_pos else -1
            pq[qk, Q_AUX] = st[S_REP_TOTAL] + nrep if is_rep else -1
            pq[qk, Q_KEY] = dkey
        if tssrc == TS_PENDING:
            pend[0, npend] = 0 if is_pos else 1
            pend[1, npend] = npos if is_pos else nrep
            pend[2, npend] = line_s
            pend[3, npend] = line_e
            npend += 1
            if is_pos and is_rep:
                pend[0, npend] = 1
                pend[1, npend] = nrep
                pend[2, npend] = line_s
                pend[3, npend] = line_e
                npend += 1
        if is_pos:
            r = npos
            npos += 1
            p64[P64_TS, r] = ts
            p64[P64_LINE, r] = line
            p32[P32_MMSI, r] = mmsi
            p32[P32_TYPE, r] = mtype
            p32[P32_STATION, r] = station
            p32[P32_NRECV, r] = 1
            p32[P32_TSSRC, r] = tssrc
            p64[P64_RX, r] = rx
            p32[P32_SIG, r] = sig
            p32[P32_ROTDIR, r] = NO_ROTDIR
            p32[P32_NAV, r] = -1
            p32[P32_HEADING, r] = -1
            pf[PF_SOG, r] = np.nan
            pf[PF_COG, r] = np.nan
            pf[PF_ROT, r] = np.nan
            if mtype <= 3:
                nav = _uint(sb, nbits, 38, 4)
                p32[P32_NAV, r] = nav if nav != 15 else -1
                rot, present = _sint(sb, nbits, 42, 8)
                if present and rot != -128:
                    # +-127 is "turning right/left, no rate available" (ITU-R M.1371-5 Table 45): the rate is
                    # null but the direction is kept
                    p32[P32_ROTDIR, r] = 1 if rot > 0 else (-1 if rot < 0 else 0)
                if present and rot != -128 and rot != 127 and rot != -127:
                    if rot == 0:
                        pf[PF_ROT, r] = 0.0
                    else:
                        x = round((rot / 4.733) ** 2)
                        pf[PF_ROT, r] = x if rot > 0 else -x
                sog = _uint(sb, nbits, 50, 10)
                p32[P32_ACC, r] = _uint(sb, nbits, 60, 1)
                lon, lp = _sint(sb, nbits, 61, 28)
                lat, ap = _sint(sb, nbits, 89, 27)
                cog = _uint(sb, nbits, 116, 12)
                hdg = _uint(sb, nbits, 128, 9)
            elif mtype == 18 or mtype == 19:
                sog = _uint(sb, nbits, 46, 10)
                p32[P32_ACC, r] = _uint(sb, nbits, 56, 1)
                lon, lp = _sint(sb, nbits, 57, 28)
                lat, ap = _sint(sb, nbits, 85, 27)
                cog = _uint(sb, nbits, 112, 12)
                hdg = _uint(sb, nbits, 124, 9)
            elif mtype == 4:
                sog = -1
                cog = -1
                hdg = -1
                p32[P32_ACC, r] = _uint(sb, nbits, 78, 1)
                lon, lp = _sint(sb, nbits, 79, 28)
                lat, ap = _sint(sb, nbits, 107, 27)
            else:  # 27: long-range broadcast, positions in 1/10 minute
                p32[P32_ACC, r] = _uint(sb, nbits, 38, 1)
                nav = _uint(sb, nbits, 40, 4)
                p32[P32_NAV, r] = nav if nav != 15 else -1
                lon, lp = _sint(sb, nbits, 44, 18)
                lat, ap = _sint(sb, nbits, 62, 17)
                sog = _uint(sb, nbits, 79, 6)
                cog = _uint(sb, nbits, 85, 9)
                hdg = -1
                lon *= 1000
                lat *= 1000
                if sog >= 0 and sog != 63:
                    pf[PF_SOG, r] = sog
                if cog >= 0 and cog < 360:
                    pf[PF_COG, r] = cog
                sog = -1
                cog = -1
            pf[PF_LON, r] = _latlon(lon, lp, 180.0)
            pf[PF_LAT, r] = _latlon(lat, ap, 90.0)
            if sog >= 0 and sog != 1023:
                pf[PF_SOG, r] = sog / 10.0
            if cog >= 0 and cog < 3600:
                pf[PF_COG, r] = cog / 10.0
            if hdg >= 0 and hdg < 360:
                p32[P32_HEADING, r] = hdg
        if is_rep:
            r = nrep
            nrep += 1
            r64[R64_TS, r] = ts
            r64[R64_LINE, r] = line
            r32[R32_MMSI, r] = mmsi
            r32[R32_TYPE, r] = mtype
            r32[R32_PART, r] = part
            r32[R32_STATION, r] = station
            r32[R32_NRECV, r] = 1
            r32[R32_TSSRC, r] = tssrc
            r64[R64_RX, r] = rx
            r32[R32_SIG, r] = sig
            for c in range(R32_IMO, R32_MINUTE + 1):
                r32[c, r] = -1
            rf[r] = np.nan
            rtext_len[0, r] = -1
            rtext_len[1, r] = -1
            rtext_len[2, r] = -1
            if mtype == 5:
                imo = _uint(sb, nbits, 40, 30)
                r32[R32_IMO, r] = imo if imo != 0 else -1
                rtext_len[1, r] = _text(sb, nbits, 70, 42, calls, r)
                rtext_len[0, r] = _text(sb, nbits, 112, 120, names, r)
                stype = _uint(sb, nbits, 232, 8)
                r32[R32_SHIPTYPE, r] = stype if stype != 0 else -1
                r32[R32_BOW, r] = _uint(sb, nbits, 240, 9)
                r32[R32_STERN, r] = _uint(sb, nbits, 249, 9)
                r32[R32_PORT, r] = _uint(sb, nbits, 258, 6)
                r32[R32_STBD, r] = _uint(sb, nbits, 264, 6)
                r32[R32_MONTH, r] = _uint(sb, nbits, 274, 4)
                r32[R32_DAY, r] = _uint(sb, nbits, 278, 5)
                r32[R32_HOUR, r] = _uint(sb, nbits, 283, 5)
                r32[R32_MINUTE, r] = _uint(sb, nbits, 288, 6)
                dr = _uint(sb, nbits, 294, 8)
                if dr > 0:
                    rf[r] = dr / 10.0
                rtext_len[2, r] = _text(sb, nbits, 302, 120, dests, r)
            elif mtype == 19:
                rtext_len[0, r] = _text(sb, nbits, 143, 120, names, r)
                stype = _uint(sb, nbits, 263, 8)
                r32[R32_SHIPTYPE, r] = stype if stype != 0 else -1
                r32[R32_BOW, r] = _uint(sb, nbits, 271, 9)
                r32[R32_STERN, r] = _uint(sb, nbits, 280, 9)
                r32[R32_PORT, r] = _uint(sb, nbits, 289, 6)
                r32[R32_STBD, r] = _uint(sb, nbits, 295, 6)
            elif part == 0:
                rtext_len[0, r] = _text(sb, nbits, 40, 120, names, r)
            else:
                stype = _uint(sb, nbits, 40, 8)
                r32[R32_SHIPTYPE, r] = stype if stype != 0 else -1
                rtext_len[1, r] = _text(sb, nbits, 90, 42, calls, r)
                if not (980000000 <= mmsi <= 989999999):  # auxiliary craft carry a mothership MMSI instead
                    r32[R32_BOW, r] = _uint(sb, nbits, 132, 9)
                    r32[R32_STERN, r] = _uint(sb, nbits, 141, 9)
                    r32[R32_PORT, r] = _uint(sb, nbits, 150, 6)
                    r32[R32_STBD, r] = _uint(sb, nbits, 156, 6)
    ctr[0] = pos
    ctr[1] = npos
    ctr[2] = nrep
    ctr[3] = nrej
    ctr[4] = rbu
    ctr[5] = npend
    return status


@njit(cache=True, error_model="numpy")
def flush_slots(slots, slot_raw, rej_i64, rej_buf):
    """End of input: every pending fragment set becomes an orphan_fragment reject."""
    nrej = 0
    rbu = 0
    for k in range(N_SLOTS):
        if slots[k, SL_USED] == 1:
            nrej, rbu = _orphan_slot(k, slots, slot_raw, rej_i64, rej_buf, nrej, rbu)
    return nrej
