"""Risk scoring: every point traces to an event or list entry; caps hold; a listed vessel ranks high on its hit alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from sanctionwatch.risk.score import contributions, risk_0_100, score
from sanctionwatch.risk.weights import RiskWeights

T0 = datetime(2017, 10, 1, tzinfo=UTC)


def _events(rows: list[dict]) -> pl.DataFrame:
    base = {"event_id": None, "type": None, "mmsi": None, "other_mmsi": None, "start": T0, "end": T0,
            "port": None, "country": None, "confidence": 1.0, "evidence": None}
    return pl.DataFrame([{**base, **r} for r in rows])


def _hits(rows: list[dict]) -> pl.DataFrame:
    base = {"mmsi": None, "entity_id": None, "caption": None, "dataset": "us_ofac_sdn", "programs": "DPRK3",
            "match_kind": "strong", "score": 1.0, "field": "imo", "list_version": "2019-01-15"}
    return pl.DataFrame([{**base, **r} for r in rows])


def test_each_point_traces_to_evidence_and_encounters_count_for_both():
    ev = _events([
        {"event_id": "por-1", "type": "port_call", "mmsi": 273000001, "country": "KP", "port": "Rajin"},
        {"event_id": "enc-1", "type": "encounter", "mmsi": 273000001, "other_mmsi": 445000002, "confidence": 0.5},
        {"event_id": "por-2", "type": "port_call", "mmsi": 273000003, "country": "RU", "port": "Vladivostok"},
    ])
    c = contributions(ev)
    w = RiskWeights()
    got = {(r["mmsi"], r["signal"], r["ref_id"]): r["points"] for r in c.iter_rows(named=True)}
    assert got == {
        (273000001, "dprk_port_call", "por-1"): w.dprk_port_call,
        (273000001, "encounter_listed", "enc-1"): w.encounter_listed * 0.5,  # other is DPRK-flagged (MID 445)
        (445000002, "encounter", "enc-1"): w.encounter * 0.5,
    }
    ranked = score(c)
    assert ranked["mmsi"].to_list() == [273000001, 445000002]
    assert ranked["points"][0] == pytest.approx(w.dprk_port_call + w.encounter_listed * 0.5)
    assert "Rajin" in ranked["top_reasons"][0]


def test_listed_vessel_with_clean_track_outranks_busy_unlisted_one():
    gaps = [{"event_id": f"gap-{i}", "type": "gap", "mmsi": 538000001, "start": T0 + timedelta(days=i)}
            for i in range(10)]
    ranked = score(contributions(_events(gaps), _hits([{"mmsi": 412000009, "entity_id": "ofac-123",
                                                         "caption": "KUM UN SAN 3"}])))
    assert ranked["mmsi"].to_list() == [412000009, 538000001]
    assert "KUM UN SAN 3" in ranked["top_reasons"][0]
    assert ranked["risk_0_100"][0] == risk_0_100(100.0)


def test_cap_per_signal_and_flag_hop():
    w = RiskWeights(cap_per_signal=30.0)
    ev = _events([{"event_id": f"spo-{i}", "type": "spoofing", "mmsi": 1, "start": T0 + timedelta(hours=i)}
                  for i in range(5)] + [{"event_id": "idc-1", "type": "identity_change", "mmsi": 1,
                                          "evidence": '{"new_flag": "sl"}'}])
    ranked = score(contributions(ev, weights=w), weights=w)
    assert ranked["points"][0] == pytest.approx(30.0 + w.identity_change + w.flag_hop_concern)
    assert "flag_hop_concern" in ranked["signals"][0]


def test_unknown_weight_override_is_an_error():
    with pytest.raises(ValueError, match="bogus"):
        RiskWeights().with_overrides(bogus=1.0)
    assert RiskWeights().with_overrides(gap=1.0).gap == 1.0


def test_risk_doc_is_current():
    from pathlib import Path

    from sanctionwatch.risk.weights import markdown

    doc = Path(__file__).resolve().parents[2] / "docs" / "risk.md"
    assert doc.read_text() == markdown(), "regenerate: python -m sanctionwatch.risk.weights > docs/risk.md"
