"""Case file ownership section (issue 18): list-stated links of a listed ship, a registry manager, the path."""

from __future__ import annotations

import pytest

from sanctionwatch.registry.store import load_registry
from sanctionwatch.report.casefile import render_html, vessel_context
from tests.web.conftest import MMSI


@pytest.fixture(scope="module")
def context(store, tmp_path_factory):
    f = tmp_path_factory.mktemp("reg") / "owners.csv"
    f.write_text("IMO,Ship name,ISM manager,ISM manager IMO\n8705539,CHON MA SAN,OCEAN MARITIME MANAGEMENT CO LTD,"
                 "1790183\n", encoding="utf-8")
    load_registry(f, store)
    return vessel_context(store, str(MMSI), with_map=False)


def test_ownership_section_data(context):
    (o,) = context["ownership"]
    assert o["imo"] == "8705539" and o["keys"] == ["imo-8705539"]
    links = {(e["verb"], e["b_label"].split(" (")[0]) for e in o["edges"] if e["a"] == "imo-8705539"}
    # OFAC 23163 KUM UN SAN 3: "Linked To: DAWN MARINE MANAGEMENT CO LTD." (sdn.csv:5104); registry manager
    assert ("linked to", "DAWN MARINE MANAGEMENT CO LTD") in links
    assert ("ISM-managed by", "OCEAN MARITIME MANAGEMENT CO LTD") in links
    ofac = next(e for e in o["edges"] if e["evidence"].endswith("sdn.csv:5104"))
    assert ofac["b_status"].startswith("listed: ") and "us_ofac_sdn 2024-05-03" in ofac["b_status"]
    # the ship is designated itself: its own designation scores, no related path is added on top
    assert o["paths"] == []


def test_ownership_section_html(context):
    html = render_html(context)
    part = html.split("<h2>Ownership and management</h2>")[1].split("<h2>")[0]
    assert "IMO 8705539" in part and "registry owners.csv:2" in part and "ofac/2024-05-03/sdn.csv:5104" in part
    assert "ISM-managed by" in part and "not listed" in part
