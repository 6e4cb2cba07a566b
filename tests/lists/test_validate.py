"""List validation before use (issue 19): empty, HTML, cut and shrunken downloads never become "latest"."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.lists.download import cached, download
from sanctionwatch.lists.sources import SOURCES
from sanctionwatch.lists.validate import ListValidationError, check_files

UN = SOURCES["un_sc_sanctions"]
OFAC = SOURCES["us_ofac_sdn"]


@pytest.fixture
def good_un(lists_dir, tmp_path):
    """A cache holding one valid UN download (the shipped 2026 file)."""
    cache = tmp_path / "cache"
    meta = download(UN, [(lists_dir / "un" / "un_consolidated_2026-02-27.xml").as_uri()], cache)
    return cache, meta


def _bad(tmp_path, name, data: bytes):
    p = tmp_path / "bad" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(("data", "check"), [
    (b"", "empty"),
    (b"\r\n  \n", "empty"),
    (b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>", "sniff"),
    (b'{"error": "rate limited"}', "sniff"),
])
def test_failed_un_download_keeps_previous(good_un, tmp_path, data, check):
    cache, meta = good_un
    bad = _bad(tmp_path, "consolidated.xml", data)
    with pytest.raises(ListValidationError) as ei:
        download(UN, [bad.as_uri()], cache)
    assert [f.check for f in ei.value.validation.errors] == [check]
    assert "previous download (2026-02-27) stays latest" in str(ei.value)
    assert cached(UN, cache)["path"] == meta["path"]  # latest unchanged
    rejected = cache / "lists" / UN.id / "_rejected"
    assert json.loads((rejected / "validation.json").read_text())["ok"] is False
    assert not list((cache / "lists" / UN.id).glob("_incoming-*"))  # nothing half-written left behind


def test_cut_un_xml_is_refused(good_un, lists_dir, tmp_path):
    cache, meta = good_un
    raw = (lists_dir / "un" / "un_consolidated_2026-02-27.xml").read_bytes()
    bad = _bad(tmp_path, "consolidated.xml", raw[: len(raw) // 2])
    with pytest.raises(ListValidationError, match="does not end with </CONSOLIDATED_LIST>"):
        download(UN, [bad.as_uri()], cache)
    assert cached(UN, cache)["sha256"] == meta["sha256"]


def test_un_without_required_elements(tmp_path):
    p = _bad(tmp_path, "consolidated.xml", b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01">'
             b"\n</CONSOLIDATED_LIST>\n")
    assert {f.message for f in check_files(UN, p)} == {"no <INDIVIDUALS> element", "no <ENTITIES> element"}


def _ofac_copy(lists_dir, tmp_path, folder="2024-05-03"):
    d = tmp_path / "ofac_src"
    shutil.copytree(lists_dir / "ofac" / folder, d)
    return d


def test_ofac_cut_in_half_is_refused_first_download(lists_dir, tmp_path):
    """The issue's case: sdn.csv cut in half (8,078 of 14,965 entries) became latest with exit 0."""
    d = _ofac_copy(lists_dir, tmp_path)
    raw = (d / "sdn.csv").read_bytes()
    (d / "sdn.csv").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ListValidationError) as ei:
        download(OFAC, [(d / "sdn.csv").as_uri()], tmp_path / "cache")
    v = ei.value.validation
    checks = {f.check for f in v.errors}
    assert "trailer" in checks and "drop" in checks  # no trailer AND other failures: "possibly truncated"
    assert v.previous_from == "packaged snapshot (2024-05-03)" and v.previous_entities == 14965
    assert cached(OFAC, tmp_path / "cache") is None


