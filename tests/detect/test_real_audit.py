"""Real-traffic audit: every real AIS file in ../shared/data/ais in one store; invariants that must hold on any data.

- no event other than a gap spans a silence > track.max_silence_h in its vessel's observations;
- no port call / loitering / encounter longer than the observations bounding it (its segment);
- no behaviour event on a placeholder/invalid MMSI (detect/quality.py), and those are counted;
- every gap's `dark` agrees with its class, and no gap is claimed where the store had no data.
"""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from sanctionwatch.detect.params import DEFAULT
from sanctionwatch.detect.quality import mmsi_problem
from sanctionwatch.store import Store, connect

MAX_MS = DEFAULT.track.max_silence_h * 3_600_000


@pytest.fixture(scope="module")
def real(shared_data, tmp_path_factory):
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines.embedded import run

    st = Store(tmp_path_factory.mktemp("real") / "store")
    files = sorted(str(p) for p in (shared_data / "ais").iterdir() if p.name != "PROVENANCE.md")
    ingest(st, files)
    report = run(st)
    con = connect(st)
    ev = pl.from_arrow(con.sql("SELECT * FROM events").arrow())
    pos = pl.from_arrow(con.sql("SELECT mmsi, ts, lat, lon FROM positions WHERE lat IS NOT NULL").arrow())
    con.close()
    return ev, pos.with_columns(pl.col("ts").dt.epoch("ms").alias("t")).sort("mmsi", "t"), report


def _longest_silence(pos: pl.DataFrame, mmsi: int, t0: int, t1: int) -> float:
    """Longest time (ms) without a fix of `mmsi` inside [t0, t1]."""
    t = pos.filter(pl.col("mmsi") == mmsi)["t"].to_numpy()
    inside = t[(t >= t0) & (t <= t1)]
    if inside.size == 0:
        return float(t1 - t0)
    return float(np.diff(np.r_[t0, inside, t1]).max())


def test_ingested_every_file(real):
    _, pos, report = real
    assert pos.height > 60_000 and report["events"] > 0


def test_no_event_spans_a_segment_break(real):
    ev, pos, _ = real
    bad = []
    for r in ev.filter(pl.col("type") != "gap").iter_rows(named=True):
        t0, t1 = int(r["start"].timestamp() * 1000), int(r["end"].timestamp() * 1000)
        for m in (r["mmsi"], r["other_mmsi"]):
            if m is not None and r["type"] not in ("identity_change", "destination_mismatch") \
                    and _longest_silence(pos, m, t0, t1) > MAX_MS:
                bad.append((r["type"], m, r["start"], r["end"]))
    assert bad == []


def test_stays_are_bounded(real):
    ev, _, _ = real
    bound_h = {"port_call": 24 * 30, "loitering": 24 * 30, "encounter": 24 * 7}  # far above any file's span
    for t, h in bound_h.items():
        got = ev.filter((pl.col("type") == t) & ((pl.col("end") - pl.col("start")).dt.total_hours() > h))
        assert got.is_empty(), (t, got.select("mmsi", "start", "end"))


def test_no_behaviour_on_placeholder_mmsis(real):
    ev, _, report = real
    for col in ("mmsi", "other_mmsi"):
        flagged = ev.filter(pl.col(col).is_not_null()).with_columns(mmsi_problem(col).alias("why")) \
            .filter(pl.col("why").is_not_null())
        assert flagged.is_empty(), flagged.select("type", col, "why")
    dq = report["data_quality"]["invalid_mmsi"]["positions"]
    assert dq["placeholder"] > 0 and any("mmsi 123456789" in s or "(placeholder)" in s for s in dq["samples"])


def test_gap_dark_consistent_with_class(real):
    ev, _, report = real
    for r in ev.filter(pl.col("type") == "gap").iter_rows(named=True):
        e = json.loads(r["evidence"])
        c = e["gap_class"]
        assert e["dark"] == (c["start"] == "at_sea" and c["coverage"] == "received_nearby"), e
        assert c["coverage"] != "no_data"
        assert e["coverage"]["hours_with_any_data_share"] >= DEFAULT.gap.min_data_share
        if c["end"] == "open":
            assert "not seen since" in e["rule"]
    assert report["not_reported_explained"]["gap_no_data"] > 0  # the 2012 -> 2025 silences between files
