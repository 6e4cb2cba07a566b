"""The held-out `yellow-sea` preset passes the same plausibility and label checks as `smoke` (dense, ~8 s)."""

from __future__ import annotations

import polars as pl
import pytest

from sanctionwatch.detect.scorecard import load_labels
from sanctionwatch.simulate import run
from tests.simulate import scenario_csv
from tests.simulate.test_smoke import (  # noqa: F401  (collected here with this module's fixtures)
    test_destination_mismatch_declares_other_port,
    test_encounter_vessels_side_by_side,
    test_gap_labels_match_messages,
    test_no_position_on_land_outside_port_areas,
    test_port_call_labels_match_messages,
    test_sanctioned_area_labels_match_messages,
    test_speeds_consistent_with_distance_and_time,
)


@pytest.fixture(scope="module")
def ys(tmp_path_factory):
    out = tmp_path_factory.mktemp("ys")
    return out, run("yellow-sea", out, seed=7)


@pytest.fixture(scope="module")
def labels(ys) -> list[dict]:
    return load_labels(ys[0] / "labels.jsonl")


@pytest.fixture(scope="module")
def csv(ys) -> pl.DataFrame:
    return scenario_csv(ys[0])


def test_issue12_cases_labelled(labels):
    dm = [x for x in labels if x["type"] == "destination_mismatch" and not x["control"] and x["observable"]]
    assert {x["declared_destination"] for x in dm if x["level"] == "country"} >= {"VIETNAM", "HONG KONG", "CN"}
    dark = [x for x in dm if x["case"] == "went_dark_en_route"]
    assert len(dark) == 2 and all((x["locode"] or "").startswith("KP") for x in dark)
    gaps = {(x["mmsi"], x["start_epoch"]) for x in labels if x["type"] == "gap" and not x["control"]}
    assert all((x["mmsi"], x["start_epoch"]) in gaps for x in dark)  # the same silence
    berth = [x for x in labels if x["type"] == "gap" and x["control"] and "berth" in x["notes"]]
    assert len(berth) == 2 and all(x["end"] is None and x["seen"]["start"] == "in_port" for x in berth)
    single = [x for x in labels if x["type"] == "identity_change" and x["seen"]["old_reports"] == 1]
    assert single and single[0]["seen"]["new_reports"] > 1
    assert [x for x in labels if x["type"] == "loitering" and x.get("case") == "dark_sts" and x["observable"]]
