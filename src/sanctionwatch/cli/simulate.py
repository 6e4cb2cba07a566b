"""`sanctionwatch simulate PRESET`: generate a scenario (NMEA, DMA CSV, labels.jsonl) - thin wrapper over
sanctionwatch.simulate.run."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from sanctionwatch.cli.common import console, fail


def simulate(
    preset: str = typer.Argument(..., help="smoke | sea-of-japan | global"),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives byte-identical output."),
    vessels: int | None = typer.Option(None, "--vessels", help="Background vessels (global: fleet size)."),
    days: float | None = typer.Option(None, "--days", help="Simulated days (smoke 2, sea-of-japan 7)."),
    messages: int | None = typer.Option(None, "--messages", help="global only: stop after this many messages."),
    gz: bool = typer.Option(False, "--gz", help="Write traffic.nmea.gz instead of traffic.nmea."),
    csv: bool = typer.Option(True, "--csv/--no-csv", help="Also write the DMA-layout CSV."),
) -> None:
    """Write simulated AIS traffic with ground-truth labels of every injected behaviour and control."""
    from sanctionwatch.simulate import run

    try:
        summary = run(preset, out, seed=seed, vessels=vessels, days=days, messages=messages, gz=gz, csv=csv)
    except (ValueError, KeyError) as e:
        fail(str(e))
        return
    console.print(f"{summary['messages']:,} messages ({summary['lines']:,} lines), {summary['labels']} labels -> {out}")
    typer.echo(json.dumps(summary, indent=2))


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
