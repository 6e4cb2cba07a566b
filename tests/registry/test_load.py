"""Registry CSV import (issue 18): both layouts, header spellings, located problems, idempotent store."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.registry.load import parse_date, read_registry
from sanctionwatch.registry.store import load_registry, manifest, registry_rows
from sanctionwatch.store import Store

WIDE = """IMO number,Ship name,Registered owner,Registered owner IMO,Ship manager,Ship manager IMO,Operator,Date of effect
9000003,TEST ONE,OCEAN MARITIME MANAGEMENT CO LTD,1790183,,,,2021-01-01
9000015,TEST TWO,SOME OWNER SA,,KOREA SAMMA SHPG CO,,,01/02/2020
1234568,BAD IMO,X,,,,,
9000027,TEST THREE,OWNER THREE,12345,,,,yesterday
"""

LONG = """\ufeffLR/IMO Ship No.;Name of ship;Role;Name of company;Company IMO;Date of effect
9000003;TEST ONE;Registered owner;OCEAN MARITIME MANAGEMENT CO LTD;1790183;2021-13-01
9000003;TEST ONE;ISM Manager (DOC Company);KOREA SAMMA SHPG CO;;since 01/05/2019
9000015;TEST TWO;Ship manager/Commercial manager;SOME MANAGER LTD;IMO 5434358;2020-02
9000015;TEST TWO;Charterer;SOMEONE;;
"""


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_wide_layout_with_located_problems(tmp_path):
    reg = read_registry(_write(tmp_path, "wide.csv", WIDE))
    assert reg.layout == "wide"
    assert reg.columns["registered owner company_imo"] == "Registered owner IMO"
    rows = reg.rows.select("imo", "role", "company", "company_imo", "start_date", "source_ref").rows()
    assert rows == [
        ("9000003", "registered owner", "OCEAN MARITIME MANAGEMENT CO LTD", "1790183", "2021-01-01", "wide.csv:2"),
        ("9000015", "registered owner", "SOME OWNER SA", None, "2020-02-01", "wide.csv:3"),
        ("9000015", "ship manager", "KOREA SAMMA SHPG CO", None, "2020-02-01", "wide.csv:3"),
        ("9000027", "registered owner", "OWNER THREE", None, None, "wide.csv:5"),
    ]
    probs = {(p.location, p.reason.split(";")[0]) for p in reg.problems}
    assert ("wide.csv:4", "vessel IMO '1234568' is not a check-digit-valid IMO number") in probs
    assert any(loc == "wide.csv:5" and "date 'yesterday'" in r for loc, r in probs)
    assert any(loc == "wide.csv:5" and "company IMO number '12345' is not 7 digits" in r for loc, r in probs)


def test_long_layout_equasis_headers(tmp_path):
    reg = read_registry(_write(tmp_path, "long.csv", LONG))
    assert reg.layout == "long" and reg.columns["imo"] == "LR/IMO Ship No."
    got = reg.rows.select("imo", "role", "company_imo", "start_date").rows()
    assert got[1:] == [("9000003", "ISM manager", None, "2019-05-01"), ("9000015", "ship manager", "5434358", "2020-02")]
    # 2021-13-01 is no date: the row stays, its date is empty, the problem names the line
    assert got[0] == ("9000003", "registered owner", "1790183", None)
    assert [p.location for p in reg.problems] == ["long.csv:2", "long.csv:5"]
    assert "role 'Charterer' not one of" in reg.problems[1].reason


@pytest.mark.parametrize("text, message", [
    ("", "empty file"),
    ("Ship name,Owner\nX,Y\n", "no IMO column"),
    ("IMO,Ship name\n9000003,X\n", "no owner, manager or operator column"),
    ("IMO,Owner\n1234568,X\n", "no usable registry row"),
])
def test_unusable_files_are_clear_errors(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        read_registry(_write(tmp_path, "bad.csv", text))


def test_dates():
    assert parse_date("2021-03-01") == "2021-03-01" and parse_date("01/03/2021") == "2021-03-01"
    assert parse_date("202103") == "2021-03" and parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("03/13/2021")  # day first: month 13 is no date


def test_store_load_is_idempotent(tmp_path):
    st = Store(tmp_path / "store")
    f = _write(tmp_path, "wide.csv", WIDE)
    _, again = load_registry(f, st)
    assert not again
    first = registry_rows(st)
    _, again2 = load_registry(f, st)
    assert again2 and registry_rows(st).equals(first)
    man = manifest(st)
    assert len(man["files"]) == 1 and man["files"][0]["rows"] == 4 and len(man["files"][0]["problems"]) == 3
    assert not list((st.root / "registry").rglob("*.tmp"))  # write-then-rename left nothing behind
    # a second export is kept beside the first (history), rows from both
    load_registry(_write(tmp_path, "long.csv", LONG), st)
    assert len(manifest(st)["files"]) == 2
    assert registry_rows(st).height == first.height + 3
    assert json.loads((st.root / "registry" / "manifest.json").read_text())["files"][1]["layout"] == "long"
    assert set(registry_rows(st)["source_ref"].str.split(":").list.first()) == {"wide.csv", "long.csv"}
    assert registry_rows(st).schema["imo"] == pl.Utf8
