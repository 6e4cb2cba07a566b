"""Explainable vessel risk: events + list hits -> one contribution row per piece of evidence -> bands and ranking.

Every point of a vessel's score is a row in the contributions table that names its signal, the event id or
list entry behind it, the arithmetic (weight x factor = points) and a one-line reason, so an analyst can
check each by hand. Caps are rows too (`ref_kind = 'cap'`, negative points), so a vessel's rows always add
up to its headline. Events are read through the evidence keys of the detection contract (`dark`,
`near_area`, `case`, `level`, `toward`); list hits through the screening contract (`match_kind`,
`designation_id`, `sources`, `name_weight`, `matched_name`, `reasons`), each optional.
"""

from __future__ import annotations

import math

import polars as pl

from sanctionwatch.risk.weights import BAND_RANGES, BANDS, FLAGS_OF_CONCERN, SANCTIONED_COUNTRIES, RiskWeights

CONTRIB_SCHEMA = {
    "mmsi": pl.Int64,
    "signal": pl.Utf8,
    "evidence": pl.Utf8,  # 'designation' | 'related' | 'name' | 'behaviour'
    "points": pl.Float64,  # weight * factor, rounded to 0.01; cap rows are negative
    "weight": pl.Float64,
    "factor": pl.Float64,  # event confidence, name weight (screening name_weight: rarity and features) or 1
    "ref_kind": pl.Utf8,  # 'event' | 'list' | 'cap'
    "ref_id": pl.Utf8,
    "start": pl.Datetime("ms", "UTC"),
    "what": pl.Utf8,  # the evidence in words
    "reason": pl.Utf8,  # what (ref): weight x factor = points
}

RANKED_SCHEMA = {
    "rank": pl.UInt32, "mmsi": pl.Int64, "band": pl.Utf8, "band_reason": pl.Utf8, "points": pl.Float64,
    "risk_0_100": pl.Float64, "designation_points": pl.Float64, "behaviour_points": pl.Float64,
    "name_points": pl.Float64, "signals": pl.Utf8, "arithmetic": pl.Utf8, "top_reasons": pl.Utf8,
    "n_evidence": pl.UInt32,
}

DPRK_MID = 445  # ITU Maritime Identification Digits of the DPRK.

HITS_COLUMNS = ("mmsi", "entity_id", "caption", "dataset", "programs", "match_kind", "score", "field", "list_version")
# Screening contract columns read when present (older screening output lacks them).
OPTIONAL_HIT_COLUMNS = ("designation_id", "sources", "name_weight", "matched_name", "matched_field",
                        "matched_value", "query_value", "reasons", "entry_id", "name", "imo", "related_factor", "hops")

# signal -> (weight field, evidence class)
SIGNALS = {
    "list_hit_strong": ("list_hit_strong_id", "designation"),
    "list_hit_related": ("list_hit_related", "related"),
    "list_hit_name": ("list_hit_name", "name"),
    "dprk_port_call": ("dprk_port_call", "behaviour"),
    "sanctioned_area": ("sanctioned_area", "behaviour"),
    "encounter_listed": ("encounter_listed", "behaviour"),
    "encounter": ("encounter", "behaviour"),
    "gap_dark_near_area": ("gap_dark_near_area", "behaviour"),
    "gap_dark": ("gap_dark", "behaviour"),
    "gap_not_dark": ("gap_not_dark", "behaviour"),
    "destination_toward_sanctioned": ("destination_toward_sanctioned", "behaviour"),
    "destination_mismatch": ("destination_mismatch", "behaviour"),
    "destination_mismatch_port": ("destination_mismatch_port", "behaviour"),
    "identity_change": ("identity_change", "behaviour"),
    "flag_hop_concern": ("flag_hop_concern", "behaviour"),
    "spoofing": ("spoofing", "behaviour"),
    "loitering": ("loitering", "behaviour"),
}

EVENT_COLUMNS = {"event_id": pl.Utf8, "type": pl.Utf8, "mmsi": pl.Int64, "other_mmsi": pl.Int64,
                 "start": pl.Datetime("ms", "UTC"), "port": pl.Utf8, "country": pl.Utf8,
                 "confidence": pl.Float64, "evidence": pl.Utf8}


