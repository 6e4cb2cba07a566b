"""Hostile MRT input (issue 19): one bad value costs one record, garbage and bombs cost bounded work, dump's exit code."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.network.bgpdump_format import bgpdump_lines
from sanctionwatch.network.mrt import ParseReport, _to_batch, iter_raw, read_table
from sanctionwatch.network.mrt_write import Peer, state_change
from sanctionwatch.network.params import BgpParams

SRC = "ripe_bgpdump_testdata/updates.20160811.1600.gz"
T = datetime(2016, 8, 11, 16, 5, tzinfo=UTC)


def test_state_above_int16_does_not_lose_the_file(mrt_dir: Path, tmp_path: Path) -> None:
    """The real 41,234-line file plus one STATE record with new_state 41,234 (was: ArrowInvalid, 0 lines)."""
    src = mrt_dir / SRC
    p = tmp_path / "state.mrt"
    p.write_bytes(gzip.decompress(src.read_bytes())
                  + state_change(T, Peer("192.0.2.1", 65000), Peer("192.0.2.2", 65001), 6, 41_234))
    table, rep = read_table(p)
    with gzip.open(f"{src}.bgpdump-m.txt.gz", "rt") as fh:
        ref = fh.read().splitlines()
    lines = list(bgpdump_lines(table))
    assert rep.errors == [] and rep.records == 17_407
    assert lines[:-1] == ref and len(ref) == 41_234
    assert lines[-1] == f"BGP4MP|{int(T.timestamp())}|STATE|192.0.2.1|65000|6|41234"


def test_value_that_fits_no_column_loses_only_its_record() -> None:
    """Defence in depth: a row that Arrow refuses is reported with its record/offset; the batch keeps the rest."""
    row = (0, 0, "BGP4MP", 0, "STATE", "192.0.2.1", 65000) + (None,) * 10 + (6, 1)
    bad = (1, 40, "BGP4MP", 0, "STATE", "192.0.2.1", 65000) + (None,) * 10 + (6, 2**40)
    rep = ParseReport("x")
    batch = _to_batch([row, bad, row], rep)
    assert batch.num_rows == 2 and batch.column("record").to_pylist() == [0, 0]
    assert [(e["record"], e["offset"]) for e in rep.errors] == [(1, 40)]


def test_gzip_of_zeros_costs_bounded_work(tmp_path: Path) -> None:
    """Zeros frame as 12-byte records of type 0: the reader stops after max_unknown_run of them (was: all 4.4 M)."""
    p = tmp_path / "zeros.gz"
    p.write_bytes(gzip.compress(b"\0" * (50 << 20), 1))
    rep = ParseReport(str(p))
    n = sum(1 for _ in iter_raw(p, rep))
    assert n == BgpParams().max_unknown_run
    assert len(rep.errors) == 1 and "framing lost" in rep.errors[0]["error"]


def test_compression_bomb_of_valid_records_stops(tmp_path: Path) -> None:
    """Valid records repeated until the stream is >100x its gzip: stopped at the expansion bound, reported."""
    rec = state_change(T, Peer("192.0.2.1", 65000), Peer("192.0.2.2", 65001), 6, 1)
    p = tmp_path / "bomb.gz"
    p.write_bytes(gzip.compress(rec * 200_000, 9))
    params = BgpParams(max_record_bytes=4096)
    rep = ParseReport(str(p))
    n = sum(1 for _ in iter_raw(p, rep, params))
    limit = params.max_expansion * p.stat().st_size + params.max_record_bytes
    assert 0 < n < 200_000 and n * len(rec) <= limit
    assert "compression bomb" in rep.errors[0]["error"]
    table, rep2 = read_table(p, params)
    assert table.num_rows == n and rep2.errors


def test_real_files_are_within_the_bounds(mrt_dir: Path) -> None:
    """The bounds never cut a real file: the most compressible real one (bz2 RIB, 14x) reads to its truncation."""
    _table, rep = read_table(mrt_dir / "pyasn" / "rib.20140523.0600_firstMB.bz2")
    assert rep.records == 9_073 and rep.truncated  # PEER_INDEX_TABLE + 9,072 RIB records (PROVENANCE.md)
    assert not any("bomb" in e["error"] or "framing" in e["error"] for e in rep.errors)


def test_dump_exits_nonzero_on_corrupt_file(mrt_dir: Path, tmp_path: Path) -> None:
    data = gzip.decompress((mrt_dir / "ripe_bgpdump_testdata" / "updates.20100722.2015.gz").read_bytes())
    p = tmp_path / "cut.mrt"
    p.write_bytes(data[: len(data) // 2])
    res = CliRunner().invoke(app, ["bgp", "dump", str(p)])
    assert res.exit_code == 1, res.output
    assert "truncated" in res.output and len(res.stdout.splitlines()) > 1000
    ok = CliRunner().invoke(app, ["bgp", "dump", str(mrt_dir / "mrtparse_samples" / "quagga_rib")])
    assert ok.exit_code == 0, ok.output
