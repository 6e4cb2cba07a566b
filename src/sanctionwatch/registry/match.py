"""Registry companies matched to list entities: company IMO number exactly, names with the screening matcher.

For each distinct (company name, company IMO) of the registry rows:

* `company_imo`: its company IMO number is a listed entity's company IMO (index idents `owner_imo`): factor 1;
* `name`: its name matches a listed company or organisation (lists/match.py `match_names`, the screening
  threshold, legal forms dropped) and no strong id disagrees: factor 1 when the normalised names are equal,
  `OwnershipParams.fuzzy_name_factor` (default 0.5) when only fuzzily equal;
* `rejected`: a name match that a strong id contradicts: the registry gives a company IMO and the listed
  designation has other company IMOs (a namesake), or another designation of the same name does (OMM is
  listed with its company IMO by OFAC and the UN, without one by the UK: a registry "OMM" with another
  company IMO is not the UK's OMM either), or the company IMO hits another designation. Factor 0, kept
  with its reason.
"""

from __future__ import annotations

import polars as pl

from sanctionwatch.lists.index import ListIndex
from sanctionwatch.lists.match import match_names
from sanctionwatch.registry.params import OwnershipParams

COMPANY_SCHEMAS = ("Company", "Organization", "LegalEntity", "PublicBody")
MATCH_SCHEMA = {"company": pl.Utf8, "company_imo": pl.Utf8, "designation_id": pl.Utf8, "entry_id": pl.Utf8,
                "caption": pl.Utf8, "dataset": pl.Utf8, "list_version": pl.Utf8, "entry_ref": pl.Utf8,
                "match_kind": pl.Utf8, "score": pl.Float64, "factor": pl.Float64, "reasons": pl.Utf8}


def _companies(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.select("company", "company_imo").unique().sort("company", "company_imo", nulls_last=True) \
        .with_row_index("query_id").with_columns(pl.col("query_id").cast(pl.Int64))


def match_companies(rows: pl.DataFrame, index: ListIndex, params: OwnershipParams | None = None) -> pl.DataFrame:
    """MATCH_SCHEMA rows: at most one per (company, company_imo, designation), best evidence first."""
    p = params or OwnershipParams()
    comp = _companies(rows)
    ent = index.entries.select("entry_id", "designation_id", "caption", "dataset", "list_version",
                               pl.col("source_ref").alias("entry_ref"))
    owner_imos = index.idents.filter(pl.col("kind") == "owner_imo").select("entry_id", pl.col("value").alias("v"))
    by_imo = (comp.drop_nulls("company_imo").join(owner_imos, left_on="company_imo", right_on="v")
              .join(ent, on="entry_id")
              .with_columns(pl.lit("company_imo").alias("match_kind"), pl.lit(1.0).alias("score"),
                            pl.lit(1.0).alias("factor"),
                            pl.format("company IMO {} equal", "company_imo").alias("reasons")))
    names = match_names(comp.select("query_id", pl.col("company").alias("name")).drop_nulls("name"), index,
                        p.screen, COMPANY_SCHEMAS)
    names = names.select("query_id", "entry_id", "score", "matched_value")
    desig_imos = owner_imos.join(ent.select("entry_id", "designation_id"), on="entry_id").group_by(
        "designation_id").agg(pl.col("v").unique().sort().alias("d_imos"))
    strong_on = by_imo.group_by("query_id").agg(pl.col("designation_id").unique().alias("strong_on"))
    nm = (names.join(ent, on="entry_id")
          .join(comp, on="query_id").join(desig_imos, on="designation_id", how="left")
          .join(strong_on, on="query_id", how="left"))
    empty = pl.lit([], dtype=pl.List(pl.Utf8))
    own_conflict = pl.col("company_imo").is_not_null() & (pl.col("d_imos").fill_null(empty).list.len() > 0) & \
        ~pl.col("d_imos").fill_null(empty).list.contains(pl.col("company_imo"))
    nm = nm.with_columns(own_conflict.alias("_own"))
    # The same name listed elsewhere with another company IMO: the lists that record an IMO for this name say
    # it is a different company, so a designation of that name without an IMO is not taken on the name alone.
    other = nm.filter(pl.col("_own")).group_by("query_id").agg(
        pl.col("d_imos").list.explode(keep_nulls=False, empty_as_null=False).unique().sort().alias("o_imos"), pl.col("designation_id").min().alias("o_des"))
    nm = nm.join(other, on="query_id", how="left")
    conflict = pl.col("_own") | pl.col("o_des").is_not_null()
    elsewhere = pl.col("strong_on").fill_null(empty).list.len() > 0
    equal = pl.col("score") >= 0.9999
    nm = nm.with_columns(
        pl.when(conflict | elsewhere).then(pl.lit("rejected")).otherwise(pl.lit("name")).alias("match_kind"),
        pl.when(conflict | elsewhere).then(0.0).when(equal).then(1.0).otherwise(p.fuzzy_name_factor).alias("factor"),
        pl.concat_str([
            pl.when(pl.col("_own")).then(pl.format("REJECTED namesake: company IMO {} is not the listed {}; ",
                                                   "company_imo", pl.col("d_imos").list.join(", ")))
            .when(conflict).then(pl.format("REJECTED namesake: company IMO {} is not {}, listed for this name on {}; ",
                                           "company_imo", pl.col("o_imos").list.join(", "), "o_des"))
            .when(elsewhere).then(pl.lit("REJECTED namesake: its company IMO matches another listed company; "))
            .otherwise(pl.lit("")),
            pl.when(equal).then(pl.format("name '{}' equal to listed '{}' (normalised)", "company", "matched_value"))
            .otherwise(pl.format("name '{}' ~ listed '{}' (fuzzy {})", "company", "matched_value",
                                 pl.col("score").round(2)))]).alias("reasons"))
    # a name hit on the designation already matched by company IMO adds nothing
    nm = nm.join(by_imo.select("query_id", "designation_id"), on=["query_id", "designation_id"], how="anti")
    out = pl.concat([by_imo.select(list(MATCH_SCHEMA)), nm.select(list(MATCH_SCHEMA))])
    rank = pl.col("match_kind").replace_strict({"company_imo": 0, "name": 1, "rejected": 2}, return_dtype=pl.Int8)
    return (out.with_columns(rank.alias("_r")).sort(["_r", "score", "entry_id"], descending=[False, True, False])
            .unique(["company", "company_imo", "designation_id"], keep="first", maintain_order=True).drop("_r"))
