"""The product stands on its own: from a directory outside the repository, with no ../shared in reach,
the demo runs end to end on the packaged list snapshot (issue 14)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sanctionwatch.lists import snapshot
from sanctionwatch.lists.sources import SOURCES

SW = Path(sys.executable).parent / "sanctionwatch"


def _clean_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANCTIONWATCH_")}
    env.update(HOME=str(tmp / "home"), SANCTIONWATCH_CACHE_DIR=str(tmp / "cache"), COLUMNS="200")
    return env


def test_snapshot_manifest_covers_default_lists():
    meta = snapshot.manifest()
    by_id = {r["source"]: r for r in meta["sources"]}
    assert set(by_id) == {s.id for s in SOURCES.values() if s.default}
    for r in by_id.values():
        assert r["list_version"][:4].isdigit() and r["entities"] > 0 and len(r["sha256"]) == 64


def test_demo_runs_outside_the_repository(tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    assert not (work.parent / "shared").exists() and not (work / ".." / "shared").exists()
    r = subprocess.run([str(SW), "demo", "--preset", "smoke", "--out", "out"], cwd=work, env=_clean_env(tmp_path),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (work / "out" / "casefile.html").stat().st_size > 10_000
    assert not (work / "out" / "scenario" / "traffic.csv").exists()  # the demo writes only what it reads
    unpacked = tmp_path / "cache" / "lists" / "snapshot" / snapshot.manifest()["sha256"][:12]
    assert (unpacked / "PROVENANCE.md").exists()
    # the hints work from any directory: absolute store path
    assert str((work / "out" / "store").resolve()) in r.stderr.replace("\n", "")


def test_default_screen_uses_packaged_snapshot(tmp_path):
    """Default screening from an empty directory finds TONG SAN 2 (IMO 8937675) in the packaged UK list."""
    work = tmp_path / "w"
    work.mkdir()
    r = subprocess.run([str(SW), "screen", "IMO 8937675", "--format", "json"], cwd=work, env=_clean_env(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    hits = json.loads(r.stdout)
    # one designation, one row: the packaged UK lists that carry it are named in `sources`
    tong_san = [h for h in hits if h["designation_id"] == "imo-8937675"]
    assert len(tong_san) == 1 and tong_san[0]["match_kind"] == "strong"
    assert "gb_hmt_sanctions" in tong_san[0]["sources"] and "gb_fcdo_sanctions" in tong_san[0]["sources"]
