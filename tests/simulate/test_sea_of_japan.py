"""The same plausibility and label checks as for `smoke`, on a 4-day `sea-of-japan` run (slow: ~1 M messages)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.simulate import run
from tests.simulate.test_smoke import (  # noqa: F401  (collected here with this module's fixtures)
    test_destination_mismatch_declares_other_port,
    test_encounter_vessels_side_by_side,
    test_every_behaviour_and_control_present,
    test_gap_labels_match_messages,
    test_no_position_on_land_outside_port_areas,
    test_port_call_labels_match_messages,
    test_sanctioned_area_labels_match_messages,
    test_speeds_consistent_with_distance_and_time,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def soj(tmp_path_factory):
    out = tmp_path_factory.mktemp("soj")
    return out, run("sea-of-japan", out, seed=11, days=4, vessels=8)


@pytest.fixture(scope="module")
def labels(soj) -> list[dict]:
    return [json.loads(x) for x in (soj[0] / "labels.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def csv(soj) -> pl.DataFrame:
    df = pl.read_csv(soj[0] / "traffic.csv", columns=["# Timestamp", "MMSI", "Latitude", "Longitude", "SOG"],
                     schema_overrides={"MMSI": pl.Int64, "Latitude": pl.Float64, "Longitude": pl.Float64,
                                       "SOG": pl.Float64})
    return df.with_columns(pl.col("# Timestamp").str.strptime(pl.Datetime("us", "UTC"), "%d/%m/%Y %H:%M:%S")
                           .dt.epoch("s").alias("ts"))


def test_sea_of_japan_has_the_seed_channels(labels):
    dprk_calls = {x["locode"] for x in labels if x["type"] == "port_call" and (x["locode"] or "").startswith("KP")}
    assert {"KPRJN", "KPCHO", "KPNAM"} <= dprk_calls
    mism = [x for x in labels if x["type"] == "destination_mismatch" and not x["control"]]
    assert sum((x["locode"] or "").startswith("KP") for x in mism) >= 4
    assert any("ferry Najin-Vladivostok" in x["notes"] for x in labels if x["control"])