def signal_weight(signal: str, w: RiskWeights) -> float:
    """Points of one piece of evidence of `signal` at factor 1."""
    return float(getattr(w, SIGNALS[signal][0]))


def signal_cap(signal: str, w: RiskWeights) -> float:
    """Most points one vessel can get from `signal`: `events_counted_per_signal` pieces at full weight
    (one for name matches: a second namesake adds nothing), never above `cap_per_signal`."""
    n = 1.0 if signal == "list_hit_name" else w.events_counted_per_signal
    return min(w.cap_per_signal, signal_weight(signal, w) * n)


def _num(col: str | pl.Expr, digits: int = 2) -> pl.Expr:
    """A float as short text (40.5, 100, 0.9)."""
    e = pl.col(col) if isinstance(col, str) else col
    return e.round(digits).cast(pl.Utf8).str.replace(r"\.0$", "")


def _txt(col: str | pl.Expr) -> pl.Expr:
    e = pl.col(col) if isinstance(col, str) else col
    return e.cast(pl.Utf8).fill_null("")


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=CONTRIB_SCHEMA)


def _finish(df: pl.DataFrame, w: RiskWeights, factor_name: pl.Expr) -> pl.DataFrame:
    """Add weight/evidence/points/reason from `signal`, `factor`, `what`, `ref_id`; keep scoring rows only."""
    weights = {s: signal_weight(s, w) for s in SIGNALS}
    classes = {s: c for s, (_, c) in SIGNALS.items()}
    df = df.with_columns(
        pl.col("signal").replace_strict(weights, return_dtype=pl.Float64).alias("weight"),
        pl.col("signal").replace_strict(classes, return_dtype=pl.Utf8).alias("evidence"),
        pl.col("factor").fill_null(1.0).cast(pl.Float64),
    ).with_columns((pl.col("weight") * pl.col("factor")).round(2).alias("points"))
    df = df.filter(pl.col("points") > 0).with_columns(
        pl.concat_str([pl.col("what"), pl.lit(" ("), _txt("ref_id"), pl.lit("): "), _num("weight"), pl.lit(" x "),
                       factor_name, pl.lit(" "), _num("factor"), pl.lit(" = "), _num("points")]).alias("reason"))
    return df.select([pl.col(c).cast(t) for c, t in CONTRIB_SCHEMA.items()])


# The evidence keys risk reads (detection contract); other keys are ignored.
EVIDENCE_DTYPE = pl.Struct({
    "dark": pl.Boolean, "near_area": pl.Struct({"name": pl.Utf8, "distance_km": pl.Float64}),
    "near_sanctioned_area": pl.Boolean, "case": pl.Utf8, "level": pl.Utf8,
    "toward": pl.Struct({"name": pl.Utf8, "country": pl.Utf8, "distance_before_km": pl.Float64,
                         "distance_after_km": pl.Float64}),
    "new_flag": pl.Utf8,
})


def _evidence_columns(evidence: pl.Series) -> pl.DataFrame:
    """The contract keys of each evidence JSON as columns (one parse per row; per-key path lookups when some
    row is not valid JSON of the expected types, those rows then read as missing keys)."""
    try:
        d = evidence.str.json_decode(EVIDENCE_DTYPE).struct.unnest()
        return d.select(
            pl.col("dark"), pl.col("near_area").struct.field("name").alias("near_name"),
            pl.col("near_area").struct.field("distance_km").alias("near_km"),
            pl.col("near_sanctioned_area").alias("near_legacy"), pl.col("case"), pl.col("level"),
            *[pl.col("toward").struct.field(f).alias(a) for f, a in (
                ("name", "toward_name"), ("country", "toward_country"), ("distance_before_km", "toward_before"),
                ("distance_after_km", "toward_after"))],
            pl.col("new_flag"))
    except pl.exceptions.PolarsError:
        j = pl.col("evidence")
        paths = {"dark": ("$.dark", pl.Boolean), "near_name": ("$.near_area.name", pl.Utf8),
                 "near_km": ("$.near_area.distance_km", pl.Float64),
                 "near_legacy": ("$.near_sanctioned_area", pl.Boolean), "case": ("$.case", pl.Utf8),
                 "level": ("$.level", pl.Utf8), "toward_name": ("$.toward.name", pl.Utf8),
                 "toward_country": ("$.toward.country", pl.Utf8),
                 "toward_before": ("$.toward.distance_before_km", pl.Float64),
                 "toward_after": ("$.toward.distance_after_km", pl.Float64), "new_flag": ("$.new_flag", pl.Utf8)}
        out = evidence.to_frame("evidence").select(
            [j.str.json_path_match(p).alias(k) for k, (p, _) in paths.items()])
        return out.with_columns(
            [pl.col(k).replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
             if t == pl.Boolean else pl.col(k).cast(t, strict=False) for k, (_, t) in paths.items()])


