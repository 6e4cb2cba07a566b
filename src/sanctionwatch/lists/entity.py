"""Entity evaluation of candidate hits: one row per (vessel, designation) with its kind, weight and reasons.

Input: the raw rows of `match_ids` and `match_names` (one per query x list entry x field) and the queried
vessels (query_id, mmsi, imo, callsign and, when known, ship_type and length). For every (vessel, designation)
pair, where a vessel is its MMSI (all its identities together) or, without an MMSI, the query:

* `strong`: an IMO, MMSI or call sign of the vessel is listed for the designation. name_weight 1.0.
* `rejected`: a name hit that a conflicting strong id makes a namesake: the vessel sends a check-digit-valid
  IMO that is not one of the designation's IMOs, or the same vessel has a strong hit on another designation
  (TERIBERKA, MMSI 273211090, is OFAC 37136 and therefore not OFAC 37058 of the same name). Kept with its
  reason, name_weight 0, shown on request.
* `name`: a name-only possible match. name_weight = odds / (1 + odds), odds = name prior x feature LRs:
  prior odds 1 / (other ships bearing the name; lists/namefreq.py, capped at `max_name_odds`), times a
  likelihood ratio per feature that agrees or disagrees (fuzzy name, listed MMSI / call sign differ, flag
  from MID, ship type, length vs tonnage; lists/features.py, ScreenParams).

The reasons name the list name, alias or former name that matched and every feature that agreed or disagreed.
All of it is joins and column expressions over the candidate rows: no per-row Python.
"""

from __future__ import annotations

import polars as pl

from sanctionwatch.lists.designations import designation_sources
from sanctionwatch.lists.features import compare, vessel_features
from sanctionwatch.lists.index import ListIndex
from sanctionwatch.lists.match import MATCH_SCHEMA
from sanctionwatch.lists.namefreq import other_bearers
from sanctionwatch.lists.normalize import name_forms
from sanctionwatch.lists.params import ScreenParams

KIND_RANK = {"strong": 3, "related": 2, "name": 1, "rejected": 0}
_FIELD_RANK = {"imo": 5, "mmsi": 4, "callsign": 3, "owner_imo": 2, "name": 1}
_LIST = pl.List(pl.Utf8)


def designation_facts(index: ListIndex) -> pl.DataFrame:
    """Per designation: listed IMOs (valid), MMSIs, call signs, flags, former flags, type, tonnage, sources."""
    key = ("designation_facts",)
    if key in index.cache:
        return index.cache[key]
    ent = index.entries.select("entry_id", "designation_id")
    ids = index.idents.filter(pl.col("valid")).join(ent, on="entry_id").group_by("designation_id").agg(
        *[pl.col("value").filter(pl.col("kind") == k).unique().sort().alias(f"d_{k}")
          for k in ("imo", "mmsi", "callsign")])
    e = index.entries
    feats = e.group_by("designation_id").agg(
        *[pl.col(c).drop_nulls().str.split("|").explode().unique().sort().str.join("|").alias(c)
          for c in ("flag", "past_flags", "type_cats")],
        pl.col("listed_type").drop_nulls().first(), pl.col("gross_tonnage").drop_nulls().first())
    feats = feats.with_columns([pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
                                for c in ("flag", "past_flags", "type_cats")])
    out = feats.join(ids, on="designation_id", how="left").join(designation_sources(e), on="designation_id")
    out = out.with_columns([pl.col(f"d_{k}").fill_null(pl.lit([], dtype=_LIST)) for k in ("imo", "mmsi", "callsign")])
    index.cache[key] = out
    return out


def _vessel_facts(v: pl.DataFrame) -> pl.DataFrame:
    """Per vessel key: the valid IMOs and call signs it sends, its MMSI, flag (MID), type and length."""
    from sanctionwatch.lists.ids import imo_check_expr

    for c, dt in (("ship_type", pl.Int64), ("length", pl.Float64)):
        if c not in v.columns:
            v = v.with_columns(pl.lit(None, dtype=dt).alias(c))
    imo = pl.col("imo").cast(pl.Utf8).str.zfill(7)
    v = v.with_columns(
        pl.when(pl.col("imo").is_between(1_000_000, 9_999_999) & imo_check_expr(imo)).then(imo).alias("v_imo"),
        pl.col("callsign").str.to_uppercase().str.replace_all(r"[^0-9A-Z]", "").alias("v_cs"))
    v = v.with_columns(pl.when(pl.col("v_cs").str.len_chars() >= 3).then(pl.col("v_cs")).alias("v_cs"))
    v = vessel_features(v)
    return v.group_by("vkey").agg(
        pl.col("mmsi").drop_nulls().first().cast(pl.Utf8).alias("v_mmsi"),
        pl.col("v_imo").drop_nulls().unique().sort(), pl.col("v_cs").drop_nulls().unique().sort(),
        pl.col("v_flag").drop_nulls().first(), pl.col("v_type").drop_nulls().mode().first(),
        pl.col("v_length").drop_nulls().max())


