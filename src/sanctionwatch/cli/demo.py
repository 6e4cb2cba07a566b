"""`sanctionwatch demo`: the main job end to end on bundled demo data (embedded store, no server to start).

The demo data is the `sea-of-japan` scenario, generated deterministically by the simulator (seed 2017):
DPRK tankers loading in Russian Far East ports with false declared destinations, ship-to-ship transfers,
AIS gaps off the DPRK coast, a Rajin-Vladivostok ferry, a designated tanker with an honest-looking track
(found only by its list hit), honest traffic as controls. The pipeline then
ingests the raw NMEA, detects behaviour, screens every vessel against the shipped sanctions lists,
scores risk and writes a case file for the highest-risk vessel.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from sanctionwatch.cli.common import Format, console, emit_rows, fail, progress_callback
from sanctionwatch.cli.ingest import byte_bars, print_report

DEMO_PRESET = "sea-of-japan"
DEMO_SEED = 2017


def demo(
    out: Path = typer.Option(Path("sw-demo"), "--out", help="Folder for the scenario, the store and the case file."),
    seed: int = typer.Option(DEMO_SEED, "--seed", help="Scenario seed (the same seed gives the same data)."),
    preset: str = typer.Option(DEMO_PRESET, "--preset", metavar="NAME",
                               help="Scenario: sea-of-japan (the demo, ~2 min) or smoke (seconds; for a quick check)."),
) -> None:
    """Simulate, ingest, detect, screen, score and report; then say where to look."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.engines import embedded
    from sanctionwatch.report.casefile import write_report
    from sanctionwatch.risk.run import compute_risk
    from sanctionwatch.simulate import run as simulate
    from sanctionwatch.store import Store

    t0 = time.perf_counter()
    scenario = out / "scenario"
    console.rule(f"1/5 simulate {preset} (seed {seed})")
    try:
        with progress_callback(f"simulating {preset}") as progress:  # the demo ingests NMEA only: no CSV copy
            summary = simulate(preset, scenario, seed=seed, csv=False, progress=progress)
    except ValueError as e:
        fail(str(e))
        return
    console.print(f"{summary['vessels']} vessels, {summary['messages']:,} messages, {summary['labels']} labelled "
                  f"behaviours -> {scenario}")

    console.rule("2/5 ingest raw NMEA")
    from sanctionwatch.warmup import FIRST_RUN_NOTE, kernels_cached

    if not kernels_cached():
        console.print(f"[dim]{FIRST_RUN_NOTE}[/]")
    store = Store(out / "store")
    with byte_bars() as factory:
        reports = ingest(store, [str(scenario / summary["files"]["nmea"])], progress_factory=factory)
    for rep in reports:
        print_report(rep)

    console.rule("3/5 detect behaviour")
    with progress_callback("detecting") as progress:
        det = embedded.run(store, progress=progress)
    console.print("events: " + (", ".join(f"{k} {v}" for k, v in sorted(det["by_type"].items())) or "none"))

    console.rule("4/5 screen lists + score risk")
    with progress_callback("screening and scoring") as progress:
        res = compute_risk(store, progress=progress)
    top = res.ranked.head(10)
    emit_rows(["mmsi", "risk_0_100", "points", "top_reasons"],
              top.select("mmsi", "risk_0_100", "points", "top_reasons").rows(), Format.table,
              title="Highest-risk vessels (every point traced in the case file)")

    console.rule("5/5 case file")
    report = out / "casefile.html"
    if top.height:
        write_report(store, str(top["mmsi"][0]), report)
        console.print(f"case file for MMSI {top['mmsi'][0]}: [bold]{report}[/]")
    sw = _command()
    root = store.root.resolve()
    console.print(f"done in {time.perf_counter() - t0:.0f} s. Next:\n"
                  f"  open {report.resolve()} in a browser (self-contained)\n"
                  f"  {sw} serve --store {root}   # dashboard at http://127.0.0.1:8765/\n"
                  f"  {sw} events --store {root} --type encounter")


def _command() -> str:
    """How to call this CLI again from any directory: the running executable if it is ours, else the name."""
    import shutil
    import sys

    exe = Path(sys.argv[0])
    if exe.name == "sanctionwatch" and exe.exists():
        return str(exe.resolve())
    return shutil.which("sanctionwatch") or "sanctionwatch"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
