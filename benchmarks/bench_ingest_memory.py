"""Peak RSS of `sanctionwatch ingest` vs input size: memory must stay flat (chunked streaming), not grow with size.

Generates big inputs by repeating a real sample with shifted time, ingests each in a fresh subprocess and
reports the child's peak RSS (getrusage ru_maxrss) and throughput. The reference is a naive whole-file load
(polars.read_csv for CSV, read().splitlines() for NMEA: a lower bound for any in-memory decoder), measured
in the same run on the sizes small enough to be safe on this machine.

    .venv/bin/python benchmarks/bench_ingest_memory.py --format csv --sizes-gb 0.25,1,2.5
    .venv/bin/python benchmarks/bench_ingest_memory.py --format nmea --sizes-gb 0.25,1,2.5
    .venv/bin/python benchmarks/bench_ingest_memory.py --format junk,noline,gzbomb --sizes-gb 0.0625,0.25

Hostile inputs (issue 19), generated, no sample needed: junk = `x\n` lines (every line a reject); noline = one
line with no newline at all; gzbomb = the newline-free input gzip-compressed (1 GiB inflates from ~1 MB). Their
size is the decompressed size; the reference column is left out for them (it is the memory bomb itself).

Inputs (real samples, ../shared/data/ais): csv = NYHarbor_2020_06_30_first_hour.csv (MarineCadastre), time
shifted by one hour per repetition; nmea = the `!..VDM` lines of exact-earth-augmented-3.txt (each carries a
trailing epoch in ms), epoch shifted by the sample's span per repetition ($PGHP lines dropped so the only
time is the shifted one).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ais"
GB = 1024**3


def make_csv(dest: Path, size: int) -> int:
    """MarineCadastre CSV of about `size` bytes: the NY Harbor hour repeated, +1 h per repetition."""
    base = pl.read_csv(DATA / "NYHarbor_2020_06_30_first_hour.csv", infer_schema=False)
    t0 = base["BaseDateTime"].str.to_datetime("%Y-%m-%dT%H:%M:%S")
    rows = 0
    with open(dest, "wb") as fh:
        k = 0
        while fh.tell() < size:
            rep = base.with_columns((t0 + pl.duration(hours=k)).dt.strftime("%Y-%m-%dT%H:%M:%S").alias("BaseDateTime"))
            rep.write_csv(fh, include_header=(k == 0))
            rows += rep.height
            k += 1
    return rows


def make_nmea(dest: Path, size: int) -> int:
    """NMEA of about `size` bytes: exact-earth `!..VDM` lines repeated, trailing epoch (ms) shifted each time."""
    lines = [ln for ln in (DATA / "exact-earth-augmented-3.txt").read_bytes().splitlines() if ln.startswith(b"!")]
    epochs = np.array([int(ln.rsplit(b",", 1)[1]) for ln in lines], dtype=np.int64)
    assert all(len(ln.rsplit(b",", 1)[1]) == 13 for ln in lines)
    template = np.frombuffer(b"".join(ln + b"\n" for ln in lines), dtype=np.uint8).copy()
    ends = np.cumsum([len(ln) + 1 for ln in lines]) - 1  # newline positions
    digit_pos = ends[:, None] - 13 + np.arange(13)[None, :]
    span = int(epochs.max() - epochs.min()) + 1000
    powers = 10 ** np.arange(12, -1, -1, dtype=np.int64)
    n = 0
    with open(dest, "wb") as fh:
        k = 0
        while fh.tell() < size:
            shifted = epochs + k * span
            template[digit_pos] = (48 + (shifted[:, None] // powers) % 10).astype(np.uint8)
            fh.write(template.tobytes())
            n += len(lines)
            k += 1
    return n


BLOCK = 1 << 20


def make_junk(dest: Path, size: int) -> int:
    """`x\\n` lines up to `size` bytes: the reject-heavy input that once peaked at 2.4 GB for 16 MiB."""
    block = b"x\n" * (BLOCK // 2)
    with open(dest, "wb") as fh:
        for _ in range(max(1, size // BLOCK)):
            fh.write(block)
    return max(1, size // BLOCK) * (BLOCK // 2)


def make_noline(dest: Path, size: int) -> int:
    """`size` bytes without a single newline: one endless line."""
    block = b"x" * BLOCK
    with open(dest, "wb") as fh:
        for _ in range(max(1, size // BLOCK)):
            fh.write(block)
    return 1


def make_gzbomb(dest: Path, size: int) -> int:
    """The newline-free input, gzip-compressed: a tiny file that inflates to `size` bytes."""
    block = b"x" * BLOCK
    with gzip.open(dest, "wb", compresslevel=9) as fh:
        for _ in range(max(1, size // BLOCK)):
            fh.write(block)
    return 1


MAKERS = {"csv": make_csv, "nmea": make_nmea, "junk": make_junk, "noline": make_noline, "gzbomb": make_gzbomb}
SUFFIX = {"csv": "csv", "nmea": "nmea", "junk": "nmea", "noline": "nmea", "gzbomb": "nmea.gz"}

CHILD = """
import json, resource, sys, time
from sanctionwatch.ais.ingest import ingest
from sanctionwatch.store import Store
t = time.perf_counter()
reps = ingest(Store(sys.argv[1]), [sys.argv[2]], chunk_bytes=int(sys.argv[3]) or None)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "peak_rss_kb": ru.ru_maxrss, "cpu_s": ru.ru_utime + ru.ru_stime,
                  "positions": sum(r.get("positions", 0) for r in reps), "rejected": [r.get("rejected") for r in reps]}))
