"""Scorecard on simulator scenarios: per type precision and recall >= 0.95, honest controls not flagged."""

from __future__ import annotations

import polars as pl
import pytest

from sanctionwatch.detect.scorecard import load_labels, score
from sanctionwatch.store import Store, connect

SEEDS = (1, 2, 3)
QUIET = ("destination_mismatch", "encounter", "spoofing", "gap", "loitering")  # controls of these must stay silent


@pytest.fixture(scope="module")
def cards(tmp_path_factory):
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines.embedded import run
    from sanctionwatch.simulate import run as simulate

    out = []
    for seed in SEEDS:
        d = tmp_path_factory.mktemp(f"smoke{seed}")
        simulate("smoke", d, seed=seed, csv=False)
        st = Store(d / "store")
        ingest(st, [str(d / "traffic.nmea")])
        run(st)
        ev = pl.from_arrow(connect(st).sql("SELECT * FROM events").arrow())
        out.append(score(ev, load_labels(d / "labels.jsonl")))
    return out


@pytest.mark.slow
def test_precision_recall_per_type(cards):
    types = sorted({t for c in cards for t in c})
    assert {"port_call", "gap", "encounter", "loitering", "destination_mismatch", "identity_change", "spoofing",
            "sanctioned_area"} <= set(types)
    for t in types:
        tp = sum(c[t]["tp"] for c in cards if t in c)
        fp = sum(c[t]["fp"] for c in cards if t in c)
        want = sum(c[t]["labels"] for c in cards if t in c)
        found = want - sum(c[t]["fn"] for c in cards if t in c)
        assert tp + fp > 0 and want > 0, t
        assert tp / (tp + fp) >= 0.95, (t, tp, fp, [c[t]["false_positives"] for c in cards if t in c])
        assert found / want >= 0.95, (t, found, want, [c[t]["missed"] for c in cards if t in c])


@pytest.mark.slow
def test_controls_not_flagged(cards):
    for c in cards:
        for t in QUIET:
            if t in c:
                assert c[t]["controls_flagged"] == [], (t, c[t]["controls_flagged"])
    assert sum(c[t]["controls"] for c in cards for t in QUIET if t in c) >= 10  # the controls exist
