"""`detect --engine spark`: the embedded engine's detector functions, executed by Apache Spark.

Stages (each calls the same `sanctionwatch.detect` functions the embedded engine calls):
1. vessel stage - positions hash-partitioned by MMSI; per partition of whole vessels `vessel_events` (tracks,
   port calls, gaps, loitering, spoofing, areas), plus the per-vessel halves of the cross-vessel detectors:
   `coverage_table` (reception map; vessels are disjoint across partitions, so merging is a set union)
   and encounter `buckets` + `keyed` (own rows and rows replicated into the 8 neighbour cells).
   The outputs travel as one tagged Arrow table (`kind` column) and are persisted once.
2. cell stage - own/halo bucket rows hash-partitioned by (time bucket, cell): `pair_candidates` per partition
   (each close pair is found once: lower MMSI on the own side; duplicates are dropped again after the shuffle).
3. driver - the small results (events, close pairs, coverage of the gap cells only, the fixes cited as
   evidence) are collected and finished exactly as `engines.embedded.detect` does.

Not yet distributed (collected to the driver, see docs/spark.md): handover detection reads all fixes'
(mmsi, t, seg, lat, lon, source, src_line) and identity/destination checks read all static reports.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa

from sanctionwatch.detect import evidence
from sanctionwatch.detect.destinations import (
    destination_mismatches,
    resolved_declarations,
    sanctioned_targets,
)
from sanctionwatch.detect.encounters import PAIR_SCHEMA, buckets, encounter_events, keyed, pair_candidates
from sanctionwatch.detect.gaps import borrowed_identity, coverage_table, rate_gaps
from sanctionwatch.detect.handover import handovers
from sanctionwatch.detect.identity import identity_changes
from sanctionwatch.detect.params import DEFAULT, DetectParams
from sanctionwatch.detect.quality import split_invalid
from sanctionwatch.detect.quality import summary as quality_summary
from sanctionwatch.engines.embedded import (
    POSITION_COLS,
    REPORT_COLS,
    _drop_explained,
    feed_end_ms,
    vessel_events,
)
from sanctionwatch.engines.spark import is_remote, map_batches, per_partition, read_table, session
from sanctionwatch.store.schemas import arrow_schema

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession


@dataclass(frozen=True)
class SparkParams:
    """Executor knobs (not detector thresholds: those stay in detect.params)."""

    # Shuffle partitions for the vessel and cell stages; None = spark.sql.shuffle.partitions.
    # Spark tuning guide: 2-4 tasks per core; a partition of whole vessels must fit one Python worker.
    partitions: int | None = None
    # None: the vessel detectors run once per shuffle partition of whole vessels (hash of the MMSI): the
    # scalable default. n: vessels go to n fixed groups (Polars hash of the MMSI mod n, one detector call
    # per group) whatever the cluster size; 1 reproduces the embedded engine's --threads 1 layout. Results
    # do not depend on this (the per-vessel detectors are partition-independent; tests check both layouts).
    vessel_groups: int | None = None


_EV_FIELDS = [pa.field(f.name, pa.float64() if f.name == "confidence" else f.type) for f in arrow_schema("events")]
# one tagged table carries every vessel-stage output; columns not used by a kind are null
UNION = pa.schema([
    pa.field("kind", pa.string()), *_EV_FIELDS,
    pa.field("t", pa.int64()), pa.field("seg", pa.int64()), pa.field("sog", pa.float32()),
    pa.field("source", pa.string()), pa.field("src_line", pa.int64()), pa.field("on_track", pa.bool_()),
    pa.field("k", pa.int64()),  # row number in the vessel's main track (on-track fixes sorted by t)
    pa.field("bucket", pa.int64()), pa.field("b_lat", pa.float64()), pa.field("b_lon", pa.float64()),
    pa.field("b_sog", pa.float64()), pa.field("t0", pa.int64()), pa.field("t1", pa.int64()),
    pa.field("i0", pa.int64()), pa.field("i1", pa.int64()), pa.field("cy", pa.int64()), pa.field("cx", pa.int64()),
    pa.field("obs", pa.bool_()), pa.field("prev_t", pa.int64()), pa.field("next_t", pa.int64()),  # resample.grid
    pa.field("cv_cy", pa.int32()), pa.field("cv_cx", pa.int32()), pa.field("h", pa.int64()),
    pa.field("cv_mmsi", pa.int32()), pa.field("payload", pa.string()),
])
_BUCKET_RENAME = {"lat": "b_lat", "lon": "b_lon", "sog": "b_sog"}
BUCKET_COLS = ["mmsi", "bucket", "lat", "lon", "sog", "t0", "t1", "i0", "i1", "cy", "cx", "obs", "prev_t", "next_t"]
PAIRS = pl.DataFrame(schema=PAIR_SCHEMA).to_arrow().schema  # encounters.pair_candidates output
CELL_IN = pa.schema([("own", pa.bool_()), *[(c, UNION.field(_BUCKET_RENAME.get(c, c)).type) for c in BUCKET_COLS]])


def tagged(kind: str, tbl: pa.Table) -> pa.Table:
    """`tbl` as UNION rows of `kind` (its columns cast to the UNION types, the others null)."""
    n = tbl.num_rows
    cols = []
    for f in UNION:
        if f.name == "kind":
            cols.append(pa.array([kind] * n, pa.string()))
        elif f.name in tbl.column_names:
            c = tbl[f.name]
            cols.append(c.cast(c.type.value_type).cast(f.type) if pa.types.is_dictionary(c.type) else c.cast(f.type))
        else:
            cols.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(cols, schema=UNION)


@functools.cache
def _context() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ports and areas, loaded once per worker process."""
    from sanctionwatch.detect.near import ports_table
    from sanctionwatch.geo.areas import load_areas

    return ports_table(), load_areas()


