"""Trade flows loaded from the store for the areas asked about, de-duplicated, with what each reporter reported.

`measure` is the one place that turns rows into a value for (reporter, partner, flow, period span,
commodity): it picks a single aggregation level per period (so a chapter and its headings are never
added together), treats a period the reporter did report but without this cell as 0 (Comtrade omits
zero cells) when it reported that partner, flow and period at this code's level or finer, and reports the other periods
as missing (not reported at all, or only at a coarser level such as chapter 27 when 2710 is asked).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from sanctionwatch.store import Store, connect
from sanctionwatch.trade.periods import PeriodSpec

AVAIL = ["reporter_code", "partner_code", "flow", "family", "period"]
KEY = ["reporter_code", "partner_code", "flow", "period", "family", "commodity_code"]
FLOWS = ("import", "export", "re-export", "re-import")


def family_expr() -> pl.Expr:
    """Classification family: 'HS' for HS/H0-H6, 'SITC' for S1-S4, else as reported."""
    c = pl.col("classification").str.to_uppercase()
    return (pl.when(c.str.contains(r"^(HS|H\d)$")).then(pl.lit("HS"))
            .when(c.str.contains(r"^S\d$")).then(pl.lit("SITC")).otherwise(c))


@dataclass
class TradeData:
    """De-duplicated flows plus, per (reporter, partner, flow, family, period), the finest level reported."""

    flows: pl.DataFrame
    reported: pl.DataFrame
    duplicates: int = 0

    @classmethod
    def from_frame(cls, df: pl.DataFrame) -> TradeData:
        """Build from canonical trade_flows rows (any order; duplicates across sources dropped, counted)."""
        if "src_line" not in df.columns:
            df = df.with_columns(src_line=pl.lit(None, pl.Int64))
        df = df.with_columns(family=family_expr()).sort(["source", "src_line"], nulls_last=True)
        dedup = df.unique(subset=KEY, keep="first", maintain_order=True)
        reported = df.group_by(AVAIL).agg(max_level=pl.col("commodity_level").max())
        return cls(dedup, reported, df.height - dedup.height)

    @classmethod
    def from_store(cls, store: Store | str, areas: Iterable[int] | None = None) -> TradeData:
        """Rows where any of `areas` is reporter or partner (all rows if None), and those reporters' periods."""
        con = connect(store)
        where, params = "", []
        if areas is not None:
            a = sorted(set(areas))
            ph = ",".join("?" * len(a))
            where = f" WHERE reporter_code IN ({ph}) OR partner_code IN ({ph})"
            params = a + a
        df = con.execute(f"SELECT * FROM trade_flows{where}", params).pl()
        return cls.from_frame(df)

    def reported_periods(self, reporter: int, partner: int, flow: str, family: str, min_level: int = 0) -> set[str]:
        """Periods in which `reporter` reported this partner and flow at `min_level` digits or finer.

        Only there is an absent commodity cell a zero: a store holds extracts, so a reporter's silence about
        another partner, flow or classification says nothing.
        """
        r = self.reported.filter((pl.col("reporter_code") == reporter) & (pl.col("partner_code") == partner)
                                 & (pl.col("flow") == flow) & (pl.col("family") == family)
                                 & (pl.col("max_level") >= min_level))
        return set(r["period"].to_list())


