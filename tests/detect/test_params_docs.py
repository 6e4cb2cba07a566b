"""Thresholds live in the params dataclasses; docs/detectors.md and the CLI show exactly those defaults."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from sanctionwatch.detect.params import DEFAULT, flat_defaults, with_overrides

DOC = Path(__file__).resolve().parents[2] / "docs" / "detectors.md"


def test_doc_table_equals_defaults():
    text = DOC.read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| `([^`]*)` \|", text, flags=re.M))
    assert documented == {k: str(v) for k, v in flat_defaults().items()}


def test_cli_show_params_equals_defaults():
    from sanctionwatch.cli.main import app

    res = CliRunner().invoke(app, ["detect", "--show-params"], env={"COLUMNS": "200"})
    assert res.exit_code == 0
    shown = dict(re.findall(r"│ ([a-z_]+\.[a-z_]+)\s+│ (.+?)\s+│", res.stdout))
    assert shown == {k: str(v) for k, v in flat_defaults().items()}


def test_overrides_are_typed_and_checked():
    p = with_overrides({"encounter.min_duration_h": "3", "area.area_ids": "dprk_12nm,dprk_24nm"})
    assert p.encounter.min_duration_h == 3.0 and p.area.area_ids == ("dprk_12nm", "dprk_24nm")
    assert DEFAULT.encounter.min_duration_h == 2.0
    try:
        with_overrides({"encounter.nope": "1"})
    except ValueError as e:
        assert "unknown detector parameter" in str(e)
    else:
        raise AssertionError("unknown parameter accepted")