def _events_frame(events: pl.DataFrame) -> pl.DataFrame:
    """The event columns risk reads (missing ones null) plus the contract evidence keys as columns."""
    ev = events.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in EVENT_COLUMNS.items()
                              if c not in events.columns])
    ev = ev.select([pl.col(c).cast(t, strict=False) for c, t in EVENT_COLUMNS.items()])
    return pl.concat([ev, _evidence_columns(ev["evidence"])], how="horizontal").with_columns(
        pl.col("new_flag").str.to_uppercase(), pl.col("confidence").fill_null(1.0))


def _event_rows(events: pl.DataFrame, listed: set[int], w: RiskWeights) -> pl.DataFrame:
    """One contribution per (vessel, event); encounters (and two-vessel spoofing) count for both vessels."""
    if events.is_empty():
        return _empty()
    ev = _events_frame(events)
    t = pl.col("type")
    kp = pl.col("country").is_in(list(SANCTIONED_COUNTRIES))
    at = pl.when(pl.col("port").is_not_null()).then(pl.concat_str([pl.lit(" at "), pl.col("port")])).otherwise(pl.lit(""))
    dark = pl.col("dark")
    near = pl.col("near_name").is_not_null() | (pl.col("near_legacy").fill_null(False) & dark.is_null())
    near_txt = pl.concat_str([pl.lit(" near "), pl.col("near_name").fill_null("a sanctioned area"),
                              pl.when(pl.col("near_km").is_not_null())
                              .then(pl.concat_str([pl.lit(" ("), _num("near_km", 1), pl.lit(" km)")]))
                              .otherwise(pl.lit(""))])
    toward = (pl.col("case") == "went_dark_en_route") & pl.col("toward_name").is_not_null()
    single = ev.filter(t != "encounter").with_columns(
        pl.when((t == "port_call") & kp).then(pl.lit("dprk_port_call"))
        .when(t == "sanctioned_area").then(pl.lit("sanctioned_area"))
        .when((t == "gap") & (dark == False)).then(pl.lit("gap_not_dark"))  # noqa: E712  (null: not rated)
        .when((t == "gap") & near).then(pl.lit("gap_dark_near_area"))
        .when(t == "gap").then(pl.lit("gap_dark"))
        .when((t == "destination_mismatch") & (toward | ((pl.col("case") != "went_dark_en_route") & kp)))
        .then(pl.lit("destination_toward_sanctioned"))
        .when((t == "destination_mismatch") & (pl.col("level") == "port") & (pl.col("case") == "arrived_elsewhere"))
        .then(pl.lit("destination_mismatch_port"))
        .when(t == "destination_mismatch").then(pl.lit("destination_mismatch"))
        .when(t.is_in(["identity_change", "spoofing", "loitering"])).then(t)
        .otherwise(None).alias("signal"),
    ).filter(pl.col("signal").is_not_null())
    gap_kind = pl.when(dark.is_null()).then(pl.lit("AIS gap (dark not rated: older detection)")) \
        .otherwise(pl.lit("dark AIS gap (started at sea, others received nearby)"))
    s = pl.col("signal")
    single = single.with_columns(
        pl.when(s == "dprk_port_call").then(pl.concat_str([pl.lit("port call in DPRK"), at]))
        .when(s == "sanctioned_area").then(pl.concat_str([pl.lit("entered sanctioned area"), at]))
        .when(s == "gap_dark_near_area").then(pl.concat_str([gap_kind, near_txt]))
        .when(s == "gap_dark").then(gap_kind)
        .when(s == "gap_not_dark").then(pl.lit("AIS gap, not dark (berth, coverage hole or no data)"))
        .when((s == "destination_toward_sanctioned") & toward).then(pl.concat_str([
            pl.lit("went dark en route toward "), pl.col("toward_name"), pl.lit(" ("), _txt("toward_country"),
            pl.lit("), "), _txt(_num("toward_before", 1)), pl.lit(" -> "), _txt(_num("toward_after", 1)),
            pl.lit(" km, away from the declared destination")]))
        .when(s == "destination_toward_sanctioned").then(pl.concat_str([
            pl.lit("declared another destination, arrived in "), _txt("country"), at]))
        .when(s == "destination_mismatch_port").then(pl.concat_str([
            pl.lit("arrived at another port of the declared country"), at]))
        .when(s == "destination_mismatch").then(pl.concat_str([
            pl.lit("declared destination not reached ("), pl.col("level").fill_null("country"), pl.lit(" level, "),
            pl.col("case").fill_null("mismatch").str.replace_all("_", " "), pl.lit(")")]))
        .when(s == "identity_change").then(pl.lit("identity change"))
        .when(s == "spoofing").then(pl.lit("position spoofing"))
        .otherwise(pl.lit("loitering offshore")).alias("what"),
    )
    hop = ev.filter((t == "identity_change") & pl.col("new_flag").is_in(list(FLAGS_OF_CONCERN))).with_columns(
        pl.lit("flag_hop_concern").alias("signal"),
        pl.concat_str([pl.lit("re-flagged to "), pl.col("new_flag"), pl.lit(", a flag of concern")]).alias("what"))
    spoof_other = single.filter((s == "spoofing") & pl.col("other_mmsi").is_not_null()).with_columns(
        pl.col("other_mmsi").alias("mmsi"))
    enc = ev.filter(t == "encounter")
    pairs = pl.concat([enc.with_columns(pl.col("other_mmsi").alias("other")),
                       enc.with_columns(pl.col("other_mmsi").alias("mmsi"), pl.col("mmsi").alias("other"))])
    listed_l = sorted(listed)
    is_listed = pl.col("other").is_in(listed_l)
    dprk = (pl.col("other") // 1_000_000) == DPRK_MID
    enc_rows = pairs.filter(pl.col("mmsi").is_not_null()).with_columns(
        pl.when(is_listed | dprk).then(pl.lit("encounter_listed")).otherwise(pl.lit("encounter")).alias("signal"),
        pl.concat_str([pl.lit("ship-to-ship encounter with "),
                       pl.when(is_listed).then(pl.lit("designated vessel ")).when(dprk)
                       .then(pl.lit("DPRK-flagged vessel ")).otherwise(pl.lit("")),
                       pl.col("other").cast(pl.Utf8).fill_null("an unidentified vessel")]).alias("what"))
    cols = ["mmsi", "signal", "what", "event_id", "start", "confidence"]
    allrows = pl.concat([x.select(cols) for x in (single, hop, spoof_other, enc_rows)])
    allrows = allrows.filter(pl.col("mmsi").is_not_null()).rename({"event_id": "ref_id", "confidence": "factor"}) \
        .with_columns(pl.lit("event").alias("ref_kind"))
    return _finish(allrows, w, pl.lit("confidence"))


def normalize_hits(hits: pl.DataFrame | None) -> pl.DataFrame:
    """Hits with every column risk reads (missing contract columns null) and a designation key per row."""
    schema = {c: pl.Utf8 for c in (*HITS_COLUMNS, *OPTIONAL_HIT_COLUMNS)} | {
        "mmsi": pl.Int64, "score": pl.Float64, "name_weight": pl.Float64, "related_factor": pl.Float64,
        "hops": pl.Int64}
    h = hits if hits is not None else pl.DataFrame(schema=schema)
    h = h.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in h.columns])
    h = h.select([pl.col(c).cast(t, strict=False) for c, t in schema.items()])
    return h.with_columns(
        pl.coalesce("designation_id", "entity_id", "entry_id", "caption").alias("designation"),
        pl.coalesce("sources", pl.concat_str([pl.col("dataset"), pl.lit(" "), pl.col("list_version")],
                                             ignore_nulls=True)).alias("src"),
    )


