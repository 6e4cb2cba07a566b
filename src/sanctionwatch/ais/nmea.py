"""NMEA 0183 AIS decoding: streaming `NmeaDecoder` over numba kernels (see ais/_nmea_kernel.py, docs/ais.md).

`feed()` takes chunks of whole lines and returns a `DecodedBatch` (positions, vessel reports, rejects with
their line numbers and raw text, counters); `finish()` flushes incomplete multi-sentence messages as
`orphan_fragment` rejects. Decoding happens in one compiled pass per chunk; only rejected lines become
Python strings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from sanctionwatch.ais import _nmea_kernel as K
from sanctionwatch.ais.batch import TIME_PARAMS, DecodedBatch, Reject


@dataclass(frozen=True)
class NmeaParams:
    """Limits of the decoder, with their sources."""

    max_fragments: int = K.MAX_FRAGS  # IEC 61162-1 §8.3 / pyais MAX_FRAG_CNT: 1-9 sentences per message
    max_payload_chars: int = K.MAX_PAYLOAD  # pyais MAX_PAYLOAD_LEN (an 82-char sentence carries <= 62)
    pending_slots: int = K.N_SLOTS  # concurrent incomplete messages (seq ids 0-9 x channels x talkers)
    epoch_ms_threshold: int = K.EPOCH_MS_MIN  # epoch values >= 1e11 are ms (1e11 s is the year 5138)
    dedup_table_initial: int = 1 << 16  # dedup hash slots (grows x2; pruned to the window first)
    max_line_bytes: int = K.MAX_LINE  # longer lines: line_too_long, quarantined cut to this (NMEA <= 82 chars)
    # Output bounds of one decode call (then a batch is returned and decoding resumes): ~280 bytes per row
    # slot, so 1 Mi rows ~ 280 MB, about what a default 64 MiB chunk of real NMEA (~800 k lines) needs anyway.
    max_batch_rows: int = 1 << 20
    max_batch_rejects: int = 1 << 16  # rejects become Python objects + quarantine rows: kept small per batch
    max_batch_reject_bytes: int = 16 * 1024 * 1024  # raw text of those rejects


PARAMS = NmeaParams()

_TS_TYPE = pa.timestamp("ms", tz="UTC")
# output arrays of `_run_iter` (p64, p32, pf, r64, r32, rf, names, calls, dests, rtext) indexed [row] / [row, :]
_ROW_MAJOR = (5, 6, 7, 8)
_TS_SOURCES = pa.array(K.TS_SOURCE_NAMES, pa.string())


def _ts_array(ms: np.ndarray) -> pa.Array:
    return pa.array(ms, type=pa.int64()).view(_TS_TYPE)


def _nullable(values: np.ndarray, dtype: type, typ: pa.DataType) -> pa.Array:
    """Int column where negative values mean null."""
    mask = values < 0
    return pa.array(values.astype(dtype), type=typ, mask=mask if mask.any() else None)


def _nullable_at(values: np.ndarray, null: int, dtype: type, typ: pa.DataType) -> pa.Array:
    """Int column where the sentinel `null` means null (for columns whose valid values can be negative)."""
    mask = values == null
    return pa.array(np.where(mask, 0, values).astype(dtype), type=typ, mask=mask if mask.any() else None)


def _opt_ts(ms: np.ndarray) -> pa.Array:
    """Timestamp column where negative values mean null."""
    mask = ms < 0
    return pa.array(ms, type=pa.int64(), mask=mask if mask.any() else None).view(_TS_TYPE)


def _float(values: np.ndarray, typ: pa.DataType) -> pa.Array:
    mask = np.isnan(values)
    return pa.array(values, type=pa.float64(), mask=mask if mask.any() else None).cast(typ)


def _strings(mat: np.ndarray, lens: np.ndarray) -> pa.Array:
    """Fixed-width byte matrix + lengths (<= 0 means null) -> Arrow string array, without Python objects."""
    n = lens.shape[0]
    valid = lens > 0
    ln = np.where(valid, lens, 0).astype(np.int32)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(ln, out=offsets[1:])
    data = mat[:n][np.arange(mat.shape[1])[None, :] < ln[:, None]]
    validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())],
                                 null_count=int(n - valid.sum()))


def resolve_eta(ts_ms: np.ndarray, month: np.ndarray, day: np.ndarray, hour: np.ndarray,
                minute: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ETA (month, day, hour, minute) -> next occurrence at/after ts (to the minute); (ms, valid mask).

    Not available per ITU-R M.1371 Table 50: month 0, day 0, hour 24, minute 60 (or absent, < 0).
    """
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (hour >= 0) & (hour <= 23) \
        & (minute >= 0) & (minute <= 59)
    ts = ts_ms.astype("datetime64[ms]")
    ts_min = ts.astype("datetime64[m]")
    year = ts.astype("datetime64[Y]")
    out = np.zeros(len(ts_ms), dtype="datetime64[m]")
    good = np.zeros(len(ts_ms), dtype=bool)
    for add in (0, 1, 2, 3, 4):  # next year; Feb 29 may need up to 4 years
        y = year + add
        m0 = y.astype("datetime64[M]") + np.where(ok, month - 1, 0)
        d0 = m0.astype("datetime64[D]") + np.where(ok, day - 1, 0)
        same_month = d0.astype("datetime64[M]") == m0
        cand = d0.astype("datetime64[m]") + np.where(ok, hour * 60 + minute, 0).astype("timedelta64[m]")
        take = ok & ~good & same_month & (cand >= ts_min)
        out[take] = cand[take]
        good |= take
    return out.astype("datetime64[ms]").astype(np.int64), good


