"""Matching queries against the index: strong ids exactly, names fuzzily with key blocking.

Names: candidates are list names sharing a blocking key with the query (first or last 4 letters of the
romanisation-folded key, or a whole folded word of 4+ letters; an inverted-index join, oversized blocks
dropped, so cost grows with candidates, not names x list) or an equal folded key; only those pairs are scored
with rapidfuzz (`fuzz.ratio` on the folded spaceless key, then `fuzz.token_sort_ratio` on the words of
multi-word names; the better of the two, /100). Numbers in names must agree. Every output row says why: query field
and value, matched list name and field, entry, list and version, score, threshold and algorithm.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from sanctionwatch.lists.index import ListIndex
from sanctionwatch.lists.normalize import fold_expr, name_forms
from sanctionwatch.lists.params import ScreenParams

MATCH_SCHEMA = {
    "query_id": pl.Int64, "field": pl.Utf8, "match_kind": pl.Utf8, "query_value": pl.Utf8,
    "matched_value": pl.Utf8, "matched_field": pl.Utf8, "score": pl.Float64, "threshold": pl.Float64,
    "algorithm": pl.Utf8, "entry_id": pl.Utf8, "entity_id": pl.Utf8, "schema": pl.Utf8, "caption": pl.Utf8,
    "dataset": pl.Utf8, "list_version": pl.Utf8, "programs": pl.Utf8, "source_ref": pl.Utf8,
    # Entity evaluation (lists/entity.py fills these; see the Screening-hits contract in docs/screening.md):
    "designation_id": pl.Utf8, "sources": pl.Utf8, "name_weight": pl.Float64, "matched_name": pl.Utf8,
    "reasons": pl.Utf8,
}
_ENTRY_COLS = ["entry_id", "schema", "caption", "dataset", "list_version", "programs", "source_ref",
               "designation_id"]
_EVAL_COLS = ("sources", "name_weight", "matched_name", "reasons")
_ID_ALGO = {"imo": "exact IMO number (check digit valid)", "owner_imo": "exact IMO company number",
            "mmsi": "exact MMSI", "callsign": "exact call sign (alphanumerics, uppercase)"}
_ALGO_EQUAL = "equal normalised names (rapidfuzz fuzz.ratio = 1 on spaceless name)"
_ALGO_FOLD = "rapidfuzz fuzz.ratio on Korean-romanisation-folded spaceless name"
_ALGO_TOKENS = "rapidfuzz fuzz.token_sort_ratio on name words"


def empty_matches() -> pl.DataFrame:
    return pl.DataFrame(schema=MATCH_SCHEMA)


def _with_entries(df: pl.DataFrame, index: ListIndex) -> pl.DataFrame:
    ent = index.entries.select(_ENTRY_COLS)
    df = df.join(ent, on="entry_id", how="left")
    return df.with_columns([pl.lit(None, dtype=MATCH_SCHEMA[c]).alias(c) for c in _EVAL_COLS]).select(
        list(MATCH_SCHEMA))


def match_ids(queries: pl.DataFrame, index: ListIndex) -> pl.DataFrame:
    """Exact strong-id matches. `queries`: query_id, kind (imo/owner_imo/mmsi/callsign), value (normalised)."""
    if queries.is_empty():
        return empty_matches()
    hits = queries.join(index.idents, on=["kind", "value"], how="inner")
    out = hits.select(
        "query_id",
        pl.col("kind").alias("field"),
        pl.lit("strong").alias("match_kind"),
        pl.col("value").alias("query_value"),
        pl.col("value").alias("matched_value"),
        pl.col("kind").alias("matched_field"),
        pl.lit(1.0).alias("score"),
        pl.lit(1.0).alias("threshold"),
        pl.col("kind").replace_strict(_ID_ALGO, default="exact").alias("algorithm"),
        "entry_id", "entity_id",
    )
    return _with_entries(out, index)


def _block_keys(df: pl.DataFrame, id_col: str, p: ScreenParams) -> pl.DataFrame:
    """Distinct (id, blocking key): folded-key prefix and suffix, and each folded word of 4+ letters."""
    n = p.block_affix_len
    words = df.select(id_col, pl.col("norm").str.split(" ").alias("w")).explode("w").filter(
        pl.col("w").str.len_chars() >= n).select(id_col, (pl.lit("t:") + fold_expr(pl.col("w"))).alias("b"))
    affix = df.filter(pl.col("fold").str.len_chars() >= n).select(
        id_col, (pl.lit("p:") + pl.col("fold").str.head(n)).alias("p"),
        (pl.lit("s:") + pl.col("fold").str.tail(n)).alias("s"))
    return pl.concat([words, affix.select(id_col, pl.col("p").alias("b")),
                      affix.select(id_col, pl.col("s").alias("b"))]).unique()


def _blocking(index: ListIndex, schemas: tuple[str, ...] | None, p: ScreenParams) -> tuple[pl.DataFrame, ...]:
    """(names with nid, postings of blocking keys without oversized blocks) for a schema filter; cached."""
    key = ("blocking", schemas, p.block_affix_len, p.max_block_size)
    if key not in index.cache:
        names = index.names if schemas is None else index.names.filter(pl.col("schema").is_in(list(schemas)))
        names = names.filter(pl.col("key").str.len_chars() > 0).with_row_index("nid")
        post = _block_keys(names, "nid", p)
        size = post.group_by("b").agg(pl.len().alias("n"))
        post = post.join(size.filter(pl.col("n") <= p.max_block_size).select("b"), on="b")
        index.cache[key] = (names, post)
    return index.cache[key]


def match_names(
    queries: pl.DataFrame,
    index: ListIndex,
    params: ScreenParams | None = None,
    schemas: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Fuzzy name matches. `queries`: query_id, name. `schemas` restricts list entries (e.g. Vessel only)."""
    p = params or ScreenParams()
    queries = queries.filter(pl.col("name").is_not_null() & (pl.col("name").str.strip_chars() != ""))
    if queries.is_empty() or index.names.is_empty():
        return empty_matches()
    uq = queries.select("name").unique().with_row_index("qn")
    uq = pl.concat([uq, name_forms(uq["name"])], how="horizontal").filter(pl.col("key").str.len_chars() > 0)
    names, post = _blocking(index, schemas, p)
    # Exact folded-key equality always makes a candidate (whatever the block sizes).
    exact = uq.select("qn", "fold").join(names.select("nid", "fold"), on="fold").select("qn", "nid")
    # Length bound on blocked pairs: Indel similarity <= 2 min(len) / (len_a + len_b) (slack for spaces).
    ql = uq.select("qn", pl.col("key").str.len_chars().alias("lq"))
    nl = names.select("nid", pl.col("key").str.len_chars().alias("lc"))
    pairs = (
        _block_keys(uq, "qn", p).join(post, on="b").select("qn", "nid").unique()
        .join(ql, on="qn").join(nl, on="nid")
        .filter(2 * pl.min_horizontal("lq", "lc") / (pl.col("lq") + pl.col("lc")) >= p.threshold - 0.05)
        .select("qn", "nid")
    )
    pairs = pl.concat([pairs, exact]).unique()
    if pairs.is_empty():
        return empty_matches()
    pairs = _raw_scores(pairs, uq, names, p)
    cols = ["norm", "key", "fold", "digits"]
    pairs = pairs.join(uq.select("qn", "name", *cols), on="qn").join(
        names.select("nid", "entry_id", "entity_id", pl.col("field").alias("matched_field"),
                     pl.col("name").alias("matched_value"), *[pl.col(c).alias(f"l_{c}") for c in cols]),
        on="nid",
    )
    scored = _score(pairs, p).filter(pl.col("score") >= p.threshold)
    best = (
        scored.sort("score", descending=True)
        .unique(["qn", "entry_id"], keep="first", maintain_order=True)
    )
    out = queries.join(best, on="name", how="inner")
    out = out.select(
        "query_id", pl.lit("name").alias("field"), pl.lit("name").alias("match_kind"),
        pl.col("name").alias("query_value"), "matched_value", "matched_field",
        pl.col("score").round(4), pl.lit(p.threshold).alias("threshold"), "algorithm", "entry_id", "entity_id",
    )
    return _with_entries(out, index)


