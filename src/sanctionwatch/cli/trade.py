"""`sanctionwatch trade ...` and `sanctionwatch claims check`: thin commands over sanctionwatch.trade."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from sanctionwatch import settings
from sanctionwatch.cli.common import Format, console, emit_rows, fail, format_option, note, store_option
from sanctionwatch.trade.areas import area_code
from sanctionwatch.trade.params import DEFAULT_PARAMS
from sanctionwatch.trade.periods import PeriodSpec, parse_period

if TYPE_CHECKING:
    from sanctionwatch.store import Store
    from sanctionwatch.trade.data import TradeData

trade_app = typer.Typer(help="UN Comtrade trade flows: load, analyse, check sanctions caps/bans, chart.",
                        no_args_is_help=True)
claims_app = typer.Typer(help="Check trade claims (claims files) against the store.", no_args_is_help=True)

REPORTER = typer.Option(..., "--reporter", "-r", help="Reporter: Comtrade code or ISO3 (643, RUS).")
PARTNER = typer.Option(..., "--partner", "-p", help="Partner: Comtrade code or ISO3 (408, PRK).")
FLOW = typer.Option("export", "--flow", help="export, import, re-export, re-import or total (export+import).")
CLASSIF = typer.Option("HS", "--classification", help="Classification family: HS or SITC.")
FMT = format_option()


def _store(store: str | None) -> Store:
    """The store at `store` (or the default); Store is imported here so `--help` does not load PyArrow."""
    from sanctionwatch.store import Store

    return Store(settings.store_path(store))


def _data(store: str | None, *areas: int) -> TradeData:
    from sanctionwatch.trade.data import TradeData

    st = _store(store)
    if not st.has_files("trade_flows"):
        fail(f"no trade flows in store {st.root}: run `sanctionwatch trade load FILE --store {st.root}` first")
    return TradeData.from_store(st, areas or None)


def _codes(*values: str) -> list[int]:
    try:
        return [area_code(v) for v in values]
    except ValueError as e:
        fail(str(e))
        raise


def _spec(text: str) -> PeriodSpec:
    try:
        return parse_period(text)
    except ValueError as e:
        fail(str(e))
        raise


def _announcing_sleep(client: Any) -> Any:
    """The client's sleep, saying on stderr when it is a retry back-off (pacing waits are under a second)."""
    import time

    def sleep(seconds: float) -> None:
        if seconds >= 1.5:
            note(f"Comtrade: call {client.calls} got no usable answer (offline, HTTP 429 or 5xx); retrying in "
                 f"{seconds:.0f} s (attempt {client.calls + 1} of {client.max_retries + 1})")
        time.sleep(seconds)

    return sleep


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, default=str, indent=1) + "\n")


@trade_app.command("load")
def load_cmd(paths: list[Path] = typer.Argument(..., help="Comtrade CSV/JSON files (legacy or Comtrade+ layout)."),
             store: str = store_option(),
             json_report: bool = typer.Option(False, "--json", help="Print load reports as JSON.")) -> None:
    """Load Comtrade files into the store (one atomic partition per file; rejected rows quarantined)."""
    from sanctionwatch.trade.load import load_file
    from sanctionwatch.trade.readers import TradeFormatError

    st = _store(store)
    reports = []
    for p in paths:
        if not p.is_file():
            fail(f"{p}: no such file")
        try:
            reports.append(load_file(st, p))
        except (TradeFormatError, UnicodeDecodeError, json.JSONDecodeError) as e:
            fail(f"{p}: {e}")
    if json_report:
        _json(reports)
        return
    for r in reports:
        rej = sum(r["rejected"].values())
        console.print(f"{r['inputs'][0]}: {r['layout']}, {r['rows_stored']:,}/{r['rows_in']:,} rows stored as "
                      f"source={r['source_id']}" + (f", [yellow]{rej} rejected[/] {r['rejected']} -> "
                                                    f"{r['quarantine']}" if rej else ""))


