"""Entity matching: designations across lists, namesakes rejected, rarity-weighted names, features, audit trail."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from sanctionwatch.lists.designations import designation_ids
from sanctionwatch.lists.freshness import list_ages, stale_warning
from sanctionwatch.lists.namefreq import load_table, other_bearers
from sanctionwatch.lists.normalize import name_forms
from sanctionwatch.lists.screen import screen_vessels


def _v(**cols) -> pl.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"mmsi": [None] * n, "imo": [None] * n, "name": [None] * n, "callsign": [None] * n}
    return pl.DataFrame({**base, **cols}, schema_overrides={"mmsi": pl.Int64, "imo": pl.Int64, "name": pl.Utf8,
                                                            "callsign": pl.Utf8})


def test_designations_merge_by_imo_then_strong_ids():
    """IMO first; an entry without IMO joins through an MMSI or call sign naming one hull only."""
    entries = pl.DataFrame({"entry_id": ["a", "b", "c", "d", "e", "f", "g"]})
    idents = pl.DataFrame({
        "entry_id": ["a", "a", "b", "c", "d", "e", "f", "f", "g"],
        "kind": ["imo", "mmsi", "imo", "mmsi", "imo", "callsign", "imo", "callsign", "callsign"],
        "value": ["9074729", "445000001", "9074729", "445000001", "8705539", "E5U4542", "9081291", "E5U4542",
                  "T2EM4"],
        "valid": [True] * 9})
    got = dict(designation_ids(entries, idents).rows())
    assert got["a"] == got["b"] == got["c"] == "imo-9074729"  # c has no IMO, joins through a's MMSI
    assert got["d"] == "imo-8705539" and got["f"] == "imo-9081291"
    assert got["e"] == "imo-9081291"  # its call sign names exactly one IMO group (f): joins it
    assert got["g"] == "g"  # nothing shared: its own designation


def test_call_sign_on_two_hulls_does_not_merge(index):
    """E5U4542 is listed for IMO 9234616 and 9546722: two designations, as on the lists."""
    ent = index.entries.filter(pl.col("entity_id").is_in(["imo-9234616", "imo-9546722"]))
    assert ent["designation_id"].n_unique() == 2


def test_one_row_per_vessel_and_designation_on_real_traffic(index, shared_data):
    from sanctionwatch.lists.scorecard import ais_names

    for vessels in ais_names(shared_data).values():
        hits = screen_vessels(vessels, index)
        assert hits.filter(pl.col("mmsi").is_not_null()).select("mmsi", "designation_id").is_duplicated().sum() == 0
        assert set(hits["match_kind"]) <= {"strong", "name", "rejected"}
        assert hits["reasons"].null_count() == 0 and hits["sources"].null_count() == 0
        assert hits.filter(pl.col("match_kind") == "rejected")["name_weight"].max() in (None, 0.0)


def test_teriberka_namesake_rejected(index):
    """TERIBERKA's MMSI pins OFAC 37136 (IMO 9081291); the other OFAC TERIBERKA (IMO 8931748) is rejected."""
    hits = screen_vessels(_v(mmsi=[273211090], name=["TERIBERKA"]), index)
    kinds = dict(hits.select("designation_id", "match_kind").rows())
    assert kinds == {"imo-9081291": "strong", "imo-8931748": "rejected"}
    rej = hits.filter(pl.col("match_kind") == "rejected").row(0, named=True)
    assert "strong id hit on imo-9081291" in rej["reasons"] and rej["name_weight"] == 0.0
    assert screen_vessels(_v(mmsi=[273211090], name=["TERIBERKA"]), index, show_rejected=False).height == 1


def test_conflicting_valid_imo_rejects_a_name_hit(index):
    v = _v(mmsi=[352000001, 352000002, 352000003], imo=[9074729, 9074728, None],
           name=["KUM UN SAN 3", "KUM UN SAN 3", "KUM UN SAN 3"])
    hits = screen_vessels(v, index).filter(pl.col("designation_id") == "imo-8705539")
    kind = dict(hits.select("mmsi", "match_kind").rows())
    # a valid other IMO -> namesake; a wrong check digit is no IMO; no IMO -> a possible match
    assert kind == {352000001: "rejected", 352000002: "name", 352000003: "name"}
    assert "sends valid IMO 9074729, listed IMO 8705539" in hits.filter(pl.col("mmsi") == 352000001)["reasons"][0]


def test_name_rarity_from_the_shipped_table():
    names, words, total = load_table()
    assert total > 10_000 and names.height == total and words.height > 5_000
    est = dict(other_bearers(name_forms(pl.Series(["ATLAS", "STELLA", "PROGRESS", "KUM UN SAN 3"])))
               .select("norm", "others").rows())
    assert min(est["ATLAS"], est["STELLA"], est["PROGRESS"]) >= 3
    assert est["KUM UN SAN 3"] < 0.5


def test_name_weight_ranks_rare_over_common_and_features_count(index):
    v = _v(name=["KUM UN SAN 3", "ATLAS"])
    w = dict(screen_vessels(v, index).select("name", "name_weight").rows())
    assert w["KUM UN SAN 3"] > 0.9 > 0.2 > w["ATLAS"]
    # the same rare name sent from a DPRK MMSI (flag KP, as listed) vs a Liberian one (flag differs)
    v = _v(mmsi=[445000123, 636000123], name=["KUM UN SAN 3"] * 2, ship_type=[80, 80])
    h = screen_vessels(v, index).filter(pl.col("designation_id") == "imo-8705539")
    r = {m: (wt, why) for m, wt, why in h.select("mmsi", "name_weight", "reasons").rows()}
    assert "flag KP agrees" in r[445000123][1] and "differs from listed KP" in r[636000123][1]
    assert r[445000123][0] > r[636000123][0]
    assert "name 'KUM UN SAN 3' (name) equal" in r[445000123][1]


def test_matched_alias_or_former_name_is_shown(index):
    row = index.names.filter((pl.col("schema") == "Vessel") & (pl.col("field") == "previousName")).row(0, named=True)
    hits = screen_vessels(_v(name=[row["name"]]), index)
    hit = hits.filter(pl.col("designation_id") == index.entries.filter(pl.col("entry_id") == row["entry_id"])
                      ["designation_id"][0]).row(0, named=True)
    assert hit["matched_name"] == row["name"] and f"'{row['name']}' (previousName)" in hit["reasons"]


@pytest.mark.parametrize(("version", "stale"), [("2026-11-30", False), ("2026-08-01", True), ("2025-12", True),
                                                 (None, True)])
def test_freshness_bound(version, stale):
    ages = list_ages({"sources": [{"dataset": "x", "list_version": version}]}, today=date(2026, 12, 2))
    assert ages[0]["stale"] is stale
    warning = stale_warning(ages)
    assert (warning is not None) is stale
    if stale:
        assert "x" in warning and "90-day" in warning
