"""Ingest robustness: formats, gzip, directories, stdin, idempotency, atomicity, reports and quarantine."""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from sanctionwatch.ais.ingest import IngestError, _place_in_time, ingest, ingest_input
from sanctionwatch.ais.sources import Input
from sanctionwatch.cli.main import app
from sanctionwatch.store import Store, connect

NY = "ais/NYHarbor_2020_06_30_first_hour.csv"
SAT = "ais/test_data_20210701.csv"
DT = "ais/digitraffic_baltic_latest_20251212.json"
EXPORTS = (NY, SAT, DT)


def count(store: Store, table: str = "positions") -> int:
    return connect(store).execute(f"select count(*) from {table}").fetchone()[0]


def visible_files(store: Store) -> list[Path]:
    return [p for t in ("positions", "vessel_reports") if store.table_dir(t).exists()
            for p in store.table_dir(t).rglob("*.parquet")]


def expected_sat(shared_data: Path) -> dict:
    """Counts for the satellite CSV computed with the csv module (independently of the reader)."""
    with open(shared_data / SAT, newline="") as fh:
        rows = list(csv.reader(fh))
    ix = {n: i for i, n in enumerate(rows[0])}
    ok = [r for r in rows[1:] if 1 <= int(r[ix["MMSI"]]) <= 999_999_999]
    bad = [i + 2 for i, r in enumerate(rows[1:]) if not 1 <= int(r[ix["MMSI"]]) <= 999_999_999]
    t = [int(r[ix["Message_ID"]]) for r in ok]
    return {"lines": len(rows), "messages": len(ok), "bad_mmsi": bad,
            "positions": sum(x in (1, 2, 3, 4, 18, 19, 27) for x in t), "vessel_reports": sum(x in (5, 19, 24) for x in t)}


def test_every_export_file_report_matches_store(shared_data: Path, tmp_path: Path) -> None:
    st = Store(tmp_path / "st")
    reps = {Path(r["inputs"][0]).name: r for r in ingest(st, [str(shared_data / p) for p in EXPORTS])}
    ny, sat, dt = (reps[Path(p).name] for p in EXPORTS)
    assert (ny["formats"], ny["lines"], ny["positions"], ny["rejected"]) == ({"marinecadastre": 1}, 8690, 8689, {})
    exp = expected_sat(shared_data)
    assert sat["formats"] == {"sat_csv": 1}
    assert {k: sat[k] for k in ("lines", "messages", "positions", "vessel_reports")} == {
        k: exp[k] for k in ("lines", "messages", "positions", "vessel_reports")}
    assert sat["rejected"] == {"bad_mmsi": len(exp["bad_mmsi"])}
    assert sat["samples"]["bad_mmsi"] == [f"test_data_20210701.csv:{n}" for n in exp["bad_mmsi"]][:5]
    doc = json.loads((shared_data / DT).read_text())
    assert (dt["positions"], dt["ts_min"], dt["ts_max"]) == (len(doc["vessels"]), "2025-12-12T12:31:24.532000+00:00",
                                                            "2025-12-12T12:31:24.532000+00:00")
    assert count(st) == sum(r["positions"] for r in reps.values())
    assert count(st, "vessel_reports") == sum(r["vessel_reports"] for r in reps.values())
    # The report is kept in the store and the rejected raw line in the quarantine TSV.
    assert st.import_record(sat["import_id"])["positions"] == sat["positions"]
    with open(sat["quarantine"], newline="") as fh:
        q = list(csv.reader(fh, delimiter="\t"))
    raw_lines = (shared_data / SAT).read_text().splitlines()
    assert q[0] == ["file", "line", "reason", "raw"]
    assert q[1:] == [["test_data_20210701.csv", str(n), "bad_mmsi", raw_lines[n - 1]] for n in exp["bad_mmsi"]]
    # Evidence trail: every stored position points at its source line.
    con = connect(st)
    assert con.execute("select count(*) from positions where src_line is null or source is null").fetchone()[0] == 0


