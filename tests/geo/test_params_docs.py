"""The documented defaults in docs/geo.md equal the frozen params (one definition, one place)."""

from __future__ import annotations

from pathlib import Path

from sanctionwatch.geo.params import GAZETTEER, RESOLVE

DOC = (Path(__file__).resolve().parents[2] / "docs" / "geo.md").read_text(encoding="utf-8")


def _fmt(x: float) -> str:
    return f"{x:g}"


def test_radius_defaults_documented():
    r = GAZETTEER.radius_km_by_size
    want = (f"Very Small {_fmt(r['Very Small'])} km, Small {_fmt(r['Small'])}, Medium {_fmt(r['Medium'])}, "
            f"Large {_fmt(r['Large'])}, unknown {_fmt(GAZETTEER.default_radius_km)}")
    assert want in DOC


def test_fuzzy_threshold_documented():
    assert f"`ratio` >= {_fmt(RESOLVE.fuzzy_min_score)} on space-free keys of >= {RESOLVE.fuzzy_min_len} chars" in DOC
    assert f"confidence = score/100 x {_fmt(RESOLVE.conf_fuzzy_scale)}" in DOC.lower()
    assert f"confidence {_fmt(RESOLVE.conf_code_only)})" in DOC


def test_long_fuzzy_tier_documented():
    assert (f"for strings of >= {RESOLVE.fuzzy_long_min_len} chars also {_fmt(RESOLVE.fuzzy_long_min_score)}-"
            f"{_fmt(RESOLVE.fuzzy_min_score)}") in DOC
