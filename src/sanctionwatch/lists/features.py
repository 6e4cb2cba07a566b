"""Vessel features beside names and strong ids: flag, ship type and size, on the list side and the AIS side.

List side (`list_features`, one row per list entry, kept in `entries.parquet`): flag and former flags (ISO
alpha-2, FtM-normalised), the listed vessel type mapped to AIS type categories, gross tonnage. Only OFAC
carries these in the shipped lists (flag 815/851, type 740/851, GRT 142/851 vessels); UK/UN/OpenSanctions
vessels have name + IMO only, so their feature columns are null and weigh nothing either way.

AIS side (`vessel_features`): flag from the MMSI's Maritime Identification Digits (detect/mid.csv, ITU), type
category from the ITU ship-and-cargo type (ITU-R M.1371 Table 53), length = dimension A + B.

`compare(pairs)` adds, per (vessel, designation) pair, one likelihood ratio per feature (agree > 1, disagree
< 1, unknown = 1) and the reason text naming what agreed and what disagreed. The ratios are in
`ScreenParams` with their reasons. Build year is in neither the shipped lists nor AIS, so it is not compared.
"""

from __future__ import annotations

import polars as pl

from sanctionwatch.lists.params import ScreenParams

# Listed vessel type words -> AIS categories it is consistent with (a fish carrier is cargo or fishing).
_TYPE_RULES: tuple[tuple[str, str], ...] = (
    (r"TANKER", "tanker"),
    (r"FISH CARRIER|REFRIGERATED", "cargo|fishing"),
    (r"FISHING|TRAWLER", "fishing"),
    (r"CARGO|BULK|CONTAINER|ROLL-ON|RO-RO|HEAVY LIFT|LIVESTOCK|CARRIER|BARGE", "cargo"),
    (r"PASSENGER|FERRY", "passenger"),
    (r"YACHT|PLEASURE", "pleasure"),
    (r"FRIGATE|NAVAL|LANDING CRAFT|MILITARY", "military"),
    (r"TUG|SUPPLY|OFFSHORE|ANCHOR|SALVAGE|DREDG|RESEARCH|DRILLING|SERVICE|PIPE", "service"),
)
FEATURE_COLS = ("flag", "past_flags", "type_cats", "listed_type", "gross_tonnage")


def type_categories(listed: pl.Expr) -> pl.Expr:
    """AIS categories (`a|b`) a listed vessel type string is consistent with; null when unknown."""
    up = listed.str.to_uppercase()
    out = pl.lit(None, dtype=pl.Utf8)
    for pat, cats in reversed(_TYPE_RULES):
        out = pl.when(up.str.contains(pat)).then(pl.lit(cats)).otherwise(out)
    return out


