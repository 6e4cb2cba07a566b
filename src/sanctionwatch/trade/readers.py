"""Readers for UN Comtrade downloads (legacy "Classic" CSV/JSON and current Comtrade+ CSV/JSON) into trade_flows.

Each reader returns the canonical `trade_flows` columns plus `src_line` (the 1-based CSV line, or JSON record
number) and a list of rejected rows (line, reason, raw values). Nothing is dropped silently: every row is
either normalised or rejected with a reason. Work is column-wise (Polars), not per row.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# Legacy comtrade.un.org "Classic" CSV (human-readable headings) -> internal names.
LEGACY_CSV = {
    "Classification": "classification",
    "Period": "period_raw",
    "Aggregate Level": "level_raw",
    "Trade Flow Code": "flow_code",
    "Trade Flow": "flow_desc",
    "Reporter Code": "reporter_code",
    "Reporter": "reporter",
    "Reporter ISO": "reporter_iso",
    "Partner Code": "partner_code",
    "Partner": "partner",
    "Partner ISO": "partner_iso",
    "Commodity Code": "commodity_code",
    "Commodity": "commodity",
    "Qty Unit": "qty_unit",
    "Qty": "qty",
    "Netweight (kg)": "net_weight_kg",
    "Trade Value (US$)": "value_usd",
}
# Legacy comtrade.un.org/api/get JSON (`{"validation":..., "dataset": [...]}`, machine headings).
LEGACY_JSON = {
    "pfCode": "classification",
    "period": "period_raw",
    "aggrLevel": "level_raw",
    "rgCode": "flow_code",
    "rgDesc": "flow_desc",
    "rtCode": "reporter_code",
    "rtTitle": "reporter",
    "rt3ISO": "reporter_iso",
    "ptCode": "partner_code",
    "ptTitle": "partner",
    "pt3ISO": "partner_iso",
    "cmdCode": "commodity_code",
    "cmdDescE": "commodity",
    "qtDesc": "qty_unit",
    "TradeQuantity": "qty",
    "NetWeight": "net_weight_kg",
    "TradeValue": "value_usd",
}
# Current Comtrade+ (comtradeapi.un.org, comtradeapicall; CSV downloads use the same camelCase names).
CURRENT = {
    "classificationCode": "classification",
    "period": "period_raw",
    "aggrLevel": "level_raw",
    "flowCode": "flow_code",
    "flowDesc": "flow_desc",
    "reporterCode": "reporter_code",
    "reporterDesc": "reporter",
    "reporterISO": "reporter_iso",
    "partnerCode": "partner_code",
    "partnerDesc": "partner",
    "partnerISO": "partner_iso",
    "cmdCode": "commodity_code",
    "cmdDesc": "commodity",
    "qtyUnitAbbr": "qty_unit",
    "qty": "qty",
    "netWgt": "net_weight_kg",
    "primaryValue": "value_usd",
}
LAYOUTS = {"legacy_csv": LEGACY_CSV, "legacy_json": LEGACY_JSON, "current": CURRENT}
# Required source columns per layout (the rest may be absent and become null).
_REQUIRED = ("period_raw", "flow_code", "reporter_code", "partner_code", "commodity_code", "value_usd")

# Flow codes of both generations -> canonical flow. Legacy: 1 import, 2 export, 3 re-export, 4 re-import.
FLOW_CODES = {
    "1": "import", "2": "export", "3": "re-export", "4": "re-import",
    "M": "import", "X": "export", "RX": "re-export", "RM": "re-import",
}
# Quantity units that mean "no quantity" (the value is then null, not 0).
_NO_QTY_UNITS = ("No Quantity", "N/A", "-1", "")


@dataclass
class ReadResult:
    """Normalised rows, rejected rows and the layout that was recognised."""

    table: pl.DataFrame
    rejected: list[dict] = field(default_factory=list)
    layout: str = ""
    rows_in: int = 0


class TradeFormatError(ValueError):
    """The file is not a recognised Comtrade layout (message says what was expected)."""


def detect_layout(columns: list[str]) -> str:
    """Name of the layout whose key headings appear in `columns`."""
    cols = set(columns)
    if {"Trade Value (US$)", "Reporter Code"} <= cols:
        return "legacy_csv"
    if {"primaryValue", "reporterCode"} <= cols:
        return "current"
    if {"TradeValue", "rtCode"} <= cols:
        return "legacy_json"
    raise TradeFormatError(
        "not a Comtrade layout: expected legacy headings ('Reporter Code', 'Trade Value (US$)'), "
        "Comtrade+ ('reporterCode', 'primaryValue') or legacy API JSON ('rtCode', 'TradeValue'); "
        f"got {sorted(cols)[:8]}..."
    )


def _csv_line_numbers(text: str, n_rows: int) -> list[int] | None:
    """1-based physical line of each CSV record (exact even with quoted newlines); None means row + 2."""
    if text.count("\n") - (0 if text.endswith("\n") else -1) == n_rows + 1:
        return None
    reader = csv.reader(io.StringIO(text))
    start = 1
    out: list[int] = []
    for i, _ in enumerate(reader):
        if i > 0:
            out.append(start)
        start = reader.line_num + 1
    return out


def read_text(text: str, name: str) -> ReadResult:
    """Read one Comtrade CSV or JSON document (`name` is recorded as its source)."""
    if text[:256].lstrip("\ufeff").lstrip().startswith(("{", "[")):
        doc = json.loads(text.lstrip("\ufeff"))
        records = doc if isinstance(doc, list) else doc.get("data", doc.get("dataset"))
        if records is None:
            raise TradeFormatError(f"{name}: JSON without a 'data' (Comtrade+) or 'dataset' (legacy) list")
        if not records:
            return ReadResult(_empty(), [], "empty", 0)
        raw = pl.DataFrame([{k: (None if v is None else str(v)) for k, v in r.items()} for r in records],
                           infer_schema_length=None)
        raw = raw.with_columns(pl.all().cast(pl.String))
        lines = list(range(1, raw.height + 1))
    else:
        if text.startswith("\ufeff"):
            text = text[1:]
        data = text.encode("utf-8")
        header = [c.strip() for c in pl.read_csv(data, n_rows=0, infer_schema=False).columns]
        layout = detect_layout(header)
        wanted = [i for i, c in enumerate(header) if c in LAYOUTS[layout]]
        raw = pl.read_csv(data, infer_schema=False, columns=wanted)  # only the mapped columns are parsed
        raw = raw.rename({c: c.strip() for c in raw.columns})
        lines = _csv_line_numbers(text, raw.height)
        return normalise(raw, LAYOUTS[layout], name, lines, layout)
    layout = detect_layout(raw.columns)
    return normalise(raw, LAYOUTS[layout], name, lines, layout)


def read_file(path: str | Path) -> ReadResult:
    """Read a Comtrade download from disk (UTF-8, with or without BOM)."""
    p = Path(path)
    return read_text(p.read_text(encoding="utf-8-sig"), p.name)


def _empty() -> pl.DataFrame:
    from sanctionwatch.store.schemas import arrow_schema

    return pl.from_arrow(arrow_schema("trade_flows").empty_table()).with_columns(src_line=pl.lit(None, pl.Int64))


def _num(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().cast(pl.Float64, strict=False)


def normalise(raw: pl.DataFrame, mapping: dict[str, str], name: str, lines: list[int] | None,
              layout: str) -> ReadResult:
    """Map a layout's columns to canonical ones, validate each row and split good from rejected."""
    missing = [src for src, dst in mapping.items() if dst in _REQUIRED and src not in raw.columns]
    if missing:
        raise TradeFormatError(f"{name}: {layout} layout lacks required column(s) {missing}")
    df = raw.select([pl.col(s).alias(d) for s, d in mapping.items() if s in raw.columns])
    for d in mapping.values():
        if d not in df.columns:
            df = df.with_columns(pl.lit(None, pl.String).alias(d))
    line_col = (pl.int_range(pl.len(), dtype=pl.Int64) + 2) if lines is None else pl.Series(lines, dtype=pl.Int64)
    df = df.with_columns(src_line=line_col, _row=pl.int_range(pl.len()))
    period = pl.col("period_raw").str.strip_chars()
    code = pl.col("commodity_code").str.strip_chars()
    flow_key = pl.col("flow_code").str.strip_chars().str.to_uppercase()
    df = df.with_columns(
        reporter_code=_num("reporter_code"),
        partner_code=_num("partner_code"),
        value_usd=_num("value_usd"),
        net_weight_kg=_num("net_weight_kg"),
        qty=_num("qty"),
        flow=flow_key.replace_strict(FLOW_CODES, default=None),
        _period_ok=period.str.contains(r"^\d{4}(\d{2})?$"),
        commodity_code=code,
        _level=_num("level_raw"),
    )
    df = df.with_columns(
        year=period.str.slice(0, 4).cast(pl.Int16, strict=False),
        month=pl.when(period.str.len_chars() == 6).then(period.str.slice(4, 2).cast(pl.Int8, strict=False)),
    )
    reason = (
        pl.when(pl.col("reporter_code").is_null()).then(pl.lit("bad reporter code"))
        .when(pl.col("partner_code").is_null()).then(pl.lit("bad partner code"))
        .when(pl.col("flow").is_null()).then(pl.lit("unsupported flow code"))
        .when(~pl.col("_period_ok").fill_null(False)).then(pl.lit("bad period (want YYYY or YYYYMM)"))
        .when(pl.col("month").is_not_null() & ~pl.col("month").is_between(1, 12)).then(pl.lit("bad month"))
        .when(pl.col("commodity_code").is_null() | (pl.col("commodity_code") == "")).then(pl.lit("no commodity code"))
        .when(pl.col("value_usd").is_null() & pl.col("net_weight_kg").is_null()).then(pl.lit("no value and no weight"))
        .when(pl.col("value_usd") < 0).then(pl.lit("negative value"))
    )
    df = df.with_columns(_reason=reason)
    bad = df.filter(pl.col("_reason").is_not_null())
    # Raw text only for rejected rows (joining every row's columns costs more than the whole read).
    bad = bad.with_columns(_raw=raw[bad["_row"]].select(
        pl.concat_str([pl.col(c).fill_null("") for c in raw.columns], separator=",")).to_series())
    rejected = [
        {"source": name, "line": ln, "reason": r, "raw": rw}
        for ln, r, rw in zip(bad["src_line"], bad["_reason"], bad["_raw"], strict=True)
    ]
    good = df.filter(pl.col("_reason").is_null())
    is_total = good["commodity_code"].str.to_uppercase() == "TOTAL"
    good = good.with_columns(
        commodity_code=pl.when(is_total).then(pl.lit("TOTAL")).otherwise(pl.col("commodity_code")),
        commodity_level=pl.when(is_total).then(pl.lit(0)).otherwise(
            pl.col("commodity_code").str.len_chars()).cast(pl.Int8),
        period=pl.when(pl.col("month").is_null()).then(pl.col("year").cast(pl.String)).otherwise(
            pl.format("{}-{}", pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))),
        qty=pl.when(pl.col("qty_unit").fill_null("").is_in(_NO_QTY_UNITS)).then(None).otherwise(pl.col("qty")),
        # Legacy downloads write 0 kg where no weight was reported (e.g. SITC coal worth USD 2.4 bn at 0 kg):
        # a positive value at 0 kg means "not available", so it becomes null, not a zero weight.
        net_weight_kg=pl.when((pl.col("net_weight_kg") == 0) & (pl.col("value_usd") > 0)).then(None)
        .otherwise(pl.col("net_weight_kg")),
        classification=pl.col("classification").fill_null("HS"),
        source=pl.lit(name),
        reporter_code=pl.col("reporter_code").cast(pl.Int32),
        partner_code=pl.col("partner_code").cast(pl.Int32),
    )
    out = good.select(
        "reporter_code", "reporter", "reporter_iso", "partner_code", "partner", "partner_iso", "flow", "period",
        "year", "month", "classification", "commodity_code", "commodity_level", "commodity", "value_usd",
        "net_weight_kg", "qty", "qty_unit", "source", "src_line",
    )
    return ReadResult(out, rejected, layout, raw.height)