"""

REFERENCE = """
import json, resource, sys, time
t = time.perf_counter()
if sys.argv[2] == "csv":
    import polars as pl
    n = pl.read_csv(sys.argv[1], infer_schema=False).height
else:
    with open(sys.argv[1], "rb") as fh:
        n = len(fh.read().splitlines())
print(json.dumps({"seconds": time.perf_counter() - t, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rows": n}))
"""


def run(code: str, *args: str) -> dict:
    """Run code in a fresh Python process and return its JSON result line."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Generate each size, ingest it in a child process, print RSS and throughput."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--format", default="csv", help="comma-separated: " + ", ".join(MAKERS))
    ap.add_argument("--sizes-gb", default="0.25,1,2.5")
    ap.add_argument("--chunk-bytes", type=int, default=0, help="0 = the ingest_chunk_bytes setting")
    ap.add_argument("--reference-max-gb", type=float, default=1.0,
                    help="run the whole-file reference only up to this size (it needs several x the file in RAM)")
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="sw-bench-mem-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"formats={args.format} chunk_bytes={args.chunk_bytes or 'setting'} workdir={work}")
    # CPU seconds (user+sys, includes imports) are reported next to wall time: the machine is shared, and
    # wall-clock throughput there says more about the neighbours than about the code.
    print(f"{'format':>6} {'size GB':>8} {'rows':>12} {'gen s':>6} {'ingest s':>9} {'cpu s':>7} {'MB/s':>7} {'MB/cpu-s':>8} "
          f"{'peak RSS MB':>12} {'ref RSS MB':>11} {'ref/ours':>8}")
    formats = args.format.split(",")
    unknown = [f for f in formats if f not in MAKERS]
    if unknown:
        raise SystemExit(f"unknown --format {unknown}; choose from {list(MAKERS)}")
    try:
        for fmt, size_gb in ((f, float(s)) for f in formats for s in args.sizes_gb.split(",")):
            src = work / f"input-{size_gb}.{SUFFIX[fmt]}"
            t = time.perf_counter()
            rows = MAKERS[fmt](src, int(size_gb * GB))
            gen = time.perf_counter() - t
            real = int(size_gb * GB) if fmt == "gzbomb" else src.stat().st_size
            store = work / f"store-{size_gb}"
            res = run(CHILD, str(store), str(src), str(args.chunk_bytes))
            hostile = fmt not in ("csv", "nmea")
            ref = run(REFERENCE, str(src), fmt) if size_gb <= args.reference_max_gb and not hostile else None
            rss = res["peak_rss_kb"] / 1024
            ref_rss = f"{ref['peak_rss_kb'] / 1024:11.0f}" if ref else f"{'-':>11}"
            ratio = f"{ref['peak_rss_kb'] / res['peak_rss_kb']:8.2f}" if ref else f"{'-':>8}"
            print(f"{fmt:>6} {real / GB:8.2f} {rows:12,} {gen:6.1f} {res['seconds']:9.1f} {res['cpu_s']:7.1f} "
                  f"{real / 1e6 / res['seconds']:7.1f} {real / 1e6 / res['cpu_s']:8.1f} "
                  f"{rss:12.0f} {ref_rss} {ratio}   positions={res['positions']:,} rejected={res['rejected']}",
                  flush=True)
            src.unlink()
            shutil.rmtree(store, ignore_errors=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
