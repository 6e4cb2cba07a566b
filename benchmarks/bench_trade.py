"""Benchmark trade: Comtrade CSV reading (vs a csv-module baseline and DuckDB's read_csv in the same run) and
claim checking. Prints numbers only; run from the repo root:

    .venv/bin/python benchmarks/bench_trade.py [--shared ../shared/data] [--copies 20]
"""

from __future__ import annotations

import argparse
import csv
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from sanctionwatch.store import Store
from sanctionwatch.trade.claims import check_claims, load_claims
from sanctionwatch.trade.data import TradeData
from sanctionwatch.trade.load import load_file
from sanctionwatch.trade.readers import read_text

T = TypeVar("T")
DATA = Path(__file__).resolve().parents[1] / "src" / "sanctionwatch" / "data" / "trade"


def baseline_csv(text: str) -> int:
    """Plain csv.DictReader with the same per-row normalisation (flow map, numbers, period split)."""
    flows = {"1": "import", "2": "export", "3": "re-export", "4": "re-import"}
    n = 0
    for r in csv.DictReader(io.StringIO(text)):
        p = r["Period"]
        _ = (int(r["Reporter Code"]), int(r["Partner Code"]), flows.get(r["Trade Flow Code"]), p[:4], p[4:] or None,
             float(r["Trade Value (US$)"] or "nan"), float(r["Netweight (kg)"] or "nan"), r["Commodity Code"])
        n += 1
    return n


def timed(fn: Callable[..., T], *a: Any) -> tuple[T, float]:
    """Result and wall seconds of one call."""
    t = time.perf_counter()
    out = fn(*a)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default="../shared/data")
    ap.add_argument("--copies", type=int, default=20)
    args = ap.parse_args()
    files = sorted((Path(args.shared) / "trade" / "comtrade_legacy").glob("*.csv"))
    header, body = None, []
    for f in files:
        lines = f.read_text(encoding="utf-8-sig").splitlines()
        header = lines[0]
        body += lines[1:]
    text = "\n".join([header or ""] + body * args.copies) + "\n"
    rows = len(body) * args.copies
    mb = len(text.encode()) / 1e6
    res, t_ours = timed(read_text, text, "bench.csv")
    assert res.table.height == rows and not res.rejected
    n, t_base = timed(baseline_csv, text)
    assert n == rows
    tmp = Path("/tmp/sw_bench_trade.csv")
    tmp.write_text(text)
    _, t_duck = timed(lambda: duckdb.sql(f"SELECT count(*) FROM read_csv('{tmp}', all_varchar=true)").fetchall())
    print(f"read {rows:,} Comtrade legacy rows ({mb:.1f} MB, real samples x{args.copies})")
    print(f"  sanctionwatch.trade.readers: {t_ours:.3f} s  {rows / t_ours:,.0f} rows/s  (validated, canonical columns)")
    print(f"  csv.DictReader baseline    : {t_base:.3f} s  {rows / t_base:,.0f} rows/s  -> ours {t_base / t_ours:.1f}x")
    print(f"  duckdb read_csv (raw count): {t_duck:.3f} s  {rows / t_duck:,.0f} rows/s  -> ours {t_duck / t_ours:.2f}x")
    st = Store(Path("/tmp/sw_bench_trade_store"))
    for f in DATA.glob("constructed_*.csv"):
        load_file(st, f)
    claims = load_claims(DATA / "claims_seed.toml")
    data, t_load = timed(TradeData.from_store, st, [643, 408])
    verdicts, t_check = timed(check_claims, data, claims)
    print(f"claims: store -> TradeData {t_load * 1000:.1f} ms; {len(verdicts)} seed claims checked in "
          f"{t_check * 1000:.1f} ms ({t_check / len(verdicts) * 1000:.1f} ms/claim)")


if __name__ == "__main__":
    main()
