"""Bilateral flows by period and HS chapter, growth between two spans, commodity shares and mirror statistics.

Every function returns the numbers together with the measurements (periods, rows, sources) behind them.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from sanctionwatch.trade.data import Measurement, TradeData, measure, measure_flows
from sanctionwatch.trade.hs import chapters
from sanctionwatch.trade.params import DEFAULT_PARAMS, TradeParams
from sanctionwatch.trade.periods import PeriodSpec


def flow_parts(flow: str) -> tuple[str, ...]:
    """'total' means exports + imports (a country pair's trade turnover); else the flow itself."""
    return ("export", "import") if flow == "total" else (flow,)


def measure_any(data: TradeData, reporter: int, partner: int, flow: str, spec: PeriodSpec,
                commodity: str = "TOTAL", family: str = "HS") -> Measurement:
    """`measure` for one flow or for 'total'."""
    parts = flow_parts(flow)
    if len(parts) == 1:
        return measure(data, reporter, partner, parts[0], spec, commodity, family)
    return measure_flows(data, reporter, partner, parts, spec, commodity, family)


def flows_by_chapter(data: TradeData, reporter: int, partner: int, flow: str, family: str = "HS",
                     periods: list[str] | None = None) -> pl.DataFrame:
    """Value per (flow, period, chapter): chapter rows, else the sum of the shallowest finer level present.

    The 2-digit grouping applies to HS and SITC alike (SITC 2-digit = division).
    """
    rows = data.flows.filter((pl.col("reporter_code") == reporter) & (pl.col("partner_code") == partner)
                             & pl.col("flow").is_in(list(flow_parts(flow))) & (pl.col("family") == family)
                             & (pl.col("commodity_level") >= 2))
    if periods:
        rows = rows.filter(pl.col("period").is_in(periods))
    rows = rows.with_columns(chapter=pl.col("commodity_code").str.slice(0, 2))
    grp = ["flow", "period", "chapter"]
    rows = rows.filter(pl.col("commodity_level") == pl.col("commodity_level").min().over(grp))
    return (rows.group_by(grp).agg(value_usd=pl.col("value_usd").sum(),
                                   net_weight_kg=pl.when(pl.col("net_weight_kg").is_not_null().any()).then(
                                       pl.col("net_weight_kg").sum()), level=pl.col("commodity_level").first(),
                                   n_rows=pl.len())
            .with_columns(description=pl.col("chapter").replace_strict(
                chapters() if family == "HS" else {}, default=None, return_dtype=pl.String))
            .sort(grp))


def flows_by_period(data: TradeData, reporter: int, partner: int, flow: str, family: str = "HS") -> pl.DataFrame:
    """Total value per (flow, period): the TOTAL row where reported, else the sum of chapters (as `measure`)."""
    rows = data.flows.filter((pl.col("reporter_code") == reporter) & (pl.col("partner_code") == partner)
                             & pl.col("flow").is_in(list(flow_parts(flow))) & (pl.col("family") == family)
                             & (pl.col("commodity_level") <= 2))
    grp = ["flow", "period"]
    rows = rows.filter(pl.col("commodity_level") == pl.col("commodity_level").min().over(grp))
    return (rows.group_by(grp).agg(value_usd=pl.col("value_usd").sum(), level=pl.col("commodity_level").first(),
                                   n_rows=pl.len()).sort(grp))


def ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def growth(data: TradeData, reporter: int, partner: int, flow: str, base: PeriodSpec, later: PeriodSpec,
           commodity: str = "TOTAL", family: str = "HS") -> dict[str, Any]:
    """Change from `base` to `later` (e.g. Jan-May 2016 -> Jan-May 2017): ratio later/base and percent change."""
    mb = measure_any(data, reporter, partner, flow, base, commodity, family)
    ml = measure_any(data, reporter, partner, flow, later, commodity, family)
    r = ratio(ml.value_usd, mb.value_usd) if mb.ok and ml.ok else None
    return {"base": mb.to_dict(), "later": ml.to_dict(), "ratio": r,
            "pct_change": None if r is None else 100.0 * (r - 1.0), "ok": r is not None,
            "measurements": (mb, ml)}


def share(data: TradeData, reporter: int, partner: int, flow: str, spec: PeriodSpec, commodity: str,
          family: str = "HS") -> dict[str, Any]:
    """Share of `commodity` (e.g. HS 27) in all goods of the same flow and span."""
    part = measure_any(data, reporter, partner, flow, spec, commodity, family)
    whole = measure_any(data, reporter, partner, flow, spec, "TOTAL", family)
    s = ratio(part.value_usd, whole.value_usd) if part.ok and whole.ok else None
    return {"part": part.to_dict(), "whole": whole.to_dict(), "share": s, "ok": s is not None,
            "measurements": (part, whole)}


def mirror(data: TradeData, exporter: int, importer: int, spec: PeriodSpec, commodity: str = "TOTAL",
           family: str = "HS", params: TradeParams = DEFAULT_PARAMS) -> dict[str, Any]:
    """Exporter's reported exports (FOB) vs importer's reported imports (CIF) of the same goods and span.

    expected_imports = exports x (1 + margin); gap = imports - expected_imports. When one side does not
    report (DPRK), the other side gives a mirror estimate: exports_est = imports / (1 + margin) or
    imports_est = exports x (1 + margin).
    """
    m = params.cif_fob_margin
    x = measure(data, exporter, importer, "export", spec, commodity, family)
    i = measure(data, importer, exporter, "import", spec, commodity, family)
    out: dict[str, Any] = {"exporter": exporter, "importer": importer, "period": spec.text, "commodity": commodity,
                           "cif_fob_margin": m, "exports_reported": x.to_dict(), "imports_reported": i.to_dict()}
    xv = x.value_usd if x.ok else None
    iv = i.value_usd if i.ok else None
    if xv is not None and iv is not None:
        expected = xv * (1 + m)
        out.update(status="both reported", expected_imports_cif=expected, gap_usd=iv - expected,
                   imports_over_expected=ratio(iv, expected), exports_estimated_fob=None,
                   imports_estimated_cif=None)
    elif iv is not None:
        out.update(status="importer only: exporter's exports estimated from mirror imports",
                   exports_estimated_fob=iv / (1 + m), imports_estimated_cif=None, gap_usd=None,
                   expected_imports_cif=None, imports_over_expected=None)
    elif xv is not None:
        out.update(status="exporter only: importer's imports estimated from mirror exports",
                   imports_estimated_cif=xv * (1 + m), exports_estimated_fob=None, gap_usd=None,
                   expected_imports_cif=None, imports_over_expected=None)
    else:
        out.update(status="insufficient data: neither side reported", exports_estimated_fob=None,
                   imports_estimated_cif=None, gap_usd=None, expected_imports_cif=None, imports_over_expected=None)
    return out


def chapter_shares(data: TradeData, reporter: int, partner: int, flow: str, spec: PeriodSpec,
                   family: str = "HS") -> pl.DataFrame:
    """Each chapter's value and share of the total over a span (chapters seen in the data for that pair)."""
    whole = measure_any(data, reporter, partner, flow, spec, "TOTAL", family)
    chapters = flows_by_chapter(data, reporter, partner, flow, family)
    rows = []
    for ch in sorted(set(chapters["chapter"].to_list())):
        m = measure_any(data, reporter, partner, flow, spec, ch, family)
        rows.append({"chapter": ch, "value_usd": m.value_usd, "share": ratio(m.value_usd, whole.value_usd)
                     if m.ok and whole.ok else None, "missing_periods": ",".join(m.missing)})
    schema = {"chapter": pl.String, "value_usd": pl.Float64, "share": pl.Float64, "missing_periods": pl.String}
    return pl.DataFrame(rows, schema=schema).sort("value_usd", descending=True, nulls_last=True)
