"""The documented parameter defaults and the CLI defaults equal TradeParams (one definition, one place)."""

from __future__ import annotations

import inspect
import re
from dataclasses import fields
from pathlib import Path

import pytest

from sanctionwatch.cli.trade import mirror_cmd
from sanctionwatch.trade.params import DEFAULT_PARAMS, TradeParams

DOC = Path(__file__).resolve().parents[2] / "docs" / "trade.md"


def test_doc_table_lists_every_parameter_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| ([^|]+) \|", text, flags=re.M))
    for f in fields(TradeParams):
        assert f.name in rows, f"{f.name} missing from docs/trade.md"
        assert float(rows[f.name]) == getattr(DEFAULT_PARAMS, f.name), f.name


def test_cli_margin_default_is_the_param() -> None:
    default = inspect.signature(mirror_cmd).parameters["margin"].default.default
    assert default == DEFAULT_PARAMS.cif_fob_margin


def test_overrides_validate_names() -> None:
    assert DEFAULT_PARAMS.with_overrides(cif_fob_margin=0.06).cif_fob_margin == 0.06
    with pytest.raises(ValueError, match="unknown trade parameter"):
        DEFAULT_PARAMS.with_overrides(margin=1.0)
