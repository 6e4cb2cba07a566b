"""`sanctionwatch registry load|show` and `sanctionwatch network` (issue 18)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sanctionwatch.cli.main import app

CSV = ("IMO,Ship name,Registered owner,Registered owner IMO,Operator\n"
       "9000003,REGISTRY ONE,OCEAN MARITIME MANAGEMENT CO LTD,1790183,\n"
       "9000015,REGISTRY TWO,,,Samir de Navegacion S.A.\n"
       "1234568,BAD,X,,\n")


def _flat(text: str) -> str:
    """Console output without the terminal's line wrapping."""
    return " ".join(text.split())


def test_registry_load_show_and_network(tmp_path):
    st = tmp_path / "store"
    st.mkdir()
    f = tmp_path / "owners.csv"
    f.write_text(CSV, encoding="utf-8")
    run = CliRunner().invoke
    r = run(app, ["registry", "load", str(f), "--store", str(st)])
    assert r.exit_code == 0, r.output
    assert "2 company role(s) for 2 vessel(s); 1 problem(s)" in _flat(r.output)
    assert "owners.csv:4" in r.output and "company_imo" in r.output
    again = run(app, ["registry", "load", str(f), "--store", str(st)])
    assert "same content as an earlier import" in _flat(again.output)
    show = run(app, ["registry", "show", "--store", str(st), "--problems"])
    assert show.exit_code == 0 and "owners.csv:4" in show.output
    net = run(app, ["network", "IMO 9000003", "--store", str(st), "--format", "json"])
    assert net.exit_code == 0, net.output
    v = json.loads(net.stdout)
    assert v["keys"] == ["imo-9000003"] and v["paths"][0]["hops"] == 1
    assert "registry owners.csv:2" in v["paths"][0]["path"]
    edges = run(app, ["network", "REGISTRY TWO", "--store", str(st), "--format", "csv"])
    assert edges.exit_code == 0 and "operated by" in edges.stdout and "registry owners.csv:3" in edges.stdout
    missing = run(app, ["network", "NO SUCH THING ANYWHERE", "--store", str(st)])
    assert missing.exit_code == 1 and "no vessel or company" in _flat(missing.output)


def test_registry_load_errors(tmp_path):
    st = tmp_path / "store"
    st.mkdir()
    bad = tmp_path / "bad.csv"
    bad.write_text("Ship name,Owner\nX,Y\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["registry", "load", str(bad), "--store", str(st)])
    assert r.exit_code == 1 and "no IMO column" in _flat(r.output)
    r = CliRunner().invoke(app, ["registry", "load", str(tmp_path / "nope.csv"), "--store", str(st)])
    assert r.exit_code == 2 and "not found" in _flat(r.output)
