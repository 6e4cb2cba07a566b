"""The entity index: merge by IMO, tables, atomic write/read round trip, manifest."""

from __future__ import annotations

import json

import polars as pl
import pytest

from sanctionwatch.lists.index import read_index, write_index
from sanctionwatch.store import Store


def test_merge_by_imo(index):
    tong = index.entries.filter(pl.col("entity_id") == "imo-8937675")
    assert sorted(tong["dataset"].to_list()) == ["gb_fcdo_sanctions", "gb_hmt_sanctions"]
    kum = index.entries.filter(pl.col("entity_id") == "imo-8705539")
    assert sorted(kum["entry_id"].to_list()) == ["gb_fcdo_sanctions-DPR0123", "us_ofac_sdn-23163"]
    # Non-vessels are never merged by IMO: the UN company number stays on its own entities.
    owners = index.idents.filter((pl.col("kind") == "owner_imo") & (pl.col("value") == "5434358"))
    assert set(owners["entity_id"]) == {"us_ofac_sdn-23714", "un_sc_sanctions-KPe.066"}


def test_every_vessel_imo_indexed(index):
    vessels = index.entries.filter(pl.col("schema") == "Vessel")
    with_imo = index.idents.filter(pl.col("kind") == "imo")["entry_id"].unique()
    # OFAC 2024: 844 of 851 vessels carry an IMO; UK: 631 of 632; HMT 2020 excerpt: 1 of 1.
    assert vessels.filter(pl.col("entry_id").is_in(with_imo.implode())).height == 844 + 631 + 1
    assert index.idents.filter(pl.col("kind") == "imo")["valid"].all()


def test_write_read_roundtrip(built, tmp_path):
    index, merged = built
    store = Store(tmp_path)
    d = write_index(index, merged, store)
    assert sorted(p.name for p in d.iterdir()) == [
        "entities.ftm.json", "entries.parquet", "idents.parquet", "manifest.json", "names.parquet",
        "relations.parquet"]
    back = read_index(store)
    assert back.entries.equals(index.entries) and back.names.equals(index.names) and back.idents.equals(index.idents)
    assert back.relations is not None and back.relations.equals(index.relations)
    man = json.loads((d / "manifest.json").read_text())
    versions = {s["dataset"]: s["list_version"] for s in man["sources"]}
    assert versions["us_ofac_sdn"] == "2024-05-03" and versions["un_sc_sanctions"] == "2026-02-27"
    assert all(len(s["sha256"]) == 64 for s in man["sources"])
    assert man["counts"]["entities"] == index.entries["entity_id"].n_unique()
    lines = (d / "entities.ftm.json").read_text().splitlines()
    assert len(lines) == man["counts"]["entities"]
    tong = next(json.loads(x) for x in lines if '"id": "imo-8937675"' in x)
    assert tong["schema"] == "Vessel" and sorted(tong["datasets"]) == ["gb_fcdo_sanctions", "gb_hmt_sanctions"]
    assert not list(d.glob(".*tmp"))


def test_read_missing_index_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="lists build"):
        read_index(Store(tmp_path))
