"""`/api/network/{id}` (issue 18): a registry vessel's owner, the list link, list status, the scored path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sanctionwatch.registry.store import load_registry
from sanctionwatch.web.app import create_app


@pytest.fixture(scope="module")
def client(store, tmp_path_factory) -> TestClient:
    f = tmp_path_factory.mktemp("reg") / "owners.csv"
    f.write_text("IMO,Ship name,Registered owner,Registered owner IMO\n"
                 "9000003,REGISTRY ONE,OCEAN MARITIME MANAGEMENT CO LTD,1790183\n", encoding="utf-8")
    load_registry(f, store)
    return TestClient(create_app(store), base_url="http://127.0.0.1")


def test_network_of_a_registry_vessel(client):
    r = client.get("/api/network/IMO 9000003")
    assert r.status_code == 200
    v = r.json()
    assert v["keys"] == ["imo-9000003"]
    nodes = {n["key"]: n for n in v["nodes"]}
    assert not nodes["imo-9000003"]["designated"] and nodes["coimo-1790183"]["label"].startswith("OCEAN MARITIME")
    listed = [n for n in v["nodes"] if n["designated"]]
    assert listed and all("us_ofac_sdn 2024-05-03" in n["sources"] for n in listed if n["schema"] == "Company")
    assert {"a": "imo-9000003", "b": "coimo-1790183", "verb": "owned by"}.items() <= next(
        e for e in v["edges"] if e["a"] == "imo-9000003").items()
    assert v["paths"][0]["hops"] == 1 and "(registry owners.csv:2)" in v["paths"][0]["path"]
    assert v["clusters"] and len(v["clusters"][0]["designated_vessels"]) >= 5  # OMM's listed fleet


def test_network_of_a_listed_company_and_errors(client):
    v = client.get("/api/network/IMO 1790183", params={"depth": 1}).json()  # OMM by company IMO
    labels = {n["label"] for n in v["nodes"]}
    assert any("EVER BRIGHT 88" in x for x in labels) and "REGISTRY ONE" in labels  # listed and registry ships
    ever = next(e for e in v["edges"] if e["evidence"].endswith("sdn.csv:4023"))
    assert ever["verb"] == "linked to" and ever["evidence"].startswith("us_ofac_sdn 2024-05-03")
    missing = client.get("/api/network/NO SUCH COMPANY AT ALL")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "http_error"
    assert client.get("/api/network/x", params={"depth": 9}).status_code == 422
    assert "/api/network/{node_id}" in client.get("/openapi.json").json()["paths"]
