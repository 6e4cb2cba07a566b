"""A small hand-built store: one DPRK-flagged vessel with a wiggly 20k-position track, a gap and a Rajin call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from sanctionwatch.store import Store
from sanctionwatch.store.events import event_id, events_table, write_events

T0 = datetime(2017, 10, 1, tzinfo=UTC)
MMSI = 445123000


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    st = Store(tmp_path_factory.mktemp("store"))
    n = 20_000  # one vessel, 10 s reports for ~2.3 days along a wiggly line
    t = np.arange(n) * 10_000 + int(T0.timestamp() * 1000)
    lon = 129.0 + np.linspace(0, 3, n)
    lat = 41.0 + 0.2 * np.sin(np.linspace(0, 40, n))
    st.stage_day_partitions("positions", pa.table({
        "ts": pa.array(t).cast(pa.timestamp("ms", tz="UTC")), "mmsi": pa.array([MMSI] * n, pa.int32()),
        "lat": lat, "lon": lon, "msg_type": pa.array([1] * n, pa.int8()), "source": ["sim.nmea"] * n,
        "src_line": pa.array(np.arange(n) + 1)}), "imp1", 0)
    st.stage_day_partitions("vessel_reports", pa.table({
        "ts": pa.array([T0, T0 + timedelta(days=1)], pa.timestamp("ms", tz="UTC")),
        "mmsi": pa.array([MMSI, MMSI], pa.int32()), "msg_type": pa.array([5, 5], pa.int8()),
        "imo": pa.array([8705539, 8705539], pa.int32()), "name": ["CHON MA SAN", "CHONMASAN"],
        "destination": ["VLADIVOSTOK", "NAMPO"]}), "imp1", 0)
    st.publish_import("imp1", {"import_id": "imp1"})
    gap_start, gap_end = T0 + timedelta(hours=5), T0 + timedelta(hours=11)
    write_events(st, "maritime", events_table([
        {"event_id": event_id("gap", gap_start, MMSI), "type": "gap", "mmsi": MMSI, "start": gap_start,
         "end": gap_end, "lat": 41.0, "lon": 129.5, "confidence": 0.9, "evidence": '{"gap_h": 6}'},
        {"event_id": event_id("port_call", T0, MMSI), "type": "port_call", "mmsi": MMSI, "start": T0,
         "end": T0 + timedelta(hours=3), "lat": 42.23, "lon": 130.3, "port": "Rajin", "locode": "KPNJN",
         "country": "KP", "confidence": 1.0, "evidence": "{}"},
    ]))
    return st


