"""Hostile and messy AIS input (issue 19): no lost files, damaged gzip kept up to the damage, bounded lines,
plausible times, Digitraffic oddities, quarantine round-trip. Each test reproduces a finding of the attack pass."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from sanctionwatch.ais.ingest import ingest
from sanctionwatch.cli.main import app
from sanctionwatch.store import Store, connect

DMA = "ais/dma_aisabnormal_ais-sample.txt.gz"
SAT = "ais/test_data_20210701.csv"
NY = "ais/NYHarbor_2020_06_30_first_hour.csv"
DT = "ais/digitraffic_baltic_latest_20251212.json"


def count(store: Store, table: str = "positions") -> int:
    return connect(store).execute(f"select count(*) from {table}").fetchone()[0]


def by_name(reports: list[dict]) -> dict[str, dict]:
    return {Path(r["inputs"][0]).name: r for r in reports}


# ---- one bad input never costs the others -----------------------------------------------------------------------
def test_truncated_gzip_keeps_decoded_data_and_reports_offset(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / DMA).read_bytes()
    full = gzip.decompress(raw)
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(raw[: len(raw) // 2])
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(cut)])[0]
    d = rep["damaged"]
    assert d["kind"] == "truncated" and d["compressed_offset"] == len(raw) // 2
    # what decoded before the cut is a prefix of the real content, and its lines are all there
    assert 0.4 * len(full) < d["decompressed_offset"] < len(full)
    lines_before = full[: d["decompressed_offset"]].count(b"\n")
    assert rep["lines"] in (lines_before, lines_before + 1)
    assert rep["positions"] > 0 and count(st) == rep["positions"]
    assert rep["rejected"]["damaged_input"] == 1 and rep["samples"]["damaged_input"] == [f"cut.txt.gz:byte {len(raw) // 2}"]


def test_multi_file_ingest_continues_after_bad_files(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / DMA).read_bytes()
    d = tmp_path / "in"
    d.mkdir()
    (d / "a_cut.txt.gz").write_bytes(raw[: len(raw) // 3])
    (d / "b_notgzip.gz").write_bytes(b"\x1f\x8b" + b"x" * 100)
    (d / "c_cr.nmea").write_bytes(b"!AIVDM\rfoo,1\n" + gzip.decompress(raw)[:20000])
    (d / "d_sat.csv").write_bytes((shared_data / SAT).read_bytes())
    res = CliRunner().invoke(app, ["ingest", str(d), "--store", str(tmp_path / "st"), "--json"])
    assert res.exit_code == 1, res.output
    out = res.stdout
    reps = by_name(json.loads(out[out.index("[\n {"): out.rindex("]") + 1]))
    assert "not a readable gzip" in reps["b_notgzip.gz"]["error"]
    assert reps["a_cut.txt.gz"]["damaged"]["kind"] == "truncated" and reps["a_cut.txt.gz"]["positions"] > 0
    assert reps["c_cr.nmea"]["positions"] > 0 and reps["d_sat.csv"]["positions"] > 0
    st = Store(tmp_path / "st")
    assert count(st) == sum(r.get("positions", 0) for r in reps.values())


def test_missing_input_does_not_stop_the_others(shared_data: Path, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "missing.nmea"), str(shared_data / NY),
                                   "--store", str(tmp_path / "st")])
    assert res.exit_code == 2 and "input not found" in res.output
    assert count(Store(tmp_path / "st")) == 8689


def test_satellite_csv_blank_lines_are_counted_not_fatal(shared_data: Path, tmp_path: Path) -> None:
    sat = (shared_data / SAT).read_bytes()
    f = tmp_path / "sat_blank.csv"
    f.write_bytes(sat.replace(b"\n", b"\n\r\n", 3) + b"\r\n")
    rep = ingest(Store(tmp_path / "st"), [str(f)])[0]
    ref = ingest(Store(tmp_path / "ref"), [str(shared_data / SAT)])[0]
    assert "error" not in rep
    assert rep["positions"] == ref["positions"] and rep["vessel_reports"] == ref["vessel_reports"]
    assert rep["skipped_types"]["blank_line"] == 4


def test_sniff_survives_bare_cr_in_header(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_bytes(b"MMSI,\rwhen,lat\n1,2,3\n")
    rep = ingest(Store(tmp_path / "st"), [str(f)])[0]
    assert "error" in rep and "no known export layout" in rep["error"]