@dataclass
class Measurement:
    """A value with its evidence: per-period values, the level used, rows and sources; missing periods."""

    value_usd: float | None
    net_weight_kg: float | None
    periods: list[dict[str, Any]]
    missing: list[str]
    rows: pl.DataFrame = field(repr=False)
    query: dict[str, Any] = field(default_factory=dict)
    missing_why: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing and self.value_usd is not None

    def sources(self) -> list[str]:
        """Evidence trail per row used: `source:line` when the line is stored, else `source#period/flow/code`."""
        return source_refs(self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {**self.query, "value_usd": self.value_usd, "net_weight_kg": self.net_weight_kg,
                "periods": self.periods, "missing_periods": self.missing, "missing_why": self.missing_why, "rows": self.rows.height,
                "sources": sorted(set(self.rows["source"].to_list()))}


def source_refs(rows: pl.DataFrame) -> list[str]:
    """`source:line` for each row, or `source#period/flow/code` while the store keeps no line numbers."""
    if rows.height == 0:
        return []
    ref = pl.when(pl.col("src_line").is_not_null()).then(
        pl.format("{}:{}", pl.col("source"), pl.col("src_line"))).otherwise(
        pl.format("{}#{}/{}/{}", pl.col("source"), pl.col("period"), pl.col("flow"), pl.col("commodity_code")))
    return rows.select(ref.alias("ref"))["ref"].to_list()


def select_level(rows: pl.DataFrame, commodity: str) -> pl.DataFrame:
    """Rows of `commodity` (prefix, or TOTAL) at the finest-available single level per group.

    Exact code first; else the shallowest level below it that exists for that period (e.g. sum of
    4-digit headings when the chapter row is absent). For TOTAL: the TOTAL row, else the sum of chapters
    (a Comtrade AG2 download lists every chapter); headings alone never make a total.
    """
    if commodity.upper() == "TOTAL":
        cand = rows.filter(pl.col("commodity_level") <= 2)
    else:
        cand = rows.filter(pl.col("commodity_code").str.starts_with(commodity)
                           & (pl.col("commodity_code") != "TOTAL"))
    grp = ["reporter_code", "partner_code", "flow", "period"]
    return cand.filter(pl.col("commodity_level") == pl.col("commodity_level").min().over(grp))


def measure(data: TradeData, reporter: int, partner: int, flow: str, spec: PeriodSpec,
            commodity: str = "TOTAL", family: str = "HS") -> Measurement:
    """Value and weight of one (reporter, partner, flow, commodity) over a period span, with its evidence."""
    query = {"reporter": reporter, "partner": partner, "flow": flow, "period": spec.text,
             "commodity": commodity, "classification": family}
    base = data.flows.filter((pl.col("reporter_code") == reporter) & (pl.col("partner_code") == partner)
                             & (pl.col("flow") == flow) & (pl.col("family") == family))
    # A period with no row counts as 0 only if the reporter reported this partner/flow at this code's level
    # or finer; a total is never inferred to be 0 (a reported pair/flow/period has rows).
    is_total = commodity.upper() == "TOTAL"
    reported = set() if is_total else data.reported_periods(reporter, partner, flow, family, len(commodity))
    wanted: tuple[str, ...] = spec.months
    if spec.year is not None and str(spec.year) in data.reported_periods(reporter, partner, flow, family):
        wanted = (str(spec.year),)
    rows = select_level(base.filter(pl.col("period").is_in(list(wanted))), commodity)
    per = rows.group_by("period").agg(
        value_usd=pl.col("value_usd").sum(),
        net_weight_kg=pl.when(pl.col("net_weight_kg").is_not_null().any()).then(pl.col("net_weight_kg").sum()),
        weight_rows_missing=pl.col("net_weight_kg").is_null().sum(),
        level=pl.col("commodity_level").first(), n_rows=pl.len(),
    )
    by_period = {r["period"]: r for r in per.to_dicts()}
    periods, missing = [], []
    for p in wanted:
        if p in by_period:
            periods.append({**by_period[p], "how": "reported"})
        elif p in reported:
            periods.append({"period": p, "value_usd": 0.0, "net_weight_kg": 0.0, "weight_rows_missing": 0,
                            "level": None, "n_rows": 0, "how": "no row; reporter reported this partner/flow/period, so 0"})
        else:
            missing.append(p)
    levels = base.filter(pl.col("period").is_in(missing)).group_by("period").agg(
        lo=pl.col("commodity_level").min(), hi=pl.col("commodity_level").max())
    annual = set(base.filter(pl.col("month").is_null())["period"].to_list())
    why = {p: (f"only annual data for {p[:4]}: a span within the year cannot be answered" if p[:4] in annual
               else "no rows for this reporter, partner, flow and classification") for p in missing}
    for p, lo, hi in levels.rows():
        why[p] = (f"only commodity rows at levels {lo}-{hi}: not a total (no TOTAL or chapter rows)" if is_total
                  else f"reported only at levels {lo}-{hi}, not at or below {commodity}")
    value = sum(p["value_usd"] or 0.0 for p in periods) if periods else None
    weights = [p["net_weight_kg"] for p in periods if p["net_weight_kg"] is not None]
    weight = sum(weights) if weights else None
    return Measurement(value, weight, periods, missing, rows, query, why)


def measure_flows(data: TradeData, reporter: int, partner: int, flows: Iterable[str], spec: PeriodSpec,
                  commodity: str = "TOTAL", family: str = "HS") -> Measurement:
    """Sum of several flows (e.g. 'total' trade = export + import); missing if any part is missing."""
    parts = [measure(data, reporter, partner, f, spec, commodity, family) for f in flows]
    missing = sorted({m for p in parts for m in p.missing})
    value = None if any(p.value_usd is None for p in parts) else sum(p.value_usd or 0.0 for p in parts)
    weight = None if any(p.net_weight_kg is None for p in parts) else sum(p.net_weight_kg or 0.0 for p in parts)
    periods = [{**row, "flow": p.query["flow"]} for p in parts for row in p.periods]
    rows = pl.concat([p.rows for p in parts], how="diagonal_relaxed")
    query = {**parts[0].query, "flow": "+".join(flows)}
    why = {f"{p}/{q.query['flow']}": w for q in parts for p, w in q.missing_why.items()}
    return Measurement(value, weight, periods, missing, rows, query, why)
