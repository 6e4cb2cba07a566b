"""Global flags given after the subcommand: `sanctionwatch ingest FILE -q` works like `sanctionwatch -q ingest FILE`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sanctionwatch.cli.main import hoist_global_flags


@pytest.mark.parametrize(("argv", "want"), [
    (["ingest", "a.nmea", "-q"], ["-q", "ingest", "a.nmea"]),
    (["ingest", "--quiet", "a.nmea", "--store", "s"], ["--quiet", "ingest", "a.nmea", "--store", "s"]),
    (["-q", "detect"], ["-q", "detect"]),
    (["-q", "detect", "-q"], ["-q", "detect"]),
    (["sql", "--", "-q"], ["sql", "--", "-q"]),  # after `--` it is an argument, not the flag
    (["events"], ["events"]),
])
def test_hoist_global_flags(argv, want):
    assert hoist_global_flags(argv) == want


def test_console_script_accepts_quiet_after_the_subcommand(tmp_path: Path):
    """The installed `sanctionwatch` script: -q at the end is the global flag, not 'No such option'."""
    script = Path(sys.executable).with_name("sanctionwatch")
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    src = tmp_path / "one.nmea"
    src.write_text("!AIVDM,1,1,,A,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n")
    out = subprocess.run([str(script), "ingest", str(src), "--store", str(tmp_path / "s"), "-q"],
                         capture_output=True, text=True, timeout=300)
    assert "No such option" not in out.stderr, out.stderr
    assert out.returncode in (0, 1), out.stderr  # 1: the line has no time and --assume-time was not given
    bare = subprocess.run([str(script), "ingest", str(src), "--store", str(tmp_path / "s2")],
                          capture_output=True, text=True, timeout=300)
    assert out.returncode == bare.returncode
