"""Placeholder and invalid MMSIs: one definition of "this identifier is not a ship", used before any detector.

An AIS ship station's MMSI is nine digits `MIDXXXXXX` whose first digit is 2-7 and whose first three digits are a
Maritime Identification Digit allocated by the ITU (ITU-R M.585-9 Annex 1 s.2; table in detect/mid.csv).
Other leading digits are other kinds of station (M.585 Annex 1-4): 0 coast stations and group calls, 1 SAR
aircraft (111MIDXXX), 8 handheld VHF, 9 AIS-SART / MOB / EPIRB (970/972/974), craft associated with a parent
ship (98MID) and aids to navigation (99MID). Unconfigured or test transponders broadcast placeholders:
000000000, 123456789, a repeated digit (111111111 ... 999999999), or a MID followed by six zeros. Several
unrelated transmitters share such a number, so their fixes are not one vessel: they give no behaviour events
and are counted (with sample file:line) in the detect run report under `data_quality`.
"""

from __future__ import annotations

import functools

import polars as pl

PLACEHOLDERS = (123456789, 987654321, 12345678, 1234567)  # sequences typed into unconfigured transponders
RULES = {
    "placeholder": "a placeholder typed into an unconfigured transponder (000000000, 123456789, repeated digit, "
                   "MID + 000000)",
    "not_9_digits": "not a nine-digit MMSI",
    "not_ship_station": "leading digit 0/1/8/9: coast station, group call, SAR aircraft, handheld, SART/EPIRB, "
                        "craft associated with a parent ship or aid to navigation (ITU-R M.585)",
    "unknown_mid": "first three digits are not an ITU Maritime Identification Digit (detect/mid.csv)",
}


@functools.cache
def _mids() -> tuple[int, ...]:
    from sanctionwatch.detect.identity import mid_table

    return tuple(sorted(mid_table()))


def mmsi_problem(col: str = "mmsi") -> pl.Expr:
    """Rule name (RULES key) why `col` is not a ship's MMSI, null when it is a plausible ship station."""
    m = pl.col(col).cast(pl.Int64)
    repeated = pl.lit(False)
    for d in range(10):
        repeated = repeated | (m == d * 111_111_111)
    first = m // 100_000_000
    return (pl.when(m.is_null()).then(pl.lit("not_9_digits"))
            .when(repeated | m.is_in(PLACEHOLDERS)).then(pl.lit("placeholder"))
            .when((m < 100_000_000) | (m > 999_999_999)).then(pl.lit("not_9_digits"))
            .when((first < 2) | (first > 7)).then(pl.lit("not_ship_station"))
            .when(~(m // 1_000_000).is_in(_mids())).then(pl.lit("unknown_mid"))
            .when(m % 1_000_000 == 0).then(pl.lit("placeholder"))
            .otherwise(pl.lit(None, pl.String)))


def split_invalid(df: pl.DataFrame, k: int = 5) -> tuple[pl.DataFrame, dict]:
    """(rows of plausible ship MMSIs, flat counts of the others for the run report).

    Counts: `invalid_mmsi_rows`, `invalid_mmsi_vessels`, `invalid_mmsi_<rule>` (rows) and
    `invalid_mmsi_samples` (up to k "file:line mmsi M (rule)", sorted so any partitioning gives the same).
    """
    if df.height == 0:
        return df, {"invalid_mmsi_rows": 0, "invalid_mmsi_vessels": 0, "invalid_mmsi_samples": []}
    why = df.select(mmsi_problem().alias("w"))["w"]
    bad_mask = why.is_not_null()
    if not bad_mask.any():
        return df, {"invalid_mmsi_rows": 0, "invalid_mmsi_vessels": 0, "invalid_mmsi_samples": []}
    bad = df.filter(bad_mask).with_columns(why.filter(bad_mask).alias("_why"))
    out: dict = {"invalid_mmsi_rows": bad.height, "invalid_mmsi_vessels": bad["mmsi"].n_unique()}
    for rule, n in bad.group_by("_why").len().iter_rows():
        out[f"invalid_mmsi_{rule}"] = int(n)
    samples: list[str] = []
    if "source" in bad.columns:
        first = (bad.sort("mmsi", "src_line").unique("mmsi", keep="first", maintain_order=True).head(k)
                 .select(pl.col("source").cast(pl.String), "src_line", "mmsi", "_why"))
        samples = [f"{s}:{ln} mmsi {m} ({w})" for s, ln, m, w in first.iter_rows()]
    out["invalid_mmsi_samples"] = samples
    return df.filter(~bad_mask), out


def summary(track_report: dict, reports_dq: dict | None = None, k: int = 10) -> dict:
    """The run report's `data_quality` section; moves the `invalid_mmsi_*` counts out of `track_report`."""
    pos = {key.removeprefix("invalid_mmsi_"): track_report.pop(key) for key in list(track_report)
           if key.startswith("invalid_mmsi_")}
    pos["samples"] = sorted(pos.get("samples", []))[:k]
    out = {"invalid_mmsi": {"positions": pos, "rules": RULES,
                            "note": "these identifiers are not one ship: no behaviour events are derived from them"}}
    if reports_dq is not None:
        rep = {key.removeprefix("invalid_mmsi_"): v for key, v in reports_dq.items()}
        rep["samples"] = sorted(rep.get("samples", []))[:k]
        out["invalid_mmsi"]["vessel_reports"] = rep
    return out
