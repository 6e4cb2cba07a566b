"""`sanctionwatch ingest`: raw NMEA or decoded CSV/JSON AIS into the store, with an ingest report."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from sanctionwatch import settings
from sanctionwatch.cli.common import (
    Engine,
    console,
    engine_option,
    fail,
    master_option,
    show_progress,
    store_option,
    store_uri,
)
from sanctionwatch.store.ingest_report import REASONS

if TYPE_CHECKING:
    from sanctionwatch.ais.sources import Input


@contextlib.contextmanager
def byte_bars() -> Iterator[Callable[[Input], Callable[[int], None]]]:
    """Transient per-input bars (bytes read, speed, ETA) as `ais.ingest.ingest`'s `progress_factory`; they
    draw nothing when bars are off (--quiet, piped)."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=console, transient=True, disable=not show_progress(),
    ) as progress:

        def factory(inp: Input) -> Callable[[int], None]:
            # Progress counts decompressed bytes, so a compressed input gets no total (no misleading ETA).
            total = None if inp.path.endswith((".gz", ".zip")) else inp.size()
            task = progress.add_task(inp.name, total=total)
            return lambda n: progress.advance(task, n)

        yield factory


def _parse_time(value: str | None) -> datetime | None:
    """ISO-8601 (naive = UTC) or epoch seconds/milliseconds (by magnitude, as in NMEA) -> aware datetime."""
    if not value:
        return None
    if value.isdigit():
        n = int(value)
        return datetime.fromtimestamp(n / 1000 if n >= 100_000_000_000 else n, tz=UTC)
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def print_report(rep: dict) -> None:
    """Human summary of one import report."""
    name = ", ".join(rep.get("inputs", []))
    if rep.get("error"):
        console.print(f"[bold red]{name}[/]: not ingested: {rep['error']}")
        return
    if rep.get("skipped"):
        console.print(f"[yellow]{name}[/]: {rep['skipped']} (import {rep['import_id']})")
        return
    t = Table(title=f"{name}  (import {rep['import_id']}, {rep['seconds']:.2f} s)", show_header=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    t.add_row("format", ", ".join(rep.get("formats", {})))
    for k in ("lines", "sentences", "messages", "positions", "vessel_reports", "duplicates_folded"):
        t.add_row(k, f"{rep[k]:,}")
    if rep.get("by_type"):
        t.add_row("message types", " ".join(f"{k}:{v}" for k, v in rep["by_type"].items()))
    if rep.get("skipped_types"):
        t.add_row("skipped types (counted)", " ".join(f"{k}:{v}" for k, v in rep["skipped_types"].items()))
    for reason, n in rep.get("rejected", {}).items():
        samples = ", ".join(rep["samples"].get(reason, [])[:3])
        t.add_row(f"rejected: {reason}", f"{n:,}  e.g. {samples}")
    t.add_row("time span", f"{rep.get('ts_min')} .. {rep.get('ts_max')}")
    if rep.get("rejected", {}).get("no_timestamp"):
        t.add_row("[bold yellow]hint[/]", "messages without any timestamp were not stored: re-run with "
                  "--assume-time TIME (ISO-8601 or epoch, UTC)")
    if rep.get("quarantine"):
        t.add_row("quarantine", rep["quarantine"])
    console.print(t)


def ingest_cmd(
    paths: list[str] = typer.Argument(..., help="Files, directories or '-' for stdin (NMEA, CSV, JSON; plain, .gz or single-file .zip)."),
    store: str = store_option(),
    force: bool = typer.Option(
        False, "--force", help="Re-import inputs already ingested (same decompressed content); replaces, never duplicates."
    ),
    assume_time: str = typer.Option(
        None, "--assume-time", help="Time (ISO-8601 or epoch, UTC) for messages in inputs that carry no timestamp "
        "(NMEA without tag blocks/PGHP/epochs; a Digitraffic snapshot without its 'timestamp')."
    ),
    json_report: bool = typer.Option(False, "--json", help="Print the ingest reports as JSON on stdout."),
    engine: Engine = engine_option(),
    master: str = master_option(),
    table: str = typer.Option("positions", "--table", help="With --engine spark: the table the Parquet rows go to."),
) -> None:
    """Ingest PATHs into the store and print one report per input."""
    from sanctionwatch.ais.ingest import IngestError, ingest  # heavy (numba, pandas): not needed for --help

    if engine == Engine.spark:
        from sanctionwatch.engines.spark_ingest import ingest_spark

        for src in paths:
            rep = ingest_spark(src, store_uri(store), table=table, master=master)
            typer.echo(json.dumps(rep, indent=1, default=str))
        return
    from sanctionwatch.store import Store

    st = Store(settings.store_path(store))
    from sanctionwatch.warmup import FIRST_RUN_NOTE, kernels_cached

    if not kernels_cached():
        console.print(f"[dim]{FIRST_RUN_NOTE}[/]")
    try:
        assumed = _parse_time(assume_time)
    except ValueError:
        fail(f"--assume-time: not an ISO-8601 time or epoch seconds: {assume_time!r}")
        return
    with byte_bars() as factory:
        try:
            reports = ingest(st, paths, force=force, assume_time=assumed, progress_factory=factory)
        except (FileNotFoundError, IngestError) as e:
            fail(str(e))
            return
    for rep in reports:
        print_report(rep)
    if json_report:
        typer.echo(json.dumps(reports, indent=1, default=str))
    total = sum(r.get("positions", 0) for r in reports if not r.get("skipped"))
    console.print(f"[green]store[/] {st.root}: {total:,} positions added from {len(reports)} input(s)")
    failed = [r for r in reports if r.get("error")]
    damaged = [r for r in reports if r.get("damaged")]
    for r in damaged:
        d = r["damaged"]
        console.print(f"[bold red]{', '.join(r.get('inputs', []))}[/]: {d['kind']} at compressed byte "
                      f"{d['compressed_offset']:,} ({d['message']}); the {d['decompressed_offset']:,} bytes before it "
                      "were ingested")
    if failed:
        missing = all("input not found" in str(r["error"]) for r in failed)
        fail(f"{len(failed)} input(s) could not be ingested (see above)", code=2 if missing else 1)
    if damaged:
        fail(f"{len(damaged)} input(s) damaged (truncated or corrupt); the data before the damage was kept", code=1)
    useless = [r for r in reports if not r.get("skipped") and not r.get("positions") and not r.get("vessel_reports")]
    if not reports or len(useless) == len(reports):
        for f, why in _not_read(paths):  # a directory with no readable AIS: also name the files passed over
            console.print(f"[yellow]{f}[/]: not read ({why})")
    if not reports:
        fail("no inputs found (empty directory, or no AIS files in it)", code=1)
    for r in useless:  # a PNG read as NMEA, an empty file, a file of rejected lines: say so, exit non-zero
        why = (f"all {r.get('lines', 0):,} line(s) rejected ("
               + ", ".join(f"{k} {v:,}" for k, v in r.get("rejected", {}).items()) + "); kept in quarantine"
               if r.get("rejected") else "no AIS records in it" if r.get("lines") else "empty input")
        console.print(f"[bold red]{', '.join(r.get('inputs', []))}[/]: no AIS: {why}")
    if useless:
        fail(f"{len(useless)} input(s) held no readable AIS (see above)", code=1)


def _not_read(paths: list[str]) -> list[tuple[str, str]]:
    """Files inside directory inputs that the directory walk passes over, with the reason (see ais.sources.expand)."""
    from pathlib import Path

    from sanctionwatch.ais.sources import _SKIP_SUFFIXES

    out = []
    for p in paths:
        if p != "-" and Path(p).is_dir():
            for f in sorted(Path(p).rglob("*")):
                if f.is_file() and f.name.startswith("."):
                    out.append((str(f), "hidden file"))
                elif f.is_file() and f.suffix.lower() in _SKIP_SUFFIXES:
                    out.append((str(f), f"{f.suffix} is not an AIS format"))
    return out


def register(app: typer.Typer) -> None:
    """Add the `ingest` command to the app."""
    app.command(
        "ingest",
        help="Decode AIS into the store, partitioned by day: raw NMEA, MarineCadastre CSV, DMA aisdk CSV, "
        "satellite-provider CSV, Digitraffic JSON (detected from the header; any of them gzipped). Re-ingesting the "
        "same content is skipped (--force replaces). Rejected "
        "lines are counted by reason (" + ", ".join(REASONS) + "), sampled with file:line and kept verbatim "
        "in the store's _quarantine folder.",
    )(ingest_cmd)