@trade_app.command("fetch")
def fetch_cmd(reporter: str = REPORTER, period: str = typer.Option(..., "--period", help="Comtrade period(s): "
              "2017, 201705, or comma-separated."), partner: str = typer.Option(None, "--partner", "-p", help="Partner: Comtrade code or "
              "ISO3 (408, PRK); default: every partner."),
              cmd: str = typer.Option("TOTAL", "--cmd", help="Commodity code(s), e.g. TOTAL, 27, AG2."),
              flow: str = typer.Option(None, "--flow-code", help="M, X, RM, RX (default all)."),
              freq: str = typer.Option("A", "--freq", help="A annual or M monthly."),
              base_url: str = typer.Option(None, "--base-url", help="API base URL (tests use a local server)."),
              store: str = store_option()) -> None:
    """Fetch from the Comtrade+ API (key from setting comtrade_key, else public preview) into the store."""
    from sanctionwatch.trade.comtrade_api import ComtradeClient, ComtradeError
    from sanctionwatch.trade.load import source_id, write_flows

    client = ComtradeClient.from_settings(**({"base_url": base_url} if base_url else {}))
    client.sleep = _announcing_sleep(client)
    r_code = _codes(reporter)[0]
    p_code = _codes(partner)[0] if partner else None
    try:
        res = client.fetch(r_code, period, p_code, cmd=cmd, flow=flow, freq=freq)
    except ComtradeError as e:
        fail(str(e))
        return
    st = _store(store)
    name = res.table["source"][0] if res.table.height else f"comtrade-r{r_code}-{period}"
    sid = source_id(name, res.table.write_csv().encode())
    rep = write_flows(st, sid, res, {"inputs": [client.url(freq=freq)], "query": {"reporter": r_code,
                      "partner": p_code, "period": period, "cmd": cmd, "flow": flow, "freq": freq}})
    console.print(f"fetched {rep['rows_in']} rows, stored {rep['rows_stored']} as source={sid} "
                  f"({client.calls} API call(s))")


@trade_app.command("flows")
def flows_cmd(reporter: str = REPORTER, partner: str = PARTNER, flow: str = FLOW,
              by: str = typer.Option("period", "--by", help="period (totals) or chapter."),
              classification: str = CLASSIF, store: str = store_option(), format: Format = FMT) -> None:
    """Bilateral flows by period (and HS chapter), as reported by the reporter."""
    from sanctionwatch.trade import analysis

    r, p = _codes(reporter, partner)
    data = _data(store, r, p)
    if by == "chapter":
        df = analysis.flows_by_chapter(data, r, p, flow, classification)
    elif by == "period":
        df = analysis.flows_by_period(data, r, p, flow, classification)
    else:
        fail("--by must be period or chapter")
        return
    if df.height == 0:
        other = "SITC" if classification.upper() == "HS" else "HS"
        alt = analysis.flows_by_period(data, r, p, flow, other)
        if alt.height:
            console.print(f"[yellow]no {classification} rows for this pair; the store has {other} rows: "
                          f"add --classification {other}[/]")
    emit_rows(df.columns, df.rows(), format, title=f"{reporter} -> {partner} {flow}")


@trade_app.command("growth")
def growth_cmd(reporter: str = REPORTER, partner: str = PARTNER, flow: str = FLOW,
               base: str = typer.Option(..., "--base", help="Base span, e.g. 2016-01..2016-05 or 2016."),
               later: str = typer.Option(..., "--later", help="Later span, e.g. 2017-01..2017-05."),
               commodity: str = typer.Option("TOTAL", "--commodity", "-c", help="Commodity code (TOTAL, 27, 2709)."),
               classification: str = CLASSIF, store: str = store_option()) -> None:
    """Growth between two spans (year on year, Jan-May vs Jan-May): values, ratio, percent change."""
    from sanctionwatch.trade import analysis

    r, p = _codes(reporter, partner)
    g = analysis.growth(_data(store, r, p), r, p, flow, _spec(base), _spec(later), commodity, classification)
    g.pop("measurements")
    _json(g)


@trade_app.command("shares")
def shares_cmd(reporter: str = REPORTER, partner: str = PARTNER, flow: str = FLOW,
               period: str = typer.Option(..., "--period", help="Span, e.g. 2017 or 2017-01..2017-05."),
               commodity: str = typer.Option(
                   None, "--commodity", "-c", help="One code (e.g. 27); default: every chapter."),
               classification: str = CLASSIF, store: str = store_option(), format: Format = FMT) -> None:
    """Commodity shares of a flow over a span (e.g. HS 27 mineral fuels in Russia's exports to DPRK)."""
    from sanctionwatch.trade import analysis

    r, p = _codes(reporter, partner)
    data = _data(store, r, p)
    if commodity:
        s = analysis.share(data, r, p, flow, _spec(period), commodity, classification)
        s.pop("measurements")
        _json(s)
        return
    df = analysis.chapter_shares(data, r, p, flow, _spec(period), classification)
    emit_rows(df.columns, df.rows(), format, title=f"{reporter} -> {partner} {flow} {period}")