def with_vkey(v: pl.DataFrame) -> pl.DataFrame:
    """The vessel key: `m<MMSI>` when the row has an MMSI, else `q<query_id>` (one free-text query)."""
    return v.with_columns(pl.when(pl.col("mmsi").is_not_null()).then(pl.format("m{}", pl.col("mmsi")))
                          .otherwise(pl.format("q{}", pl.col("query_id"))).alias("vkey"))


def _name_prior(best_name: pl.DataFrame, p: ScreenParams) -> pl.DataFrame:
    """Prior odds of each name hit: 1 / other bearers of the listed or the sent name (whichever is commoner)."""
    if best_name.is_empty():
        return best_name.with_columns(pl.lit(None, dtype=pl.Float64).alias("others"))
    forms = pl.concat([best_name.select(pl.col("query_value").alias("n")), best_name.select(
        pl.col("matched_value").alias("n"))]).unique()
    forms = pl.concat([forms, name_forms(forms["n"])], how="horizontal")
    ob = other_bearers(forms.select("fold", "norm"), p.token_smoothing)
    est = forms.join(ob, on=["fold", "norm"], how="left").select("n", "others")
    return best_name.join(est.rename({"n": "query_value", "others": "o_q"}), on="query_value", how="left").join(
        est.rename({"n": "matched_value", "others": "o_l"}), on="matched_value", how="left").with_columns(
        pl.max_horizontal("o_q", "o_l").fill_null(0.0).alias("others"))


