"""The same plausibility and label checks as for `smoke`, on a 4-day `sea-of-japan` run (slow: ~1 M messages)."""

from __future__ import annotations

import polars as pl
import pytest

from sanctionwatch.detect.scorecard import load_labels
from sanctionwatch.simulate import run
from tests.simulate import scenario_csv
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
    return load_labels(soj[0] / "labels.jsonl")


@pytest.fixture(scope="module")
def csv(soj) -> pl.DataFrame:
    return scenario_csv(soj[0])


def test_sea_of_japan_has_the_seed_channels(labels):
    dprk_calls = {x["locode"] for x in labels if x["type"] == "port_call" and (x["locode"] or "").startswith("KP")}
    assert {"KPRJN", "KPCHO", "KPNAM"} <= dprk_calls
    mism = [x for x in labels if x["type"] == "destination_mismatch" and not x["control"]]
    assert sum((x["locode"] or "").startswith("KP") for x in mism) >= 4
    assert any("ferry Najin-Vladivostok" in x["notes"] for x in labels if x["control"])