def ais_type_category(ship_type: pl.Expr) -> pl.Expr:
    """ITU ship-and-cargo type -> category; 0, 90-99 ('other') and reserved codes -> null (no evidence)."""
    t = ship_type.cast(pl.Int32, strict=False)
    return (
        pl.when(t.is_between(80, 89)).then(pl.lit("tanker"))
        .when(t.is_between(70, 79)).then(pl.lit("cargo"))
        .when(t.is_between(60, 69) | t.is_between(40, 49)).then(pl.lit("passenger"))
        .when(t == 30).then(pl.lit("fishing"))
        .when(t.is_in([36, 37])).then(pl.lit("pleasure"))
        .when(t == 35).then(pl.lit("military"))
        .when(t.is_in([31, 32, 33, 34]) | t.is_between(50, 59)).then(pl.lit("service"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
    )


def list_features(entity) -> tuple[str | None, str | None, str | None, str | None]:
    """(flag, past_flags, listed_type, gross_tonnage) of one FtM Vessel entity; Nones for other schemas."""
    if not entity.schema.is_a("Vessel"):
        return None, None, None, None
    flags = [f.upper() for f in entity.get("flag", quiet=True) if f]
    past = [f.upper() for f in entity.get("pastFlags", quiet=True) if f]
    types = [t for t in entity.get("type", quiet=True) if t]
    grt = [g for g in entity.get("grossRegisteredTonnage", quiet=True) if g]
    return ("|".join(flags) or None, "|".join(past) or None, types[0] if types else None, grt[0] if grt else None)


def vessel_features(v: pl.DataFrame) -> pl.DataFrame:
    """Add v_flag (from MID), v_type (category) and v_length (m) to a vessel table (mmsi, ship_type, length)."""
    from sanctionwatch.detect.identity import mid_table

    mids = pl.DataFrame({"mid": list(mid_table()), "v_flag": list(mid_table().values())},
                        schema={"mid": pl.Int64, "v_flag": pl.Utf8})
    ship = pl.col("mmsi").is_between(200_000_000, 799_999_999)
    v = v.with_columns(pl.when(ship).then(pl.col("mmsi") // 1_000_000).alias("mid"))
    return v.join(mids, on="mid", how="left").drop("mid").with_columns(
        ais_type_category(pl.col("ship_type")).alias("v_type"),
        pl.col("length").cast(pl.Float64, strict=False).alias("v_length"),
    )


def _split_has(col: str, value: pl.Expr) -> pl.Expr:
    return pl.col(col).str.split("|").list.contains(value)


def compare(pairs: pl.DataFrame, p: ScreenParams) -> pl.DataFrame:
    """Per pair: lr_flag, lr_type, lr_size (likelihood ratios) and f_reasons (agree/disagree text).

    `pairs` needs v_flag, v_type, v_length (vessel) and flag, past_flags, type_cats, listed_type,
    gross_tonnage (designation; `|`-joined when several list entries of the designation give them).
    """
    vf = pl.col("v_flag")
    has_flag = vf.is_not_null() & pl.col("flag").is_not_null()
    flag_now = has_flag & _split_has("flag", vf)
    flag_past = has_flag & ~flag_now & _split_has("past_flags", vf).fill_null(False)
    lr_flag = (pl.when(flag_now).then(p.lr_flag_agrees).when(flag_past).then(p.lr_flag_past)
               .when(has_flag).then(p.lr_flag_differs).otherwise(1.0))
    r_flag = (pl.when(flag_now).then(pl.format("flag {} agrees", vf))
              .when(flag_past).then(pl.format("flag {} is a listed former flag", vf))
              .when(has_flag).then(pl.format("flag {} (from MID) differs from listed {}", vf, pl.col("flag"))))
    vt = pl.col("v_type")
    has_type = vt.is_not_null() & pl.col("type_cats").is_not_null()
    type_ok = has_type & _split_has("type_cats", vt)
    lr_type = pl.when(type_ok).then(p.lr_type_agrees).when(has_type).then(p.lr_type_differs).otherwise(1.0)
    r_type = (pl.when(type_ok).then(pl.format("type {} agrees ({})", vt, pl.col("listed_type")))
              .when(has_type).then(pl.format("type {} differs from listed {}", vt, pl.col("listed_type"))))
    # Size: gross tonnage of a hull of length L is about k * L^3 (k ~ 0.005 for merchant ships: 100 m ->
    # 5,000 GT, 180 m -> 29,000 GT); a factor `size_ratio_ok` either side agrees, beyond `size_ratio_bad` it
    # cannot be the same hull; in between says nothing.
    gt = pl.col("gross_tonnage").str.split("|").list.first().cast(pl.Float64, strict=False)
    expect = p.gt_per_cubic_m * pl.col("v_length") ** 3
    ratio = pl.max_horizontal(gt / expect, expect / gt)
    has_size = gt.is_not_null() & (gt > 0) & pl.col("v_length").is_not_null() & (pl.col("v_length") > 0)
    size_ok = has_size & (ratio <= p.size_ratio_ok)
    size_bad = has_size & (ratio > p.size_ratio_bad)
    lr_size = pl.when(size_ok).then(p.lr_size_agrees).when(size_bad).then(p.lr_size_differs).otherwise(1.0)
    r_size = (pl.when(size_ok).then(pl.format("length {} m fits {} GT", pl.col("v_length").round(0), gt))
              .when(size_bad).then(pl.format("length {} m does not fit {} GT", pl.col("v_length").round(0), gt)))
    return pairs.with_columns(
        lr_flag.alias("lr_flag"), lr_type.alias("lr_type"), lr_size.alias("lr_size"),
        pl.concat_str([r_flag, r_type, r_size], separator="; ", ignore_nulls=True).alias("f_reasons"),
    )
