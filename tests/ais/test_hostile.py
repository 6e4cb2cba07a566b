"""Hostile and messy AIS input (issue 19): no lost files, damaged gzip kept up to the damage, bounded lines,
plausible times, Digitraffic oddities, quarantine round-trip. Each test reproduces a finding of the attack pass."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest
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


# ---- bounded memory ---------------------------------------------------------------------------------------------
def test_decoder_batches_are_bounded_and_counts_add_up(shared_data: Path, monkeypatch) -> None:
    """Millions of junk lines used to size every output by the line count (16 MiB of `x\\n` -> 2.4 GB):
    a decode call now stops when its outputs are full, and the batches together account for every line."""
    from dataclasses import replace

    from sanctionwatch.ais import nmea

    monkeypatch.setattr(nmea, "PARAMS", replace(nmea.PARAMS, max_batch_rows=500, max_batch_rejects=300))
    real = gzip.decompress((shared_data / DMA).read_bytes())[:400_000]
    data = b"x\n" * 2000 + real + b"junk\n" * 1000
    dec = nmea.NmeaDecoder("t")
    batches = list(dec.feed_iter(data))
    batches.append(dec.finish())
    assert len(batches) > 10
    assert all(len(b.rejects) <= 300 and b.positions.num_rows <= 500 for b in batches)
    ref = nmea.NmeaDecoder("t")
    one = ref.feed(data)
    last = ref.finish()
    assert sum(b.lines for b in batches) == one.lines + last.lines == data.count(b"\n")
    assert sum(b.positions.num_rows for b in batches) == one.positions.num_rows
    assert sum(len(b.rejects) for b in batches) == len(one.rejects) + len(last.rejects)
    assert sum(1 for b in batches for r in b.rejects if r.reason == "not_ais") >= 3000


def test_newline_free_input_is_one_line_too_long(tmp_path: Path) -> None:
    """A gzip of 8 MiB without a newline (1 GiB in the attack: 1 MB compressed) used to be held whole; now it is cut at the
    line limit, rejected as line_too_long and quarantined cut; a valid sentence after it is still decoded."""
    from sanctionwatch.ais.sources import MAX_LINE_BYTES

    good = b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24,1200000000\n"
    f = tmp_path / "nonl.gz"
    with gzip.open(f, "wb", compresslevel=1) as fh:
        for _ in range(8):
            fh.write(b"A" * (1 << 20))
        fh.write(b"\n" + good)
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)], chunk_bytes=1 << 20)[0]
    assert rep["lines"] == 2 and rep["rejected"] == {"line_too_long": 1} and rep["positions"] == 1
    with open(rep["quarantine"], newline="") as fh:
        q = list(csv.reader(fh, delimiter="\t"))[1:]
    assert [(r[1], r[2], len(r[3])) for r in q] == [("1", "line_too_long", MAX_LINE_BYTES)]


# ---- quarantine round trip ----------------------------------------------------------------------------------------
def test_quarantine_is_the_input_bytes(shared_data: Path, tmp_path: Path) -> None:
    """Quarantined lines re-read from the TSV are exactly the rejected input lines (bare CR, non-ASCII and
    invalid UTF-8 included), at the file:line they came from; re-ingesting them rejects them again, alike."""
    real = gzip.decompress((shared_data / DMA).read_bytes()).split(b"\n")[:300]
    odd = [b"!AIVDM,1,1,,A,1\rbad*00", "\u00e9t\u00e9 caf\u00e9 \u2603".encode(), b"\xff\xfe garbage \x80",
           b"\t!AIVDM,1,1,,B,\"quoted\"\t*11  ", b"$GPRMC,1,2,3*00"]
    lines = real[:100] + odd + real[100:]
    f = tmp_path / "odd.nmea"
    f.write_bytes(b"\n".join(lines) + b"\n")
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)])[0]
    with open(rep["quarantine"], newline="", encoding="utf-8", errors="surrogateescape") as fh:
        q = list(csv.reader(fh, delimiter="\t"))[1:]
    assert len(q) == sum(rep["rejected"].values())
    got = {int(r[1]): r[3].encode("utf-8", "surrogateescape") for r in q}
    for n in range(101, 106):
        assert got[n] == lines[n - 1].removesuffix(b"\r"), n
    assert all(got[n] == lines[n - 1].removesuffix(b"\r") for n in got)
    # the quarantined bytes, fed back, are rejected for the same reasons
    again = tmp_path / "again.nmea"
    again.write_bytes(b"\n".join(got[n] for n in sorted(got)) + b"\n")
    rep2 = ingest(Store(tmp_path / "st2"), [str(again)])[0]
    assert sum(rep2["rejected"].values()) >= len(odd)


# ---- plausible times -----------------------------------------------------------------------------------------------
def _with_epoch(sentence: str, epoch_ms: int) -> str:
    return f"{sentence},{epoch_ms}"


def test_implausible_nmea_times_are_quarantined(tmp_path: Path) -> None:
    """Trailing epochs of 1970, 1980 and 2075 (outside the checksum) and a 2220-like tag time are quarantined as
    implausible_time with their line; plausible lines around them are kept and do not inherit the bad times."""
    s = "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24"
    ok = 1_600_000_000_000
    lines = [_with_epoch(s, ok), _with_epoch(s, 5_000), _with_epoch(s, 315_532_800_000),
             _with_epoch(s, 3_318_000_000_000), _with_epoch(s, ok + 120_000)]
    f = tmp_path / "t.nmea"
    f.write_text("\n".join(lines) + "\n")
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)])[0]
    assert rep["rejected"] == {"implausible_time": 3}
    assert rep["samples"]["implausible_time"] == ["t.nmea:2", "t.nmea:3", "t.nmea:4"]
    got = connect(st).execute("select src_line, epoch_ms(ts) from positions order by 1").fetchall()
    assert got == [(1, ok), (5, ok + 120_000)]


def test_implausible_csv_times_are_quarantined(shared_data: Path, tmp_path: Path) -> None:
    """Bit-flipped years in a MarineCadastre CSV (2220, 0020, 6020) are quarantined, not stored."""
    lines = (shared_data / NY).read_text().splitlines()[:50]
    for n, year in ((10, "2220"), (20, "0020"), (30, "6020")):
        lines[n - 1] = lines[n - 1].replace("2020-06-30T", f"{year}-06-30T")
    f = tmp_path / "flip.csv"
    f.write_text("\n".join(lines) + "\n")
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)])[0]
    n_bad = rep["rejected"].get("implausible_time", 0) + rep["rejected"].get("bad_row", 0)
    assert rep["rejected"].get("implausible_time", 0) >= 2 and n_bad == 3
    assert rep["positions"] == count(st) == 49 - 3
    years = connect(st).execute("select distinct year(ts) from positions").fetchall()
    assert years == [(2020,)]


# ---- Digitraffic oddities -------------------------------------------------------------------------------------------
def _snapshot(shared_data: Path) -> dict:
    return json.loads((shared_data / DT).read_text())


def test_digitraffic_one_odd_record_costs_only_itself(shared_data: Path, tmp_path: Path) -> None:
    """`"heading": []` in one record used to lose all 7,762 rows; now that record is one bad_row."""
    doc = _snapshot(shared_data)
    n = len(doc["vessels"])
    doc["vessels"][5]["heading"] = []
    doc["vessels"][9]["name"] = {"x": 1}
    doc["vessels"][11]["lat"] = "north"
    f = tmp_path / "odd.json"
    f.write_text(json.dumps(doc, indent=2))
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)])[0]
    assert rep["rejected"] == {"bad_row": 3}
    assert rep["positions"] == count(st) == n - 3
    with open(rep["quarantine"], newline="") as fh:
        q = list(csv.reader(fh, delimiter="\t"))[1:]
    assert sorted(json.loads(r[3])["mmsi"] for r in q) == sorted(doc["vessels"][i]["mmsi"] for i in (5, 9, 11))


def test_digitraffic_repeated_records_are_folded(shared_data: Path, tmp_path: Path) -> None:
    doc = _snapshot(shared_data)
    doc["vessels"] = doc["vessels"][:50] + [doc["vessels"][7]] * 100
    f = tmp_path / "rep.json"
    f.write_text(json.dumps(doc, indent=2))
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)])[0]
    assert rep["positions"] == count(st) == 50 and rep["duplicates_folded"] == 100
    assert connect(st).execute("select count(distinct mmsi) from positions").fetchone()[0] == 50


@pytest.mark.parametrize("vessels", [None, []])
def test_digitraffic_empty_vessels_is_an_empty_import_not_a_traceback(tmp_path: Path, vessels) -> None:
    f = tmp_path / "empty.json"
    f.write_text(json.dumps({"timestamp": "2025-12-12T12:31:24Z", "vessels": vessels}))
    res = CliRunner().invoke(app, ["ingest", str(f), "--store", str(tmp_path / "st")])
    out = " ".join(res.output.split())
    assert res.exit_code == 1 and "no AIS: no AIS records in it" in out, out


def test_digitraffic_non_iso_time_is_a_clear_error(shared_data: Path, tmp_path: Path) -> None:
    doc = _snapshot(shared_data)
    doc["timestamp"] = "12.12.2025 12:31"
    f = tmp_path / "t.json"
    f.write_text(json.dumps(doc))
    rep = ingest(Store(tmp_path / "st"), [str(f)])[0]
    assert "not an ISO-8601 time" in rep["error"]


# ---- damaged import, then the complete file ---------------------------------------------------------------------
def _positions_of(store: Store) -> list[tuple]:
    return connect(store).execute("select mmsi, epoch_ms(ts), src_line from positions order by all").fetchall()


@pytest.mark.parametrize("kind", ["truncated_gz", "cut_text_mid_line", "cut_csv"])
def test_damaged_then_complete_file_stores_each_row_once(shared_data: Path, tmp_path: Path, kind: str) -> None:
    """Ingesting a truncated file and then the complete one stored the truncated part twice (its import id is
    the hash of a different content). The complete file now supersedes an earlier import whose content is a
    prefix of its own: the store holds exactly the rows of the complete file alone, and re-runs (forced or not,
    of either file) change nothing."""
    if kind == "truncated_gz":
        raw = (shared_data / DMA).read_bytes()
        part, full = raw[: len(raw) // 2], raw
        names = ("cut.txt.gz", "full.txt.gz")
    elif kind == "cut_text_mid_line":
        full = gzip.decompress((shared_data / DMA).read_bytes())[:600_000]
        part = full[: 300_000 + 17]  # mid-line
        names = ("cut.nmea", "full.nmea")
    else:
        full = (shared_data / NY).read_bytes()
        part = full[: len(full) // 3]
        names = ("cut.csv", "full.csv")
    cut, complete = tmp_path / names[0], tmp_path / names[1]
    cut.write_bytes(part)
    complete.write_bytes(full)
    ref = Store(tmp_path / "ref")
    ingest(ref, [str(complete)])
    st = Store(tmp_path / "st")
    r_cut = ingest(st, [str(cut)])[0]
    assert r_cut["positions"] > 0
    r_full = ingest(st, [str(complete)])[0]
    assert r_full["supersedes"] == [r_cut["import_id"]]
    assert _positions_of(st) == _positions_of(ref)
    old = st.import_record(r_cut["import_id"])
    assert old["superseded_by"] == r_full["import_id"] and old.get("quarantine") is None
    for path, force in ((cut, False), (complete, False), (cut, True), (complete, True)):
        again = ingest(st, [str(path)], force=force)[0]
        assert "error" not in again, again
        assert _positions_of(st) == _positions_of(ref), (path.name, force)
    assert count(st, "vessel_reports") == count(ref, "vessel_reports")


def test_superseded_import_is_not_a_live_source(shared_data: Path, tmp_path: Path) -> None:
    full = (shared_data / NY).read_bytes()
    (tmp_path / "a.csv").write_bytes(full[: len(full) // 2])
    (tmp_path / "b.csv").write_bytes(full)
    st = Store(tmp_path / "st")
    a = ingest(st, [str(tmp_path / "a.csv")])[0]
    b = ingest(st, [str(tmp_path / "b.csv")])[0]
    assert [r["import_id"] for r in st.imports()] == [b["import_id"]]
    assert {r["import_id"] for r in st.imports(include_superseded=True)} == {a["import_id"], b["import_id"]}
    assert count(st) == b["positions"] == 8689


def test_csv_line_longer_than_the_limit_is_line_too_long(shared_data: Path, tmp_path: Path) -> None:
    """A CSV line over the 64 KiB line limit (a lost newline over hundreds of rows, CR-only line ends) was a
    bad_row with its text cut: it is now `line_too_long` like in NMEA, quarantined cut to the limit; the rows
    around it are kept."""
    from sanctionwatch.ais.sources import MAX_LINE_BYTES

    lines = (shared_data / NY).read_bytes().split(b"\n")
    glued = b"\r".join(lines[100:700])  # CR-only line ends: 600 rows are one line of ~79 KiB
    assert len(glued) > MAX_LINE_BYTES
    f = tmp_path / "long.csv"
    f.write_bytes(b"\n".join([*lines[:100], glued, *lines[700:1200]]) + b"\n")
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)], chunk_bytes=1 << 20)[0]
    assert rep["rejected"] == {"line_too_long": 1} and rep["samples"]["line_too_long"] == ["long.csv:101"]
    assert rep["positions"] == count(st) == 99 + 500
    with open(rep["quarantine"], newline="", encoding="utf-8", errors="surrogateescape") as fh:
        q = list(csv.reader(fh, delimiter="\t"))[1:]
    assert [(r[1], r[2]) for r in q] == [("101", "line_too_long")]
    assert q[0][3].encode("utf-8", "surrogateescape") == glued[:MAX_LINE_BYTES]
