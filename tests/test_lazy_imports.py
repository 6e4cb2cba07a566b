"""Start-up stays light (issue 16 item 3): the CLI, `--help` and `--version` load no heavy library.

Every command pays what `sanctionwatch.cli.main` imports, so heavy libraries must load inside the command
that needs them. Each check runs in a fresh interpreter (this test process has long since imported them) and
lists the heavy top-level packages found in `sys.modules`. A plain assertion, not a timing: the wall times
are in docs/benchmarks.md (Start-up), with the command.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# followthemoney, pandas, pyspark and numba are named by the issue; polars, duckdb, pyarrow (and numpy under
# them) and starlette were measured with `python -X importtime` to cost ~0.4 s and are not needed for --help.
HEAVY = ("followthemoney", "pandas", "pyspark", "numba", "polars", "duckdb", "pyarrow", "numpy", "starlette",
         "uvicorn")

_PROBE = """
import json, sys
{body}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set({heavy!r}))))
"""

_RUN_APP = """
from sanctionwatch.cli.main import app
sys.argv = ["sanctionwatch", *{args!r}]
try:
    app()
except SystemExit as e:
    assert e.code in (0, None), e.code
"""


def _heavy_loaded(body: str) -> list[str]:
    code = _PROBE.format(body=body, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _heavy_loaded("import sanctionwatch.cli.main") == []


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["ingest", "--help"], ["detect", "--help"],
                                  ["screen", "--help"], ["trade", "--help"]])
def test_help_and_version_load_no_heavy_library(args: list[str]) -> None:
    assert _heavy_loaded(_RUN_APP.format(args=args)) == []


def test_the_probe_can_fail() -> None:
    """The probe sees a heavy import when there is one (so an empty list above means something)."""
    assert "pyarrow" in _heavy_loaded("import sanctionwatch.store.layout")
