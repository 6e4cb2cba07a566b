"""`sanctionwatch simulate PRESET`: generate a scenario (NMEA, DMA CSV, labels.jsonl) - thin wrapper over
`sanctionwatch.simulate.run`."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import typer

from sanctionwatch.cli.common import console, fail, progress_callback


def simulate(
    preset: str = typer.Argument(..., help="smoke | sea-of-japan | yellow-sea | global"),
    out: Path = typer.Option(..., "--out", help="Output folder (created)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives byte-identical output."),
    vessels: int | None = typer.Option(None, "--vessels", min=1, help="Background vessels (global: fleet size)."),
    days: float | None = typer.Option(None, "--days", min=0.01, help="Simulated days (smoke 2, sea-of-japan 7)."),
    messages: int | None = typer.Option(None, "--messages", min=1, help="global only: stop after this many messages."),
    gz: bool = typer.Option(False, "--gz", help="Write traffic.nmea.gz instead of traffic.nmea."),
    csv: bool = typer.Option(True, "--csv/--no-csv", help="Also write the DMA-layout CSV."),
    regime: str = typer.Option("dense", "--regime",
                               help="Coverage regime: dense | satellite | mixed, each also with -noisy "
                                    "(e.g. satellite-noisy); regional presets (docs/simulator.md)."),
    satellite_keep: float | None = typer.Option(None, "--satellite-keep", min=0.01, max=1.0,
                                                help="Keep each position report with this probability "
                                                     "(satellite-style decimation; regional presets) [default 1]."),
    corrupt: float | None = typer.Option(None, "--corrupt", min=0.0, max=0.5,
                                         help="Fraction of lines that get a garbled extra copy [default 0.002]."),
    duplicates: float | None = typer.Option(None, "--duplicates", min=0.0, max=1.0,
                                            help="Fraction of messages also received by a second station "
                                                 "[default 0.25]."),
    coverage_hole: list[str] | None = typer.Option(None, "--coverage-hole",
                                                   help="LAT_MIN,LAT_MAX,LON_MIN,LON_MAX box with no receiver "
                                                        "(repeatable; regional presets; labelled as control gaps)."),
) -> None:
    """Write simulated AIS traffic with ground-truth labels of every injected behaviour and control."""
    from sanctionwatch.simulate import run
    from sanctionwatch.simulate.params import DEFAULT

    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    try:
        holes = tuple(_box(b) for b in coverage_hole or ())
    except ValueError as e:
        fail(str(e))
        return
    given = {"satellite_keep_fraction": satellite_keep, "corrupt_fraction": corrupt, "duplicate_fraction": duplicates,
             "coverage_holes": holes or None}
    params = replace(DEFAULT, noise=replace(DEFAULT.noise, **{k: v for k, v in given.items() if v is not None}))
    try:
        with progress_callback(f"simulating {preset}: voyages, behaviours, AIS messages") as progress:
            summary = run(preset, out, seed=seed, vessels=vessels, days=days, messages=messages, gz=gz, csv=csv,
                          params=params, regime=regime, progress=progress)
    except (ValueError, KeyError, OSError) as e:
        fail(str(e))
        return
    console.print(f"{summary['messages']:,} messages ({summary['lines']:,} lines), {summary['labels']} labels -> {out}")
    typer.echo(json.dumps(summary, indent=2))


def _box(text: str) -> tuple[float, float, float, float]:
    """'lat_min,lat_max,lon_min,lon_max' -> floats, with a clear error."""
    parts = text.split(",")
    try:
        la0, la1, lo0, lo1 = (float(x) for x in parts)
    except ValueError:
        raise ValueError(f"--coverage-hole {text!r}: expected LAT_MIN,LAT_MAX,LON_MIN,LON_MAX") from None
    if not (la0 < la1 and lo0 < lo1):
        raise ValueError(f"--coverage-hole {text!r}: minimum must be below maximum")
    return la0, la1, lo0, lo1


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
