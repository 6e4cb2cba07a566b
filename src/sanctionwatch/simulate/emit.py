"""Writers: batches of messages -> tag-blocked NMEA lines (with duplicate receptions and corrupt extra lines)
and the same traffic as a Danish Maritime Authority style CSV.

A batch is two dicts of numpy columns: `pos` (one row per received position report) and `stat` (one
row per static report). Values are quantised here to what AIS can carry, so the CSV equals the decoded
NMEA.
"""

from __future__ import annotations

import gzip
from collections import Counter
from dataclasses import dataclass, field
from typing import IO

import numpy as np
import polars as pl

from sanctionwatch.ais import encode as enc
from sanctionwatch.simulate.params import NoiseParams

DMA_HEADER = ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,"
              "Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,"
              "ETA,Data source type,A,B,C,D")
# DMA 'Navigational status' texts for ITU nav status codes
NAV_TEXT = {0: "Under way using engine", 1: "At anchor", 2: "Not under command", 3: "Restricted maneuverability",
            4: "Constrained by her draught", 5: "Moored", 6: "Aground", 7: "Engaged in fishing",
            8: "Under way sailing", 15: "Unknown value"}
POS_COLS = ("ts", "mmsi", "lat", "lon", "sog", "cog", "hdg", "rot", "status", "class_b")
STAT_COLS = ("ts", "mmsi", "imo", "callsign", "name", "ship_type", "a", "b", "c", "d", "draught", "destination",
             "eta", "class_b")
# first payload character of a single-sentence line: '\s:' station ',c:' epoch '*hh\' '!AIVDM,1,1,,A,'
PAYLOAD_OFFSET = 3 + enc.STATION_WIDTH + 3 + enc.EPOCH_WIDTH + 4 + 14


