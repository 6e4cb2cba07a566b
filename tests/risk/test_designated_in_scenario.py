"""End to end on the sea-of-japan scenario: the designated tanker (TONG SAN 2, IMO 8937675) sails an
honest-looking track, yet ranks first (band designated) through its list hit, and says so; the other
places of the top 10 go to vessels with labelled suspicious behaviour."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.ais.ingest import ingest
from sanctionwatch.engines import embedded
from sanctionwatch.risk.run import compute_risk, list_hits
from sanctionwatch.simulate import run as simulate
from sanctionwatch.store import Store
from tests.risk.test_story_ranking import story_vessels


@pytest.mark.slow
def test_designated_vessel_with_clean_track_ranks_high(tmp_path, shared_data, shipped_index):
    summary = simulate("sea-of-japan", tmp_path / "scen", seed=5, days=3)
    labels = [json.loads(x) for x in (tmp_path / "scen" / "labels.jsonl").read_text().splitlines()]
    st = Store(tmp_path / "store")
    ingest(st, [str(tmp_path / "scen" / summary["files"]["nmea"])])
    embedded.run(st)
    res = compute_risk(st, hits=list_hits(st, shipped_index))
    hits = res.hits.filter(pl.col("imo") == 8937675)
    assert hits.height >= 1 and set(hits["field"]) >= {"imo"}
    mmsi = int(hits["mmsi"][0])
    # no behaviour was injected for it: only port calls in its labels
    assert {x["type"] for x in labels if x["mmsi"] == mmsi and not x.get("control")} <= {"port_call"}
    ranked = res.ranked["mmsi"].to_list()
    assert ranked[0] == mmsi and res.ranked["band"][0] == "designated", "a designation dominates"
    assert "TONG SAN 2" in res.ranked["band_reason"][0].upper()
    # the rest of the top 10: vessels with labelled suspicious behaviour (the demo's story), no controls
    story = story_vessels(labels)
    assert [m for m in ranked[1:10] if m not in story] == []
    mine = res.contributions.filter(pl.col("mmsi") == mmsi)
    assert "list_hit_strong" in set(mine["signal"])
    assert any("TONG SAN 2" in r.upper() for r in mine["reason"])