KIND_ORDER = {"strong": 0, "related": 1, "name": 2, "rejected": 3}
FIELD_ORDER = {"imo": 0, "mmsi": 1, "callsign": 2}


def _hit_rows(hits: pl.DataFrame, w: RiskWeights) -> pl.DataFrame:
    """One contribution per (vessel, designation): its strongest evidence; sources of every row listed once.
    `rejected` (namesake) and unknown kinds score nothing; they stay in the list hits file."""
    h = normalize_hits(hits).filter(pl.col("mmsi").is_not_null() & pl.col("match_kind").is_in(list(KIND_ORDER)))
    if h.is_empty():
        return _empty()
    nw = pl.col("name_weight").fill_null(w.name_weight_unknown).clip(0.0, 1.0)
    h = h.with_columns(pl.col("match_kind").replace_strict(KIND_ORDER, return_dtype=pl.Int8).alias("k"),
                       pl.when(pl.col("match_kind") == "name").then(nw)
                       .when(pl.col("match_kind") == "related")
                       .then(pl.col("related_factor").fill_null(1.0).clip(0.0, 1.0)).otherwise(1.0).alias("factor"),
                       pl.col("field").replace_strict(FIELD_ORDER, default=9, return_dtype=pl.Int8).alias("fk"))
    srcs = (h.select("mmsi", "designation", pl.col("src").str.split(",")).explode("src")
            .with_columns(pl.col("src").str.strip_chars()).filter(pl.col("src") != "")
            .group_by("mmsi", "designation").agg(pl.col("src").unique().sort().str.join(", ").alias("all_sources")))
    best_k = h.group_by("mmsi", "designation").agg(pl.col("k").min().alias("best"))
    top = h.join(best_k, on=["mmsi", "designation"]).filter(pl.col("k") == pl.col("best"))
    fields_ = (top.sort("fk").group_by("mmsi", "designation", maintain_order=True)
               .agg(pl.col("field").drop_nulls().unique(maintain_order=True).alias("fields")))
    top = (top.sort(["factor", "score", "fk"], descending=[True, True, False], nulls_last=True)
           .group_by("mmsi", "designation", maintain_order=True).first()
           .join(srcs, on=["mmsi", "designation"], how="left").join(fields_, on=["mmsi", "designation"], how="left")
           .filter(pl.col("match_kind") != "rejected"))
    kind = pl.col("match_kind")
    n_fields = pl.col("fields").list.len()
    lists = pl.concat_str([pl.lit(" on "), pl.coalesce("all_sources", "dataset").fill_null("?"), pl.lit(" ("),
                           pl.col("programs").fill_null("no program"), pl.lit(")")])
    matched = pl.coalesce("matched_name", "matched_value", "caption")
    query = pl.coalesce("query_value", "name")
    what = (
        pl.when(kind == "strong").then(pl.concat_str([
            pl.col("fields").list.join(", "), pl.when(n_fields > 1).then(pl.lit(" match ")).otherwise(pl.lit(" matches ")),
            _txt("caption"), lists, pl.lit("; designation "), _txt("designation"),
            pl.when(pl.col("reasons").is_not_null()).then(pl.concat_str([pl.lit(" ("), pl.col("reasons"), pl.lit(")")]))
            .otherwise(pl.lit(""))]))
        .when(kind == "related").then(pl.concat_str([
            pl.lit("owner/manager/operator link to "), _txt("caption"), lists,
            pl.when(pl.col("reasons").is_not_null()).then(pl.concat_str([pl.lit(": "), pl.col("reasons")]))
            .otherwise(pl.lit(""))]))
        .otherwise(pl.concat_str([
            pl.lit("possible name match (no strong id agrees): "),
            pl.when(query.is_not_null() & (query.str.to_uppercase() != matched.str.to_uppercase()))
            .then(pl.concat_str([pl.lit("'"), query, pl.lit("' ~ ")])).otherwise(pl.lit("")),
            pl.lit("'"), _txt(matched), pl.lit("'"),
            pl.when(pl.col("matched_field").is_not_null() & (pl.col("matched_field") != "name"))
            .then(pl.concat_str([pl.lit(" ("), pl.col("matched_field"), pl.lit(")")])).otherwise(pl.lit("")),
            pl.lit(" of "), _txt("caption"), lists, pl.lit("; name weight "), _num("factor"),
            pl.when(pl.col("name_weight").is_null()).then(pl.lit(" (assumed: screening gave no name_weight)"))
            .otherwise(pl.lit("")),
            pl.when(pl.col("reasons").is_not_null()).then(pl.concat_str([pl.lit("; "), pl.col("reasons")]))
            .otherwise(pl.lit(""))]))
    )
    rows = top.with_columns(
        pl.concat_str([pl.lit("list_hit_"), kind]).alias("signal"), what.alias("what"),
        pl.coalesce("entity_id", "designation").alias("ref_id"), pl.lit("list").alias("ref_kind"),
        pl.lit(None, dtype=pl.Datetime("ms", "UTC")).alias("start"))
    factor_name = pl.when(kind == "name").then(pl.lit("name weight")).when(kind == "related").then(
        pl.lit("link factor (hop decay x match)")).otherwise(pl.lit("id match"))
    return _finish(rows.select("mmsi", "signal", "what", "ref_id", "ref_kind", "start", "factor", "match_kind"),
                   w, factor_name)