def group_key(tbl: pa.Table, n: int) -> pa.Table:
    """Add `_grp`: a fixed vessel group per row (hash of the MMSI mod n; any grouping of whole vessels works)."""
    mmsi = pl.from_arrow(tbl["mmsi"])
    key = (mmsi.cast(pl.Int64).hash() % n).cast(pl.Int32) if n > 1 else pl.zeros(len(mmsi), pl.Int32, eager=True)
    return tbl.append_column("_grp", key.to_arrow())


def vessel_stage(tbl: pa.Table, params: DetectParams, data_end_ms: int | None) -> pa.Table:
    """A shuffle partition -> vessel_group_stage per vessel group in it (hash collisions put several in one)."""
    df = pl.from_arrow(tbl)
    parts = [vessel_group_stage(g.drop("_grp"), params, data_end_ms)  # type: ignore[union-attr]
             for _, g in df.group_by("_grp", maintain_order=True)]  # type: ignore[union-attr]
    return pa.concat_tables(parts)


def vessel_group_stage(pos: pl.DataFrame, params: DetectParams, data_end_ms: int | None) -> pa.Table:
    """One group of whole vessels -> tagged events, fixes, encounter bucket rows, coverage and the track report."""
    ports, areas = _context()
    pos = pos.sort(["mmsi", "ts", "lat", "lon"])  # the embedded engine's order, so ties resolve alike
    ev, main, tracks, report = vessel_events(pos, params, ports, areas, data_end_ms, presorted=True)
    parts = [tagged("ev", pa.Table.from_pylist(ev, schema=pa.schema(_EV_FIELDS)))]
    fixes = tracks.with_columns(pl.when(pl.col("on_track")).then(
        pl.col("on_track").cast(pl.Int64).cum_sum().over("mmsi") - 1).alias("k"))
    parts.append(tagged("fix", fixes.select("mmsi", "t", "seg", "lat", "lon", "sog", "source", "src_line",
                                            "on_track", "k").to_arrow()))
    b = buckets(main, ports, params.encounter)
    if b.height:
        # main-track row numbers -> per-vessel row numbers (`k`), so evidence can be fetched by (mmsi, k)
        off = main.with_row_index("i").group_by("mmsi").agg(pl.col("i").min().cast(pl.Int64).alias("off"))
        b = b.join(off, on="mmsi").with_columns((pl.col("i0").cast(pl.Int64) - pl.col("off")).alias("i0"),
                                                (pl.col("i1").cast(pl.Int64) - pl.col("off")).alias("i1")).drop("off")
        own, halo = keyed(b, params.encounter.max_distance_km)
        for kind, df in (("own", own), ("halo", halo)):
            parts.append(tagged(kind, df.select(BUCKET_COLS).rename(_BUCKET_RENAME).to_arrow()))
    cov = coverage_table(tracks, params.gap)
    if "vessels" in cov.columns:  # list form: one row per vessel, so partitions merge by a plain union
        cov = cov.explode("vessels").rename({"vessels": "mmsi"})
    parts.append(tagged("cov", cov.select(pl.col("cy").alias("cv_cy"), pl.col("cx").alias("cv_cx"), "h",
                                          pl.col("mmsi").alias("cv_mmsi")).to_arrow()))
    parts.append(tagged("rep", pa.table({"payload": [json.dumps(report)]})))
    return pa.concat_tables(parts)


