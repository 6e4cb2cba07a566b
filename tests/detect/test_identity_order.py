"""Identity changes do not depend on the order static reports arrive in (Spark partitions shuffle them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from sanctionwatch.detect.identity import identity_changes


def _reports() -> pl.DataFrame:
    t0 = datetime(2017, 10, 1, tzinfo=UTC)
    rows = []
    # IMO 9000003 (valid check digit) sails as MMSI 1 "ALPHA" then MMSI 2 "BRAVO"; several receptions share a timestamp
    for i in range(12):
        for src in ("a.nmea", "b.nmea"):
            mmsi, name = (273000001, "ALPHA") if i < 6 else (667000002, "BRAVO")
            rows.append({"ts": t0 + timedelta(hours=i), "mmsi": mmsi, "imo": 9000003, "name": name,
                         "callsign": "UBX" if i < 6 else "9LX", "source": src, "src_line": i + 1})
    return pl.DataFrame(rows)


def test_identity_events_are_order_independent():
    df = _reports()
    base = sorted((e["event_id"], e["evidence"]) for e in identity_changes(df))
    assert base, "the MMSI/name/call sign change must be found"
    for seed in range(5):
        shuffled = df.sample(fraction=1.0, shuffle=True, seed=seed)
        assert sorted((e["event_id"], e["evidence"]) for e in identity_changes(shuffled)) == base
