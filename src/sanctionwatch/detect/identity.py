"""identity_change: same IMO with a new MMSI/name/call sign/flag; same MMSI with a new IMO (or new name, no IMO).

The flag is the country of the MMSI's Maritime Identification Digits (ITU MID table, detect/mid.csv).
A value counts only once seen in >= min_reports static reports (a garbled report is not an identity), except
same-IMO links (IMO -> MMSI, MMSI -> IMO): with an IMO that passes its check digit one report is enough
(satellite AIS often has one type 5 in days; stored NMEA reports all passed their sentence checksum), and
the event's confidence grows with the number of reports behind the old and new values. Links by IMO
need a check-digit-valid IMO; not-available values (0, 1073741823 = 2^30 - 1, 999999999, 1111111, ...) count
as no IMO at all (`imo_not_available`).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import polars as pl

from sanctionwatch.detect.evidence import event
from sanctionwatch.detect.params import IdentityParams

MERGE_MS = 3_600_000  # attribute changes of one hull within an hour are one identity change
# confidence factor by the fewest reports behind old or new value: 1 -> 0.6, 2 -> 0.8, >= 3 -> 1.0
REPORT_SUPPORT = (0.6, 0.2)


@cache
def mid_table() -> dict[int, str]:
    """MID -> ISO 3166 alpha-2 (ITU table shipped as detect/mid.csv)."""
    text = (resources.files("sanctionwatch.detect") / "mid.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {int(r["mid"]): r["country"] for r in rows}


def flag_of(mmsi: int | None) -> str | None:
    """Flag (ISO alpha-2) from a ship MMSI's leading three digits (MID); None when not a ship MMSI/unknown MID."""
    if mmsi is None or not 200_000_000 <= mmsi <= 799_999_999:
        return None
    return mid_table().get(mmsi // 1_000_000)


def _norm(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()


def imo_valid(imo: pl.Expr) -> pl.Expr:
    """IMO ship number check digit: 7 digits, sum of the first six times 7..2, last digit = sum mod 10."""
    d = [(imo // 10 ** (6 - i)) % 10 for i in range(7)]
    s = sum(d[i] * (7 - i) for i in range(6))
    return imo.is_between(1_000_000, 9_999_999) & (s % 10 == d[6])


def imo_not_available(imo: pl.Expr) -> pl.Expr:
    """IMO field values that stand for "no IMO": 0 and other values outside 1000000-9999999 (ITU-R M.1371 type 5
    carries 30 bits; 1073741823 = 2^30 - 1 is the all-ones not-available pattern, 999999999 a typed filler), and
    7-digit fillers (1111111 ... 9999999, 1234567). Treated as absent everywhere."""
    rep = pl.lit(False)
    for d in range(1, 10):
        rep = rep | (imo == d * 1_111_111)
    return ~imo.is_between(1_000_000, 9_999_999) | rep | (imo == 1_234_567)


def _transitions(df: pl.DataFrame, key: str, attr: str, min_reports: int, single: pl.Expr | None = None
                 ) -> pl.DataFrame:
    """Consecutive established values of `attr` per `key`: old, new, old's last and new's first report.

    A value is established by >= min_reports reports, or by one where `single` (an expression over `key`
    and `attr`) is true: a same-IMO link with a check-digit-valid IMO."""
    need = pl.lit(min_reports) if single is None else pl.when(single).then(1).otherwise(min_reports)
    v = (df.filter(pl.col(attr).is_not_null() & (pl.col(attr).cast(pl.String) != ""))
         .group_by(key, attr).agg(pl.col("t").min().alias("first"), pl.col("t").max().alias("last"),
                                  pl.len().alias("n"), pl.col("at").first().alias("at_first"),
                                  pl.col("at").last().alias("at_last"), pl.col("mmsi").first().alias("mmsi_first"),
                                  pl.col("mmsi").last().alias("mmsi_last"))
         .filter(pl.col("n") >= need).sort(key, "first", attr))
    return (v.with_columns(pl.col(attr).shift(1).over(key).alias("old"), pl.col("last").shift(1).over(key)
                           .alias("old_last"), pl.col("at_last").shift(1).over(key).alias("old_at"),
                           pl.col("mmsi_last").shift(1).over(key).alias("old_mmsi"),
                           pl.col("n").shift(1).over(key).alias("old_n"))
            .filter(pl.col("old").is_not_null())
            .select(pl.col(key).alias("key"), pl.lit(attr).alias("attr"), pl.col("old").cast(pl.String),
                    pl.col(attr).cast(pl.String).alias("new"), "old_last", pl.col("first").alias("new_first"),
                    "old_at", pl.col("at_first").alias("new_at"), "old_mmsi", pl.col("mmsi_first").alias("new_mmsi"),
                    (pl.col("old_last") > pl.col("first")).alias("concurrent"),
                    pl.min_horizontal("old_n", "n").cast(pl.Int64).alias("reports")))


def identity_changes(reports: pl.DataFrame, params: IdentityParams = IdentityParams()) -> list[dict]:
    """Identity-change events from static reports (any partition holding whole IMOs and MMSIs)."""
    if reports.height == 0:
        return []
    missing = {"imo": pl.Int32, "name": pl.String, "callsign": pl.String}
    reports = reports.with_columns([pl.lit(None, dtype=d).alias(c) for c, d in missing.items()
                                    if c not in reports.columns])
    imo = pl.col("imo").cast(pl.Int64)
    df = reports.with_columns(
        pl.when(imo.is_null() | imo_not_available(imo)).then(None).otherwise(imo).alias("imo"),
        pl.col("ts").dt.epoch("ms").alias("t"), _norm("name").alias("name"), _norm("callsign").alias("callsign"),
        (pl.col("source").cast(pl.String) + ":" + pl.col("src_line").cast(pl.String)).alias("at"),
    ).sort("t", "mmsi", "at", "src_line", nulls_last=True)  # a total order: same events whatever the input order
    # a hull is linked across MMSIs only by an IMO that passes its check digit (a mistyped or made-up number is
    # shared by chance: e.g. two unrelated ships both sending an invalid filler)
    by_imo = df.filter(pl.col("imo").is_not_null() & imo_valid(pl.col("imo")))
    single = params.single_report_valid_imo
    parts = [_transitions(by_imo, "imo", a, params.min_reports, imo_valid(pl.col("imo")) if single and a == "mmsi"
                          else None).with_columns(pl.lit("imo").alias("scope"))
             for a in ("mmsi", "name", "callsign")]
    parts.append(_transitions(df, "mmsi", "imo", params.min_reports, imo_valid(pl.col("imo")) if single else None)
                 .with_columns(pl.lit("mmsi").alias("scope")))
    parts.append(_transitions(df.filter(pl.col("imo").is_null()), "mmsi", "name", params.min_reports)
                 .with_columns(pl.lit("mmsi").alias("scope")))
    cols = ["scope", "key", "attr", "old", "new", "old_last", "new_first", "old_at", "new_at", "old_mmsi",
            "new_mmsi", "concurrent", "reports"]
    tr = pl.concat([p.with_columns(pl.col("key").cast(pl.Int64)).select(cols) for p in parts]).sort(
        "scope", "key", "new_first")
    out: list[dict] = []
    group: list[dict] = []
    for r in tr.iter_rows(named=True):
        if group and (r["scope"], r["key"]) == (group[0]["scope"], group[0]["key"]) \
                and r["new_first"] - group[0]["new_first"] <= MERGE_MS:
            group.append(r)
            continue
        if group:
            out.append(_event(group, params))
        group = [r]
    if group:
        out.append(_event(group, params))
    return out


def _event(group: list[dict], params: IdentityParams) -> dict:
    """One identity_change event from the attribute transitions of one switch."""
    g0 = group[0]
    # the MMSIs of the event are the MMSI change's when there is one (the other attributes' reports may come
    # from either MMSI), so mmsi/other_mmsi always agree with changes.mmsi
    gm = next((r for r in group if r["attr"] == "mmsi"), g0)
    old_mmsi, new_mmsi = (int(gm["old"]), int(gm["new"])) if gm["attr"] == "mmsi" else (int(g0["old_mmsi"]),
                                                                                         int(g0["new_mmsi"]))
    changes = {r["attr"]: {"old": r["old"], "new": r["new"], "old_last_report": r["old_at"],
                           "new_first_report": r["new_at"], "concurrent": r["concurrent"]} for r in group}
    of, nf = flag_of(old_mmsi), flag_of(new_mmsi)
    if "mmsi" in changes and of != nf:
        changes["flag"] = {"old": of, "new": nf, "from": "MMSI MID (ITU table)"}
    start = min(r["old_last"] for r in group)
    end = max(r["new_first"] for r in group)
    if start >= end:  # values alternating (two transmitters): mark the switch moment
        start = end - 1
    concurrent = any(r["concurrent"] for r in group)
    reports = min(r["reports"] for r in group)
    support = min(1.0, REPORT_SUPPORT[0] + REPORT_SUPPORT[1] * (reports - 1))
    what = "; ".join(f"{k} {v['old']} -> {v['new']}" for k, v in changes.items())
    scope = f"same IMO {g0['key']}" if g0["scope"] == "imo" else f"same MMSI {g0['key']}"
    return event("identity_change", old_mmsi, start, end, other_mmsi=new_mmsi if new_mmsi != old_mmsi else None,
                 country=nf, confidence=round((0.75 if concurrent else 0.95) * support, 3), reports=reports,
                 rule=f"{scope}: {what}" + (" (old and new values alternate: two transmitters?)" if concurrent else ""),
                 scope=g0["scope"], key=g0["key"], changes=changes,
                 thresholds={"min_reports": params.min_reports, "merge_window_h": MERGE_MS / 3.6e6,
                             "single_report_valid_imo": params.single_report_valid_imo})