def cell_stage(tbl: pa.Table, params: DetectParams) -> pa.Table:
    """One partition of (bucket, cell) keys -> close pairs (the encounter module's own pair finder)."""
    df = pl.from_arrow(tbl)
    own = df.filter(pl.col("own")).drop("own")
    halo = df.filter(~pl.col("own")).drop("own")
    pairs = pair_candidates(own, halo, params.encounter)  # type: ignore[arg-type]
    if pairs.height == 0:
        return PAIRS.empty_table()
    return pairs.select(PAIRS.names).to_arrow().cast(PAIRS)


def _arrow_field(df: DataFrame, col: str) -> pa.Field:
    """The Arrow field of a Spark column (for declaring mapInArrow output schemas)."""
    from pyspark.sql.pandas.types import to_arrow_type

    return pa.field(col, to_arrow_type(df.schema[col].dataType))


def _merge_reports(payloads: list[str]) -> dict:
    """Sum the per-partition track reports the way the embedded engine does (counts add, samples concatenate)."""
    out: dict = {}
    for p in payloads:
        for k, v in json.loads(p).items():
            out[k] = out.get(k, []) + v if isinstance(v, list) else out.get(k, 0) + v
    return out


def _collect(df: DataFrame) -> pl.DataFrame:
    """A (small) Spark result as Polars."""
    return pl.from_arrow(df.toArrow())  # type: ignore[return-value]


def _events(df: DataFrame) -> list[dict]:
    """Event rows back to the detectors' dict form (aware UTC datetimes)."""
    from sanctionwatch.detect.evidence import to_dt

    tbl = df.select(*[f.name for f in _EV_FIELDS]).toArrow()
    ms = {c: tbl[c].cast(pa.timestamp("ms", "UTC")).cast(pa.int64()).to_pylist() for c in ("start", "end")}
    rows = tbl.to_pylist()
    for j, r in enumerate(rows):  # Spark hands back microsecond timestamps; events are millisecond-based
        r["start"], r["end"] = to_dt(ms["start"][j]), to_dt(ms["end"][j])
    return rows


def _gap_coverage(u: DataFrame, gap_ev: list[dict], params: DetectParams, spark: SparkSession) -> pl.DataFrame:
    """The merged reception map, only for the 3x3 cells around each gap (what rate_gaps joins on)."""
    from pyspark.sql import functions as F

    c = params.gap.coverage_cell_deg
    cells = {(int(np.floor(e["lat"] / c)) + dy, int(np.floor(e["lon"] / c)) + dx)
             for e in gap_ev for dy in (-1, 0, 1) for dx in (-1, 0, 1)}
    keys = spark.createDataFrame(pa.table({"cv_cy": pa.array([a for a, _ in cells], pa.int32()),
                                           "cv_cx": pa.array([b for _, b in cells], pa.int32())}))
    cov = (_collect(u.filter(F.col("kind") == "cov").join(F.broadcast(keys), ["cv_cy", "cv_cx"])
                    .select(F.col("cv_cy").alias("cy"), F.col("cv_cx").alias("cx"), "h", F.col("cv_mmsi").alias("mmsi"))
                    .distinct())
           .cast({"cy": pl.Int32, "cx": pl.Int32, "h": pl.Int64, "mmsi": pl.Int32}))  # type: ignore[arg-type]
    # the same shape coverage_table returns (long rows, or one vessel list per cell-hour)
    shape = coverage_table(pl.DataFrame(schema={"lat": pl.Float64, "lon": pl.Float64, "t": pl.Int64,
                                                "mmsi": pl.Int32}), params.gap)
    if "vessels" in shape.columns:
        cov = cov.group_by("cy", "cx", "h").agg(pl.col("mmsi").alias("vessels"))
    return cov.select(shape.columns).cast(dict(shape.schema))  # type: ignore[arg-type]


