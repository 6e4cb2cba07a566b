"""Shared test fixtures: the read-only reference data beside the project (../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; tests that need it fail loudly if it is missing (CI always has it)."""
    assert SHARED_DATA.is_dir(), f"reference data not found at {SHARED_DATA}"
    return SHARED_DATA