def with_caps(contribs: pl.DataFrame, w: RiskWeights) -> pl.DataFrame:
    """The evidence rows plus one negative `cap` row per (vessel, signal) whose points exceed its cap."""
    ev = contribs.filter(pl.col("ref_kind") != "cap")
    if ev.is_empty():
        return ev
    caps = {s: signal_cap(s, w) for s in SIGNALS}
    per = (ev.group_by("mmsi", "signal", "evidence").agg(pl.col("points").sum().round(2).alias("raw"), pl.len().alias("n"),
                                                         pl.col("start").min())
           .with_columns(pl.col("signal").replace_strict(caps, return_dtype=pl.Float64).alias("cap"))
           .filter(pl.col("raw") > pl.col("cap") + 1e-9))
    if per.is_empty():
        return ev
    each = w.events_counted_per_signal
    cap_rows = per.with_columns(
        (pl.col("cap") - pl.col("raw")).round(2).alias("points"), pl.col("cap").alias("weight"),
        pl.lit(None, dtype=pl.Float64).alias("factor"), pl.lit("cap").alias("ref_kind"),
        pl.lit(None, dtype=pl.Utf8).alias("ref_id"),
        pl.concat_str([pl.lit("cap: "), pl.col("signal"), pl.lit(" counts at most "), _num("cap"), pl.lit(" points")]
                      ).alias("what"),
    ).with_columns(pl.concat_str([
        pl.col("what"),
        pl.when(pl.col("signal") == "list_hit_name").then(pl.lit(" (one name match)"))
        .otherwise(pl.lit(f" ({each:g} pieces at full weight, at most {w.cap_per_signal:g})")),
        pl.lit(": "), pl.col("n").cast(pl.Utf8), pl.lit(" pieces gave "), _num("raw"), pl.lit(", so "), _num("points")
    ]).alias("reason"))
    return pl.concat([ev, cap_rows.select(list(CONTRIB_SCHEMA))]).sort(
        ["mmsi", "ref_kind", "points"], descending=[False, False, True])


