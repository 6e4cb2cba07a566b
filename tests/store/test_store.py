"""Store basics: schema conformance, day partitions, atomic publish, idempotent re-publish, DuckDB views."""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest

from sanctionwatch.store import Store, connect
from sanctionwatch.store.events import event_id, events_table, write_events
from sanctionwatch.store.files import atomic_open
from sanctionwatch.store.schemas import arrow_schema, conform, markdown


def _positions(n: int, day: int) -> pa.Table:
    ts = [datetime(2017, 10, day, 23, 59, 50, tzinfo=UTC).timestamp() * 1000 + i * 5000 for i in range(n)]
    return pa.table({
        "ts": pa.array(ts, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "mmsi": pa.array([445000001] * n, pa.int32()),
        "lat": [42.2] * n, "lon": [130.3] * n, "msg_type": pa.array([1] * n, pa.int8()),
    })


def test_conform_fills_nullable_and_rejects_missing_required():
    t = conform(_positions(3, 1), "positions")
    assert t.schema == arrow_schema("positions")
    assert t.column("sog").null_count == 3
    with pytest.raises(ValueError, match="mmsi"):
        conform(pa.table({"ts": _positions(1, 1).column("ts")}), "positions")


def test_stage_publish_split_by_day_and_idempotent(tmp_path):
    st = Store(tmp_path)
    t = _positions(4, 1)  # 23:59:50 + 0,5,10,15 s: two rows on Oct 1, two on Oct 2
    st.stage_day_partitions("positions", t, "abc", 0)
    con = connect(st)
    assert con.execute("select count(*) from positions").fetchone()[0] == 0, "staged rows must be invisible"
    st.publish_import("abc", {"import_id": "abc"})
    for _ in range(2):  # publishing the same import again replaces, never duplicates
        con = connect(st)
        rows = con.execute("select day, count(*) from positions group by day order by day").fetchall()
        assert [(str(d), n) for d, n in rows] == [("2017-10-01", 2), ("2017-10-02", 2)]
        st.stage_day_partitions("positions", t, "abc", 0)
        st.publish_import("abc", {"import_id": "abc"})
    assert st.import_record("abc")["import_id"] == "abc"
    assert not (tmp_path / "_staging" / "abc").exists()


def test_atomic_open_keeps_old_file_on_error(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("good")
    with pytest.raises(RuntimeError), atomic_open(dest) as fh:
        fh.write("half")
        raise RuntimeError("interrupted")
    assert dest.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_empty_store_has_typed_views(tmp_path):
    con = connect(Store(tmp_path))
    for table in ("positions", "vessel_reports", "events", "trade_flows"):
        cols = [d[0] for d in con.execute(f"select * from {table}").description]
        assert cols == arrow_schema(table).names


def test_events_roundtrip_and_stable_ids(tmp_path):
    st = Store(tmp_path)
    start = datetime(2017, 10, 1, 9, 7, 51, tzinfo=UTC)
    eid = event_id("routing_change", start, subject="AS131279")
    assert eid == event_id("routing_change", start, subject="AS131279")
    assert eid != event_id("routing_change", start, subject="AS4837")
    write_events(st, "bgp", events_table([{"event_id": eid, "type": "routing_change", "start": start, "end": start,
                                           "subject": "AS131279", "evidence": "{}"}]))
    got = connect(st).execute("select event_id, producer from events").fetchall()
    assert got == [(eid, "bgp")]


def test_schema_doc_is_current():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "schemas.md"
    assert doc.read_text().strip() == markdown().strip(), "regenerate: python -m sanctionwatch.store.schemas"


def test_atomic_outputs_get_normal_permissions(tmp_path):
    from sanctionwatch.store.files import write_text_atomic

    p = write_text_atomic(tmp_path / "x.txt", "hi")
    assert p.stat().st_mode & 0o777 == 0o644
