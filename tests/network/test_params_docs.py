"""The thresholds written in docs/network.md are the ones BgpParams uses (one definition, one place)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctionwatch.network.params import DEFAULT_PARAMS

DOC = Path(__file__).resolve().parents[2] / "docs" / "network.md"


@pytest.mark.parametrize("name", ["min_absence_s", "min_outage_s", "warmup_s"])
def test_documented_default(name: str) -> None:
    assert f"`{name}` ({getattr(DEFAULT_PARAMS, name):.0f} s" in DOC.read_text(encoding="utf-8")


def test_overrides_reject_unknown_names() -> None:
    assert DEFAULT_PARAMS.with_overrides(min_absence_s=60).min_absence_s == 60
    with pytest.raises(ValueError, match="unknown bgp parameter"):
        DEFAULT_PARAMS.with_overrides(min_absence_minutes=5)
