"""Sanctions checks on trade flows: refined-petroleum caps in barrels and HS-code bans, with their evidence."""

from __future__ import annotations

from typing import Any

import polars as pl

from sanctionwatch.trade.data import TradeData, measure, select_level
from sanctionwatch.trade.params import DEFAULT_PARAMS, TradeParams
from sanctionwatch.trade.periods import PeriodSpec, parse_period, period_bounds
from sanctionwatch.trade.rules import DIRECTIONS, DPRK, BanRule, CapRule


def barrels_factor(codes: pl.Series, overrides: dict[str, float], default: float) -> pl.Series:
    """Barrels per tonne for each commodity code: the longest matching prefix in `overrides`, else `default`."""
    out = pl.Series([default] * len(codes), dtype=pl.Float64)
    for prefix in sorted(overrides, key=len):  # longer prefixes applied last win
        out = pl.select(pl.when(codes.str.starts_with(prefix)).then(overrides[prefix]).otherwise(out)).to_series()
    return out


def cap_windows(rule: CapRule, data: TradeData) -> list[PeriodSpec]:
    """Windows to check: each calendar year from the rule's start year to the last year in the data, or one span."""
    if rule.window != "calendar_year":
        return [parse_period(rule.window)]
    years = data.flows.filter(pl.col("partner_code") == DPRK)["year"]
    last = int(years.max()) if len(years) else rule.start.year  # type: ignore[arg-type]
    return [parse_period(str(y)) for y in range(rule.start.year, last + 1)]


def check_cap(rule: CapRule, data: TradeData, params: TradeParams = DEFAULT_PARAMS) -> list[dict[str, Any]]:
    """Per window: barrels supplied to DPRK by each reporting supplier and in total, against the limit.

    Barrels = net weight (t) x barrels-per-tonne of the code. Rows with a value but no weight, and suppliers
    whose data are missing or too coarse for the window, make the total a lower bound (status says so).
    """
    flows = DIRECTIONS[rule.direction]
    pairs = (data.flows.filter((pl.col("partner_code") == DPRK) & pl.col("flow").is_in(list(flows)))
             .select("reporter_code", "flow").unique().sort("reporter_code", "flow").rows())
    results = []
    for spec in cap_windows(rule, data):
        per_supplier, total_bbl, lower_bound = [], 0.0, False
        for rep, flow in pairs:
            for code in rule.commodities:
                m = measure(data, rep, DPRK, flow, spec, code)
                rows = m.rows
                if rows.height == 0 and not m.missing:
                    continue
                factor = barrels_factor(rows["commodity_code"], rule.barrels_per_tonne, params.barrels_per_tonne)
                bbl = (rows["net_weight_kg"].fill_null(0.0) / 1000.0 * factor).sum()
                no_weight = rows.filter(pl.col("net_weight_kg").is_null())
                lower_bound |= bool(m.missing) or no_weight.height > 0
                total_bbl += bbl
                per_supplier.append({
                    "reporter": rep, "flow": flow, "commodity": code, "value_usd": m.value_usd,
                    "net_weight_t": None if m.net_weight_kg is None else m.net_weight_kg / 1000.0,
                    "barrels": bbl, "rows_without_weight": no_weight.height,
                    "value_usd_without_weight": float(no_weight["value_usd"].sum()),
                    "missing_periods": m.missing, "sources": m.sources(),
                    "factors": dict(zip(rows["commodity_code"], factor.to_list(), strict=True)),
                })
        exceeded = total_bbl > rule.limit_barrels
        status = "exceeded" if exceeded else ("within limit (lower bound: incomplete data)" if lower_bound
                                              else "within limit")
        results.append({
            "rule": rule.id, "resolution": rule.resolution, "window": spec.text, "start": spec.start,
            "end": spec.end, "limit_barrels": rule.limit_barrels, "barrels": total_bbl,
            "pct_of_limit": 100.0 * total_bbl / rule.limit_barrels, "exceeded": exceeded,
            "lower_bound": lower_bound, "status": status, "suppliers": per_supplier,
            "default_barrels_per_tonne": params.barrels_per_tonne,
        })
    return results


def check_ban(rule: BanRule, data: TradeData, params: TradeParams = DEFAULT_PARAMS) -> pl.DataFrame:
    """Flows of banned goods in periods overlapping [start, end), one row per (reporter, flow, period, code).

    Value must exceed `ban_min_value_usd`; `partial` marks periods that began before the ban.
    """
    base = data.flows.filter((pl.col("partner_code") == DPRK) & pl.col("flow").is_in(list(DIRECTIONS[rule.direction]))
                             & (pl.col("family") == "HS"))
    frames = []
    for code in rule.commodities:
        rows = select_level(base, code)
        if rows.height == 0:
            continue
        frames.append(rows.group_by("reporter_code", "partner_code", "flow", "period").agg(
            value_usd=pl.col("value_usd").sum(),
            net_weight_kg=pl.when(pl.col("net_weight_kg").is_not_null().any()).then(pl.col("net_weight_kg").sum()),
            codes=pl.col("commodity_code").unique().sort().str.join(","),
            description=pl.col("commodity").first(),
            sources=pl.when(pl.col("src_line").is_not_null())
            .then(pl.format("{}:{}", pl.col("source"), pl.col("src_line")))
            .otherwise(pl.format("{}#{}/{}/{}", pl.col("source"), pl.col("period"), pl.col("flow"),
                                 pl.col("commodity_code"))).str.join(";"),
        ).with_columns(commodity=pl.lit(code)))
    if not frames:
        return pl.DataFrame()
    hits = pl.concat(frames, how="diagonal_relaxed")
    bounds = [period_bounds(p) for p in hits["period"]]
    hits = hits.with_columns(
        start=pl.Series([b[0] for b in bounds], dtype=pl.Datetime("ms", "UTC")),
        end=pl.Series([b[1] for b in bounds], dtype=pl.Datetime("ms", "UTC")),
    )
    keep = (pl.col("end") > rule.start) & (pl.col("value_usd") > params.ban_min_value_usd)
    if rule.end is not None:
        keep &= pl.col("start") < rule.end
    return (hits.filter(keep).with_columns(partial=pl.col("start") < rule.start, rule=pl.lit(rule.id),
                                           resolution=pl.lit(rule.resolution), direction=pl.lit(rule.direction))
            .sort("rule", "reporter_code", "period", "commodity"))
