"""NMEA ingest throughput: the whole `sanctionwatch ingest` process vs pyais 3.3.1 `decode()` (issue 16 item 1).

Input: the real DMA sample (../shared/data/ais/dma_aisabnormal_ais-sample.txt.gz: `\\si:` tag lines, `$PGHP`
times, `!BSVDM` sentences, some `$PSTT` lines) repeated with the `$PGHP` date shifted by one day per
repetition (so the 60 s dedup window never folds copies). Prints messages/s of
  * the REFERENCE, pyais `decode()` of every sentence: `FileReaderStream` (framing, multipart assembly) and
    `decode()`, no `asdict()`, on a subset (`--pyais-copies` repetitions; pyais is per-message Python, so its
    rate does not depend on size). `decode()` + `asdict()` is printed beside it, labelled, not used as reference;
  * the HEADLINE "ours": the whole CLI process, `sanctionwatch -q ingest FILE --store S --json` in a
    subprocess (interpreter start-up, imports, kernel load, sha256, decode, dedup, Parquet writes), wall time;
  * ours, the ingest call inside Python (`sanctionwatch.ais.ingest.ingest`), and the decoder alone
    (`NmeaDecoder.feed` on 64 MiB chunks, Arrow tables built), for where the time goes;
and the ratios to the reference, the rates per size (linearity) and peak RSS. CPU time is reported next to
wall time because the benchmark machine is shared. The issue asks for >= 1.4 M messages: the default size.

    .venv/bin/python benchmarks/bench_decode.py                      # 1.5M sentences (the headline)
    .venv/bin/python benchmarks/bench_decode.py --sizes 1500000,5000000
    .venv/bin/python benchmarks/bench_decode.py --sizes 100000 --pyais-copies 1   # smoke run
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ais"
SAMPLE = DATA / "dma_aisabnormal_ais-sample.txt.gz"
CHUNK = 64 * 1024 * 1024


def _dates(n: int) -> list[bytes]:
    """`n` distinct dates as `YYYY,MM,DD` of one fixed width (months 10-12, days 10-28), from 2013-11-12 on."""
    out = []
    for y in range(2013, 2100):
        for m in (10, 11, 12):
            for d in range(10, 29):
                if (y, m, d) >= (2013, 11, 12):
                    out.append(f"{y},{m},{d}".encode())
                if len(out) == n:
                    return out
    raise ValueError("too many copies")


def make_input(dest: Path, sentences: int) -> tuple[int, int]:
    """Write the DMA sample repeated with a new `$PGHP` date per copy (checksums fixed); (sentences, copies)."""
    with gzip.open(SAMPLE) as fh:
        base = fh.read()
    per_copy = sum(1 for ln in base.split(b"\n") if ln.startswith(b"!"))
    old = b"2013,11,12"
    tpl = np.frombuffer(base, dtype=np.uint8).copy()
    starts = np.array([i for i in range(len(base)) if base.startswith(b"$PGHP,1," + old, i)], dtype=np.int64)
    stars = np.array([base.index(b"*", i) for i in starts], dtype=np.int64)
    date_pos = starts[:, None] + 8 + np.arange(len(old))[None, :]
    old_cs = np.array([int(base[i + 1:i + 3], 16) for i in stars], dtype=np.uint8)
    old_x = np.bitwise_xor.reduce(np.frombuffer(old, np.uint8))
    hexd = np.frombuffer(b"0123456789ABCDEF", np.uint8)
    copies = -(-sentences // per_copy)
    with open(dest, "wb") as fh:
        for new in _dates(copies):
            nb = np.frombuffer(new, np.uint8)
            cs = old_cs ^ old_x ^ np.bitwise_xor.reduce(nb)
            tpl[date_pos] = nb[None, :]
            tpl[stars + 1] = hexd[cs >> 4]
            tpl[stars + 2] = hexd[cs & 15]
            fh.write(tpl.tobytes())
    return copies * per_copy, copies


def bench_pyais(path: Path, copies: int, total_copies: int, asdict: bool) -> tuple[int, float, float]:
    """pyais over the first `copies` copies: framing + assembly + `decode()` (+ `asdict()` if asked): (msgs, wall, cpu)."""
    from pyais.stream import FileReaderStream

    size = path.stat().st_size * copies // total_copies
    sub = path.with_suffix(".pyais")
    with open(path, "rb") as src, open(sub, "wb") as dst:
        dst.write(src.read(size).rsplit(b"\n", 1)[0] + b"\n")
    n = 0
    w0, c0 = time.perf_counter(), time.process_time()
    for msg in FileReaderStream(str(sub)):
        try:
            decoded = msg.decode()
            if asdict:
                decoded.asdict()
        except Exception:  # the messages we skip/reject too: pyais raises on them
            continue
        n += 1
    w, c = time.perf_counter() - w0, time.process_time() - c0
    sub.unlink()
    return n, w, c


def bench_decode(path: Path) -> tuple[int, int, float, float]:
    """Our decoder alone: (messages, rows, wall s, cpu s)."""
    from sanctionwatch.ais.nmea import NmeaDecoder

    w0, c0 = time.perf_counter(), time.process_time()
    dec = NmeaDecoder(path.name)
    msgs = rows = 0
    tail = b""
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            block = tail + block
            cut = block.rfind(b"\n") + 1
            tail = block[cut:]
            b = dec.feed(block[:cut])
            msgs += b.messages
            rows += b.positions.num_rows + b.reports.num_rows
    b = dec.finish() if not tail else (dec.feed(tail), dec.finish())[1]
    return msgs, rows, time.perf_counter() - w0, time.process_time() - c0


def bench_ingest(path: Path, tmp: Path) -> tuple[int, float, float]:
    """End to end: sanctionwatch.ais.ingest.ingest into a fresh store: (messages, wall s, cpu s)."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.store.layout import Store

    root = tmp / "store"
    shutil.rmtree(root, ignore_errors=True)
    w0, c0 = time.perf_counter(), time.process_time()
    reports = ingest(Store(root), [str(path)], chunk_bytes=CHUNK)
    w, c = time.perf_counter() - w0, time.process_time() - c0
    return sum(r["messages"] for r in reports), w, c