def test_reingest_skips_force_replaces_and_gzip_is_same_content(shared_data: Path, tmp_path: Path) -> None:
    st = Store(tmp_path / "st")
    src = shared_data / SAT
    gz = tmp_path / "copy.csv.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    first = ingest(st, [str(src)])[0]
    n = count(st)
    assert n == first["positions"] > 0
    again = ingest(st, [str(src)])[0]
    assert "skipped" in again and again["import_id"] == first["import_id"]
    gz_rep = ingest(st, [str(gz)])[0]
    assert "skipped" in gz_rep and gz_rep["import_id"] == first["import_id"]  # same decompressed content
    forced = ingest(st, [str(gz)], force=True)[0]
    assert "skipped" not in forced and forced["import_id"] == first["import_id"]
    assert count(st) == n  # replaced, not duplicated
    assert len(st.imports()) == 1


def test_directories_recursive_and_gz(shared_data: Path, tmp_path: Path) -> None:
    d = tmp_path / "in" / "sub"
    d.mkdir(parents=True)
    shutil.copy(shared_data / NY, tmp_path / "in" / "ny.csv")
    (d / "sat.csv.gz").write_bytes(gzip.compress((shared_data / SAT).read_bytes()))
    (d / "README.md").write_text("not data")
    (d / ".hidden").write_text("not data")
    st = Store(tmp_path / "st")
    reps = ingest(st, [str(tmp_path / "in")])
    assert [Path(r["inputs"][0]).name for r in reps] == ["ny.csv", "sat.csv.gz"]
    assert reps[1]["positions"] == expected_sat(shared_data)["positions"]
    sources = {s for (s,) in connect(st).execute("select distinct source::varchar from positions").fetchall()}
    assert sources == {"ny.csv", "sat.csv.gz"}


def test_stdin_and_cli(shared_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "st"
    data = gzip.compress((shared_data / SAT).read_bytes())  # gzip on stdin is detected by its magic bytes
    res = CliRunner().invoke(app, ["ingest", "-", "--store", str(store), "--json"], input=data)
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout[res.stdout.index("["):res.stdout.rindex("]") + 1])[0]
    exp = expected_sat(shared_data)
    assert rep["inputs"] == ["-"] and rep["positions"] == exp["positions"]
    assert rep["samples"]["bad_mmsi"][0] == f"-:{exp['bad_mmsi'][0]}"
    assert "bad_mmsi" in res.stderr
    # The same content from a file is recognised as already ingested.
    res = CliRunner().invoke(app, ["ingest", str(shared_data / SAT), "--store", str(store)])
    assert res.exit_code == 0 and "already ingested" in res.output.replace("\n", " ")


