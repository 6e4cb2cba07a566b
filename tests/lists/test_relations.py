"""Relations from the real lists (issue 18): FtM relation entities with file:line, counts checked against the
raw list text, a hand-checked sample, strong-id merging of companies by company IMO number."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import polars as pl
import pytest
from followthemoney import model

from sanctionwatch.lists.ofac import load_ofac
from sanctionwatch.lists.opensanctions import load_ftm
from sanctionwatch.lists.relations import link_counts, owners_in_text, relation_table


@pytest.fixture(scope="module")
def rel(index) -> pl.DataFrame:
    assert index.relations is not None
    return index.relations


def _sdn_lines(lists_dir: Path) -> list[str]:
    return (lists_dir / "ofac" / "2024-05-03" / "sdn.csv").read_bytes().decode("cp1252").split("\n")


def test_ofac_linked_to_counts_match_the_raw_text(rel, lists_dir):
    """Every `Linked To:` of the 2024 SDN file is one relation; vessels counted from the raw lines."""
    lines = _sdn_lines(lists_dir)
    raw_links = sum(len(re.findall(r"Linked To: ", ln)) for ln in lines)
    vessel_lines = [ln for ln in lines if re.match(r'\d+,"[^"]*","vessel"', ln)]
    raw_vessels_linked = sum("Linked To: " in ln for ln in vessel_lines)
    sdn = rel.filter(pl.col("dataset") == "us_ofac_sdn")
    assert sdn.filter(pl.col("role") == "Linked To").height == raw_links
    v = sdn.filter((pl.col("a_schema") == "Vessel") & (pl.col("role") == "Linked To"))
    assert v["a_id"].n_unique() == raw_vessels_linked == 825  # issue 18: 825 of 851 vessels
    assert len(vessel_lines) == 851
    owners = sum(1 for row in csv.reader(vessel_lines) if len(row) == 12 and row[10].strip() != "-0-")
    assert sdn.filter(pl.col("role") == "owner").height == owners == 6


def test_hand_checked_sample(rel, lists_dir):
    """Read by hand in sdn.csv: the source line holds `Linked To: <target>`, the target line is that entry."""
    lines = _sdn_lines(lists_dir)
    sample = [  # (vessel/company ent_num, line, target ent_num, target line)
        ("19570", 4023, "17068", 3369),  # EVER BRIGHT 88 -> OCEAN MARITIME MANAGEMENT COMPANY LIMITED
        ("23735", 5413, "23713", 5392),  # SAM MA 2 -> KOREA SAMMA SHPG CO
        ("37055", 10118, "37030", 10094),  # SMP NOVODVINSK -> JSC NORTHERN SHIPPING COMPANY
        ("27432", 6930, "27426", 6924),  # SANDINO -> CAROIL TRANSPORT MARINE LTD (and TOVASE)
        ("15089", 2485, "15117", 2503),  # SNOW -> NATIONAL IRANIAN TANKER COMPANY
        ("25068", 5784, "48625", 14720),  # BAHMAN GROUP -> BAHMAN DIESEL CO. (company -> company)
    ]
    for a, line, b, bline in sample:
        row = rel.filter((pl.col("a_id") == f"us_ofac_sdn-{a}") & (pl.col("b_id") == f"us_ofac_sdn-{b}"))
        assert row.height == 1, (a, b)
        r = row.row(0, named=True)
        assert r["source_ref"] == f"ofac/2024-05-03/sdn.csv:{line}" and r["list_version"] == "2024-05-03"
        assert lines[line - 1].startswith(f"{a},") and f"Linked To: {r['b_caption']}" in lines[line - 1]
        assert lines[bline - 1].startswith(f'{b},"{r["b_caption"]}"')
        assert r["schema"] == "UnknownLink" and r["b_resolved"]
    sandino = rel.filter(pl.col("a_id") == "us_ofac_sdn-27432")["b_caption"].sort().to_list()
    assert sandino == ["CAROIL TRANSPORT MARINE LTD", "TOVASE DEVELOPMENT CORP"]


def test_relations_are_ftm_entities(rel):
    """Each row carries a valid FtM relation entity whose ends are the row's ends."""
    for r in rel.filter(pl.col("dataset") == "us_ofac_sdn").head(200).iter_rows(named=True):
        e = model.get_proxy(json.loads(r["ftm"]), cleaned=True)
        assert e.schema.edge and e.schema.name == r["schema"]
        ends = (e.first("asset"), e.first("owner")) if e.schema.name == "Ownership" else (
            e.first("subject"), e.first("object"))
        assert ends == (r["a_id"], r["b_id"])
    owner = rel.filter(pl.col("role") == "owner").row(0, named=True)
    assert owner["schema"] == "Ownership" and owner["verb"] == "owned by"


