"""`ingest --engine spark` for already-decoded Parquet: conform to the canonical schema, quarantine, write by day.

Input columns are matched by name to `store.schemas` (extra columns are ignored, missing nullable ones become
NULL, a missing required column is an error). Rows with NULL in a required column are not dropped: they are
counted and written with the reason to `_quarantine/spark-<table>/` next to the store's own quarantine.
Accepted rows go to `<store>/<table>/day=YYYY-MM-DD/` (UTC), which the DuckDB views read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanctionwatch.engines.spark import session, spark_schema
from sanctionwatch.store.schemas import arrow_schema

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


def ingest_parquet(spark: SparkSession, src_uri: str, store_uri: str, table: str = "positions") -> dict:
    """Append decoded Parquet rows at `src_uri` to the store's `table`; returns counts and the quarantine path."""
    from pyspark.sql import functions as F

    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS")  # as the store writes ts
    schema = arrow_schema(table)
    target = spark_schema(schema)
    df = spark.read.parquet(src_uri)
    missing = [f.name for f in schema if f.name not in df.columns and not f.nullable]
    if missing:
        raise ValueError(f"{src_uri}: required column(s) {missing} missing for table {table!r}; "
                         f"has {sorted(df.columns)} (see docs/schemas.md)")
    cols = [(F.col(f.name) if f.name in df.columns else F.lit(None)).cast(f.dataType).alias(f.name) for f in target]
    conformed = df.select(*cols)
    required = [f.name for f in schema if not f.nullable]
    reason = F.concat_ws(", ", *[F.when(F.col(c).isNull(), F.lit(f"{c} is null (or not castable)")) for c in required])
    marked = conformed.withColumn("_reason", reason).persist()
    bad = marked.filter(F.col("_reason") != "")
    good = marked.filter(F.col("_reason") == "").drop("_reason")
    n_bad = bad.count()
    root = store_uri.rstrip("/")
    quarantine = f"{root}/_quarantine/spark-{table}"
    if n_bad:
        bad.write.mode("append").parquet(quarantine)
    n_good = good.count()
    (good.withColumn("day", F.date_format(F.col("ts"), "yyyy-MM-dd"))
     .write.mode("append").partitionBy("day").parquet(f"{root}/{table}"))
    marked.unpersist()
    return {"table": table, "rows_in": n_good + n_bad, "rows_written": n_good, "rows_quarantined": n_bad,
            "quarantine": quarantine if n_bad else None}


def ingest_spark(src_uri: str, store_uri: str, table: str = "positions", master: str = "local[2]",
                 conf: dict[str, str] | None = None) -> dict:
    """Entry point for `sanctionwatch ingest --engine spark --from-parquet SRC --store STORE`."""
    return ingest_parquet(session(master, conf=conf), src_uri, store_uri, table)
