"""Screening benchmark: index build, batch name screening, whole-store screening, vs brute-force rapidfuzz.

    .venv/bin/python benchmarks/bench_screen.py --names 50000 --positions 10_000_000 --vessels 20000

1. Index build: load every list in the catalogue (all shipped snapshots) + build + atomic write.
2. Batch screening: AIS-like vessel names (real Digitraffic/NOAA names plus listed vessel names with
   spacing/`NO.`/romanisation edits, to `--names` distinct strings) against the vessel list, and general
   names (list aliases of all schemas, edited the same way) against every entry. Reference in the same
   run: rapidfuzz `process.cdist` over all pairs (names x list, what blocking avoids) on a sample, scaled.
0. Scorecard: recall/false-positive table per threshold (see lists/scorecard.py).
3. Store: a synthetic store with `--positions` rows in positions and one static report per 50 positions
   in vessel_reports over `--vessels` distinct vessels; `screen_store` end to end (DuckDB distinct + screen).
CPU time is printed beside wall time because the shared benchmark machine may be loaded.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
from rapidfuzz import fuzz, process

from sanctionwatch.lists.index import build_index, write_index
from sanctionwatch.lists.match import match_names
from sanctionwatch.lists.normalize import name_forms
from sanctionwatch.lists.params import ScreenParams
from sanctionwatch.lists.scorecard import ais_hit_rate, ais_names, alias_recall, variant_recall
from sanctionwatch.lists.screen import screen_store
from sanctionwatch.lists.sources import SOURCES, load_source
from sanctionwatch.store import Store
from sanctionwatch.store.files import write_parquet_atomic
from sanctionwatch.store.schemas import conform

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def _timed(fn):
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def _edits(names: list[str], n: int, rng: np.random.Generator) -> list[str]:
    """Up to n distinct variants: spaces removed, `NO.` before numbers, K->G, one letter dropped."""
    out = set(names)
    ops = [lambda s: s.replace(" ", ""), lambda s: s.replace(" 1", " NO.1").replace(" 2", " NO.2"),
           lambda s: s.replace("K", "G"), lambda s: s[: len(s) // 2] + s[len(s) // 2 + 1:] if len(s) > 8 else s,
           lambda s: s.title().replace(" ", "_")]
    i = 0
    while len(out) < n and i < 20 * n:
        s = names[int(rng.integers(len(names)))]
        for k in rng.choice(len(ops), size=int(rng.integers(1, 3)), replace=False):
            s = ops[int(k)](s)
        out.add(s)
        i += 1
    return sorted(out)[:n]


def bench_build() -> None:
    loaded, wall_l, cpu_l = _timed(lambda: [load_source(s) for s in SOURCES.values()])
    (index, merged), wall_b, cpu_b = _timed(lambda: build_index(loaded))
    with tempfile.TemporaryDirectory() as d:
        _, wall_w, cpu_w = _timed(lambda: write_index(index, merged, Store(d)))
    print(f"index build, all {len(loaded)} shipped lists: {index.entries.height:,} entries, "
          f"{index.names.height:,} names | load {wall_l:.2f}s, build {wall_b:.2f}s, write {wall_w:.2f}s "
          f"(total wall {wall_l + wall_b + wall_w:.2f}s, cpu {cpu_l + cpu_b + cpu_w:.2f}s)")


def bench_batch(index, n: int, rng: np.random.Generator) -> None:
    p = ScreenParams()
    ais = ais_names(SHARED)
    ais_list = [x for df in ais.values() for x in df["name"].drop_nulls().to_list()]
    vessel_list = index.names.filter(pl.col("schema") == "Vessel")["name"].to_list()
    all_list = index.names["name"].to_list()
    for label, base, schemas, choices in [
        ("vessel names vs vessels", ais_list + vessel_list, p.vessel_name_schemas, vessel_list),
        ("any names vs all entries", all_list, None, all_list),
    ]:
        qs = _edits(base, n, rng)
        q = pl.DataFrame({"query_id": range(len(qs)), "name": qs}, schema={"query_id": pl.Int64, "name": pl.Utf8})
        index.cache.clear()
        _, wall_c, _ = _timed(lambda s=schemas, q=q: match_names(q.head(10), index, p, s))  # blocking tables
        m, wall, cpu = _timed(lambda s=schemas, q=q: match_names(q, index, p, s))
        # Reference: brute force over all pairs on the same normalised keys, a sample scaled to n.
        k = min(len(qs), 2000)
        qk = name_forms(pl.Series(qs[:k]))["key"].to_list()
        ck = name_forms(pl.Series(choices))["key"].to_list()
        _, wall_r, _ = _timed(lambda qk=qk, ck=ck: process.cdist(qk, ck, scorer=fuzz.ratio, workers=-1,
                                                                  score_cutoff=90, dtype=np.uint8))
        ref_rate = k / wall_r
        print(f"batch {label}: {len(qs):,} names x {len(choices):,} list names -> {m.height:,} matches in "
              f"{wall:.2f}s wall / {cpu:.2f}s cpu = {len(qs) / wall:,.0f} names/s (blocking tables {wall_c:.2f}s "
              f"once) | brute-force cdist reference {ref_rate:,.0f} names/s (sample {k:,}, {wall_r:.2f}s, "
              f"one scorer) | ratio {len(qs) / wall / ref_rate:.1f}x")


def bench_store(index, positions: int, vessels: int, rng: np.random.Generator) -> None:
    names = [x for df in ais_names(SHARED).values() for x in df["name"].drop_nulls().to_list()]
    names += index.names.filter(pl.col("schema") == "Vessel")["name"].to_list()
    listed_imos = [int(x) for x in index.idents.filter(pl.col("kind") == "imo")["value"].to_list()]
    with tempfile.TemporaryDirectory() as d:
        store = Store(d)
        t0 = datetime(2024, 1, 1, tzinfo=UTC)
        mmsi = rng.integers(200_000_000, 775_999_999, size=vessels, dtype=np.int64).astype(np.int32)
        chunk = 2_000_000
        start = time.perf_counter()
        for c in range(0, positions, chunk):
            m = min(chunk, positions - c)
            ts = pa.array(np.datetime64(t0.replace(tzinfo=None), "ms") + np.arange(c, c + m).astype("timedelta64[ms]"),
                          pa.timestamp("ms", tz="UTC"))
            t = pa.table({"ts": ts, "mmsi": mmsi[rng.integers(0, vessels, m)],
                          "lat": rng.uniform(-60, 60, m), "lon": rng.uniform(-180, 180, m),
                          "msg_type": pa.array(np.ones(m, np.int8))})
            write_parquet_atomic(conform(t, "positions"), store.table_dir("positions") / "day=2024-01-01" /
                                 f"bench-{c // chunk:05d}.parquet")
        r = positions // 50
        vi = rng.integers(0, vessels, r)
        vnames = np.array([names[int(i)] for i in rng.integers(0, len(names), vessels)], dtype=object)
        vimo = np.array([listed_imos[int(i)] if i < len(listed_imos) and rng.random() < 0.02 else None
                         for i in rng.integers(0, len(listed_imos) * 2, vessels)], dtype=object)
        t = pa.table({"ts": pa.array(np.full(r, np.datetime64("2024-01-01T00:00:00", "ms")),
                                     pa.timestamp("ms", tz="UTC")),
                      "mmsi": mmsi[vi], "msg_type": pa.array(np.full(r, 5, np.int8)),
                      "imo": pa.array(list(vimo[vi]), pa.int32()), "name": pa.array(list(vnames[vi]), pa.string())})
        write_parquet_atomic(conform(t, "vessel_reports"), store.table_dir("vessel_reports") / "day=2024-01-01" /
                             "bench-00000.parquet")
        print(f"store: {positions:,} positions, {r:,} vessel reports, {vessels:,} vessels written in "
              f"{time.perf_counter() - start:.1f}s")
        index.cache.clear()
        m, wall, cpu = _timed(lambda: screen_store(store, index))
        print(f"screen --store: {m['mmsi'].n_unique():,} vessels with hits, {m.height:,} matches in {wall:.2f}s "
              f"wall / {cpu:.2f}s cpu (includes DuckDB distinct over vessel_reports)")


def scorecard(index, thresholds: list[float]) -> None:
    """Recall on the lists' own names and variants, AIS name-hit rates, per threshold (docs/screening.md)."""
    ais = ais_names(SHARED)
    print("| threshold | alias recall | no_spaces | no_before_number | underscore_mixed_case | revised_romanisation"
          " | NOAA hit rate (fuzzy-only) | Digitraffic hit rate (exact / fuzzy-only) |")
    print("|---|---|---|---|---|---|---|---|")
    for th in thresholds:
        p = ScreenParams(threshold=th)
        a = alias_recall(index, p)
        v = variant_recall(index, p)
        r = {k: ais_hit_rate(df, index, p) for k, df in ais.items()}
        n, d = r["noaa_nyharbor_2020"], r["digitraffic_2025"]
        cells = [f"{a['recall']:.4f} ({a['found']}/{a['queries']})"] + [
            f"{x['recall']:.4f} ({x['found']}/{x['queries']})" for x in v.values()]
        print(f"| {th:.2f} | " + " | ".join(cells) +
              f" | {n['hit_rate']:.2%} of {n['names']} ({n['fuzzy_only_hits']}) | {d['hit_rate']:.2%} of "
              f"{d['names']} ({d['exact_name_hits']} / {d['fuzzy_only_hits']} = {d['fuzzy_only_rate']:.2%}) |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=50_000)
    ap.add_argument("--positions", type=int, default=10_000_000)
    ap.add_argument("--vessels", type=int, default=20_000)
    ap.add_argument("--scorecard-only", action="store_true", help="Only print the quality scorecard.")
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    index, _ = build_index([load_source(s) for s in SOURCES.values() if s.default])
    scorecard(index, [0.85, 0.88, 0.90, 0.92, 0.95])
    if args.scorecard_only:
        return
    bench_build()
    bench_batch(index, args.names, rng)
    bench_store(index, args.positions, args.vessels, rng)


if __name__ == "__main__":
    main()