def contributions(events: pl.DataFrame, hits: pl.DataFrame | None = None,
                  weights: RiskWeights | None = None) -> pl.DataFrame:
    """All evidence rows, one per vessel and piece of evidence, plus the cap rows: per vessel they sum to its
    headline points."""
    w = weights or RiskWeights()
    h = normalize_hits(hits)
    listed = {int(m) for m in h.filter(pl.col("match_kind") == "strong")["mmsi"].drop_nulls().to_list()}
    rows = pl.concat([_event_rows(events, listed, w), _hit_rows(h, w)])
    return with_caps(rows, w)


def _band_reason(w: RiskWeights) -> pl.Expr:
    b, beh, nm = pl.col("band"), pl.col("behaviour_points"), pl.col("name_points")
    beh_s = pl.concat_str([_num(beh), pl.lit(" behaviour points")])
    also_beh = pl.when(beh > 0).then(pl.concat_str([pl.lit("; also "), beh_s, pl.lit(": "), _txt("beh_what")])) \
        .otherwise(pl.lit(""))
    name_note = pl.when(pl.col("name_what").is_not_null()).then(
        pl.concat_str([pl.lit("; "), pl.col("name_what")])).otherwise(pl.lit(""))
    hi, rv = f"{w.high_points:g}", f"{w.review_points:g}"
    return (
        pl.when(b == "designated").then(pl.concat_str([pl.lit("designated: "), _txt("desig_what"), also_beh]))
        .when((b == "high") & (beh >= w.high_points)).then(pl.concat_str([
            pl.lit("high: "), beh_s, pl.lit(f" (>= {hi}): "), _txt("beh_what"), name_note]))
        .when(b == "high").then(pl.concat_str([
            pl.lit("high: "), beh_s, pl.lit(" plus "), _num(nm), pl.lit(f" name points reach {hi}: "), _txt("beh_what"),
            name_note]))
        .when((b == "review") & (beh >= w.review_points)).then(pl.concat_str([
            pl.lit("review: "), beh_s, pl.lit(f" (high needs {hi}): "), _txt("beh_what"), name_note]))
        .when(b == "review").then(pl.concat_str([
            pl.lit("review: "), _txt("name_what"),
            pl.when(beh > 0).then(pl.concat_str([pl.lit("; also "), beh_s, pl.lit(f" (review needs {rv}): "),
                                                 _txt("beh_what")])).otherwise(pl.lit(""))]))
        .when(pl.col("name_what").is_not_null()).then(pl.concat_str([
            pl.lit(f"low: name match too weak to act on (name weight below {w.review_name_weight:g}: a common name or "
                   "disagreeing features): "),
            pl.col("name_what"),
            pl.when(beh > 0).then(pl.concat_str([pl.lit("; "), beh_s, pl.lit(f" (review needs {rv})")]))
            .otherwise(pl.lit(""))]))
        .when(beh > 0).then(pl.concat_str([pl.lit("low: "), beh_s, pl.lit(f" (review needs {rv}): "), _txt("beh_what")]))
        .otherwise(pl.lit("low: no list hit and no scored behaviour"))
    )