@trade_app.command("mirror")
def mirror_cmd(exporter: str = typer.Option(..., "--exporter", "-e", help="Exporter: Comtrade code or ISO3 (643, RUS)."),
               importer: str = typer.Option(..., "--importer", "-i", help="Importer: Comtrade code or ISO3."),
               period: str = typer.Option(..., "--period", help="Span, e.g. 2017 or 2017-01..2017-05."),
               commodity: str = typer.Option("TOTAL", "--commodity", "-c", help="Commodity code (TOTAL, 27, 2709)."),
               classification: str = CLASSIF,
               margin: float = typer.Option(DEFAULT_PARAMS.cif_fob_margin, "--margin",
                                            help="CIF/FOB margin (IMF DOTS: 0.10)."),
               store: str = store_option()) -> None:
    """Mirror statistics: exporter's reported exports vs importer's reported imports (CIF/FOB-adjusted)."""
    from sanctionwatch.trade import analysis

    x, i = _codes(exporter, importer)
    params = DEFAULT_PARAMS.with_overrides(cif_fob_margin=margin)
    _json(analysis.mirror(_data(store, x, i), x, i, _spec(period), commodity, classification, params))


CAPS_FLAT = ["kind", "rule", "window", "reporter", "flow", "period", "commodity", "barrels", "limit_barrels",
             "pct_of_limit", "value_usd", "partial", "status", "sources"]
"""Columns of `trade caps --format csv|jsonl`: one row per cap window or banned-goods flow."""


def _flat_findings(caps: list[dict], bans: list[dict]) -> list[list[Any]]:
    """Caps and bans as rows of CAPS_FLAT (a column that does not apply to the kind is empty)."""
    rows = [["cap", c["rule"], c["window"], None, None, None, None, round(c["barrels"], 1), c["limit_barrels"],
             round(c["pct_of_limit"], 2), None, None, c["status"],
             ";".join(sorted({x for s in c["suppliers"] for x in s["sources"]}))] for c in caps]
    rows += [["ban", h["rule"], None, h["reporter_code"], h["flow"], h["period"], h["commodity"], None, None, None,
              h["value_usd"], h["partial"], None, h["sources"]] for h in bans]
    return rows


@trade_app.command("caps")
def caps_cmd(rules: Path = typer.Option(None, "--rules", help="Rule file (TOML); default: shipped DPRK rules."),
             store: str = store_option(),
             write_events: bool = typer.Option(False, "--write-events", help="Write findings as trade_anomaly."),
             format: Format = format_option(note="table: a caps table and a bans table; csv/jsonl: one row per "
                                            "finding, `kind` cap or ban; json: {rules, caps, bans} with the "
                                            "evidence (suppliers, sources)."),
             json_out: bool = typer.Option(False, "--json", hidden=True,
                                           help="Deprecated: same as --format json.")) -> None:
    """Check UNSCR caps (refined petroleum, barrels) and HS-code bans against the stored flows."""
    from sanctionwatch.trade.checks import check_ban, check_cap
    from sanctionwatch.trade.events import ban_events, cap_events, replace_trade_events
    from sanctionwatch.trade.rules import DPRK, RuleError, load_rules

    try:
        rs = load_rules(rules)
    except (RuleError, OSError) as e:
        fail(str(e))
        return
    data = _data(store, DPRK)
    caps = [w for c in rs.caps for w in check_cap(c, data)]
    for c in caps:  # no stored flow to DPRK in the window: 0 barrels is not evidence of compliance
        if not c["suppliers"]:
            c.update(status="insufficient data: no flows to DPRK stored for this window", exceeded=False)
    bans = [h for b in rs.bans for h in check_ban(b, data).to_dicts()]
    if write_events:
        n = replace_trade_events(_store(store), {"cap", "ban"}, cap_events(caps) + ban_events(bans))
        console.print(f"wrote {n} trade_anomaly event(s)")
    if json_out:
        format = Format.json
    if format == Format.json:
        _json({"rules": rs.source, "caps": caps, "bans": bans})
        return
    if format in (Format.csv, Format.jsonl):
        emit_rows(CAPS_FLAT, _flat_findings(caps, bans), format)
        return
    emit_rows(["rule", "window", "barrels", "limit", "% of limit", "status"],
              [(c["rule"], c["window"], round(c["barrels"]), c["limit_barrels"], round(c["pct_of_limit"], 1),
                c["status"]) for c in caps], Format.table, title=f"caps ({rs.source})")
    emit_rows(["rule", "reporter", "flow", "period", "commodity", "value_usd", "partial", "sources"],
              [(h["rule"], h["reporter_code"], h["flow"], h["period"], h["commodity"], h["value_usd"], h["partial"],
                h["sources"]) for h in bans], Format.table, title="banned goods flows")


