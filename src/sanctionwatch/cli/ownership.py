"""`sanctionwatch registry load|show` and `sanctionwatch network`: thin front over sanctionwatch.registry.

`network` is the ownership / management network of a vessel or company (the BGP routing commands are under
`sanctionwatch bgp`).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sanctionwatch.cli.common import (
    Format,
    console,
    emit_rows,
    existing_store,
    fail,
    format_option,
    store_option,
)

registry_app = typer.Typer(help="Vessel registry imports: owners, managers, operators (Equasis-like CSV exports).",
                           no_args_is_help=True)


@registry_app.command("load")
def load(
    file: Path = typer.Argument(..., help="Registry CSV export (wide: a column per role; long: IMO, role, company)."),
    store: str = store_option(),
) -> None:
    """Import a registry CSV into the store (idempotent: the same file again changes nothing).

    Columns and accepted header spellings: docs/ownership.md. Rows that cannot be used are listed with
    file:line and reason; the companies are matched to the lists (company IMO exactly, names with the
    screening matcher) and the matches printed."""
    from sanctionwatch.registry.match import match_companies
    from sanctionwatch.registry.store import load_registry

    if not file.exists():
        fail(f"registry file {file} not found")
    st = existing_store(store)
    try:
        reg, again = load_registry(file, st)
    except (ValueError, OSError) as e:
        fail(str(e), code=1)
        return
    console.print(f"{file}: {reg.layout} layout, {reg.lines} data line(s) -> {reg.rows.height} company role(s) "
                  f"for {reg.rows['imo'].n_unique()} vessel(s); {len(reg.problems)} problem(s)"
                  + ("; same content as an earlier import (nothing changed)" if again else ""))
    console.print("columns used: " + ", ".join(f"{k} <- {v!r}" for k, v in reg.columns.items()))
    for p in reg.problems[:20]:
        console.print(f"  {p.location}: {p.reason}")
    if len(reg.problems) > 20:
        console.print(f"  ... {len(reg.problems) - 20} more (`sanctionwatch registry show --problems`)")
    from sanctionwatch.lists.screen import default_index

    m = match_companies(reg.rows, default_index(st))
    emit_rows(["company", "company_imo", "match_kind", "factor", "designation_id", "caption", "dataset", "reasons"],
              m.select("company", "company_imo", "match_kind", "factor", "designation_id", "caption", "dataset",
                       "reasons").rows(), Format.table, title="registry companies matched to list entities")


@registry_app.command("show")
def show(store: str = store_option(),
         problems: bool = typer.Option(False, "--problems", help="List every row that could not be used.")) -> None:
    """The registry files imported into the store: rows, vessels, problems."""
    from sanctionwatch.registry.store import manifest

    files = manifest(existing_store(store))["files"]
    emit_rows(["path", "sha256", "layout", "rows", "vessels", "problems", "loaded_at"],
              [[f["path"], f["sha256"][:12], f["layout"], f["rows"], f["vessels"], len(f["problems"]), f["loaded_at"]]
               for f in files], Format.table)
    if problems:
        emit_rows(["file", "location", "reason"],
                  [[f["file"], p["location"], p["reason"]] for f in files for p in f["problems"]], Format.table)


def network(
    query: str = typer.Argument(..., help="Vessel or company: `IMO 9187629` (ship or company IMO), a list entry or "
                                "designation id, or a name."),
    store: str = store_option(),
    depth: int = typer.Option(2, "--depth", min=1, max=4, help="Links from the vessel/company to show."),
    format: Format = format_option(note="json: one object {nodes, edges, paths, clusters}; csv/jsonl: the links."),
) -> None:
    """The ownership / management network of a vessel or company: its owners, managers, operators, the
    companies they are linked to on the lists, the other vessels they control, list status on each node, and
    the paths risk scores (`list_hit_related`), each link citing its registry file:line or list entry."""
    from sanctionwatch.registry.view import network_view

    st = existing_store(store)
    view = network_view(st, query, depth)
    if not view["keys"]:
        fail(f"no vessel or company {query!r} in the lists or the store's registry imports", code=1)
    if format == Format.json:
        typer.echo(json.dumps(view, default=str, indent=1))
        return
    label = {n["key"]: n["label"] for n in view["nodes"]}
    edge_cols = ["a", "verb", "b", "evidence", "start_date", "end_date"]
    edge_rows = [[label.get(e["a"], e["a"]), e["verb"], label.get(e["b"], e["b"]), e["evidence"], e["start_date"],
                  e["end_date"]] for e in view["edges"]]
    if format != Format.table:
        emit_rows(edge_cols, edge_rows, format)
        return
    emit_rows(["key", "label", "schema", "status"],
              [[n["key"], n["label"], n["schema"],
                f"LISTED: {n['sources']}" if n["designated"] else "not listed"] for n in view["nodes"]],
              Format.table, title=f"{query}: {len(view['nodes'])} node(s)" + (" (cut)" if view["truncated"] else ""))
    emit_rows(edge_cols, edge_rows, Format.table, title="links")
    if view["paths"]:
        emit_rows(["hops", "factor", "target", "path"],
                  [[p["hops"], p["factor"], p["target"], p["path"]] for p in view["paths"]], Format.table,
                  title="paths to designated entities (risk: list_hit_related)")
    if view["clusters"]:
        emit_rows(["vessel", "via", "company", "designated vessels", "evidence"],
                  [[c["vessel"], c["via"], c["company"], ", ".join(c["designated_vessels"][:10]), c["evidence"]]
                   for c in view["clusters"]], Format.table,
                  title="shares a company with designated vessels (context, not scored)")


def register(app: typer.Typer) -> None:
    app.add_typer(registry_app, name="registry")
    app.command("network")(network)