def evaluate(raw: pl.DataFrame, vessels: pl.DataFrame, index: ListIndex, params: ScreenParams | None = None
             ) -> pl.DataFrame:
    """Raw candidate rows (MATCH_SCHEMA + vkey) -> one evaluated row per (vkey, designation_id)."""
    p = params or ScreenParams()
    if raw.is_empty():
        return raw.with_columns(pl.lit(None, dtype=pl.Int64).alias("kind_rank"))
    raw = raw.drop("sources", "name_weight", "matched_name", "reasons")
    facts = designation_facts(index)
    vf = _vessel_facts(vessels)
    strong = raw.filter(pl.col("match_kind") == "strong")
    strong_fields = strong.group_by("vkey", "designation_id").agg(
        pl.format("{} {} agrees", "field", "matched_value").unique().sort().str.join("; ").alias("r_strong"))
    strong_desigs = strong.group_by("vkey").agg(pl.col("designation_id").unique().sort().alias("strong_on"))
    names = raw.filter(pl.col("field") == "name").sort("score", descending=True)
    best_name = names.unique(["vkey", "designation_id"], keep="first", maintain_order=True).select(
        "vkey", "designation_id", "query_value", "matched_value", "matched_field", "score")
    best_name = _name_prior(best_name, p)
    # The strongest raw row of each pair carries the entry columns (which list entry is cited).
    best = raw.with_columns(pl.col("field").replace_strict(_FIELD_RANK, default=0).alias("_fr")).sort(
        ["_fr", "score", "dataset"], descending=[True, True, False]).unique(
        ["vkey", "designation_id"], keep="first", maintain_order=True).drop("_fr")
    pairs = best.join(strong_fields, on=["vkey", "designation_id"], how="left").join(
        best_name.select("vkey", "designation_id", pl.col("matched_value").alias("n_matched"),
                         pl.col("matched_field").alias("n_field"), pl.col("query_value").alias("n_query"),
                         pl.col("score").alias("n_score"), "others"), on=["vkey", "designation_id"], how="left")
    pairs = pairs.join(strong_desigs, on="vkey", how="left").join(vf, on="vkey", how="left").join(
        facts, on="designation_id", how="left")
    pairs = compare(pairs, p)
    is_strong = pl.col("r_strong").is_not_null()
    v_imo, d_imo = pl.col("v_imo").fill_null(pl.lit([], dtype=_LIST)), pl.col("d_imo")
    imo_conflict = (v_imo.list.len() > 0) & (d_imo.list.len() > 0) & (
        v_imo.list.set_intersection(d_imo).list.len() == 0)
    elsewhere = pl.col("strong_on").fill_null(pl.lit([], dtype=_LIST)).list.set_difference(
        pl.concat_list(pl.col("designation_id"))).list.len() > 0
    mmsi_differs = pl.col("v_mmsi").is_not_null() & (pl.col("d_mmsi").list.len() > 0) & \
        ~pl.col("d_mmsi").list.contains(pl.col("v_mmsi"))
    v_cs = pl.col("v_cs").fill_null(pl.lit([], dtype=_LIST))
    cs_differs = (v_cs.list.len() > 0) & (pl.col("d_callsign").list.len() > 0) & (
        v_cs.list.set_intersection(pl.col("d_callsign")).list.len() == 0)
    fuzzy = pl.col("n_score") < 0.9999
    lr = (pl.when(fuzzy).then(p.lr_fuzzy).otherwise(1.0) * pl.when(mmsi_differs).then(p.lr_mmsi_differs)
          .otherwise(1.0) * pl.when(cs_differs).then(p.lr_callsign_differs).otherwise(1.0)
          * pl.col("lr_flag") * pl.col("lr_type") * pl.col("lr_size"))
    prior = pl.min_horizontal(1.0 / pl.col("others"), pl.lit(p.max_name_odds))  # 1/0 = inf -> the cap
    odds = prior * lr
    kind = (pl.when(is_strong).then(pl.lit("strong")).when(imo_conflict | elsewhere).then(pl.lit("rejected"))
            .otherwise(pl.lit("name")))
    join = lambda e: e.list.join(", ")  # noqa: E731
    r_reject = (pl.when(imo_conflict).then(pl.format("REJECTED namesake: sends valid IMO {}, listed IMO {}",
                                                     join(v_imo), join(d_imo)))
                .when(elsewhere).then(pl.format("REJECTED namesake: strong id hit on {}", join(
                    pl.col("strong_on").list.set_difference(pl.concat_list(pl.col("designation_id")))))))
    r_name = pl.when(pl.col("n_matched").is_not_null()).then(pl.format(
        "name '{}' ({}) {}", pl.col("n_matched"), pl.col("n_field"),
        pl.when(fuzzy).then(pl.format("fuzzy {}", pl.col("n_score").round(2))).otherwise(pl.lit("equal"))))
    r_freq = pl.when(pl.col("n_matched").is_not_null() & ~is_strong).then(pl.format(
        "name borne by ~{} other ship(s)", pl.col("others").round(1)))
    r_dis = pl.concat_str([
        pl.when(is_strong & imo_conflict).then(pl.format("sends IMO {}, listed {}", join(v_imo), join(d_imo))),
        pl.when(mmsi_differs).then(pl.format("mmsi {} differs from listed {}", pl.col("v_mmsi"),
                                             join(pl.col("d_mmsi")))),
        pl.when(cs_differs).then(pl.format("callsign {} differs from listed {}", join(v_cs),
                                           join(pl.col("d_callsign")))),
    ], separator="; ", ignore_nulls=True)
    reasons = pl.concat_str([r_reject, pl.col("r_strong"), r_name, pl.when(pl.col("f_reasons") != "")
                             .then(pl.col("f_reasons")), pl.when(r_dis != "").then(r_dis), r_freq],
                            separator="; ", ignore_nulls=True)
    weight = (pl.when(is_strong).then(1.0).when(imo_conflict | elsewhere).then(0.0)
              .otherwise(odds / (1.0 + odds)))
    out = pairs.with_columns(kind.alias("match_kind"), weight.round(4).alias("name_weight"),
                             pl.col("n_matched").alias("matched_name"), reasons.alias("reasons"))
    out = out.with_columns(pl.col("match_kind").replace_strict(KIND_RANK, default=0).alias("kind_rank"))
    return out.select(*[c for c in raw.columns if c not in MATCH_SCHEMA], *MATCH_SCHEMA, "kind_rank")
