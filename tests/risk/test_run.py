"""Risk over a store with real lists: the vessel whose IMO is designated (KUM UN SAN 3, 8705539) ranks first
on its list hit, and every point is a stored contribution naming its event or list entry."""

from __future__ import annotations

import polars as pl
import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.risk.run import compute_risk
from tests.web.conftest import MMSI


@pytest.fixture(scope="module")
def indexed(store, shipped_lists):
    """The hand-built store with the shipped lists' index written in (as `lists build` does)."""
    from sanctionwatch.lists.index import write_index

    write_index(*shipped_lists, store)
    return store


def test_compute_risk_traces_every_point(indexed):
    store = indexed
    res = compute_risk(store)
    assert res.ranked["mmsi"].to_list() == [MMSI]
    c = res.contributions
    assert c["points"].sum() >= res.ranked["points"][0]  # caps only ever remove points
    strong = c.filter(pl.col("signal") == "list_hit_strong")
    assert strong.height >= 1 and all(r.startswith("imo matches") for r in strong["reason"])
    assert set(strong["ref_id"]) <= set(res.hits["entity_id"])
    port = c.filter(pl.col("signal") == "dprk_port_call")
    assert port["ref_kind"].to_list() == ["event"] and "Rajin" in port["reason"][0]
    for f in ("contributions", "ranked", "list_hits"):
        assert (store.root / "risk" / f"{f}.parquet").exists()


def test_vessel_cli_profile(indexed):
    store = indexed
    compute_risk(store)
    r = CliRunner().invoke(app, ["vessel", "IMO 8705539", "--store", str(store.root), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert '"CHONMASAN"' in r.output and "list_hit_strong" in r.output
    r = CliRunner().invoke(app, ["vessel", "NOBODY", "--store", str(store.root)])
    assert r.exit_code == 2 and "no vessel" in r.output


def test_risk_cli_prints_bands(indexed):
    store = indexed
    r = CliRunner().invoke(app, ["risk", "--store", str(store.root), "--format", "json", "--band", "designated"])
    assert r.exit_code == 0, r.output
    assert '"band": "designated"' in r.output and '"arithmetic"' in r.output
    assert "1 vessels: designated 1, high 0, review 0, low 0" in r.output
    r = CliRunner().invoke(app, ["risk", "--store", str(store.root), "--band", "bogus"])
    assert r.exit_code == 2 and "not one of" in r.output