def test_cli_reports_unreadable_inputs_and_continues(shared_data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "other.csv"
    bad.write_text("mmsi,when,lat,lon\n1,2,3,4\n")
    res = CliRunner().invoke(app, ["ingest", str(bad), str(shared_data / NY), "--store", str(tmp_path / "st")])
    assert res.exit_code == 1
    assert "no known export layout" in res.output.replace("\n", " ")
    assert count(Store(tmp_path / "st")) == 8689
    res = CliRunner().invoke(app, ["ingest", str(tmp_path / "missing.nmea"), "--store", str(tmp_path / "st")])
    assert res.exit_code == 2 and "input not found" in res.output


def test_interrupted_import_leaves_nothing_visible(shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    st = Store(tmp_path / "st")
    real = Store.stage_day_partitions
    calls = {"n": 0}

    def failing(self, *a, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt("simulated Ctrl-C mid-import")
        return real(self, *a, **kw)

    monkeypatch.setattr(Store, "stage_day_partitions", failing)
    with pytest.raises(KeyboardInterrupt):
        ingest(st, [str(shared_data / NY)], chunk_bytes=100_000)  # several chunks
    assert calls["n"] == 3
    assert visible_files(st) == [] and st.imports() == [] and count(st) == 0
    assert not any((st.root / "_staging").iterdir())
    assert not (st.root / "_quarantine").exists()
    monkeypatch.setattr(Store, "stage_day_partitions", real)
    assert ingest(st, [str(shared_data / NY)], chunk_bytes=100_000)[0]["positions"] == count(st) == 8689


def test_stale_staging_of_a_killed_process_is_removed(tmp_path: Path) -> None:
    st = Store(tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = st.claim_staging("run-stale")
    (stale / "owner.pid").write_text(str(dead.pid))
    live = st.claim_staging("run-live")  # this process: kept
    assert st.clean_stale_staging() == ["run-stale"]
    assert not stale.exists() and live.exists()
    assert (live / "owner.pid").read_text() == str(os.getpid())


def test_corrupt_csv_lines_counted_sampled_and_quarantined(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / NY).read_text().splitlines()[:200]
    for n in (10, 20, 30, 40, 50, 60, 70):
        lines[n - 1] = lines[n - 1].replace(",", ";", 2)  # wrong field count
    lines[99] = lines[99].replace("2020-06-30T", "2020-13-30T")
    f = tmp_path / "broken.csv"
    f.write_text("\n".join(lines) + "\n")
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(f)], chunk_bytes=4096)[0]
    assert rep["rejected"] == {"bad_row": 8}
    assert rep["samples"]["bad_row"] == [f"broken.csv:{n}" for n in (10, 20, 30, 40, 50)]
    assert rep["positions"] == count(st) == 199 - 8
    with open(rep["quarantine"], newline="") as fh:
        q = list(csv.reader(fh, delimiter="\t"))[1:]
    assert [(int(r[1]), r[3]) for r in q] == [(n, lines[n - 1]) for n in (10, 20, 30, 40, 50, 60, 70, 100)]
    kept = json.loads((st.imports_dir / f"{rep['import_id']}.json").read_text())
    assert kept["rejected"] == rep["rejected"] and kept["quarantine"] == rep["quarantine"]


def test_assume_time_fills_untimed_rows_else_rejects() -> None:
    ts = pa.array([datetime(2024, 1, 1, tzinfo=UTC), None, None], pa.timestamp("ms", tz="UTC"))
    t = pa.table({"ts": ts, "mmsi": pa.array([1, 2, 3], pa.int32()), "src_line": [1, 2, 3],
                  "ts_source": pa.array(["tag", None, None]).dictionary_encode()})
    kept, untimed = _place_in_time(t, None)
    assert kept.column("mmsi").to_pylist() == [1] and untimed.column("src_line").to_pylist() == [2, 3]
    at = datetime(2025, 5, 5, tzinfo=UTC)
    kept, untimed = _place_in_time(t, at)
    assert untimed.num_rows == 0
    assert kept.column("ts").to_pylist()[1:] == [at, at]
    assert kept.column("ts_source").to_pylist() == ["tag", "assumed", "assumed"]


def test_digitraffic_without_time_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "snap.json"
    f.write_text(json.dumps({"vessels": [{"mmsi": 230613000, "lat": 59.0, "lon": 19.0}]}))
    st = Store(tmp_path / "st")
    with pytest.raises(IngestError, match="--assume-time"):
        ingest_input(st, Input(str(f)))
    assert visible_files(st) == []
    rep = ingest(st, [str(f)], assume_time=datetime(2025, 1, 1, tzinfo=UTC))[0]
    assert rep["positions"] == 1 and rep["ts_min"] == "2025-01-01T00:00:00+00:00"


# ---- raw NMEA end to end (decoder: ais/nmea.py) ------------------------------------------------------------
# Spans and message counts from ../shared/data/ais/PROVENANCE.md (computed there with pyais 3.3.1).
NMEA_FILES = {
    "ais/dma_aisabnormal_ais-sample.txt.gz": ("2013-11-12T12:00:00", "2013-11-12T12:05:00", 26077),
    "ais/212123000_drift_1.ais": ("2014-10-02T16:30:00", "2014-10-03T07:00:00", 3130),
    "ais/exact-earth-augmented-3.txt": ("2012-02-02T09:00:00", "2012-02-02T13:00:00", None),
    "ais/amsa_risky_ais.txt.gz": ("2012-01-27T09:57:00", "2012-01-27T11:54:00", None),
}


@pytest.mark.parametrize("rel", list(NMEA_FILES))
def test_nmea_file_report_store_and_quarantine_agree(shared_data: Path, tmp_path: Path, rel: str) -> None:
    path = shared_data / rel
    raw = gzip.decompress(path.read_bytes()) if rel.endswith(".gz") else path.read_bytes()
    lines = raw.decode("latin-1").splitlines()
    st = Store(tmp_path / "st")
    rep = ingest(st, [str(path)], chunk_bytes=256 * 1024)[0]  # several chunks: fragments cross chunk ends
    lo, hi, msgs = NMEA_FILES[rel]
    assert rep["formats"] == {"nmea": 1}
    assert rep["lines"] == len(lines)
    if msgs is not None:
        assert rep["messages"] == msgs
    assert lo <= rep["ts_min"][:19] and rep["ts_max"][:19] < hi
    con = connect(st)
    assert con.execute("select count(*) from positions").fetchone()[0] == rep["positions"] > 0
    assert con.execute("select count(*) from vessel_reports").fetchone()[0] == rep["vessel_reports"]
    # Evidence trail: every stored row points at a line of this file that holds an AIS sentence.
    src = [r[0] for r in con.execute("select src_line from positions union all select src_line from vessel_reports"
                                     ).fetchall()]
    assert all(1 <= n <= len(lines) and ("VDM," in lines[n - 1] or "VDO," in lines[n - 1]) for n in src)
    # Quarantine: one verbatim line per counted reject, and the samples point at quarantined lines.
    q: list[list[str]] = []
    if rep["quarantine"]:
        with open(rep["quarantine"], newline="", encoding="utf-8") as fh:
            q = list(csv.reader(fh, delimiter="\t"))[1:]
    assert len(q) == sum(rep["rejected"].values())
    by_reason: dict[str, int] = {}
    for _file, line, reason, text in q:
        by_reason[reason] = by_reason.get(reason, 0) + 1
        assert text == lines[int(line) - 1].rstrip("\r"), (line, reason)
    assert by_reason == rep["rejected"]
    for reason, samples in rep["samples"].items():
        assert all(s.startswith(path.name + ":") for s in samples), reason


def test_planted_nmea_corruption_is_counted_by_reason(shared_data: Path, tmp_path: Path) -> None:
    """Corrupt known lines of a real feed: the report's counts grow by exactly what was planted, per reason."""
    lines = gzip.decompress((shared_data / "ais/dma_aisabnormal_ais-sample.txt.gz").read_bytes()).decode().splitlines()
    lines = lines[:3000]
    clean = tmp_path / "clean.nmea"
    clean.write_text("\n".join(lines) + "\n")
    single = [i for i, ln in enumerate(lines) if ln.startswith("!AIVDM,1,1,")]
    bad_sum, cut = single[10:15], single[20:23]
    for i in bad_sum:  # change one payload character: the checksum no longer matches
        head, payload, rest = lines[i].split(",", 5)[:5], lines[i].split(",")[5], lines[i].split(",", 6)[6]
        payload = ("1" if payload[3] != "1" else "2").join([payload[:3], payload[4:]])
        lines[i] = ",".join([*head, payload, rest])
    for i in cut:  # cut before the checksum
        lines[i] = lines[i][:30]
    lines.insert(100, "hello, this is not NMEA")
    dirty = tmp_path / "dirty.nmea"
    dirty.write_text("\n".join(lines) + "\n")
    st = Store(tmp_path / "st")
    base, rep = ingest(st, [str(clean), str(dirty)])
    diff = {k: rep["rejected"].get(k, 0) - base["rejected"].get(k, 0) for k in set(rep["rejected"]) | set(base["rejected"])}
    assert {k: v for k, v in diff.items() if v} == {"bad_checksum": 5, "truncated": 3, "not_ais": 1}
    assert rep["lines"] == base["lines"] + 1
    with open(rep["quarantine"], newline="") as fh:
        q = {(int(r[1]), r[2]) for r in list(csv.reader(fh, delimiter="\t"))[1:]}
    def line_no(i: int) -> int:  # 1-based file line of original index i, after the line inserted at 100
        return i + 1 + (i >= 100)
    assert {(line_no(i), "bad_checksum") for i in bad_sum} <= q
    assert {(line_no(i), "truncated") for i in cut} <= q
    assert (101, "not_ais") in q


@pytest.mark.slow
def test_simulator_dma_csv_and_nmea_agree_with_ground_truth(tmp_path: Path) -> None:
    """The simulator writes the same traffic as DMA CSV and NMEA: both paths must store identical positions."""
    from sanctionwatch.simulate.run import run

    summary = run("smoke", tmp_path / "sim", seed=1)
    st = Store(tmp_path / "st")
    csv_rep, nmea_rep = ingest(st, [str(tmp_path / "sim" / summary["files"]["csv"]),
                                    str(tmp_path / "sim" / summary["files"]["nmea"])])
    assert csv_rep["formats"] == {"dma_aisdk": 1} and csv_rep["rejected"] == {}
    assert csv_rep["positions"] == summary["csv_rows"] == summary["position_reports"]
    assert csv_rep["by_type"] == {t: n for t, n in summary["by_type"].items() if t in ("1", "18")}
    assert nmea_rep["positions"] == summary["position_reports"]
    assert nmea_rep["rejected"] == {"bad_checksum": summary["corrupt_lines"]}
    assert nmea_rep["vessel_reports"] == summary["by_type"]["5"] + summary["by_type"]["24"]
    same = connect(st).execute("""
        with c as (select * from positions where source = 'traffic.csv'),
             n as (select * from positions where source = 'traffic.nmea')
        select count(*), max(abs(c.lat - n.lat)), max(abs(c.lon - n.lon)), max(abs(c.sog - n.sog)),
               max(abs(c.cog - n.cog)), count(*) filter (where c.heading is distinct from n.heading
                   or c.nav_status is distinct from n.nav_status or c.msg_type <> n.msg_type)
        from c join n using (mmsi, ts)""").fetchone()
    assert same == (summary["position_reports"], 0.0, 0.0, 0.0, 0.0, 0)


def test_cli_rejects_a_bad_assume_time(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["ingest", str(tmp_path), "--store", str(tmp_path / "st"), "--assume-time", "soon"])
    assert res.exit_code == 2 and "--assume-time" in res.output


def test_zip_with_one_csv_is_read_and_several_files_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    import zipfile

    one, two = tmp_path / "AIS_2020_06_30.zip", tmp_path / "two.zip"
    with zipfile.ZipFile(one, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(shared_data / NY, "AIS_2020_06_30.csv")
        z.writestr("__MACOSX/._AIS_2020_06_30.csv", b"resource fork")
    with zipfile.ZipFile(two, "w") as z:
        z.writestr("a.csv", b"x")
        z.writestr("b.csv", b"y")
    st = Store(tmp_path / "st")
    rep_one, rep_two = ingest(st, [str(one), str(two)])
    assert rep_one["positions"] == 8689 and rep_one["formats"] == {"marinecadastre": 1}
    assert "expected one file" in rep_two["error"]
    assert "skipped" in ingest(st, [str(shared_data / NY)])[0]  # same content as the zipped CSV


def test_nmea_with_utf8_bom_keeps_first_line(tmp_path):
    """A BOM (Windows editors) must not turn the first sentence into a rejected line."""

    def line(epoch: int) -> bytes:
        tag = f"s:STN1,c:{epoch}"
        ck = 0
        for ch in tag.encode():
            ck ^= ch
        return f"\\{tag}*{ck:02X}\\!AIVDM,1,1,,A,12wd4@@011`k88hFh<p118TuP000,0*4A\n".encode()

    f = tmp_path / "bom.nmea"
    f.write_bytes(b"\xef\xbb\xbf" + line(1764000001) + line(1764000301))
    st = Store(tmp_path / "s")
    (rep,) = ingest(st, [str(f)])
    assert rep["rejected"] == {} and rep["positions"] == 2
    assert connect(st).execute("select min(src_line) from positions").fetchone()[0] == 1


def test_untimed_nmea_hints_and_can_be_reimported_with_assume_time(tmp_path: Path) -> None:
    """No timestamps anywhere: rejected (quarantined) with a hint; re-running with --assume-time imports them."""
    f = tmp_path / "nots.nmea"
    f.write_text("!AIVDM,1,1,,A,12wd4@@011`k88hFh<p118TuP000,0*4A\n")
    st_dir = tmp_path / "st"
    res = CliRunner().invoke(app, ["ingest", str(f), "--store", str(st_dir)])
    # every line rejected: an error (issue 14), with the hint, and nothing lost (quarantined)
    assert res.exit_code == 1 and "--assume-time" in res.output
    assert connect(Store(st_dir)).execute("select count(*) from positions").fetchone()[0] == 0
    res = CliRunner().invoke(app, ["ingest", str(f), "--store", str(st_dir), "--assume-time", "2025-11-24T12:00:00Z"])
    assert res.exit_code == 0, res.output
    assert connect(Store(st_dir)).execute("select count(*) from positions").fetchone()[0] == 1
    # a third run is a plain repeat: skipped, no duplicates
    CliRunner().invoke(app, ["ingest", str(f), "--store", str(st_dir), "--assume-time", "2025-11-24T12:00:00Z"])
    assert connect(Store(st_dir)).execute("select count(*) from positions").fetchone()[0] == 1
