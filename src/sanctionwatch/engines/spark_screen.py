"""`screen --engine spark`: the list matcher (`lists.screen.screen_vessels`) over a store's distinct vessel identities.

Distinct (mmsi, imo, name, callsign) rows are computed by Spark (the only step that grows with the AIS volume),
hash-partitioned by MMSI and screened per partition with the very function the embedded path uses; the
list index travels to the workers with the task (about 17 MB for the default lists: fine up to hundreds of
tasks; broadcast it for more).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import polars as pl
import pyarrow as pa

from sanctionwatch.engines.spark import per_partition, read_table, session
from sanctionwatch.lists.match import MATCH_SCHEMA
from sanctionwatch.lists.screen import RESULT_COLUMNS, VESSEL_COLS, screen_vessels

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

    from sanctionwatch.lists.index import ListIndex
    from sanctionwatch.lists.params import ScreenParams

RESULT = pl.DataFrame(schema={"mmsi": pl.Int64, "imo": pl.Int64, "name": pl.Utf8, "callsign": pl.Utf8,
                              **{k: v for k, v in MATCH_SCHEMA.items() if k != "query_id"}}
                      ).select([c for c in RESULT_COLUMNS if c != "query_id"]).to_arrow().schema


def screen_partition(tbl: pa.Table, index: ListIndex, params: ScreenParams | None) -> pa.Table:
    """One partition of distinct identities -> list hits (RESULT columns)."""
    hits = screen_vessels(tbl, index, params)
    return hits.select(RESULT.names).to_arrow().cast(RESULT) if hits.height else RESULT.empty_table()


def screen(spark: SparkSession, store_uri: str, index: ListIndex, params: ScreenParams | None = None,
           partitions: int | None = None) -> pl.DataFrame:
    """List hits for every vessel identity in the store's vessel_reports, sorted as screen_vessels sorts."""
    ids = read_table(spark, store_uri, "vessel_reports").select(*VESSEL_COLS).distinct()
    fn = functools.partial(screen_partition, index=index, params=params)
    hits = pl.from_arrow(per_partition(ids, ["mmsi"], fn, RESULT, partitions).toArrow())
    assert isinstance(hits, pl.DataFrame)
    return hits.sort(["mmsi", "score"], descending=[False, True])


def screen_spark(store_uri: str, index: ListIndex | None = None, master: str = "local[2]",
                 params: ScreenParams | None = None, conf: dict[str, str] | None = None) -> pl.DataFrame:
    """Entry point for `sanctionwatch screen --engine spark` (default lists when no index is given)."""
    if index is None:
        from sanctionwatch.lists.screen import default_index

        index = default_index()
    return screen(session(master, conf=conf), store_uri, index, params)
