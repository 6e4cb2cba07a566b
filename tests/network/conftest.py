"""Fixtures of the network tests: the shipped MRT files and the constructed DPRK fixture (built per session)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def mrt_dir(shared_data: Path) -> Path:
    return shared_data / "bgp" / "mrt"


@pytest.fixture(scope="session")
def dprk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The constructed DPRK files, rebuilt by the fixture builder into a temporary directory."""
    spec = importlib.util.spec_from_file_location("build_dprk_fixture", FIXTURES / "build_dprk_fixture.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.build(tmp_path_factory.mktemp("dprk"))
