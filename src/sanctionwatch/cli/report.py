"""`sanctionwatch report`: a self-contained case file (HTML, or PDF via headless Chromium)."""

from __future__ import annotations

from pathlib import Path

import typer

from sanctionwatch.cli.common import console, existing_store, fail, status, store_option


def report(
    vessel: str = typer.Argument(..., help="MMSI (9 digits), IMO (7 digits, optionally 'IMO 1234567') or name."),
    store: str = store_option(),
    out: Path = typer.Option(..., "--out", help="Output file: .html or .pdf."),
) -> None:
    """Write a vessel's case file: map, timeline, raw evidence per event, list entries, sources."""
    from sanctionwatch.report.casefile import VesselNotFound, write_report

    if out.suffix.lower() not in (".html", ".pdf"):
        fail("--out must end in .html or .pdf")
    if not out.parent.is_dir():  # never create a folder the user did not ask for
        fail(f"--out: folder {out.parent} does not exist (create it first)")
    try:
        with status(f"writing the case file of {vessel}"):
            path = write_report(existing_store(store), vessel, out)
    except (VesselNotFound, RuntimeError) as e:
        fail(str(e))
        return
    console.print(f"[green]case file[/] {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