def bench_cli(path: Path, tmp: Path) -> tuple[int, float, float]:
    """The whole `sanctionwatch ingest` process into a fresh store: (messages, wall s, cpu s of the child)."""
    root = tmp / "store_cli"
    shutil.rmtree(root, ignore_errors=True)
    exe = Path(sys.executable).with_name("sanctionwatch")
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    out = subprocess.run([str(exe), "-q", "ingest", str(path), "--store", str(root), "--json"],
                         capture_output=True, text=True, check=True)
    w = time.perf_counter() - w0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    shutil.rmtree(root, ignore_errors=True)
    return sum(r["messages"] for r in json.loads(out.stdout)), w, c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1500000", help="sentences per input (comma-separated; >= 1.4M for the headline)")
    ap.add_argument("--pyais-copies", type=int, default=4, help="copies of the sample pyais decodes")
    ap.add_argument("--tmp", default=None, help="scratch directory (default: a temp dir)")
    args = ap.parse_args()

    from sanctionwatch.ais.nmea import NmeaDecoder

    with gzip.open(SAMPLE) as fh:
        NmeaDecoder("warmup").feed(fh.read()[:200_000])  # load the compiled kernels (numba cache)
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="bench_decode_"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        py_rate = None
        for size in (int(s) for s in args.sizes.split(",")):
            path = tmp / f"dma_x{size}.nmea"
            n_sent, copies = make_input(path, size)
            mb = path.stat().st_size / 1e6
            print(f"\n== {n_sent:,} sentences ({copies} copies of the DMA sample, {mb:,.0f} MB)")
            if py_rate is None:
                k = min(args.pyais_copies, copies)
                pn, pw, pc = bench_pyais(path, k, copies, asdict=False)
                py_rate, py_cpu = pn / pw, pn / pc
                an, aw, ac = bench_pyais(path, k, copies, asdict=True)
                print(f"REFERENCE pyais decode()  : {pn:>10,} msgs  {pw:7.2f} s wall  {pc:7.2f} s cpu  "
                      f"{pn / pw:>12,.0f} msg/s wall  {pn / pc:>12,.0f} msg/s cpu  (framing+assembly+decode, "
                      f"{k} copies)")
                print(f"  (pyais decode+asdict    : {an:>10,} msgs  {aw:7.2f} s wall  {ac:7.2f} s cpu  "
                      f"{an / aw:>12,.0f} msg/s wall  {an / ac:>12,.0f} msg/s cpu  -- not the reference)")
            m3, w3, c3 = bench_cli(path, tmp)
            print(f"HEADLINE ours, CLI process: {m3:>10,} msgs  {w3:7.2f} s wall  {c3:7.2f} s cpu  "
                  f"{m3 / w3:>12,.0f} msg/s wall  {m3 / c3:>12,.0f} msg/s cpu  "
                  f"x{(m3 / w3) / py_rate:.2f} wall, x{(m3 / c3) / py_cpu:.2f} cpu vs pyais decode()")
            m2, w2, c2 = bench_ingest(path, tmp)
            print(f"ours, ingest() in Python  : {m2:>10,} msgs  {w2:7.2f} s wall  {c2:7.2f} s cpu  "
                  f"{m2 / w2:>12,.0f} msg/s wall  {m2 / c2:>12,.0f} msg/s cpu  "
                  f"x{(m2 / w2) / py_rate:.2f} wall, x{(m2 / c2) / py_cpu:.2f} cpu vs pyais decode()")
            m, rows, w, c = bench_decode(path)
            print(f"ours, decode alone        : {m:>10,} msgs  {w:7.2f} s wall  {c:7.2f} s cpu  "
                  f"{m / w:>12,.0f} msg/s wall  {m / c:>12,.0f} msg/s cpu  ({rows:,} rows)  "
                  f"x{(m / w) / py_rate:.2f} wall, x{(m / c) / py_cpu:.2f} cpu vs pyais decode()")
            path.unlink()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\npeak RSS: this process {rss:,.0f} MiB, the CLI process {kids:,.0f} MiB (64 MiB chunks)")
    finally:
        if args.tmp is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
