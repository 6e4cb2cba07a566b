"""`sanctionwatch demo`: the main job end to end on bundled demo data (embedded store, no server)."""

from __future__ import annotations

from pathlib import Path

import typer

from sanctionwatch.ais.ingest import ingest
from sanctionwatch.cli.common import console, fail
from sanctionwatch.cli.ingest import print_report
from sanctionwatch.store import Store, connect

SHARED_AIS = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "ais"


def demo(out: Path = typer.Option(Path("sw-demo"), "--out", help="Folder for the demo store and outputs.")) -> None:
    """Run the pipeline on demo data and say where to look."""
    store = Store(out / "store")
    if not SHARED_AIS.is_dir():
        fail(f"demo data not found at {SHARED_AIS}")
    for rep in ingest(store, [str(SHARED_AIS)]):
        print_report(rep)
    n = connect(store).execute("select count(*), count(distinct mmsi) from positions").fetchone()
    console.print(f"[green]demo store[/] {store.root}: {n[0]:,} positions from {n[1]:,} vessels")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