def quantise(pos: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Round values to AIS resolution (1/10000 min, 0.1 kn, 0.1 deg, 1 deg, ROT_AIS code) in place."""
    pos["lat"] = np.rint(pos["lat"] * 600000) / 600000
    pos["lon"] = np.rint(pos["lon"] * 600000) / 600000
    pos["sog"] = np.clip(np.rint(pos["sog"] * 10) / 10, 0, 102.2)
    pos["cog"] = (np.rint(np.mod(pos["cog"], 360) * 10) % 3600) / 10
    pos["hdg"] = np.rint(np.mod(pos["hdg"], 360)) % 360
    code = enc._rot(pos["rot"])
    pos["rot"] = np.sign(code) * (code / 4.733) ** 2
    return pos


@dataclass
class EmitStats:
    """What was written (the run summary reports these)."""

    lines: int = 0
    messages: int = 0
    duplicates: int = 0
    corrupt: int = 0
    by_type: Counter = field(default_factory=Counter)
    csv_rows: int = 0
    ts_min: int | None = None
    ts_max: int | None = None


def _eta_parts(eta: np.ndarray) -> tuple[np.ndarray, ...]:
    """Epoch seconds (or -1 = none) -> ETA month, day, hour, minute with M.1371 'not available' values."""
    ok = eta >= 0
    d = np.where(ok, eta, 0).astype("datetime64[s]")
    month = (d.astype("datetime64[M]").astype(np.int64) % 12) + 1
    day = (d.astype("datetime64[D]") - d.astype("datetime64[M]")).astype(np.int64) + 1
    hour = (d.astype("datetime64[h]") - d.astype("datetime64[D]")).astype(np.int64)
    minute = (d.astype("datetime64[m]") - d.astype("datetime64[h]")).astype(np.int64)
    return (np.where(ok, month, 0), np.where(ok, day, 0), np.where(ok, hour, 24), np.where(ok, minute, 60))


class NmeaEmitter:
    """Encodes batches into lines, with receptions by several stations and a fraction of garbled extras."""

    def __init__(self, fh: IO[bytes], noise: NoiseParams, rng: np.random.Generator, stations: tuple[str, ...]):
        self.fh, self.noise, self.rng, self.stations = fh, noise, rng, stations
        self.stats = EmitStats()
        self._seq = 0
        # receiver clock error (noisy regimes): a fixed whole-second offset per station on the tag-block time
        x = noise.clock_error_s
        self._clock = (np.rint(rng.uniform(-x, x, len(stations))).astype(np.int64) if x > 0
                       else np.zeros(len(stations), np.int64))

    def _receptions(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Index of original message and station for every reception (originals first, then duplicates)."""
        ns = len(self.stations)
        dup = np.flatnonzero(self.rng.random(n) < self.noise.duplicate_fraction)
        st0 = self.rng.integers(0, ns, n)
        st1 = (st0[dup] + self.rng.integers(1, ns, len(dup))) % ns if ns > 1 else st0[dup]
        self.stats.duplicates += len(dup)
        return np.concatenate([np.arange(n), dup]), np.concatenate([st0, st1])

    def _frame(self, payload: np.ndarray, fill: int, ts: np.ndarray, st: np.ndarray, **kw) -> np.ndarray:
        ch = np.where(self.rng.random(len(ts)) < 0.5, ord("A"), ord("B")).astype(np.uint8)
        return enc.frame_lines(payload, fill, ts, enc.station_matrix(self.stations, st), ch, **kw)

    def write(self, pos: dict[str, np.ndarray], stat: dict[str, np.ndarray]) -> None:
        """Encode one batch, order every line by time and write it."""
        mats: list[np.ndarray] = []
        tss: list[np.ndarray] = []
        kinds = (("A", ~pos["class_b"]), ("B", pos["class_b"]))
        for name, m in kinds:
            if not m.any():
                continue
            sel = {k: v[m] for k, v in pos.items()}
            idx, st = self._receptions(int(m.sum()))
            s = {k: v[idx] for k, v in sel.items()}
            if name == "A":
                pl_ = enc.class_a_payload(s["mmsi"], s["status"], s["rot"], s["sog"], s["lon"], s["lat"], s["cog"],
                                          s["hdg"], s["ts"] % 60)
                self.stats.by_type[1] += int(m.sum())
            else:
                pl_ = enc.class_b_payload(s["mmsi"], s["sog"], s["lon"], s["lat"], s["cog"], s["hdg"], s["ts"] % 60)
                self.stats.by_type[18] += int(m.sum())
            stamp = s["ts"] + self._clock[st]
            mats.append(self._frame(pl_, 0, stamp, st))
            tss.append(stamp)
        for name, m in (("5", ~stat["class_b"]), ("24", stat["class_b"])):
            if not m.any():
                continue
            idx, st = self._receptions(int(m.sum()))
            s = {k: v[m][idx] for k, v in stat.items()}
            stamp = s["ts"] + self._clock[st]
            if name == "5":
                mo, dd, hh, mi = _eta_parts(s["eta"])
                p5, fill = enc.static_payload(s["mmsi"], s["imo"], s["callsign"], s["name"], s["ship_type"], s["a"],
                                              s["b"], s["c"], s["d"], mo, dd, hh, mi, s["draught"], s["destination"])
                seq = (self._seq + np.arange(len(idx))) % 10
                self._seq = (self._seq + len(idx)) % 10
                l1, l2 = enc.type5_lines(p5, fill, stamp, enc.station_matrix(self.stations, st),
                                         np.full(len(idx), ord("A"), np.uint8), seq)
                mats.append(np.concatenate([l1, l2], axis=1))
                self.stats.by_type[5] += int(m.sum())
            else:
                pa, pb = enc.class_b_static_payloads(s["mmsi"], s["name"], s["ship_type"], s["callsign"], s["a"],
                                                     s["b"], s["c"], s["d"])
                mats.append(np.concatenate([self._frame(pa, 0, stamp, st), self._frame(pb, 0, stamp, st)], axis=1))
                self.stats.by_type[24] += 2 * int(m.sum())
            tss.append(stamp)
        if not mats:
            return
        self._corrupt(mats, tss)
        self.fh.write(_interleave(mats, tss))
        all_ts = np.concatenate(tss)
        self.stats.lines += int(sum(int(np.count_nonzero(m == 10)) for m in mats))
        self.stats.messages += len(pos["ts"]) + len(stat["ts"])
        lo, hi = int(all_ts.min()), int(all_ts.max())
        self.stats.ts_min = lo if self.stats.ts_min is None else min(self.stats.ts_min, lo)
        self.stats.ts_max = hi if self.stats.ts_max is None else max(self.stats.ts_max, hi)

    def _corrupt(self, mats: list[np.ndarray], tss: list[np.ndarray]) -> None:
        """Append garbled copies of a fraction of single-line records (one payload character altered)."""
        for k in range(len(mats)):
            m = mats[k]
            if np.count_nonzero(m[0] == 10) != 1:
                continue  # multi-line records (type 5, type 24 pair) are left whole
            pick = np.flatnonzero(self.rng.random(m.shape[0]) < self.noise.corrupt_fraction)
            if not len(pick):
                continue
            bad = m[pick].copy()
            col = PAYLOAD_OFFSET + self.rng.integers(0, 28, len(pick))
            old = bad[np.arange(len(pick)), col]
            bad[np.arange(len(pick)), col] = np.where(old == ord("0"), ord("w"), ord("0"))
            mats.append(bad)
            tss.append(tss[k][pick])
            self.stats.corrupt += len(pick)


def _interleave(mats: list[np.ndarray], tss: list[np.ndarray]) -> bytes:
    """Concatenate fixed-width records of several widths in time order (stable) with one numpy gather."""
    flat = np.concatenate([m.ravel() for m in mats])
    widths = np.concatenate([np.full(m.shape[0], m.shape[1], np.int64) for m in mats])
    starts = np.concatenate([[0], np.cumsum(widths)[:-1]])
    order = np.argsort(np.concatenate(tss), kind="stable")
    s, w = starts[order], widths[order]
    out_start = np.cumsum(w) - w
    gather = np.repeat(s - out_start, w) + np.arange(int(w.sum()))
    return flat[gather].tobytes()


class CsvEmitter:
    """Appends DMA-layout rows (one per received position report, static fields of that moment)."""

    def __init__(self, fh: IO[bytes]):
        self.fh = fh
        self.rows = 0
        fh.write((DMA_HEADER + "\n").encode())

    def write(self, pos: dict[str, np.ndarray]) -> None:
        n = len(pos["ts"])
        if not n:
            return
        nav = np.array([NAV_TEXT.get(i, "Unknown value") for i in range(16)], dtype=object)
        df = pl.DataFrame({
            "ts": pos["ts"], "mobile": np.where(pos["class_b"], "Class B", "Class A"), "mmsi": pos["mmsi"],
            "lat": pos["lat"], "lon": pos["lon"], "nav": nav[pos["status"]].astype(str),
            "rot": np.where(pos["class_b"], np.nan, np.round(pos["rot"], 1)), "sog": pos["sog"], "cog": pos["cog"],
            "hdg": pos["hdg"].astype(np.int64),
            "imo": np.where(pos["imo"] > 0, pos["imo"].astype(str), "Unknown"),
            "callsign": pos["callsign"].astype(str), "name": pos["name"].astype(str), "ship": pos["dma_type"].astype(str),
            "cargo": np.full(n, ""), "width": pos["c"] + pos["d"], "length": pos["a"] + pos["b"],
            "epfd": np.full(n, "GPS"), "draught": pos["draught"], "dest": pos["destination"].astype(str),
            "eta": pos["eta"], "src": np.full(n, "AIS"), "A": pos["a"], "B": pos["b"], "C": pos["c"], "D": pos["d"],
        })
        df = df.with_columns(
            pl.from_epoch("ts", time_unit="s").dt.strftime("%d/%m/%Y %H:%M:%S"),
            pl.when(pl.col("eta") >= 0).then(pl.from_epoch(pl.col("eta").clip(0), time_unit="s")
                                              .dt.strftime("%d/%m/%Y %H:%M:%S")).otherwise(pl.lit("")).alias("eta"),
            pl.col("rot").fill_nan(None), pl.col("lat").round(6), pl.col("lon").round(6))
        df.write_csv(self.fh, include_header=False)
        self.rows += n


def open_out(path, gz: bool) -> IO[bytes]:
    """Binary output handle (gzip level 1 when gz: fast, still ~5x smaller)."""
    return gzip.open(path, "wb", compresslevel=1) if gz else open(path, "wb")