def test_ofac_cut_on_a_line_boundary_caught_by_drop(lists_dir, tmp_path):
    d = _ofac_copy(lists_dir, tmp_path)
    lines = (d / "sdn.csv").read_bytes().split(b"\r\n")
    (d / "sdn.csv").write_bytes(b"\r\n".join(lines[: len(lines) // 2]) + b"\r\n")
    with pytest.raises(ListValidationError, match=r"fewer than the 14965 .* \(check drop\)"):
        download(OFAC, [(d / "sdn.csv").as_uri()], tmp_path / "cache")
    # the override: a deliberate downgrade is accepted, with the drop as a warning
    meta = download(OFAC, [(d / "sdn.csv").as_uri()], tmp_path / "cache", allow_drop=True)
    assert meta["entities"] < 14965 * 0.8 and any("(check drop)" in w for w in meta["warnings"])


def test_missing_trailer_alone_is_a_warning(lists_dir):
    """The 2019 moov-io copy has no \\x1a trailer and is otherwise complete: not an error."""
    findings = check_files(OFAC, lists_dir / "ofac" / "2019-01-15")
    assert findings and all(f.severity == "warning" and f.check == "trailer" for f in findings)
    assert check_files(OFAC, lists_dir / "ofac" / "2024-05-03") == []


def test_ofac_wrong_format_and_unterminated_quote(tmp_path):
    d = tmp_path / "o"
    d.mkdir()
    (d / "sdn.csv").write_bytes(b"name,type\nFOO,vessel\n")
    assert {f.check for f in check_files(OFAC, d) if f.severity == "error"} == {"format", "trailer"}
    row = b'1,"GOOD SHIP","vessel","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Remarks '
    (d / "sdn.csv").write_bytes(row)
    msgs = [f.message for f in check_files(OFAC, d)]
    assert any("cut inside a quoted field" in m for m in msgs) and any("possibly truncated" in m for m in msgs)


def test_conlist_and_ftm_checks(lists_dir, tmp_path):
    uk, ftm = SOURCES["gb_hmt_sanctions"], SOURCES["opensanctions"]
    assert check_files(uk, lists_dir / uk.local) == []
    assert check_files(ftm, lists_dir / ftm.local) == []
    p = _bad(tmp_path, "ConList.csv", b"Name,Regime\nFOO,DPRK\n")
    assert [f.check for f in check_files(uk, p)] == ["required_columns"]
    raw = (lists_dir / ftm.local).read_bytes()
    p = _bad(tmp_path, "entities.ftm.json", raw[: len(raw) - 40])
    assert [f.check for f in check_files(ftm, p)] == ["complete"]
    p = _bad(tmp_path, "entities.ftm.json", b'["not", "an", "entity"]\n')
    assert [f.check for f in check_files(ftm, p)] == ["required_fields"]


def test_zero_entries_is_refused(lists_dir, tmp_path):
    header = (lists_dir / "uk" / "hmt_2020_excerpt" / "ConList.csv").read_bytes().split(b"\n")[0]
    bad = _bad(tmp_path, "ConList.csv", header + b"\n")
    with pytest.raises(ListValidationError, match=r"loader failed: .*ConList.csv: no entries .* \(check load\)"):
        download(SOURCES["gb_hmt_sanctions"], [bad.as_uri()], tmp_path / "cache")


def test_cli_download_failure_exits_1_and_says_why(good_un, tmp_path):
    cache, meta = good_un
    bad = _bad(tmp_path, "consolidated.xml", b"<html><body>Error</body></html>")
    r = CliRunner().invoke(app, ["lists", "download", UN.id, "--url", bad.as_uri(), "--cache-dir", str(cache)])
    assert r.exit_code == 1, r.output
    out = " ".join(r.output.split())  # rich wraps long lines
    assert "HTML page" in out and "stays latest" in out
    assert cached(UN, cache)["path"] == meta["path"]


def test_lists_build_refuses_cut_or_shrunken_lists(lists_dir, tmp_path, monkeypatch):
    """`lists build` indexed 8,078 of 14,965 OFAC entries with exit 0 (issue 19); now it writes nothing, exit 1."""
    ofac = tmp_path / "lists" / "ofac" / "2024-05-03"
    shutil.copytree(lists_dir / "ofac" / "2024-05-03", ofac)
    monkeypatch.setenv("SANCTIONWATCH_LISTS_DIR", str(tmp_path / "lists"))
    store, run = tmp_path / "store", CliRunner()
    args = ["lists", "build", "--store", str(store), "--source", "us_ofac_sdn"]
    assert run.invoke(app, args).exit_code == 0
    manifest = (store / "lists" / "manifest.json").read_bytes()
    raw = (ofac / "sdn.csv").read_bytes()
    (ofac / "sdn.csv").write_bytes(raw[: len(raw) // 2])  # cut mid-row
    r = run.invoke(app, args)
    out = " ".join(r.output.split())
    assert r.exit_code == 1 and "index not written" in out and "possibly truncated" in out and "(check drop)" in out
    assert (store / "lists" / "manifest.json").read_bytes() == manifest  # the current index stays
    lines = raw.split(b"\r\n")  # cut on a line boundary: only the drop against the current index shows it
    (ofac / "sdn.csv").write_bytes(b"\r\n".join(lines[: len(lines) // 2]) + b"\r\n")
    r = run.invoke(app, args)
    assert r.exit_code == 1 and "store's current index" in " ".join(r.output.split())
    assert run.invoke(app, [*args, "--allow-drop"]).exit_code == 0


def test_docs_state_validate_params():
    """One definition: docs/screening.md's ValidateParams table states each field's default."""
    from dataclasses import fields
    from pathlib import Path

    from sanctionwatch.lists.validate import ValidateParams

    doc = (Path(__file__).parents[2] / "docs" / "screening.md").read_text(encoding="utf-8")
    for f in fields(ValidateParams):
        assert f"| `{f.name}` | {getattr(ValidateParams(), f.name)} |" in doc, f.name


def test_load_source_reports_a_cut_local_file(lists_dir, tmp_path):
    """A local sdn.csv cut in half lost 6,887 entries with no problem reported (issue 19)."""
    from sanctionwatch.lists.sources import load_source

    d = _ofac_copy(lists_dir, tmp_path, "2019-01-15")
    raw = (d / "sdn.csv").read_bytes()
    (d / "sdn.csv").write_bytes(raw[: len(raw) // 2])
    ll = load_source(SOURCES["us_ofac_sdn"], d)
    reasons = [q.reason for q in ll.problems]
    assert any("possibly truncated" in r for r in reasons), reasons
    assert not load_source(SOURCES["us_ofac_sdn"], lists_dir / "ofac" / "2019-01-15").problems  # trailer-less, whole