def _encounters(u: DataFrame, params: DetectParams, partitions: int | None, spark: SparkSession) -> list[dict]:
    """Cell stage on Spark, then runs + evidence on the driver from the pairs and the cited fixes only."""
    from pyspark.sql import functions as F

    cells = u.filter(F.col("kind").isin("own", "halo")).select(
        (F.col("kind") == "own").alias("own"), *[F.col(_BUCKET_RENAME.get(c, c)).alias(c) for c in BUCKET_COLS])
    pairs_df = per_partition(cells, ["bucket", "cy", "cx"], functools.partial(cell_stage, params=params), PAIRS,
                             partitions)
    pairs = _collect(pairs_df.dropDuplicates(["a", "b", "bucket"]))
    if pairs.height == 0:
        return []
    need = pl.concat([pairs.select(pl.col("a").alias("mmsi"), pl.col("ia").alias("k")),
                      pairs.select(pl.col("b").alias("mmsi"), pl.col("ib").alias("k"))]).unique()
    keys = spark.createDataFrame(need.to_arrow())
    fixes = (_collect(u.filter((F.col("kind") == "fix") & F.col("on_track")).join(F.broadcast(keys), ["mmsi", "k"])
                      .select("mmsi", "k", "t", "lat", "lon", "sog", "source", "src_line"))
             .sort("mmsi", "k").with_row_index("row"))
    idx = fixes.select("mmsi", "k", pl.col("row").cast(pl.Int64))
    pairs = (pairs.join(idx.rename({"mmsi": "a", "k": "ia", "row": "ra"}), on=["a", "ia"])
             .join(idx.rename({"mmsi": "b", "k": "ib", "row": "rb"}), on=["b", "ib"])
             .drop("ia", "ib").rename({"ra": "ia", "rb": "ib"}))
    return encounter_events(pairs, fixes, params.encounter)


