"""`sanctionwatch bgp`: upstreams of a target's networks from MRT files, timeline chart, archive download, dump."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from sanctionwatch import settings
from sanctionwatch.cli.common import (
    Format,
    console,
    emit_rows,
    fail,
    format_option,
    progress_bar,
    store_option,
)

bgp = typer.Typer(help="BGP routing evidence: upstream (transit) changes of a country's networks.",
                  no_args_is_help=True)

_TARGET_HELP = "AS131279 (origin AS), 175.45.176.0/22 (network) or KP (country; needs --asnames, uses --ipasn)."


def _analysis(target: str, files: list[Path], asnames: Path | None, ipasn: Path | None, per_prefix: bool,
              min_absence_s: float | None):
    from sanctionwatch.network.analyze import analyze
    from sanctionwatch.network.asinfo import load_asnames, load_ipasn, parse_target
    from sanctionwatch.network.params import DEFAULT_PARAMS

    for f in files:
        if not f.is_file():
            fail(f"MRT file not found: {f}")
    names = load_asnames(asnames)
    table = None
    if ipasn is not None:
        table = load_ipasn(ipasn)
        for e in table.errors[:20]:
            console.print(f"[yellow]ipasn:[/] {e}")
    try:
        tgt = parse_target(target, names, table)
    except ValueError as e:
        fail(str(e))
        raise
    params = DEFAULT_PARAMS if min_absence_s is None else DEFAULT_PARAMS.with_overrides(
        min_absence_s=min_absence_s)
    an = analyze(files, tgt, names, params, per_prefix=per_prefix)
    for rep in an.selection.reports:
        for e in rep.errors:
            console.print(f"[yellow]{e['file']} record {e['record']} (offset {e['offset']}):[/] {e['error']}")
        console.print(f"{rep.file}: {rep.records:,} records, {rep.rows:,} route lines, {len(rep.errors)} errors"
                      + (" [yellow](truncated)[/]" if rep.truncated else ""))
    unreadable = [r.file for r in an.selection.reports if r.records == 0 and r.errors]
    if unreadable and len(unreadable) == len(an.selection.reports):
        fail("no MRT records could be read from " + ", ".join(map(str, unreadable)) + " (not MRT files?)")
    if an.baseline_end is not None:
        console.print(f"[yellow]no RIB for {an.target.label}:[/] upstreams first seen before "
                      f"{an.baseline_end:%Y-%m-%d %H:%M:%S}Z count as baseline (pass the preceding RIB dump)")
    return an


@bgp.command("upstreams")
def upstreams(
    files: list[Path] = typer.Argument(..., help="MRT files (RIB dumps and/or updates; gzip, bz2 or plain)."),
    target: str = typer.Option(..., "--target", help=_TARGET_HELP),
    fmt: Format = format_option(note="jsonl gives every change with its evidence."),
    asnames: Path | None = typer.Option(None, "--asnames", help="pyasn asnames.json(.gz); default: built-in subset."),
    ipasn: Path | None = typer.Option(None, "--ipasn", help="pyasn ipasn .dat(.gz) prefix->origin table."),
    per_prefix: bool = typer.Option(False, "--per-prefix", help="Also detect changes per prefix."),
    min_absence_s: float | None = typer.Option(None, "--min-absence-s", help="Override BgpParams.min_absence_s."),
    chart: Path | None = typer.Option(None, "--chart", help="Also write the timeline PNG here."),
    peers: bool = typer.Option(False, "--peers", help="Table format: also list upstreams per collector peer."),
    store: str = store_option(),
    no_store: bool = typer.Option(False, "--no-store", help="Do not write routing_change events to the store."),
) -> None:
    """Upstream ASes of the target seen by collector peers, path shares, and routing_change events."""
    an = _analysis(target, files, asnames, ipasn, per_prefix, min_absence_s)
    from sanctionwatch.network.analyze import events_of, summary_rows

    events = events_of(an)
    if not no_store:
        from sanctionwatch.store import Store
        from sanctionwatch.store.events import write_events

        # one events partition per target, so analysing a second target keeps the first one's events
        producer = "bgp-" + "".join(c if c.isalnum() else "_" for c in target.upper())
        write_events(Store(settings.store_path(store)), producer, events)
    if chart is not None:
        from sanctionwatch.network.chart import write_chart

        write_chart(an, chart)
        console.print(f"[green]chart[/] {chart}")
    summary = summary_rows(an)
    ev_rows = events.to_pylist()
    if fmt == Format.jsonl:
        for r in summary:
            sys.stdout.write(json.dumps({"record": "upstream", "target": an.target.label, **r}, default=str) + "\n")
        for r in an.peers.to_dicts():
            sys.stdout.write(json.dumps({"record": "peer", **r}, default=str) + "\n")
        for r in ev_rows:
            r["evidence"] = json.loads(r["evidence"])
            sys.stdout.write(json.dumps({"record": "event", **r}, default=str) + "\n")
        return
    cols = ["upstream", "name", "first_seen", "last_change", "peers", "prefixes", "share_at_end", "max_share"]
    emit_rows(cols, [[_cell(r[c]) for c in cols] for r in summary], fmt, title=f"Upstreams of {an.target.label}")
    if peers:
        pcols = ["peer_ip", "peer_as", "upstream", "first_seen", "prefixes", "prefixes_at_end"]
        emit_rows(pcols, [[_cell(r[c]) for c in pcols] for r in an.peers.to_dicts()], fmt,
                  title="Upstreams per collector peer")
    ecols = ["start", "end", "subject", "change", "upstream", "confidence", "first evidence"]
    erows = []
    for r in ev_rows:
        ev = json.loads(r["evidence"])
        first = ev.get("rows", [{}])[0] if ev.get("rows") else {}
        erows.append([_cell(r["start"]), _cell(r["end"]), r["subject"], ev["change"], ev.get("upstream", ""),
                      _cell(r["confidence"]),
                      f"{first.get('source', '')} {first.get('peer', '')} {first.get('as_path') or ''}".strip()])
    emit_rows(ecols, erows, fmt, title="routing_change events")


def _cell(v: object) -> object:
    """Compact table cells: UTC times as 'YYYY-MM-DD HH:MM:SSZ', floats to 3 decimals."""
    if isinstance(v, datetime):
        return f"{v.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z"
    if isinstance(v, float):
        return round(v, 3)
    return v


@bgp.command("chart")
def chart_cmd(
    files: list[Path] = typer.Argument(..., help="MRT files."),
    target: str = typer.Option(..., "--target", help=_TARGET_HELP),
    out: Path = typer.Option(..., "--out", help="PNG file to write."),
    asnames: Path | None = typer.Option(None, "--asnames", help="pyasn asnames.json(.gz)."),
    ipasn: Path | None = typer.Option(None, "--ipasn", help="pyasn ipasn .dat(.gz)."),
) -> None:
    """Timeline PNG: share of collector paths through each upstream, changes marked."""
    from sanctionwatch.network.chart import write_chart

    an = _analysis(target, files, asnames, ipasn, False, None)
    console.print(f"[green]chart[/] {write_chart(an, out)}")


def _utc(value: str) -> datetime:
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@bgp.command("download")
def download_cmd(
    start: str = typer.Option(..., "--start", help="UTC start, e.g. 2017-10-01T09:00."),
    end: str = typer.Option(..., "--end", help="UTC end (exclusive)."),
    archive: str = typer.Option("routeviews", "--archive", help="routeviews or ris."),
    collector: str = typer.Option("route-views2", "--collector", help="e.g. route-views2, route-views.jinx, rrc06."),
    kind: str = typer.Option("updates", "--kind", help="updates or rib."),
    cache: Path = typer.Option(None, "--cache", metavar="DIR", show_default=False,
                               help="Cache directory; existing files are reused [default: CACHE_DIR/mrt, setting cache_dir]."),
    base: str | None = typer.Option(None, "--base", help="Override the archive base URL (mirror)."),
    template: str | None = typer.Option(None, "--template", help="Override the URL template ({base} {collector} "
                                        "{collector_dir} {Y} {m} {d} {H} {M})."),
) -> None:
    """Fetch archive files for [start, end) into the cache; prints the local paths."""
    from sanctionwatch.network.download import ARCHIVES, download, plan

    if archive not in ARCHIVES:
        fail(f"unknown archive {archive!r}; expected one of {sorted(ARCHIVES)}")
    try:
        urls = plan(ARCHIVES[archive], collector, kind, _utc(start), _utc(end), base=base, template=template)
    except (ValueError, KeyError) as e:
        fail(str(e))
        return
    import httpx

    from sanctionwatch.network.download import DownloadResult

    cache_dir = cache or Path(settings.get("cache_dir")).expanduser() / "mrt"
    res = DownloadResult()
    with httpx.Client(timeout=60.0, follow_redirects=True) as client, progress_bar("files") as bar:
        task = bar.add_task(f"{archive} {collector} {kind}", total=len(urls))
        for u in urls:  # one file at a time so the bar (files done / planned, ETA) moves per file
            one = download([u], cache_dir, client=client)
            for field in ("fetched", "cached", "missing", "failed"):
                getattr(res, field).extend(getattr(one, field))
            bar.advance(task)
    for u in res.missing:
        console.print(f"[yellow]not published (404):[/] {u}")
    for u, why in res.failed:
        console.print(f"[red]failed:[/] {u}: {why}")
    for p in res.files():
        typer.echo(str(p))
    console.print(f"{len(res.fetched)} fetched, {len(res.cached)} cached, {len(res.missing)} missing, "
                  f"{len(res.failed)} failed")
    if res.failed:
        raise typer.Exit(1)


@bgp.command("dump")
def dump_cmd(file: Path = typer.Argument(..., help="MRT file.")) -> None:
    """Print an MRT file as `bgpdump -m` lines; parse problems go to stderr with record and offset."""
    from sanctionwatch.network.bgpdump_format import bgpdump_lines
    from sanctionwatch.network.mrt import ParseReport, iter_batches

    if not file.is_file():
        fail(f"MRT file not found: {file}")
    rep = ParseReport(str(file))
    out = sys.stdout
    for batch in iter_batches(file, rep):
        out.write("\n".join(bgpdump_lines(batch)) + "\n")
    for e in rep.errors:
        console.print(f"[yellow]record {e['record']} (offset {e['offset']}):[/] {e['error']}")
    console.print(f"{rep.records} records, {rep.rows} lines, {len(rep.errors)} errors"
                  + (" (truncated)" if rep.truncated else ""))
    if rep.errors or rep.truncated:  # the lines printed are what could be read; the exit code says it is not all
        fail(f"{file}: {len(rep.errors)} record(s) could not be read" + (", file truncated" if rep.truncated else ""),
             code=1)


def register(app: typer.Typer) -> None:
    app.add_typer(bgp, name="bgp")
