"""`import sanctionwatch as sw` reaches the whole API as `sw.api` without a separate import, cheaply (issue 14)."""

from __future__ import annotations

import subprocess
import sys


def test_sw_api_is_reachable_after_a_plain_import_and_stays_lazy():
    code = ("import sys, sanctionwatch as sw; assert 'sanctionwatch.api' not in sys.modules; "
            "f = sw.api.detect; assert f.__module__ == 'sanctionwatch.api'; "
            "assert sw.api.screen and sw.api.open is not sw.open; "
            "assert 'polars' not in sys.modules and 'duckdb' not in sys.modules; "
            "import sanctionwatch.detect; assert not callable(sw.detect)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_unknown_attribute_is_an_attribute_error():
    import pytest

    import sanctionwatch

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sanctionwatch.nope  # noqa: B018
