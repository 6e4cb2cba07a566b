"""`sanctionwatch detect` (run the maritime detectors over a store) and `sanctionwatch events` (list them)."""

from __future__ import annotations

import json

import typer

from sanctionwatch import settings
from sanctionwatch.cli.common import (
    Engine,
    Format,
    console,
    emit_rows,
    engine_option,
    existing_store,
    fail,
    format_option,
    master_option,
    parse_bbox,
    parse_time,
    progress_callback,
    store_option,
    store_uri,
)
from sanctionwatch.detect.params import flat_defaults, with_overrides

EVENT_COLUMNS = ["event_id", "type", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "port", "locode", "country",
                 "confidence", "evidence"]
TABLE_COLUMNS = ["type", "mmsi", "other_mmsi", "start", "end", "port", "country", "confidence"]


def detect(
    store: str = store_option(),
    set_: list[str] = typer.Option([], "--set", help="Override a threshold, e.g. --set encounter.min_duration_h=3 "
                                   "(see --show-params)."),
    threads: int = typer.Option(2, "--threads", help="Worker threads (vessel partitions run in parallel)."),
    show_params: bool = typer.Option(False, "--show-params", help="Print every threshold with its default and exit."),
    engine: Engine = engine_option(),
    master: str = master_option(),
    json_report: bool = typer.Option(False, "--json", help="Also print the full run report (tracks, timings) as JSON."),
) -> None:
    """Run all maritime detectors over the store's positions and static reports; replaces its maritime events."""
    if show_params:
        emit_rows(["parameter", "default"], [[k, v] for k, v in flat_defaults().items()], Format.table,
                  title="detector parameters (sanctionwatch.detect.params)")
        return
    overrides = {}
    for kv in set_:
        if "=" not in kv:
            fail(f"--set expects name=value, got {kv!r}")
        k, v = kv.split("=", 1)
        overrides[k.strip()] = v.strip()
    try:
        params = with_overrides(overrides)
    except (ValueError, TypeError) as e:
        fail(str(e))
        return
    if engine == Engine.spark:
        from sanctionwatch.engines.spark_detect import detect_spark

        report = detect_spark(store_uri(store), master=master, params=params)
        emit_rows(["type", "events"], sorted(report.get("by_type", {}).items()), Format.table)
        console.print(f"events written to {report.get('written_to')}")
        return
    from sanctionwatch.store import Store

    st = Store(settings.store_path(store))
    if not st.has_files("positions") and not st.has_files("vessel_reports"):
        fail(f"no positions or vessel_reports in store {st.root} (run `sanctionwatch ingest` first)")
    from sanctionwatch.engines.embedded import run
    from sanctionwatch.warmup import FIRST_RUN_NOTE, kernels_cached

    if not kernels_cached():
        console.print(f"[dim]{FIRST_RUN_NOTE}[/]")
    with progress_callback("detecting: tracks, gaps, encounters, loitering, port calls, spoofing, identity, "
                           "destinations") as progress:
        report = run(st, params, threads=threads, progress=progress)
    console.print(f"[bold]{report['events']}[/] maritime events from {report['positions']} positions "
                  f"and {report['vessel_reports']} static reports")
    emit_rows(["type", "events"], sorted(report["by_type"].items()), Format.table)
    explained = report.get("not_reported_explained") or {}
    if explained:
        console.print("candidates not reported, explained by other evidence: "
                      + ", ".join(f"{k} {v}" for k, v in sorted(explained.items())))
    timings = report.get("timings", {})
    console.print("timings (s): " + ", ".join(f"{k.removesuffix('_s')} {v}" for k, v in timings.items()))
    if json_report:
        typer.echo(json.dumps(report, default=str, indent=1))


def events(
    store: str = store_option(),
    type_: str | None = typer.Option(None, "--type", help="Only this event type (e.g. encounter)."),
    mmsi: int | None = typer.Option(None, "--mmsi", help="Only events of this vessel (either side of encounters)."),
    start: str | None = typer.Option(None, "--start", metavar="TIME",
                                     help="Only events still going on at or after this time (ISO-8601, UTC if no zone)."),
    end: str | None = typer.Option(None, "--end", metavar="TIME", help="Only events that began before this time."),
    bbox: str | None = typer.Option(None, "--bbox", metavar="MINLON,MINLAT,MAXLON,MAXLAT",
                                    help="Only events located inside this box (degrees; as the API's bbox)."),
    format: Format = format_option(note="json/jsonl give the evidence as objects."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many events (earliest first); default all."),
) -> None:
    """List stored events (every producer), earliest first, with their evidence."""
    from sanctionwatch.store import connect
    from sanctionwatch.store.events import EVENT_TYPES, events_where

    if type_ and type_ not in EVENT_TYPES:
        fail(f"unknown event type {type_!r}; one of: {', '.join(EVENT_TYPES)}")
    con = connect(existing_store(store))
    where, args = events_where(type=type_, mmsi=mmsi, start=parse_time(start, "--start"),
                               end=parse_time(end, "--end"), bbox=parse_bbox(bbox))
    cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
    q = f"SELECT {cols} FROM events WHERE {where}"
    q += ' ORDER BY "start", type, mmsi' + (f" LIMIT {int(limit)}" if limit else "")
    rows = con.execute(q, args).fetchall()
    iso = [[_cell(v) for v in r] for r in rows]
    if format == Format.table:
        keep = [EVENT_COLUMNS.index(c) for c in TABLE_COLUMNS]
        short = [[r[i] for i in keep] + [_reason(r[-1])] for r in iso]
        emit_rows([*TABLE_COLUMNS, "why"], short, format, title=f"{len(rows)} events")
    elif format in (Format.json, Format.jsonl):
        emit_rows(EVENT_COLUMNS, [[*r[:-1], json.loads(r[-1]) if r[-1] else None] for r in iso], format)
    else:
        emit_rows(EVENT_COLUMNS, iso, format)


def _cell(v: object) -> object:
    """Times as ISO-8601 UTC, confidences rounded (stored as float32)."""
    if hasattr(v, "isoformat"):
        return v.isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    return round(v, 3) if isinstance(v, float) else v


def _reason(evidence: str | None) -> str:
    """The one-line rule from an event's evidence (what the table shows as 'why')."""
    if not evidence:
        return ""
    try:
        return str(json.loads(evidence).get("rule", ""))
    except json.JSONDecodeError:
        return evidence[:80]


def register(app: typer.Typer) -> None:
    app.command("detect")(detect)
    app.command("events")(events)