def detect(spark: SparkSession, store_uri: str, params: DetectParams = DEFAULT,
           spark_params: SparkParams = SparkParams()) -> tuple[pa.Table, dict]:
    """All maritime detectors over a store (local path or s3a:// / gs:// URI): (events table, run report)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    explained: dict[str, int] = {}
    pos = read_table(spark, store_uri, "positions").select(*POSITION_COLS)
    rep_df = read_table(spark, store_uri, "vessel_reports").select(*REPORT_COLS)
    # feed end from per-vessel last fixes (one row per MMSI reaches the driver), by the embedded engine's rule
    data_end = feed_end_ms(_collect(pos.groupBy("mmsi").agg(F.max("ts").alias("ts"))))
    n = spark_params.vessel_groups
    if n is None:
        grouped, key = pos.withColumn("_grp", F.lit(0).cast("int")), "mmsi"  # one group per shuffle partition
    else:
        grouped, key = map_batches(pos, functools.partial(group_key, n=n), pa.schema(
            [*[_arrow_field(pos, c) for c in POSITION_COLS], pa.field("_grp", pa.int32())])), "_grp"
    u = per_partition(grouped, [key], functools.partial(vessel_stage, params=params, data_end_ms=data_end), UNION,
                      spark_params.partitions).persist(StorageLevel.MEMORY_AND_DISK)
    n_pos = pos.count()
    events = _events(u.filter(F.col("kind") == "ev"))
    track_report = _merge_reports([r[0] for r in u.filter(F.col("kind") == "rep").select("payload").collect()])
    timings["vessel_detectors_s"] = time.perf_counter() - t0
    # --- from here on the same sequence as engines.embedded.detect ---
    t1 = time.perf_counter()
    gap_ev = [e for e in events if e["type"] == "gap"]
    if gap_ev:  # every hour with any fix in the store (what 'no_data' is judged on): one row per hour
        hours = _collect(u.filter(F.col("kind") == "cov").select("h").distinct())["h"].sort().to_numpy()
        kept = rate_gaps(gap_ev, _gap_coverage(u, gap_ev, params, spark), params.gap, explained, hours)
        events = [e for e in events if e["type"] != "gap"] + kept
    timings["gap_coverage_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    enc = _encounters(u, params, spark_params.partitions, spark)
    events = _drop_explained(events, enc, "loitering", params.loitering.max_encounter_overlap, explained)
    events += enc
    timings["encounters_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    reports = _collect(rep_df)
    n_reports = reports.height
    reports, reports_invalid = split_invalid(reports)
    ids = identity_changes(reports, params.identity)
    linked = {(e["mmsi"], e["other_mmsi"]) for e in ids}
    tracks = _collect(u.filter(F.col("kind") == "fix").select("mmsi", "t", "seg", "lat", "lon", "source", "src_line"))
    # the embedded engine's borrowed_identity step (right after rate_gaps there; nothing between reads gaps)
    events = [e for e in events if e["type"] != "gap"] + borrowed_identity(
        [e for e in events if e["type"] == "gap"], tracks, params.gap, explained)
    t_start = int(tracks["t"].min()) if tracks.height else None  # type: ignore[arg-type]
    handover_report: dict = {}
    ids += [e for e in handovers(tracks, params.identity, t_start, data_end, handover_report)
            if (e["mmsi"], e["other_mmsi"]) not in linked]
    events = _drop_explained(events, [e for e in ids if e["other_mmsi"]], "gap", 0.0, explained, starts_within_ms=3_600_000)
    events += ids
    calls = [e for e in events if e["type"] == "port_call"]
    last = _collect(u.filter((F.col("kind") == "fix") & F.col("on_track")).groupBy("mmsi").agg(F.max("t").alias("t")))
    last_seen = dict(last.iter_rows())
    ports, areas = _context()
    main_fixes = _collect(u.filter((F.col("kind") == "fix") & F.col("on_track")).select("mmsi", "t", "lat", "lon"))
    events += destination_mismatches(calls, resolved_declarations(reports), ports, last_seen, data_end,
                                     params.destination, main_fixes,
                                     sanctioned_targets(ports, params.area, params.destination, areas))
    timings["reports_s"] = time.perf_counter() - t1
    u.unpersist()
    seen: set[str] = set()
    uniq = [e for e in events if not (e["event_id"] in seen or seen.add(e["event_id"]))]  # type: ignore[func-returns-value]
    uniq.sort(key=lambda e: (e["start"], e["type"], e["mmsi"] or 0))
    table = evidence.table(uniq)
    types, counts = np.unique(np.array([e["type"] for e in uniq] or [""]), return_counts=True)
    timings["total_s"] = time.perf_counter() - t0
    data_quality = quality_summary(track_report, reports_invalid)
    report = {"engine": "spark", "positions": n_pos, "vessel_reports": n_reports, "events": table.num_rows,
              "by_type": {str(t): int(c) for t, c in zip(types, counts, strict=True) if t}, "tracks": track_report,
              "data_quality": data_quality,
              "not_reported_explained": explained, "handover": handover_report,
              "timings": {k: round(v, 3) for k, v in timings.items()}}
    return table, report


def write(spark: SparkSession, out_uri: str, table: pa.Table) -> str:
    """Replace the store's maritime events: atomic local write, or a Spark overwrite on object storage."""
    if not is_remote(out_uri):
        from sanctionwatch.store.events import write_events
        from sanctionwatch.store.layout import Store

        write_events(Store(out_uri.removeprefix("file://")), "maritime", table)
        return out_uri
    from sanctionwatch.engines.spark import plain_arrow

    dest = out_uri.rstrip("/") + "/events/producer=maritime"
    spark.createDataFrame(plain_arrow(table).drop_columns(["producer"]) if "producer" in table.column_names
                          else plain_arrow(table)).coalesce(1).write.mode("overwrite").parquet(dest)
    return dest


def detect_spark(store_uri: str, out_uri: str | None = None, master: str = "local[2]",
                 params: DetectParams = DEFAULT, spark_params: SparkParams = SparkParams(),
                 conf: dict[str, str] | None = None) -> dict:
    """Entry point for `sanctionwatch detect --engine spark`: detect over `store_uri`, write events to `out_uri`
    (default: the same store); returns the run report."""
    spark = session(master, conf=conf)
    table, report = detect(spark, store_uri, params, spark_params)
    report["written_to"] = write(spark, out_uri or store_uri, table)
    return report
