"""Port calls on real files, each ingested alone (a call must not depend on what else is in the store):
the DMA five-minute sample (ships at their berths for the whole file) gives no call - it shows presence, not a
stay (the old rule made 717 'open' calls of ~3 min of it); every call on the New York harbour hour either
lasts min_duration_h or was seen arriving and stopped and is still unfinished when its track ends."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.detect.params import DEFAULT


def _calls(shared_data, tmp_path, name: str) -> list[dict]:
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines.embedded import run
    from sanctionwatch.store import Store, connect

    st = Store(tmp_path / "store")
    ingest(st, [str(shared_data / "ais" / name)])
    report = run(st)
    if not report["by_type"].get("port_call"):
        assert report["positions"] > 0
        return []
    ev = pl.from_arrow(connect(st).sql("SELECT * FROM events").arrow())
    return ev.filter(pl.col("type") == "port_call").to_dicts()  # type: ignore[union-attr]


def test_five_minute_sample_has_no_port_calls(shared_data, tmp_path):
    assert _calls(shared_data, tmp_path, "dma_aisabnormal_ais-sample.txt.gz") == []


@pytest.mark.parametrize("name", ["NYHarbor_2020_06_30_first_hour.csv"])
def test_calls_are_long_enough_or_seen_arriving_and_unfinished(shared_data, tmp_path, name):
    calls = _calls(shared_data, tmp_path, name)
    assert calls
    floor_h = DEFAULT.port_call.min_duration_h
    for c in calls:
        e = json.loads(c["evidence"])
        hours = (c["end"] - c["start"]).total_seconds() / 3600
        assert hours >= floor_h or (e["arrival_seen"] and not e["left_seen"]
                                    and e["n_positions"] >= DEFAULT.port_call.min_open_positions), (c["mmsi"], e)
        assert e["min_speed_kn"] <= DEFAULT.port_call.max_stop_speed_kn
