"""Risk follows owner/manager links (issue 18): a constructed registry file over real lists.

* a registry-only vessel (its IMO is on no list) owned by OCEAN MARITIME MANAGEMENT (company IMO 1790183,
  OFAC 17068 = UN KPe.020) gets `list_hit_related` at full weight, the path citing the registry line and
  the list entry;
* a namesake owner, the same name with another company IMO, gives nothing (rejected, with its reason);
* a manager that the SDN list names but does not list (it is on the non-SDN list: one hop there), linked
  from designated persons, gives a two-hop contribution at half weight against the SDN list alone;
* a vessel sharing an (unlisted) owner with a designated vessel is a cluster, not scored.
"""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest

from sanctionwatch.registry.graph import clusters
from sanctionwatch.registry.store import load_registry
from sanctionwatch.registry.view import network_view, store_graph
from sanctionwatch.risk.run import compute_risk
from sanctionwatch.risk.weights import RiskWeights
from sanctionwatch.store import Store

REGISTRY = """IMO,Ship name,Registered owner,Registered owner company IMO,Ship manager,Date of effect
9000003,REGISTRY ONE,OCEAN MARITIME MANAGEMENT CO LTD,1790183,,2021-01-01
9000027,NAMESAKE TWO,OCEAN MARITIME MANAGEMENT COMPANY LIMITED,9999999,,2021-01-01
9000039,TWO HOPS,,,PRESIDENCY OF DEFENSE INDUSTRIES,2022-06-01
9000041,CLUSTER FOUR,Samir de Navegacion S.A.,,,
"""
VESSELS = {273000001: ("9000003", "REGISTRY ONE"), 273000002: ("9000027", "NAMESAKE TWO"),
           273000003: ("9000039", "TWO HOPS"), 273000004: ("9000041", "CLUSTER FOUR")}


@pytest.fixture(scope="module")
def reg_store(tmp_path_factory, shipped_lists):
    from sanctionwatch.lists.index import write_index

    st = Store(tmp_path_factory.mktemp("related"))
    n = len(VESSELS)
    st.stage_day_partitions("vessel_reports", pa.table({
        "ts": pa.array([datetime(2024, 1, 1, tzinfo=UTC)] * n, pa.timestamp("ms", tz="UTC")),
        "mmsi": pa.array(list(VESSELS), pa.int32()), "msg_type": pa.array([5] * n, pa.int8()),
        "imo": pa.array([int(v[0]) for v in VESSELS.values()], pa.int32()),
        "name": [v[1] for v in VESSELS.values()]}), "imp1", 0)
    st.publish_import("imp1", {"import_id": "imp1"})
    write_index(*shipped_lists, st)
    f = tmp_path_factory.mktemp("reg") / "owners.csv"
    f.write_text(REGISTRY, encoding="utf-8")
    load_registry(f, st)
    return st


@pytest.fixture(scope="module")
def risk(reg_store):
    return compute_risk(reg_store)


def _related(risk, mmsi: int) -> pl.DataFrame:
    c = risk.contributions
    return c.filter((pl.col("mmsi") == mmsi) & (pl.col("signal") == "list_hit_related"))


def test_registry_only_vessel_owned_by_designated_company(risk):
    w = RiskWeights()
    r = _related(risk, 273000001)
    assert r.height == 1 and r["points"][0] == w.list_hit_related
    why = r["reason"][0]
    assert "REGISTRY ONE -> owned by OCEAN MARITIME MANAGEMENT CO LTD (company IMO 1790183) (registry owners.csv:2)" \
        in why
    assert "is listed as OCEAN MARITIME MANAGEMENT COMPANY" in why and "company IMO 1790183 equal" in why
    assert "un_sc_sanctions 2026-02-27, " in why and "un/un_consolidated_2026-02-27.xml#KPe.020" in why
    assert "us_ofac_sdn 2024-05-03" in why  # the designation's lists: OFAC 17068 merged by company IMO
    band = risk.ranked.filter(pl.col("mmsi") == 273000001)["band"][0]
    assert band == "high"  # 40 points >= high_points 35: the vessel of a blocked owner
    assert risk.hits.filter((pl.col("mmsi") == 273000001) & (pl.col("match_kind") == "strong")).is_empty()


def test_namesake_with_conflicting_company_imo_is_not_flagged(risk, reg_store):
    assert _related(risk, 273000002).is_empty()
    assert risk.ranked.filter(pl.col("mmsi") == 273000002)["band"][0] == "low"
    g, _ = store_graph(reg_store)
    m = g.company_matches.filter(pl.col("company_imo") == "9999999")
    assert m.height >= 1 and set(m["match_kind"]) == {"rejected"}
    assert all(r.startswith("REJECTED namesake: company IMO 9999999") for r in m["reasons"])


def test_owner_listed_on_another_list(risk):
    """PRESIDENCY OF DEFENSE INDUSTRIES: SDN persons are linked to it, the non-SDN list lists it: one hop."""
    r = _related(risk, 273000003)
    assert r.height == 1 and r["points"][0] == RiskWeights().list_hit_related
    assert "is listed as PRESIDENCY OF DEFENSE INDUSTRIES" in r["reason"][0] and "us_ofac_cons 2025-12" in r["reason"][0]


def test_two_hops_at_half_weight(reg_store, shipped_index):
    """Against the SDN list alone the Presidency is only named (no entry): two hops, via the designated persons
    OFAC links to it, at hop_decay 0.5."""
    from sanctionwatch.lists.screen import subset
    from sanctionwatch.registry.graph import build_graph
    from sanctionwatch.registry.related import related_for
    from sanctionwatch.registry.store import registry_rows
    from sanctionwatch.risk.score import contributions

    sdn = subset(shipped_index, ["us_ofac_sdn"])
    assert shipped_index.relations is not None
    sdn.relations = shipped_index.relations.filter(pl.col("dataset") == "us_ofac_sdn")
    vessels = pl.DataFrame({"mmsi": list(VESSELS), "imo": [v[0] for v in VESSELS.values()]})
    hits = related_for(build_graph(sdn, registry_rows(reg_store)), vessels)
    two = hits.filter(pl.col("mmsi") == 273000003)
    assert two.height == 1 and two["hops"][0] == 2 and two["related_factor"][0] == 0.5
    c = contributions(pl.DataFrame(), hits)
    r = c.filter(pl.col("mmsi") == 273000003)
    assert r["points"].to_list() == [RiskWeights().list_hit_related * 0.5]
    why = r["reason"][0]
    assert why.index("managed by PRESIDENCY OF DEFENSE INDUSTRIES (registry owners.csv:4)") < why.index(
        "DEMIR, Ismail linked to PRESIDENCY OF DEFENSE INDUSTRIES (us_ofac_sdn 2024-05-03, ofac/2024-05-03/sdn.csv:6764)")
    assert "2 hop(s)" in why and "link factor (hop decay x match) 0.5" in why
    assert "the same company also leads to us_ofac_sdn-30685" in why  # 4 linked persons: one piece of evidence


def test_shared_owner_is_a_cluster_not_a_score(risk, reg_store):
    assert _related(risk, 273000004).is_empty()
    g, _ = store_graph(reg_store)
    cl = clusters(g).filter(pl.col("vessel") == "imo-9000041")
    assert cl.height == 1 and cl["designated_vessels"][0].to_list() == ["us_ofac_sdn-4238"]  # MAR AZUL
    view = network_view(reg_store, "IMO 9000041")
    assert view["clusters"] and not view["paths"]
    assert {n["label"] for n in view["nodes"]} >= {"CLUSTER FOUR", "MAR AZUL"}
