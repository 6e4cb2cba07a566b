"""`sanctionwatch risk` (rank vessels, every point explained) and `sanctionwatch vessel` (one profile)."""

from __future__ import annotations

import typer

from sanctionwatch.cli.common import (
    Format,
    console,
    emit_rows,
    existing_store,
    fail,
    format_option,
    progress_callback,
    store_option,
)

TABLE_COLUMNS = ("rank", "mmsi", "band", "risk_0_100", "points", "arithmetic", "band_reason")


def risk(
    store: str = store_option(),
    format: Format = format_option(note="table shows the ranking columns; csv/json/jsonl every column."),
    limit: int = typer.Option(50, "--limit", help="Rows to print (all are stored)."),
    band: str = typer.Option(None, "--band", metavar="BAND",
                             help="Print only this band: designated, high, review or low."),
    weight: list[str] = typer.Option(None, "--weight", help="Override a weight: NAME=POINTS (see docs/risk.md)."),
) -> None:
    """Screen the store's vessels, band and score every one (events + list hits), store and print the ranking."""
    from sanctionwatch.risk.run import compute_risk
    from sanctionwatch.risk.score import band_counts
    from sanctionwatch.risk.weights import BANDS, RiskWeights

    if band is not None and band not in BANDS:
        fail(f"--band: {band!r} is not one of {', '.join(BANDS)}")
        return
    try:
        overrides = {k: float(v) for k, v in (w.split("=", 1) for w in weight or [])}
        weights = RiskWeights().with_overrides(**overrides)
    except ValueError as e:
        fail(f"--weight: {e}")
        return
    st = existing_store(store)
    with progress_callback("risk: screening every vessel, scoring events and list hits") as progress:
        res = compute_risk(st, weights, progress=progress)
    ranked = res.ranked if band is None else res.ranked.filter(res.ranked["band"] == band)
    rows = ranked.head(limit)
    if format == Format.table:  # the full rows (signals, top reasons, points per kind) are in json/csv
        rows = rows.select(TABLE_COLUMNS)
    emit_rows(rows.columns, rows.rows(), format,
              title="Vessel risk by band (every point traced in risk/contributions.parquet)")
    counts = ", ".join(f"{b} {n:,}" for b, n in band_counts(res.ranked).items())
    console.print(f"{res.ranked.height:,} vessels: {counts}; from {res.contributions.height:,} contribution rows "
                  f"and {res.hits.height:,} list hits")


def vessel(
    query: str = typer.Argument(..., help="MMSI, IMO or name."),
    store: str = store_option(),
    format: Format = format_option(note="Any format but table prints the whole profile as one JSON object."),
) -> None:
    """Profile of one vessel: identity history, list hits, events timeline, risk breakdown."""
    import json

    from sanctionwatch.report.casefile import VesselNotFound, vessel_context

    try:
        ctx = vessel_context(existing_store(store), query, with_map=False)
    except VesselNotFound as e:
        fail(str(e))
        return
    if format != Format.table:
        typer.echo(json.dumps({k: v for k, v in ctx.items() if k != "map_png"}, default=str, indent=1))
        return
    console.print(f"[bold]{ctx['subject']}[/] — MMSI(s) {', '.join(map(str, ctx['mmsis']))}")
    for r in ctx["risk"]:
        console.print(f"{r['band']} — risk {r['risk_0_100']} / 100 ({r['points']:g} points = {r['arithmetic']})")
        console.print(f"  {r['band_reason']}")
    sections = [
        ("Identity history", ctx["identity"], ["mmsi", "imo", "name", "callsign", "ship_type", "first_seen", "last_seen"]),
        ("List hits", ctx["hits"], ["caption", "dataset", "programs", "match_kind", "field", "score", "list_version"]),
        ("Risk breakdown", ctx["breakdown"], ["signal", "points", "ref_kind", "ref_id", "reason"]),
        ("Events", ctx["events"], ["type", "start", "end", "other_mmsi", "port", "country", "confidence"]),
        ("Declared destinations", ctx["destinations"], ["mmsi", "destination", "first_seen", "last_seen"]),
    ]
    for title, rows, cols in sections:
        emit_rows(cols, [[r.get(c) for c in cols] for r in rows], Format.table, title=title)


def register(app: typer.Typer) -> None:
    app.command("risk")(risk)
    app.command("vessel")(vessel)
