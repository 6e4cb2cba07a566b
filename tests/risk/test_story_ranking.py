"""The demo's story vessels rank first: on the smoke scenario (every behaviour and control once, seconds to
simulate) the ten highest-ranked vessels are all vessels with a labelled suspicious behaviour, every vessel
with a detected DPRK port call is in the high band, and no control or background vessel is above low,
although the shipped lists are screened (name noise included)."""

from __future__ import annotations

import json
from collections import defaultdict

import polars as pl
import pytest

from sanctionwatch.ais.ingest import ingest
from sanctionwatch.engines import embedded
from sanctionwatch.risk.run import compute_risk, list_hits
from sanctionwatch.simulate import run as simulate
from sanctionwatch.store import Store


def story_vessels(labels: list[dict]) -> dict[int, set[str]]:
    """MMSI -> labelled suspicious behaviours (not controls; port calls only when in DPRK)."""
    out: dict[int, set[str]] = defaultdict(set)
    for x in labels:
        if not x.get("control") and (x["type"] != "port_call" or (x.get("locode") or "").startswith("KP")):
            out[x["mmsi"]].add(x["type"])
    return out


@pytest.fixture(scope="module")
def smoke(tmp_path_factory, shipped_index):
    tmp = tmp_path_factory.mktemp("smoke")
    summary = simulate("smoke", tmp / "scen", seed=2017, csv=False)
    labels = [json.loads(x) for x in (tmp / "scen" / "labels.jsonl").read_text().splitlines()]
    st = Store(tmp / "store")
    ingest(st, [str(tmp / "scen" / summary["files"]["nmea"])])
    embedded.run(st)
    return compute_risk(st, hits=list_hits(st, shipped_index)), labels


def test_story_vessels_fill_the_top_ten(smoke):
    res, labels = smoke
    story = story_vessels(labels)
    ranked = res.ranked
    assert set(ranked["band"]) <= {"designated", "high", "review", "low"} and ranked["band_reason"].null_count() == 0
    top = ranked.head(10)["mmsi"].to_list()
    assert [m for m in top if m not in story] == [], ranked.head(12).select("mmsi", "band", "band_reason")
    above_low = ranked.filter(pl.col("band") != "low")["mmsi"].to_list()
    assert [m for m in above_low if m not in story] == []
    dprk = res.contributions.filter(pl.col("signal") == "dprk_port_call")["mmsi"].unique().to_list()
    assert dprk and set(ranked.filter(pl.col("mmsi").is_in(dprk))["band"]) == {"high"}


def test_breakdown_adds_up_on_the_scenario(smoke):
    res, _ = smoke
    sums = res.contributions.group_by("mmsi").agg(pl.col("points").sum().alias("rows"))
    got = res.ranked.join(sums, on="mmsi", how="left").with_columns(pl.col("rows").fill_null(0.0))
    assert ((got["points"] - got["rows"]).abs() < 1e-6).all()