@trade_app.command("chart")
def chart_cmd(reporter: str = REPORTER, partner: str = PARTNER, flow: str = FLOW,
              kind: str = typer.Option("timeseries", "--kind", help="timeseries or composition."),
              out: Path = typer.Option(..., "--out", "-o", help="Output .png, .svg or .html (interactive)."),
              classification: str = CLASSIF, top: int = typer.Option(6, "--top", help="Chapters shown (composition)."),
              store: str = store_option()) -> None:
    """Chart a flow: time series of totals or chapter composition, as PNG/SVG or self-contained HTML."""
    from sanctionwatch.store.files import write_text_atomic
    from sanctionwatch.trade import charts, html

    r, p = _codes(reporter, partner)
    data = _data(store, r, p)
    title = f"{reporter} -> {partner}: {flow} ({'by chapter, % of value' if kind == 'composition' else 'USD'})"
    if kind == "timeseries":
        frame = charts.series_frame(data, r, p, flow, classification)
    elif kind == "composition":
        frame = charts.composition_frame(data, r, p, flow, classification, top)
    else:
        fail("--kind must be timeseries or composition")
        return
    if frame.height == 0:
        fail(f"no {flow} rows for {reporter} -> {partner} in the store")
    if out.suffix.lower() == ".html":
        page = html.timeseries_html(frame, title) if kind == "timeseries" else html.composition_html(frame, title)
        write_text_atomic(out, page)
    else:
        fig = charts.timeseries_figure(frame, title) if kind == "timeseries" else charts.composition_figure(frame, title)
        try:
            charts.save_figure(fig, out)
        except ValueError as e:
            fail(str(e))
    console.print(f"wrote {out}")


@claims_app.command("check")
def claims_check_cmd(file: Path = typer.Argument(..., help="Claims file (TOML, \\[\\[claim]] tables)."),
                     store: str = store_option(),
                     format: Format = format_option(note="json/jsonl carry the full verdicts with the numbers used."),
                     write_events: bool = typer.Option(False, "--write-events",
                                                       help="Write contradicted claims as trade_anomaly events."),
                     json_out: bool = typer.Option(False, "--json", hidden=True,
                                                   help="Deprecated: same as --format json.")) -> None:
    """Answer each claim supported / contradicted / insufficient data, with the numbers used."""
    from sanctionwatch.trade.claims import ClaimError, check_claims, load_claims
    from sanctionwatch.trade.events import claim_events, replace_trade_events

    try:
        claims = load_claims(file)
    except (ClaimError, OSError) as e:
        fail(str(e))
        return
    areas = {a for c in claims for a in (c.reporter_code, c.partner_code)}
    verdicts = check_claims(_data(store, *sorted(areas)), claims)
    if write_events:
        n = replace_trade_events(_store(store), {"claim"}, claim_events(verdicts))
        console.print(f"wrote {n} trade_anomaly event(s)")
    if json_out:
        format = Format.json
    if format == Format.json:
        _json(verdicts)
        return
    if format == Format.jsonl:
        for v in verdicts:
            sys.stdout.write(json.dumps(v, default=str) + "\n")
        return
    emit_rows(["claim", "verdict", "measured", "expected", "reason", "sources"],
              [(v["claim"]["id"], v["verdict"], v["measured"], f"{v['comparator']} {v['expected']:g}", v["reason"],
                ",".join(v["sources"][:3]) + (" ..." if len(v["sources"]) > 3 else "")) for v in verdicts],
              format, title=str(file))


def register(app: typer.Typer) -> None:
    """Add the `trade` and `claims` command groups."""
    app.add_typer(trade_app, name="trade")
    app.add_typer(claims_app, name="claims")
