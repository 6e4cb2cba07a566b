"""Our matcher against the anchor, nomenklatura's logic-v1, on the same candidate pairs (fast subset).

Same harness as benchmarks/bench_screen_vs_logicv1.py (full numbers in docs/screening.md): 300 sampled alias
queries, every real AIS ship a listed strong id pins, every other real AIS vessel as a negative.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("nomenklatura")

_BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_screen_vs_logicv1.py"


@pytest.fixture(scope="module")
def result(built, shared_data):
    spec = importlib.util.spec_from_file_location("bench_screen_vs_logicv1", _BENCH)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    index, merged = built
    return bench.run(index, merged, bench.ais_vessels(shared_data / "ais"), limit=300, seed=7)


def test_recall_on_designated_is_one(result):
    ours = result["default"]["ours"]
    assert result["queries"]["real"] >= 30  # TERIBERKA, ANATOLY KOLODKIN, LIGOVSKY PROSPECT, NS LEADER, ...
    assert ours["recall_real"] == 1.0 and ours["recall_alias"] == 1.0


def test_at_least_as_precise_as_logic_v1_at_equal_recall(result):
    v1 = result["default"]["logic_v1"]
    ours = result["default"]["ours"]
    assert ours["recall"] >= v1["recall"]
    assert ours["precision"] >= v1["precision"] and ours["alert_rate_negatives"] <= v1["alert_rate_negatives"]
    for row in result["equal_recall"]:
        if row["ours"] and row["logic_v1"]:
            assert row["ours"]["precision"] >= row["logic_v1"]["precision"], row
            assert row["ours"]["alert_rate_negatives"] <= row["logic_v1"]["alert_rate_negatives"], row


def test_screening_20000_vessels_is_fast(built, shared_data, result):
    """Vectorised: the whole real AIS vessel set (~10,000 MMSIs) screens in seconds (bench: 20,000)."""
    assert result["seconds"]["ours"] < 10
