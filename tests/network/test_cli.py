"""`sanctionwatch bgp ...` end to end on the constructed DPRK fixture and a real file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.store.duck import connect

runner = CliRunner()


def test_upstreams_jsonl_store_and_chart(dprk: dict[str, Path], tmp_path: Path) -> None:
    png = tmp_path / "dprk.png"
    res = runner.invoke(app, ["bgp", "upstreams", "--target", "AS131279", "--format", "jsonl",
                              "--store", str(tmp_path / "store"), "--chart", str(png),
                              str(dprk["rib"]), str(dprk["updates1"]), str(dprk["updates2"])])
    assert res.exit_code == 0, res.output
    recs = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    ups = {r["upstream"]: r for r in recs if r["record"] == "upstream"}
    assert set(ups) == {"AS4837", "AS20485"}
    peers = {(r["peer_as"], r["upstream"]): r for r in recs if r["record"] == "peer"}
    assert len(peers) == 7  # 5 peers via 4837, 2 of them also via 20485
    assert peers[(20764, 20485)]["prefixes"] == 3 and peers[(20764, 20485)]["prefixes_at_end"] == 1
    events = [r for r in recs if r["record"] == "event"]
    assert [(e["evidence"]["change"], e["start"][:19]) for e in events] == [
        ("upstream_appeared", "2017-10-01 09:07:51"), ("upstream_disappeared", "2017-10-01 10:14:45"),
        ("upstream_appeared", "2017-10-01 12:21:55")]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    n = connect(tmp_path / "store").execute("select count(*) from events where type='routing_change'").fetchone()
    assert n == (3,)


def test_upstreams_table_and_missing_file(dprk: dict[str, Path], tmp_path: Path) -> None:
    res = runner.invoke(app, ["bgp", "upstreams", "--target", "AS131279", "--no-store", str(dprk["rib"]),
                              str(dprk["updates1"])], env={"COLUMNS": "250"})
    assert res.exit_code == 0 and "TRANSTELECOM" in res.stdout and "upstream_appeared" in res.stdout
    bad = runner.invoke(app, ["bgp", "upstreams", "--target", "AS131279", "--no-store", str(tmp_path / "nope")])
    assert bad.exit_code == 2 and "not found" in bad.output
    bad = runner.invoke(app, ["bgp", "upstreams", "--target", "X1", "--no-store", str(dprk["rib"])])
    assert bad.exit_code == 2 and "target" in bad.output


def test_dump_matches_bgpdump(mrt_dir: Path) -> None:
    import gzip

    src = mrt_dir / "ripe_bgpdump_testdata" / "updates.20100722.2015.gz"
    res = runner.invoke(app, ["bgp", "dump", str(src)])
    assert res.exit_code == 0
    with gzip.open(f"{src}.bgpdump-m.txt.gz", "rt") as fh:
        assert res.stdout.splitlines() == fh.read().splitlines()


def test_download_command_plans_and_reports(tmp_path: Path) -> None:
    res = runner.invoke(app, ["bgp", "download", "--archive", "nowhere", "--start", "2017-10-01T09:00",
                              "--end", "2017-10-01T10:00"])
    assert res.exit_code == 2 and "unknown archive" in res.output


def test_non_mrt_input_is_an_error(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("this is not an MRT file\n" * 10)
    res = CliRunner().invoke(app, ["bgp", "upstreams", "--target", "AS131279", str(f), "--no-store"])
    assert res.exit_code == 2 and "no MRT records" in res.output
