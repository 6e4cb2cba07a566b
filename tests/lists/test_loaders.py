"""Loaders on the real shipped list files: counts from sanctions/PROVENANCE.md, quirks, bad input."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from sanctionwatch.lists.ofac import load_ofac
from sanctionwatch.lists.opensanctions import load_ftm
from sanctionwatch.lists.uk import load_hmt_conlist, load_uk_derived
from sanctionwatch.lists.un import load_un

DPRK_OFAC = {"DPRK", "DPRK2", "DPRK3", "DPRK4", "DPRK-NKSPEA"}


@cache
def _ofac(folder):
    """Each OFAC snapshot is parsed once per test session."""
    return load_ofac(folder)


def _schemas(ll):
    return Counter(e.schema.name for e in ll.entities)


@pytest.mark.parametrize(("folder", "rows", "vessels", "with_imo", "dprk_vessels"), [
    ("2019-01-15", 7379, 323, 316, 101), ("2021-08-18", 9083, 407, 400, 106), ("2024-05-03", 14965, 851, 844, 105),
])
def test_ofac_sdn_counts(lists_dir, folder, rows, vessels, with_imo, dprk_vessels):
    ll = _ofac(lists_dir / "ofac" / folder)
    v = [e for e in ll.entities if e.schema.name == "Vessel"]
    assert len(ll.entities) == rows and not ll.problems
    assert len(v) == vessels
    assert sum(1 for e in v if e.get("imoNumber")) == with_imo
    assert sum(1 for e in v if DPRK_OFAC & set(e.get("program"))) == dprk_vessels
    assert ll.list_version == folder


def test_ofac_vessel_fields_and_aliases(lists_dir):
    ll = _ofac(lists_dir / "ofac" / "2024-05-03")
    argo = next(e for e in ll.entities if e.id == "us_ofac_sdn-15038")
    assert argo.get("imoNumber") == ["IMO9187667"] and argo.get("mmsi") == ["256843000"]
    assert argo.get("callSign") == ["T2EM4"] and argo.get("flag") == ["ir"]
    assert ll.refs[argo.id] == "ofac/2024-05-03/sdn.csv:2443"
    # 2019 has alt.csv: its aliases are loaded; remarks overflow (sdn_comments.csv) is appended.
    old = _ofac(lists_dir / "ofac" / "2019-01-15")
    aero = next(e for e in old.entities if e.id == "us_ofac_sdn-36")
    assert "AERO-CARIBBEAN" in aero.get("alias")
    over = next(e for e in old.entities if e.id == "us_ofac_sdn-12300")
    assert "DESARROLLO MINERO RESPONSABLE" in " ".join(over.get("notes"))


def test_ofac_consolidated(lists_dir):
    ll = load_ofac(lists_dir / "ofac" / "consolidated_non_sdn_2025-12", kind="cons")
    assert len(ll.entities) == 442 and ll.dataset == "us_ofac_cons"
    assert "HANIYYA, Ismaeel" in next(e for e in ll.entities if e.id == "us_ofac_cons-9639").get("alias")


def test_ofac_bad_rows_are_reported(tmp_path):
    d = tmp_path / "2020-01-01"
    d.mkdir()
    (d / "sdn.csv").write_bytes(
        b'1,"GOOD SHIP","vessel","DPRK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Vessel Registration Identification IMO 8705538."\r\n'
        b'2,"SHORT ROW","vessel"\r\n\x1a'
    )
    ll = load_ofac(d)
    assert [e.first("name") for e in ll.entities] == ["GOOD SHIP"]
    reasons = {p.location: p.reason for p in ll.problems}
    assert any(loc.endswith("sdn.csv:2") and "12 fields" in r for loc, r in reasons.items())
    assert any("check digit" in r for r in reasons.values())


@pytest.mark.parametrize(("name", "version", "persons", "entities"), [
    ("un_consolidated_2018-10-29.xml", "2018-10-29", 703, 390), ("un_consolidated_2026-02-27.xml", "2026-02-27", 730, 273),
])
def test_un_counts(lists_dir, name, version, persons, entities):
    ll = load_un(lists_dir / "un" / name)
    s = _schemas(ll)
    assert ll.list_version == version
    assert s["Person"] == persons and s["Company"] + s["Organization"] == entities
    assert sum(1 for e in ll.entities if e.first("program") == "DPRK") == 155
    assert not any(e.schema.name == "Vessel" for e in ll.entities)  # the UN XML lists no vessels


def test_un_company_imo_and_errors(lists_dir, tmp_path):
    ll = load_un(lists_dir / "un" / "un_consolidated_2026-02-27.xml")
    kpe066 = next(e for e in ll.entities if e.id == "un_sc_sanctions-KPe.066")
    assert kpe066.get("imoNumber") == ["IMO5434358"]
    bad = tmp_path / "x.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIVIDUALS>")
    with pytest.raises(ValueError, match="not well-formed"):
        load_un(bad)


def test_uk_derived(lists_dir):
    ll = load_uk_derived(lists_dir / "uk" / "uk_sanctions_list_2026-05_derived")
    s = _schemas(ll)
    assert len(ll.entities) == 6046 and s["Person"] == 3883 and s["Vessel"] == 632
    dprk = [e for e in ll.entities if e.id.startswith("gb_fcdo_sanctions-DPR")]
    dprk_ships = [e for e in dprk if e.schema.name == "Vessel"]
    assert len(dprk) == 261 and len(dprk_ships) == 37
    assert sum(1 for e in dprk_ships if e.get("imoNumber")) == 36
    assert ll.list_version == "2026-04-29"
    petrel = next(e for e in ll.entities if e.id == "gb_fcdo_sanctions-DPR0075")
    assert petrel.first("name") == "Petrel 8" and "Jal_Vahini" in petrel.get("alias")


def test_hmt_conlist(lists_dir):
    old = load_hmt_conlist(lists_dir / "uk" / "hmt_2016-02-12_partial" / "ConList.csv")
    assert len(old.entities) == 463 and old.list_version == "2016-02-12" and not old.problems
    new = load_hmt_conlist(lists_dir / "uk" / "hmt_2020_excerpt" / "ConList.csv")  # header has an extra column
    assert len(new.entities) == 41 and new.list_version == "2020-02-20"
    (ship,) = [e for e in new.entities if e.schema.name == "Vessel"]
    assert ship.first("name") == "TONG SAN 2"
    assert ship.get("imoNumber") == ["IMO8937675"] and ship.get("mmsi") == ["445539000"]


def test_hmt_conlist_rejects_other_csv(tmp_path):
    f = tmp_path / "ConList.csv"
    f.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="Group ID"):
        load_hmt_conlist(f)


def test_opensanctions_ftm(lists_dir, tmp_path):
    ll = load_ftm(lists_dir / "opensanctions" / "yente_t1_entities.ftm.json")
    assert len(ll.entities) == 6 and ll.skipped == {"schema Address (not screenable)": 1}
    assert ll.dataset == "opensanctions_eu_fsf" and ll.list_version == "2024-03-28"
    bad = tmp_path / "e.ftm.json"
    good = '{"id": "v1", "schema": "Vessel", "properties": {"name": ["SHIP"]}}\n'
    bad.write_text('{"id": "x", "schema": "NoSuchSchema"}\nnot json\n' + good)
    ll = load_ftm(bad)
    assert len(ll.entities) == 1 and [p.location.rsplit(":", 1)[1] for p in ll.problems] == ["1", "2"]
    bad.write_text('{"id": "x", "schema": "NoSuchSchema"}\nnot json\n')  # nothing usable: an error, not empty
    with pytest.raises(ValueError, match=r"no usable entry; 2 record\(s\) rejected, first .*e.ftm.json:1"):
        load_ftm(bad)
