"""Apache Spark executor: runs the very same detector functions as the embedded engine, distributed.

Per-vessel detectors run through `groupBy("mmsi").applyInArrow` (one vessel's Arrow table in, event rows
out); cell detectors (encounters) through `groupBy(cell keys).applyInArrow` after the rows have been
replicated into neighbour cells by a `mapInArrow` keying function, then deduplicated by event id.
Storage paths may be local folders or object-store URIs (s3a://, gs://; see docs/spark.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pyarrow as pa

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

ArrowFn = Callable[[pa.Table], pa.Table]


def session(master: str = "local[2]", app_name: str = "sanctionwatch", conf: dict[str, str] | None = None
            ) -> SparkSession:
    """A Spark session in UTC with Arrow enabled; workers run this same Python (PYSPARK_PYTHON)."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    b = (SparkSession.builder.master(master).appName(app_name)
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true")
         .config("spark.ui.enabled", "false")
         # Parquet timestamps as UTC-adjusted milliseconds like the store's own files (Spark's default INT96
         # would read back as naive timestamps)
         .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MILLIS")
         # Local runs: few shuffle partitions; clusters override with ~2-4x total cores.
         .config("spark.sql.shuffle.partitions", "8" if master.startswith("local") else "200"))
    for k, v in (conf or {}).items():
        b = b.config(k, v)
    return b.getOrCreate()


def spark_schema(schema: pa.Schema):
    """Spark StructType for an Arrow schema (dictionary columns become their value type)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    plain = pa.schema([pa.field(f.name, _plain_type(f.type), f.nullable) for f in schema])
    return from_arrow_schema(plain)


def plain_arrow(table: pa.Table) -> pa.Table:
    """Decode dictionary columns, timestamps to microseconds (the only plain types Spark's Arrow exchange takes)."""
    return pa.Table.from_arrays([c.cast(_plain_type(c.type)) for c in table.columns], names=table.column_names)


def _plain_type(t: pa.DataType) -> pa.DataType:
    """The Spark-compatible Arrow type for `t`."""
    if pa.types.is_dictionary(t):
        return _plain_type(t.value_type)
    if pa.types.is_timestamp(t):
        return pa.timestamp("us", t.tz)
    return t


def read_table(spark: SparkSession, store_uri: str, table: str) -> DataFrame:
    """A store table (hive-partitioned Parquet) as a Spark DataFrame; a clear error when it is not there."""
    from pyspark.errors import AnalysisException

    path = store_uri.rstrip("/") + "/" + table
    try:
        return spark.read.option("basePath", path).parquet(path)
    except AnalysisException as e:
        raise FileNotFoundError(f"no readable '{table}' table at {path} (run `sanctionwatch ingest` into the store "
                                f"first; object storage needs the Hadoop settings in docs/spark.md): {e}") from e


def per_group(df: DataFrame, keys: list[str], fn: ArrowFn, out_schema: pa.Schema) -> DataFrame:
    """Apply an Arrow function to each group (e.g. one vessel's positions) and union the results."""
    def run(tbl: pa.Table) -> pa.Table:
        return plain_arrow(fn(tbl)).select(out_schema.names)

    return df.groupBy(*keys).applyInArrow(run, schema=spark_schema(out_schema))


def map_batches(df: DataFrame, fn: Callable[[pa.RecordBatch], pa.Table], out_schema: pa.Schema) -> DataFrame:
    """Apply an Arrow function to every record batch (keying, replication into neighbour cells...)."""
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for b in batches:
            yield from plain_arrow(fn(b)).select(out_schema.names).to_batches()

    return df.mapInArrow(run, schema=spark_schema(out_schema))


def per_partition(df: DataFrame, keys: list[str], fn: ArrowFn, out_schema: pa.Schema,
                  partitions: int | None = None) -> DataFrame:
    """Hash-partition rows by `keys` and apply an Arrow function to each whole partition (many groups at once).

    Cheaper than `per_group` when the function is itself group-aware (e.g. works on any set of whole
    vessels): one Python call per partition instead of one per group.
    """
    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        got = list(batches)
        tbl = pa.Table.from_batches(got) if got else None
        if tbl is not None and tbl.num_rows:
            yield from plain_arrow(fn(tbl)).select(out_schema.names).to_batches()

    parts = df.repartition(partitions, *keys) if partitions else df.repartition(*keys)
    return parts.mapInArrow(run, schema=spark_schema(out_schema))


def is_remote(uri: str) -> bool:
    """True for object-store / HDFS URIs (s3a://, gs://, hdfs://...), False for local paths and file://."""
    return "://" in uri and not uri.startswith("file://")


def collect_arrow(df: DataFrame) -> pa.Table:
    """Collect a (small) result DataFrame to the driver as Arrow."""
    return df.toArrow()