def score(contribs: pl.DataFrame, weights: RiskWeights | None = None,
          vessels: pl.Series | list[int] | None = None) -> pl.DataFrame:
    """Band and rank vessels: points = the sum of their contribution rows (caps included); bands from the kind
    of evidence (see `sanctionwatch.risk.weights`); `vessels` adds the vessels with no evidence (band low)."""
    w = weights or RiskWeights()
    c = with_caps(contribs, w) if not contribs.filter(pl.col("ref_kind") == "cap").height else contribs
    c = c.sort(["points", "ref_id"], descending=[True, False], nulls_last=True)
    ev = pl.col("evidence")
    real = pl.col("ref_kind") != "cap"
    beh_m = ev.is_in(["behaviour", "related"])
    per_signal = (c.group_by("mmsi", "signal").agg(
        pl.col("points").filter(real).sum().round(2).alias("raw"), pl.col("points").sum().round(2).alias("net"))
        .sort(["net", "signal"], descending=[True, False]))
    # texts are built per row first, collected into lists per vessel, then joined (joining inside the
    # group-by is several times slower)
    sig_txt = (per_signal.with_columns(
        pl.format("{}={}", pl.col("signal"), _num("net")).alias("signals"),
        pl.when(pl.col("raw") > pl.col("net") + 1e-9)
        .then(pl.format("{} {} - {} cap", pl.col("signal"), _num("raw"), _num(pl.col("raw") - pl.col("net"))))
        .otherwise(pl.format("{} {}", pl.col("signal"), _num("net"))).alias("terms"))
        .group_by("mmsi", maintain_order=True).agg("signals", "terms")
        .with_columns(pl.col("signals").list.join(", "), pl.col("terms").list.join(" + ")))
    zero = pl.lit(0.0)
    agg = c.group_by("mmsi", maintain_order=True).agg(
        pl.col("points").sum().round(2).alias("points"),
        pl.when(ev == "designation").then(pl.col("points")).otherwise(zero).sum().round(2).alias("designation_points"),
        pl.when(beh_m).then(pl.col("points")).otherwise(zero).sum().round(2).alias("behaviour_points"),
        pl.when(ev == "name").then(pl.col("points")).otherwise(zero).sum().round(2).alias("name_points"),
        pl.when((ev == "name") & real).then(pl.col("factor")).max().alias("name_weight"),
        ((pl.col("signal") == "list_hit_strong") & real).any().alias("designated"),
        real.sum().cast(pl.UInt32).alias("n_evidence"),
    )
    # the words behind the band: filtered first, so each group-by sees only the rows it names
    rows = c.filter(real)
    for name, mask, k in (("desig_what", ev == "designation", 1), ("beh_what", beh_m, 2),
                          ("name_what", ev == "name", 1)):
        sub = rows.filter(mask).unique(["mmsi", "what"], keep="first", maintain_order=True)
        words = sub.group_by("mmsi", maintain_order=True).agg(pl.col("what").head(k).alias(name))
        agg = agg.join(words.with_columns(pl.col(name).list.join("; ")), on="mmsi", how="left")
    top = rows.group_by("mmsi", maintain_order=True).agg(pl.col("reason").head(3).alias("top_reasons"))
    agg = agg.join(top.with_columns(pl.col("top_reasons").list.join("; ")), on="mmsi", how="left")
    if vessels is not None:
        known = pl.DataFrame({"mmsi": pl.Series(list(vessels), dtype=pl.Int64)}).drop_nulls().unique()
        agg = pl.concat([agg, known.join(agg, on="mmsi", how="anti")], how="diagonal")
    beh, nm = pl.col("behaviour_points").fill_null(0.0), pl.col("name_points").fill_null(0.0)
    agg = agg.join(sig_txt, on="mmsi", how="left").with_columns(
        pl.col("points", "designation_points", "behaviour_points", "name_points").fill_null(0.0),
        pl.col("designated").fill_null(False), pl.col("n_evidence").fill_null(0),
        pl.col("signals", "top_reasons").fill_null(""),
    ).with_columns(
        pl.when(pl.col("designated")).then(pl.lit("designated"))
        .when((beh >= w.high_points) | ((beh >= w.review_points) & (beh + nm >= w.high_points))).then(pl.lit("high"))
        .when((beh >= w.review_points) | (pl.col("name_weight").fill_null(-1.0) >= w.review_name_weight))
        .then(pl.lit("review")).otherwise(pl.lit("low")).alias("band"),
        pl.when(pl.col("terms").is_null()).then(pl.lit("0"))
        .otherwise(pl.concat_str([pl.col("terms"), pl.lit(" = "), _num("points")])).alias("arithmetic"),
    )
    lo = pl.col("band").replace_strict({b: r[0] for b, r in BAND_RANGES.items()}, return_dtype=pl.Float64)
    hi = pl.col("band").replace_strict({b: r[1] for b, r in BAND_RANGES.items()}, return_dtype=pl.Float64)
    agg = agg.with_columns(
        (lo + (hi - lo) * (1.0 - (-pl.col("points") / w.scale_points).exp())).round(1).alias("risk_0_100"))
    order = {b: i for i, b in enumerate(BANDS)}
    ranked = (agg.with_columns(_band_reason(w).alias("band_reason"),
                               pl.col("band").replace_strict(order, return_dtype=pl.Int8).alias("_b"))
              .sort(["_b", "points", "mmsi"], descending=[False, True, False])
              .with_row_index("rank", offset=1))
    return ranked.select([pl.col(k).cast(t) for k, t in RANKED_SCHEMA.items()])


def band_counts(ranked: pl.DataFrame) -> dict[str, int]:
    """Vessels per band, every band present (0 when empty), in rank order."""
    got = dict(ranked.group_by("band").len().iter_rows()) if ranked.height else {}
    return {b: int(got.get(b, 0)) for b in BANDS}


def risk_0_100(points: float, band: str, weights: RiskWeights | None = None) -> float:
    """The 0-100 scale used in `score`: the band's range (BAND_RANGES), the position in it by points."""
    lo, hi = BAND_RANGES[band]
    return round(lo + (hi - lo) * (1.0 - math.exp(-points / (weights or RiskWeights()).scale_points)), 1)
