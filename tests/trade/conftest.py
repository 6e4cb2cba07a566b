"""Fixtures for the trade tests: the constructed fixtures, a store loaded with them, and the real samples."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sanctionwatch.store import Store
from sanctionwatch.trade.data import TradeData
from sanctionwatch.trade.load import load_file
from sanctionwatch.trade.readers import read_file

from .trade_paths import LEGACY, MONTHLY


@pytest.fixture(scope="session")
def constructed() -> TradeData:
    """Both constructed fixtures, read directly (no store)."""
    return TradeData.from_frame(pl.concat([read_file(MONTHLY).table, read_file(LEGACY).table]))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A fresh store with both constructed fixtures loaded through `load_file`."""
    st = Store(tmp_path / "store")
    load_file(st, MONTHLY)
    load_file(st, LEGACY)
    return st


@pytest.fixture(scope="session")
def comtrade_dir(shared_data: Path) -> Path:
    return shared_data / "trade" / "comtrade_legacy"