def _cpdist(a: pl.Series, b: pl.Series, scorer, cutoff: float) -> pl.Series:
    """rapidfuzz pairwise scores (0-1) of two aligned string columns, 0 below `cutoff`."""
    out = cpdist(a.to_list(), b.to_list(), scorer=scorer, workers=-1, score_cutoff=100.0 * cutoff)
    return pl.Series(out, dtype=pl.Float64) / 100.0


def _raw_scores(pairs: pl.DataFrame, uq: pl.DataFrame, names: pl.DataFrame, p: ScreenParams) -> pl.DataFrame:
    """(qn, nid, raw_score, algo) for pairs whose best rapidfuzz score reaches the threshold.

    Cascade: fuzz.ratio on the folded keys for every pair; fuzz.token_sort_ratio on the words only for
    pairs of multi-word names that the first score did not already pass. Penalties only lower a score, so
    pairs below the threshold here can never be reported.
    """
    th = p.threshold
    pairs = pairs.join(uq.select("qn", "fold", pl.col("norm").str.contains(" ").alias("m")), on="qn").join(
        names.select("nid", pl.col("fold").alias("l_fold"), pl.col("norm").str.contains(" ").alias("l_m")),
        on="nid")
    pairs = pairs.with_columns(_cpdist(pairs["fold"], pairs["l_fold"], fuzz.ratio, th).alias("s_fold"))
    pairs = pairs.filter((pl.col("s_fold") >= th) | (pl.col("m") & pl.col("l_m"))).select("qn", "nid", "s_fold")
    need = pairs.filter(pl.col("s_fold") < th).select("qn", "nid").join(
        uq.select("qn", "norm"), on="qn").join(names.select("nid", pl.col("norm").alias("l_norm")), on="nid")
    need = need.with_columns(_cpdist(need["norm"], need["l_norm"], fuzz.token_sort_ratio, th).alias("s_tok"))
    pairs = pairs.join(need.select("qn", "nid", "s_tok"), on=["qn", "nid"], how="left").with_columns(
        pl.col("s_tok").fill_null(0.0))
    return pairs.filter(pl.max_horizontal("s_fold", "s_tok") >= th).select(
        "qn", "nid", pl.max_horizontal("s_fold", "s_tok").alias("raw_score"),
        pl.when(pl.col("s_tok") > pl.col("s_fold")).then(pl.lit(_ALGO_TOKENS)).otherwise(pl.lit(_ALGO_FOLD))
        .alias("algo"))