def _concat(parts: list[DecodedBatch]) -> DecodedBatch:
    """One batch from the sub-batches of one feed (tables concatenated, counters added)."""
    out = DecodedBatch(positions=pa.concat_tables([p.positions for p in parts], promote_options="permissive"),
                       reports=pa.concat_tables([p.reports for p in parts], promote_options="permissive"))
    for p in parts:
        out.rejects.extend(p.rejects)
        p.add_counts_to(out)
    return out


class NmeaDecoder:
    """Streaming decoder: feed chunks of whole lines, get DecodedBatch per chunk."""

    def __init__(self, source: str, *, assume_time: datetime | None = None, dedup_window_s: int = 60):
        self.source = source
        self.assume_ms: int | None = None
        if assume_time is not None:
            at = assume_time if assume_time.tzinfo else assume_time.replace(tzinfo=UTC)
            self.assume_ms = int(at.timestamp() * 1000)
        self.window_ms = int(dedup_window_s) * 1000 if dedup_window_s > 0 else -1
        self._st = np.zeros(K.N_STATE, dtype=np.int64)
        self._st[K.S_TMIN], self._st[K.S_TMAX] = TIME_PARAMS.window_ms()
        self._slots = np.zeros((K.N_SLOTS, K.N_SL), dtype=np.int64)
        self._slot_pay = np.zeros((K.N_SLOTS, K.SLOT_PAY), dtype=np.uint8)
        self._slot_raw = np.zeros((K.N_SLOTS, K.SLOT_RAW), dtype=np.uint8)
        self._stab_key = np.zeros(K.STATION_TABLE, dtype=np.int64)
        self._stab_id = np.zeros(K.STATION_TABLE, dtype=np.int64)
        self._st_bytes = np.zeros((K.MAX_STATIONS, K.STATION_BYTES), dtype=np.uint8)
        self._st_len = np.zeros(K.MAX_STATIONS, dtype=np.int64)
        self._dd = np.zeros((PARAMS.dedup_table_initial, 4), np.int64)  # key, first ts, position row, report row
        self._dd_tmp = np.zeros_like(self._dd)
        self._pq = np.zeros((2 * K.PG_RING, K.N_Q), np.int64)  # $PGHP / waiting-sentence rings (K.PG_WINDOW)
        self._held: tuple | None = None  # rows of a feed's last K.PG_WINDOW lines, handed out with the next one
        self._carry = b""
        self._skip_to_newline = False
        self._finished = False
        self._no_reports: pa.Table | None = None

    # ---- dedup table ----------------------------------------------------------------------------
    def _dd_grow(self) -> None:
        """Double the dedup table (entries older than the window are dropped while rehashing)."""
        horizon = self._st[K.S_MAX_TS] - max(self.window_ms, 0)
        new = np.zeros((2 * self._dd.shape[0], 4), np.int64)
        self._st[K.S_DD_COUNT] = K.dedup_rebuild(self._dd, horizon, new)
        self._dd = new
        self._dd_tmp = np.zeros_like(new)

    # ---- public API --------------------------------------------------------------------------
    def feed(self, chunk: bytes) -> DecodedBatch:
        """Decode the complete lines of `chunk` (an unterminated tail is kept for the next call).

        In a `$PGHP` stream the rows of the chunk's last K.PG_WINDOW lines come with the next call or `finish()`
        (a `$PGHP` after them may still retime them), so every caller must call `finish()`.
        """
        parts = list(self.feed_iter(chunk))
        return parts[0] if len(parts) == 1 else _concat(parts)

    def feed_iter(self, chunk: bytes) -> Iterator[DecodedBatch]:
        """Like `feed`, but one batch per bounded slice of output (what the ingest uses: bounded memory).

        An unterminated tail longer than the line limit is cut to it (the rest of that line is dropped until
        its newline), so a newline-less input cannot grow the carry without bound; the line is rejected as
        line_too_long.
        """
        if self._finished:
            raise RuntimeError("feed() after finish()")
        if self._skip_to_newline:
            nl = chunk.find(b"\n")
            if nl < 0:
                return
            chunk = chunk[nl:]
            self._skip_to_newline = False
        data = self._carry + chunk if self._carry else chunk
        cut = data.rfind(b"\n") + 1
        self._carry = data[cut:]
        if len(self._carry) > K.MAX_LINE:
            self._carry = self._carry[:K.MAX_LINE + 1]
            self._skip_to_newline = True
        yield from self._run_iter(np.frombuffer(data, dtype=np.uint8, count=cut))

    def finish(self) -> DecodedBatch:
        """End of input: decode an unterminated last line, then reject incomplete messages as orphans."""
        if self._finished:
            raise RuntimeError("finish() called twice")
        self._finished = True
        tail, self._carry = self._carry, b""
        batch = self._run(np.frombuffer(tail, dtype=np.uint8), final=True)
        rej_i64 = np.zeros((4, K.N_SLOTS), dtype=np.int64)
        rej_buf = np.zeros(K.N_SLOTS * K.SLOT_RAW + K.N_SLOTS, dtype=np.uint8)
        nrej = K.flush_slots(self._slots, self._slot_raw, rej_i64, rej_buf)
        batch.rejects.extend(self._rejects(rej_i64, rej_buf, nrej))
        return batch

    # ---- internals -------------------------------------------------------------------------------
    @staticmethod
    def _rejects(rej_i64: np.ndarray, rej_buf: np.ndarray, n: int) -> list[Reject]:
        if n == 0:
            return []
        lines, reasons, offs, lens = rej_i64[:, :n].tolist()
        end = offs[-1] + lens[-1]
        raw = rej_buf[:end].tobytes()
        names = K.REASON_NAMES
        # surrogateescape: non-UTF-8 bytes survive into the quarantine file unchanged (round trip)
        return [Reject(ln, names[r], raw[o:o + k].decode("utf-8", "surrogateescape"))
                for ln, r, o, k in zip(lines, reasons, offs, lens, strict=True)]

    def _stations(self) -> pa.Array:
        n = int(self._st[K.S_N_STATIONS])
        names = [self._st_bytes[i, : self._st_len[i]].tobytes().decode("ascii", "backslashreplace")
                 for i in range(n)]
        return pa.array(names, pa.string())

    def _run(self, buf: np.ndarray, final: bool = False) -> DecodedBatch:
        """All lines of `buf` as one batch (the sub-batches of `_run_iter` concatenated)."""
        parts = list(self._run_iter(buf, final))
        return parts[0] if len(parts) == 1 else _concat(parts)

    def _run_iter(self, buf: np.ndarray, final: bool = False) -> Iterator[DecodedBatch]:
        """Decode `buf`, yielding a batch whenever the outputs (rows, rejects) fill up: memory per batch is
        bounded by PARAMS.max_batch_rows / max_batch_rejects whatever the input (16 MiB of `x\\n` used to need
        2.4 GB because every output array was sized by the line count).

        In a `$PGHP` stream the rows of the last K.PG_WINDOW lines are held back and handed out with the next
        call (or `finish()`): a `$PGHP` in the next chunk may still retime them (exactEarth writes it after its
        sentence), which it can only do to rows the kernel still holds.
        """
        st = self._st
        held, self._held = self._held, None
        nh_p = held[0].shape[1] if held else 0
        nh_r = held[3].shape[1] if held else 0
        nl = int(np.count_nonzero(buf == 10)) + 1
        rows = min(nl, PARAMS.max_batch_rows) + max(nh_p, nh_r)
        nrj = min(nl + 2 * K.N_SLOTS, PARAMS.max_batch_rejects)
        p64 = np.empty((K.N_P64, rows), np.int64)
        p32 = np.empty((K.N_P32, rows), np.int32)
        pf = np.empty((5, rows), np.float64)
        r64 = np.empty((K.N_R64, rows), np.int64)
        r32 = np.empty((K.N_R32, rows), np.int32)
        rf = np.empty(rows, np.float64)
        names = np.empty((rows, K.NAME_LEN), np.uint8)
        calls = np.empty((rows, K.CALL_LEN), np.uint8)
        dests = np.empty((rows, K.DEST_LEN), np.uint8)
        rtext = np.empty((3, rows), np.int64)
        rej_i64 = np.empty((4, nrj), np.int64)
        rej_buf = np.empty(min(buf.shape[0] + K.N_SLOTS * (K.SLOT_RAW + 1) + 16, PARAMS.max_batch_reject_bytes)
                           + K.REJ_SLACK, np.uint8)
        pend = np.empty((4, 2 * rows), np.int64)
        cnt = np.zeros(6, np.int64)
        outs = (p64, p32, pf, r64, r32, rf, names, calls, dests, rtext)
        first = True
        while True:
            for k in (K.S_SENTENCES, K.S_MESSAGES, K.S_DUPS, K.S_FIRST_TS_CHUNK):
                st[k] = 0
            by_type = np.zeros(64, np.int64)
            skipped = np.zeros(64, np.int64)
            cnt[1:] = 0
            if first and held:  # the previous call's last rows, at the same global row ids
                for i, (arr, h) in enumerate(zip(outs, held, strict=True)):
                    if i in _ROW_MAJOR:
                        arr[:h.shape[0]] = h
                    else:
                        arr[:, :h.shape[1]] = h
                cnt[1], cnt[2] = nh_p, nh_r
            first = False
            lines_before = int(st[K.S_LINE])
            while (status := K.decode_chunk(
                    buf, st, self.window_ms, self._slots, self._slot_pay, self._slot_raw, self._stab_key,
                    self._stab_id, self._st_bytes, self._st_len, self._dd, self._dd_tmp, self._pq, p64, p32, pf, r64,
                    r32, rf,
                    names, calls, dests, rtext, rej_i64, rej_buf, by_type, skipped, pend, cnt)) == 1:
                self._dd_grow()
            npos, nrep, nrej, npend = (int(cnt[i]) for i in (1, 2, 3, 5))
            if status == 0 and not final and npend == 0 and st[K.S_PG_LINE] > 0:
                cut = st[K.S_LINE] - K.PG_WINDOW
                hp = npos - int(np.searchsorted(p64[K.P64_LINE, :npos], cut, side="right"))
                hr = nrep - int(np.searchsorted(r64[K.R64_LINE, :nrep], cut, side="right"))
                if hp or hr:
                    a, b = npos - hp, nrep - hr
                    self._held = (p64[:, a:npos].copy(), p32[:, a:npos].copy(), pf[:, a:npos].copy(),
                                  r64[:, b:nrep].copy(), r32[:, b:nrep].copy(), rf[b:nrep].copy(),
                                  names[b:nrep].copy(), calls[b:nrep].copy(), dests[b:nrep].copy(),
                                  rtext[:, b:nrep].copy())
                    npos, nrep = a, b
            st[K.S_POS_TOTAL] += npos
            st[K.S_REP_TOTAL] += nrep
            rejects = self._rejects(rej_i64, rej_buf, nrej)
            keep_p = keep_r = None
            if npend:
                keep_p, keep_r = self._resolve_pending(buf, pend[:, :npend], p64, p32, r64, r32, npos, nrep, rejects)
            positions = self._positions(p64[:, :npos], p32[:, :npos], pf[:, :npos], keep_p)
            reports = self._reports(r64[:, :nrep], r32[:, :nrep], rf[:nrep], names, calls, dests, rtext[:, :nrep],
                                    keep_r) if nrep else self._empty_reports()
            yield DecodedBatch(
                positions=positions, reports=reports, rejects=rejects,
                lines=int(st[K.S_LINE]) - lines_before, sentences=int(st[K.S_SENTENCES]),
                messages=int(st[K.S_MESSAGES]), duplicates_folded=int(st[K.S_DUPS]),
                by_type=Counter({int(t): int(c) for t, c in enumerate(by_type) if c}),
                skipped_types=Counter({int(t): int(c) for t, c in enumerate(skipped) if c}),
            )
            if status == 0:
                return

    def _resolve_pending(self, buf, pend, p64, p32, r64, r32, npos, nrep, rejects):
        """Messages seen before any timestamp: backfill with the first one, else assume_time, else reject."""
        st = self._st
        if st[K.S_HAS_TS]:
            fill, src = int(st[K.S_FIRST_TS]), K.TS_INFERRED
        elif self.assume_ms is not None:
            fill, src = self.assume_ms, K.TS_ASSUMED
        else:
            keep_p = np.ones(npos, bool)
            keep_r = np.ones(nrep, bool)
            seen: set[int] = set()
            for kind, row, s, e in pend.T:
                (keep_p if kind == 0 else keep_r)[row] = False
                line = int((p64 if kind == 0 else r64)[1, row])
                if line not in seen:
                    seen.add(line)
                    rejects.append(Reject(line, "no_timestamp", buf[s:e].tobytes().decode("utf-8", "surrogateescape")))
            return keep_p, keep_r
        for kind, i64, i32, tcol in ((0, p64, p32, K.P32_TSSRC), (1, r64, r32, K.R32_TSSRC)):
            rows = pend[1][pend[0] == kind]
            i64[0, rows] = fill
            i32[tcol, rows] = src
        return None, None

    def _station_col(self, ids: np.ndarray) -> pa.Array:
        mask = ids < 0
        idx = pa.array(np.where(mask, 0, ids).astype(np.int32), pa.int32(), mask=mask if mask.any() else None)
        return pa.DictionaryArray.from_arrays(idx, self._stations())

    @staticmethod
    def _ts_source(codes: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int8), pa.int8()), _TS_SOURCES)

    def _positions(self, i64, i32, f64, keep) -> pa.Table:
        if keep is not None:
            i64, i32, f64 = i64[:, keep], i32[:, keep], f64[:, keep]
        acc = i32[K.P32_ACC]
        return pa.table({
            "ts": _ts_array(i64[K.P64_TS]),
            "mmsi": pa.array(i32[K.P32_MMSI], pa.int32()),
            "lat": _float(f64[K.PF_LAT], pa.float64()),
            "lon": _float(f64[K.PF_LON], pa.float64()),
            "sog": _float(f64[K.PF_SOG], pa.float32()),
            "cog": _float(f64[K.PF_COG], pa.float32()),
            "heading": _nullable(i32[K.P32_HEADING], np.int16, pa.int16()),
            "nav_status": _nullable(i32[K.P32_NAV], np.int8, pa.int8()),
            "rot": _float(f64[K.PF_ROT], pa.float32()),
            "accuracy": pa.array(acc == 1, pa.bool_(), mask=(acc < 0) if (acc < 0).any() else None),
            "msg_type": pa.array(i32[K.P32_TYPE].astype(np.int8), pa.int8()),
            "src_line": pa.array(i64[K.P64_LINE], pa.int64()),
            "station": self._station_col(i32[K.P32_STATION]),
            "n_receivers": pa.array(i32[K.P32_NRECV].astype(np.int16), pa.int16()),
            "ts_source": self._ts_source(i32[K.P32_TSSRC]),
            "rx_time": _opt_ts(i64[K.P64_RX]),
            "signal_dbm": _nullable_at(i32[K.P32_SIG], K.NO_SIGNAL, np.int16, pa.int16()),
            "rot_direction": _nullable_at(i32[K.P32_ROTDIR], K.NO_ROTDIR, np.int8, pa.int8()),
        })

    def _empty_reports(self) -> pa.Table:
        """Zero-row reports table (most chunks of a small feed have none; skips building 19 columns)."""
        if self._no_reports is None:
            z = np.zeros(0, np.int64)
            self._no_reports = self._reports(np.zeros((K.N_R64, 0), np.int64), np.zeros((K.N_R32, 0), np.int32),
                                             np.zeros(0), np.zeros((0, K.NAME_LEN), np.uint8),
                                             np.zeros((0, K.CALL_LEN), np.uint8), np.zeros((0, K.DEST_LEN), np.uint8),
                                             np.zeros((3, 0), np.int64), None).slice(0, len(z))
        return self._no_reports

    def _reports(self, i64, i32, f64, names, calls, dests, tlen, keep) -> pa.Table:
        n = i64.shape[1]
        if keep is not None:
            idx = np.flatnonzero(keep)
            i64, i32, f64, tlen = i64[:, idx], i32[:, idx], f64[idx], tlen[:, idx]
            names, calls, dests = names[idx], calls[idx], dests[idx]
            n = len(idx)
        ts = i64[K.R64_TS]
        eta, eta_ok = resolve_eta(ts, i32[K.R32_MONTH], i32[K.R32_DAY], i32[K.R32_HOUR], i32[K.R32_MINUTE])
        return pa.table({
            "ts": _ts_array(ts),
            "mmsi": pa.array(i32[K.R32_MMSI], pa.int32()),
            "msg_type": pa.array(i32[K.R32_TYPE].astype(np.int8), pa.int8()),
            "part": _nullable(i32[K.R32_PART], np.int8, pa.int8()),
            "imo": _nullable(i32[K.R32_IMO], np.int32, pa.int32()),
            "name": _strings(names[:n], tlen[0]),
            "callsign": _strings(calls[:n], tlen[1]),
            "ship_type": _nullable(i32[K.R32_SHIPTYPE], np.int16, pa.int16()),
            "to_bow": _nullable(i32[K.R32_BOW], np.int16, pa.int16()),
            "to_stern": _nullable(i32[K.R32_STERN], np.int16, pa.int16()),
            "to_port": _nullable(i32[K.R32_PORT], np.int16, pa.int16()),
            "to_starboard": _nullable(i32[K.R32_STBD], np.int16, pa.int16()),
            "draught": _float(f64, pa.float32()),
            "destination": _strings(dests[:n], tlen[2]),
            "eta": pa.array(eta, pa.int64(), mask=~eta_ok if (~eta_ok).any() else None).view(_TS_TYPE),
            "src_line": pa.array(i64[K.R64_LINE], pa.int64()),
            "station": self._station_col(i32[K.R32_STATION]),
            "n_receivers": pa.array(i32[K.R32_NRECV].astype(np.int16), pa.int16()),
            "ts_source": self._ts_source(i32[K.R32_TSSRC]),
            "rx_time": _opt_ts(i64[K.R64_RX]),
            "signal_dbm": _nullable_at(i32[K.R32_SIG], K.NO_SIGNAL, np.int16, pa.int16()),
        })
