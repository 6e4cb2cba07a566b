"""Risk scoring: every point traces to an event or list entry; caps are rows, so the breakdown adds up to the
headline; bands: a strong-id designation dominates, name-only matches are at most 'review', DPRK behaviour
outranks generic gaps, `dark: false` gaps and rejected namesakes score nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionwatch.risk.score import SIGNALS, band_counts, contributions, risk_0_100, score, signal_cap
from sanctionwatch.risk.weights import RiskWeights

T0 = datetime(2017, 10, 1, tzinfo=UTC)
W = RiskWeights()


def _events(rows: list[dict]) -> pl.DataFrame:
    base = {"event_id": None, "type": None, "mmsi": None, "other_mmsi": None, "start": T0, "end": T0,
            "port": None, "country": None, "confidence": 1.0, "evidence": None}
    return pl.DataFrame([{**base, **r} for r in rows],
                        schema_overrides={"mmsi": pl.Int64, "other_mmsi": pl.Int64, "evidence": pl.Utf8,
                                          "port": pl.Utf8, "country": pl.Utf8})


def _hits(rows: list[dict]) -> pl.DataFrame:
    base = {"mmsi": None, "entity_id": None, "caption": None, "dataset": "us_ofac_sdn", "programs": "DPRK3",
            "match_kind": "strong", "score": 1.0, "field": "imo", "list_version": "2019-01-15"}
    return pl.DataFrame([{**base, **r} for r in rows])


def _gap(eid: str, mmsi: int, *, dark: bool | None, near: str | None = None, conf: float = 1.0) -> dict:
    ev: dict = {"rule": "gap"}
    if dark is not None:
        ev["dark"] = dark
        ev["near_area"] = {"area_id": near, "name": near, "distance_km": 20.0} if near else None
    return {"event_id": eid, "type": "gap", "mmsi": mmsi, "confidence": conf, "evidence": json.dumps(ev)}


def _by_mmsi(ranked: pl.DataFrame) -> dict[int, dict]:
    return {r["mmsi"]: r for r in ranked.iter_rows(named=True)}


def test_each_point_traces_to_evidence_and_encounters_count_for_both():
    ev = _events([
        {"event_id": "por-1", "type": "port_call", "mmsi": 273000001, "country": "KP", "port": "Rajin"},
        {"event_id": "enc-1", "type": "encounter", "mmsi": 273000001, "other_mmsi": 445000002, "confidence": 0.5},
        {"event_id": "por-2", "type": "port_call", "mmsi": 273000003, "country": "RU", "port": "Vladivostok"},
    ])
    c = contributions(ev)
    got = {(r["mmsi"], r["signal"], r["ref_id"]): r["points"] for r in c.iter_rows(named=True)}
    assert got == {
        (273000001, "dprk_port_call", "por-1"): W.dprk_port_call,
        (273000001, "encounter_listed", "enc-1"): W.encounter_listed * 0.5,  # other is DPRK-flagged (MID 445)
        (445000002, "encounter", "enc-1"): W.encounter * 0.5,
    }
    row = c.filter(pl.col("ref_id") == "enc-1", pl.col("mmsi") == 273000001).row(0, named=True)
    assert row["reason"].endswith(f"(enc-1): {W.encounter_listed:g} x confidence 0.5 = {W.encounter_listed * 0.5:g}")
    ranked = score(c)
    assert ranked["mmsi"].to_list() == [273000001, 445000002]
    assert ranked["points"][0] == pytest.approx(W.dprk_port_call + W.encounter_listed * 0.5)
    assert ranked["band"].to_list() == ["high", "low"]
    assert "Rajin" in ranked["top_reasons"][0] and "Rajin" in ranked["band_reason"][0]


def test_designation_dominates_busy_unlisted_vessel():
    busy = [{"event_id": f"por-{i}", "type": "port_call", "mmsi": 538000001, "country": "KP", "port": "Nampo",
             "start": T0 + timedelta(days=i)} for i in range(10)]
    busy += [{"event_id": f"are-{i}", "type": "sanctioned_area", "mmsi": 538000001} for i in range(3)]
    ranked = score(contributions(_events(busy), _hits([{"mmsi": 412000009, "entity_id": "ofac-123",
                                                        "caption": "KUM UN SAN 3"}])))
    assert ranked["mmsi"].to_list() == [412000009, 538000001]
    assert ranked["band"].to_list() == ["designated", "high"]
    # the busy vessel has more points, yet the designation ranks first
    assert ranked["points"][1] > ranked["points"][0] == W.list_hit_strong_id
    assert "KUM UN SAN 3" in ranked["band_reason"][0] and ranked["band_reason"][0].startswith("designated: imo")
    assert ranked["risk_0_100"][0] == risk_0_100(100.0, "designated") > ranked["risk_0_100"][1]


def test_one_designation_counts_once_and_rejected_scores_nothing():
    hits = _hits([
        # TONG SAN 2 on two lists, by IMO and by name: one designation, one row, both lists named
        {"mmsi": 445539000, "designation_id": "d-ts2", "entity_id": "ofac-1", "caption": "TONG SAN 2"},
        {"mmsi": 445539000, "designation_id": "d-ts2", "entity_id": "uk-1", "caption": "TONG SAN 2",
         "dataset": "gb_hmt_sanctions", "list_version": "2024-05-01"},
        {"mmsi": 445539000, "designation_id": "d-ts2", "entity_id": "ofac-1", "caption": "TONG SAN 2",
         "field": "mmsi"},
        {"mmsi": 445539000, "designation_id": "d-ts2", "entity_id": "ofac-1", "caption": "TONG SAN 2",
         "match_kind": "name", "field": "name", "name_weight": 0.9},
        # a namesake rejected by screening: visible in the hits, no points
        {"mmsi": 273000111, "designation_id": "d-atlas", "entity_id": "uk-9", "caption": "ATLAS",
         "match_kind": "rejected", "field": "name", "name_weight": 0.1},
    ])
    c = contributions(_events([]), hits)
    assert c.filter(pl.col("mmsi") == 273000111).is_empty()
    mine = c.filter(pl.col("mmsi") == 445539000)
    assert mine["signal"].to_list() == ["list_hit_strong"] and mine["points"].to_list() == [W.list_hit_strong_id]
    what = mine["what"][0]
    assert what.startswith("imo, mmsi match TONG SAN 2") and "gb_hmt_sanctions 2024-05-01" in what \
        and "us_ofac_sdn 2019-01-15" in what
    ranked = score(c, vessels=[445539000, 273000111])
    assert _by_mmsi(ranked)[273000111]["band"] == "low" and _by_mmsi(ranked)[273000111]["points"] == 0


def test_name_only_matches_are_at_most_review_and_weighted_by_rarity():
    hits = _hits([
        {"mmsi": 1, "entity_id": "e-kus", "caption": "KUM UN SAN 3", "match_kind": "name", "field": "name",
         "name_weight": 1.0, "matched_name": "KUM UN SAN NO.3", "score": 0.91},
        {"mmsi": 1, "entity_id": "e-kus2", "caption": "KUM UN SAN 2", "match_kind": "name", "field": "name",
         "name_weight": 1.0, "score": 0.9},
        {"mmsi": 2, "entity_id": "e-atlas", "caption": "ATLAS", "match_kind": "name", "field": "name",
         "name_weight": 0.08, "score": 1.0},  # a common word: exact, yet weak
        {"mmsi": 3, "entity_id": "e-kus", "caption": "KUM UN SAN 3", "match_kind": "name", "field": "name",
         "name_weight": 1.0},
    ])
    ev = _events([{"event_id": "gap-3", "type": "gap", "mmsi": 3, **_gap("gap-3", 3, dark=True, near="Najin")},
                   {"event_id": "gap-4", "type": "gap", "mmsi": 4, **_gap("gap-4", 4, dark=True, near="Najin")}])
    r = _by_mmsi(score(contributions(ev, hits)))
    assert r[1]["band"] == "review" and r[1]["name_points"] == W.list_hit_name  # two matches cap at one
    assert "KUM UN SAN NO.3" in r[1]["band_reason"] and "no strong id" in r[1]["band_reason"]
    assert r[2]["band"] == "low" and r[2]["points"] == pytest.approx(W.list_hit_name * 0.08)
    assert "too weak to act on" in r[2]["band_reason"]
    # name evidence far below behaviour: one dark gap near DPRK outweighs the rarest name match
    assert r[4]["points"] > r[1]["points"]
    # a name match can top up real behaviour into high, never make high on its own
    assert r[3]["band"] == "high" and r[4]["band"] == "review"


def test_name_weight_absent_uses_documented_assumption():
    c = contributions(_events([]), _hits([{"mmsi": 7, "entity_id": "e", "caption": "X", "match_kind": "name",
                                           "field": "name", "score": 0.99}]))
    assert c["points"].to_list() == [W.list_hit_name * W.name_weight_unknown]  # not the raw fuzzy score
    assert "assumed" in c["what"][0]


def test_behaviour_weights_follow_the_detection_contract():
    ev = _events([
        _gap("g-not-dark", 10, dark=False, near="Najin"),  # berth silence near Rajin: nothing
        _gap("g-dark", 11, dark=True),
        _gap("g-dark-near", 12, dark=True, near="Najin"),
        _gap("g-legacy", 13, dark=None),  # older detection output: no `dark` key
        {"event_id": "d-toward", "type": "destination_mismatch", "mmsi": 14, "country": "KP", "evidence": json.dumps(
            {"case": "went_dark_en_route", "level": "port",
             "toward": {"kind": "port", "id": "KPCHO", "name": "Chongjin", "country": "KP",
                        "distance_before_km": 120.0, "distance_after_km": 40.0}})},
        {"event_id": "d-port", "type": "destination_mismatch", "mmsi": 15, "country": "RU", "port": "Nakhodka",
         "evidence": json.dumps({"case": "arrived_elsewhere", "level": "port", "toward": None})},
        {"event_id": "d-country", "type": "destination_mismatch", "mmsi": 16, "country": "CN",
         "evidence": json.dumps({"case": "arrived_elsewhere", "level": "country", "toward": None})},
        {"event_id": "d-kp", "type": "destination_mismatch", "mmsi": 17, "country": "KP", "port": "Najin",
         "evidence": json.dumps({"case": "arrived_elsewhere", "level": "port", "toward": None})},
        {"event_id": "p-kp", "type": "port_call", "mmsi": 18, "country": "KP", "port": "Najin"},
    ])
    c = contributions(ev)
    sig = {r["ref_id"]: r["signal"] for r in c.iter_rows(named=True)}
    assert "g-not-dark" not in sig
    assert sig == {"g-dark": "gap_dark", "g-dark-near": "gap_dark_near_area", "g-legacy": "gap_dark",
                   "d-toward": "destination_toward_sanctioned", "d-port": "destination_mismatch_port",
                   "d-country": "destination_mismatch", "d-kp": "destination_toward_sanctioned",
                   "p-kp": "dprk_port_call"}
    pts = dict(zip(c["ref_id"], c["points"], strict=True))
    assert pts["p-kp"] > pts["g-dark-near"] > 3 * pts["g-dark"]
    assert pts["d-toward"] > pts["d-country"] > pts["d-port"]
    assert "Chongjin" in c.filter(pl.col("ref_id") == "d-toward")["what"][0]
    assert "Najin (20 km)" in c.filter(pl.col("ref_id") == "g-dark-near")["what"][0]
    r = _by_mmsi(score(c, vessels=list(range(10, 19))))
    assert r[10]["band"] == "low" and r[10]["points"] == 0 and "no list hit" in r[10]["band_reason"]
    assert r[14]["band"] == "high" and r[18]["band"] == "high" and r[11]["band"] == "low"


def test_unparsable_evidence_reads_as_missing_keys_without_losing_the_others():
    ev = _events([_gap("g-near", 1, dark=True, near="Najin"), _gap("g-off", 2, dark=False),
                  {"event_id": "g-bad", "type": "gap", "mmsi": 3, "evidence": "not json"}])
    sig = dict(zip(*contributions(ev).select("ref_id", "signal"), strict=True))
    assert sig == {"g-near": "gap_dark_near_area", "g-bad": "gap_dark"}


def test_caps_are_rows_and_the_breakdown_adds_up():
    ev = _events([{"event_id": f"spo-{i}", "type": "spoofing", "mmsi": 1, "start": T0 + timedelta(hours=i)}
                  for i in range(5)] + [{"event_id": "idc-1", "type": "identity_change", "mmsi": 1,
                                          "evidence": '{"new_flag": "sl"}'}])
    c = contributions(ev)
    cap = c.filter(pl.col("ref_kind") == "cap")
    assert cap["signal"].to_list() == ["spoofing"]
    assert cap["points"][0] == pytest.approx(signal_cap("spoofing", W) - 5 * W.spoofing)
    assert "5 pieces gave 60" in cap["reason"][0]
    ranked = score(c)
    assert ranked["points"][0] == pytest.approx(c["points"].sum())
    assert ranked["points"][0] == pytest.approx(signal_cap("spoofing", W) + W.identity_change + W.flag_hop_concern)
    assert ranked["arithmetic"][0] == "spoofing 60 - 36 cap + flag_hop_concern 15 + identity_change 15 = 54"
    assert ranked["band"][0] == "high"  # spoofing + re-flagging to a flag of concern
    assert "flag_hop_concern" in ranked["signals"][0]


def test_every_vessel_gets_a_band():
    ranked = score(contributions(_events([])), vessels=[5, 6, 5])
    assert ranked["mmsi"].to_list() == [5, 6] and band_counts(ranked) == {"designated": 0, "high": 0,
                                                                          "review": 0, "low": 2}
    assert ranked["rank"].to_list() == [1, 2]


_TYPES = ["port_call", "sanctioned_area", "gap", "encounter", "destination_mismatch", "identity_change",
          "spoofing", "loitering"]


@st.composite
def _evidence(draw):
    n = draw(st.integers(0, 25))
    events = []
    for i in range(n):
        t = draw(st.sampled_from(_TYPES))
        e = {"event_id": f"e{i}", "type": t, "mmsi": draw(st.integers(1, 4)),
             "confidence": draw(st.floats(0.05, 1.0)), "start": T0 + timedelta(hours=i)}
        if t == "port_call":
            e["country"] = draw(st.sampled_from(["KP", "RU"]))
        elif t == "gap":
            e.update(_gap(f"e{i}", e["mmsi"], dark=draw(st.sampled_from([True, False, None])),
                          near=draw(st.sampled_from([None, "Najin"])), conf=e["confidence"]))
        elif t == "encounter":
            e["other_mmsi"] = draw(st.sampled_from([2, 3, 445000001]))
        elif t == "identity_change":
            e["evidence"] = json.dumps({"new_flag": draw(st.sampled_from(["KP", "NO"]))})
        events.append(e)
    hits = [{"mmsi": draw(st.integers(1, 4)), "entity_id": f"x{draw(st.integers(0, 3))}", "caption": "V",
             "match_kind": draw(st.sampled_from(["strong", "name", "name", "rejected", "related"])),
             "field": "name", "name_weight": draw(st.floats(0.0, 1.0))} for _ in range(draw(st.integers(0, 6)))]
    weights = RiskWeights(events_counted_per_signal=draw(st.sampled_from([1.0, 2.0, 3.0])),
                          cap_per_signal=draw(st.sampled_from([30.0, 120.0])))
    return events, hits, weights


@settings(max_examples=60, deadline=None)
@given(_evidence())
def test_breakdown_rows_always_sum_to_the_headline(case):
    events, hits, w = case
    c = contributions(_events(events) if events else _events([]), _hits(hits) if hits else None, w)
    ranked = score(c, w, vessels=[1, 2, 3, 4])
    assert (ranked["risk_0_100"].diff().drop_nulls() <= 0).all()  # the 0-100 headline agrees with the rank
    assert set(ranked["mmsi"]) == {1, 2, 3, 4} | set(c["mmsi"]) and ranked["mmsi"].is_unique().all()
    sums = dict(c.group_by("mmsi").agg(pl.col("points").sum()).iter_rows())
    for r in ranked.iter_rows(named=True):
        assert r["points"] == pytest.approx(sums.get(r["mmsi"], 0.0), abs=1e-6)
        assert r["points"] == pytest.approx(r["designation_points"] + r["behaviour_points"] + r["name_points"],
                                            abs=1e-6)
        assert r["arithmetic"] == "0" or r["arithmetic"].endswith(f"= {r['points']:g}")
        mine = c.filter(pl.col("mmsi") == r["mmsi"])
        for s, net in mine.group_by("signal").agg(pl.col("points").sum()).iter_rows():
            assert net <= signal_cap(s, w) + 1e-6 and s in SIGNALS
        strong = mine.filter(pl.col("signal") == "list_hit_strong").height > 0
        assert (r["band"] == "designated") == strong
        if r["band"] == "high":  # never from name evidence alone
            assert r["behaviour_points"] >= min(w.high_points, w.review_points)
        assert r["band_reason"].startswith(r["band"])
    kinds = {h["mmsi"] for h in hits if h["match_kind"] == "rejected"} - {h["mmsi"] for h in hits
                                                                           if h["match_kind"] != "rejected"}
    assert c.filter(pl.col("mmsi").is_in(list(kinds)) & (pl.col("ref_kind") == "list")).is_empty()


def test_unknown_weight_override_is_an_error():
    with pytest.raises(ValueError, match="bogus"):
        RiskWeights().with_overrides(bogus=1.0)
    assert RiskWeights().with_overrides(gap_dark=1.0).gap_dark == 1.0


def test_risk_doc_is_current():
    from pathlib import Path

    from sanctionwatch.risk.weights import MEASURED_MARK, markdown

    doc = (Path(__file__).resolve().parents[2] / "docs" / "risk.md").read_text()
    assert MEASURED_MARK in doc, "docs/risk.md: generated part, then the mark, then the measured numbers"
    assert doc.split(MEASURED_MARK)[0] + MEASURED_MARK + "\n" == markdown(), \
        "regenerate: python -m sanctionwatch.risk.weights (the part above the measured section)"