def _score(pairs: pl.DataFrame, p: ScreenParams) -> pl.DataFrame:
    """Final score: raw rapidfuzz score times the numbers and short-name rules, with the reason appended."""
    algo = pl.when(pl.col("key") == pl.col("l_key")).then(pl.lit(_ALGO_EQUAL)).otherwise(pl.col("algo"))
    qd, ld = pl.col("digits"), pl.col("l_digits")
    both = (qd != "") & (ld != "")
    penalty = pl.when(both & (qd != ld)).then(0.0 if p.digits_mismatch_reject else 0.5) \
        .when((qd != "") != (ld != "")).then(p.digits_missing_penalty).otherwise(1.0)
    rule = pl.when(both & (qd != ld)).then(pl.lit("; numbers differ")) \
        .when((qd != "") != (ld != "")).then(pl.lit(f"; number on one side only (x{p.digits_missing_penalty})")) \
        .otherwise(pl.lit(""))
    short = pl.min_horizontal(pl.col("key").str.len_chars(), pl.col("l_key").str.len_chars()) < p.short_key_len
    equal = (pl.col("key") == pl.col("l_key")) | (pl.col("fold") == pl.col("l_fold"))
    penalty = pl.when(short & ~equal).then(0.0).otherwise(penalty)
    rule = pl.when(short & ~equal).then(pl.lit(f"; short name (< {p.short_key_len}) not equal")).otherwise(rule)
    return pairs.with_columns(
        (pl.col("raw_score") * penalty).alias("score"),
        (algo + rule).alias("algorithm"),
    )
