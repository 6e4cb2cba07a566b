"""Fixtures for list tests: the shipped list snapshots and one index built from the default lists."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanctionwatch.lists.index import ListIndex, build_index
from sanctionwatch.lists.sources import SOURCES, load_source


@pytest.fixture(scope="session")
def lists_dir(shared_data: Path) -> Path:
    """../shared/data/sanctions, also exported as SANCTIONWATCH_LISTS_DIR for code that reads the setting."""
    d = shared_data / "sanctions"
    os.environ["SANCTIONWATCH_LISTS_DIR"] = str(d)
    return d


@pytest.fixture(scope="session")
def built(lists_dir: Path) -> tuple[ListIndex, list[dict]]:
    return build_index([load_source(s, lists_dir / s.local) for s in SOURCES.values() if s.default])


@pytest.fixture(scope="session")
def index(built) -> ListIndex:
    return built[0]