def test_ambiguous_target_is_not_guessed(rel):
    """`MINISTRY OF STATE SECURITY` names two SDN entries: the link stays unresolved, naming both."""
    r = rel.filter(pl.col("b_caption") == "MINISTRY OF STATE SECURITY")
    assert r.height >= 1 and not r["b_resolved"].any()
    e = json.loads(r["ftm"][0])
    assert "2 entries" in e["properties"]["description"][0]


def test_un_owned_or_controlled_by(rel):
    """UN KPe.005 HONG KONG ELECTRONICS: 'Owned or controlled by ... Tanchon Commercial Bank and KOMID.'"""
    un = rel.filter((pl.col("dataset") == "un_sc_sanctions") & (pl.col("a_id") == "un_sc_sanctions-KPe.005"))
    assert sorted(un["b_caption"].to_list()) == ["KOREA MINING DEVELOPMENT TRADING CORPORATION",
                                                 "TANCHON COMMERCIAL BANK"]
    assert owners_in_text("Owned or controlled by, or acts on behalf of, DIO, which was designated.") == ["DIO"]
    # cut on " and ": the second phrase is no entry name, so resolution drops it (counted in `skipped`)
    assert owners_in_text("owned or controlled by Tsang Yung Yuan and involved in coal.") == [
        "Tsang Yung Yuan", "involved in coal"]


def test_company_imo_merges_omm_across_lists(index):
    """OMM carries company IMO 1790183 on OFAC ('Identification Number IMO') and UN ('(IMO) Number:'):
    one designation."""
    e = index.entries.filter(pl.col("entry_id").is_in(["us_ofac_sdn-17068", "un_sc_sanctions-KPe.020"]))
    assert e.height == 2 and e["designation_id"].n_unique() == 1
    ids = index.idents.filter(pl.col("entry_id") == "us_ofac_sdn-17068")
    assert ids.select("kind", "value").rows() == [("owner_imo", "1790183")]


def test_link_counts_table(rel):
    c = link_counts(rel)
    sdn = {r["link"]: r for r in c.filter(pl.col("dataset") == "us_ofac_sdn").iter_rows(named=True)}
    assert sdn["vessel->company"]["links"] >= 825 and sdn["company->company"]["links"] > 1000
    assert all(r["resolved"] <= r["links"] for r in sdn.values())


def test_opensanctions_relations_loaded(tmp_path):
    """FtM Ownership / UnknownLink lines are kept as relations (not skipped) with their line."""
    lines = [
        {"id": "v1", "schema": "Vessel", "properties": {"name": ["SHIP A"], "imoNumber": ["IMO9187629"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["OWNER CO"]}},
        {"id": "o1", "schema": "Ownership", "properties": {"owner": ["c1"], "asset": ["v1"], "role": ["owner"]}},
        {"id": "a1", "schema": "Address", "properties": {"full": ["x"]}},
    ]
    p = tmp_path / "entities.ftm.json"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    ll = load_ftm(p)
    assert [e.id for e in ll.relations] == ["o1"] and ll.refs["o1"].endswith("entities.ftm.json:3")
    t = relation_table([ll])
    assert t.select("a_id", "b_id", "a_caption", "b_caption", "kind").rows() == [
        ("v1", "c1", "SHIP A", "OWNER CO", "owner")]


def test_unlisted_owner_becomes_graph_node(lists_dir):
    """MAR AZUL's owner column names a company that is no SDN entry: a graph-only node, not a target."""
    ll = load_ofac(lists_dir / "ofac" / "2024-05-03")
    t = relation_table([ll])
    r = t.filter(pl.col("a_caption") == "MAR AZUL").row(0, named=True)
    assert r["b_caption"] == "Samir de Navegacion S.A." and not r["b_resolved"]
    node = next(e for e in ll.relations if e.id == r["b_id"])
    assert "sanction" not in node.get("topics") and node.id not in {x.id for x in ll.entities}
