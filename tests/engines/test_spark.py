"""Spark executor: on a simulated scenario, `detect --engine spark` yields exactly the embedded engine's events."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanctionwatch.engines import spark as sp
from sanctionwatch.engines import spark_detect as sd
from sanctionwatch.engines.embedded import detect as embedded_detect
from sanctionwatch.engines.embedded import load
from sanctionwatch.store.layout import Store

SEED = 3


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The smoke preset, simulated and ingested into a fresh store."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.simulate import run

    out = tmp_path_factory.mktemp("spark_smoke")
    run("smoke", out, seed=SEED, csv=False)
    ingest(Store(out / "store"), [str(out / "traffic.nmea")])
    return out / "store"


@pytest.fixture(scope="module")
def spark():
    """One local[2] session for the module, workers on this very interpreter."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    s = sp.session("local[2]")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def embedded(store) -> dict[int, tuple[pa.Table, dict]]:
    """The embedded engine's result with 1 and with 2 threads."""
    pos, rep = load(Store(store))
    return {n: embedded_detect(pos, rep, threads=n) for n in (1, 2)}


def test_spark_events_equal_embedded(spark, store, embedded) -> None:
    """Every column equal, row for row (ids, types, vessels, intervals, confidences, evidence).

    One vessel group = the embedded engine's single partition; the cell (encounter) and coverage stages
    are still shuffled over Spark partitions.
    """
    table, report = sd.detect(spark, str(store), spark_params=sd.SparkParams(vessel_groups=1))
    ref, ref_report = embedded[1]
    # the scenario exercises per-vessel, cell (encounter), coverage (gap) and report-based detectors
    assert {"port_call", "gap", "encounter", "identity_change", "spoofing"} <= set(ref_report["by_type"])
    assert table.num_rows == ref.num_rows > 40
    for col in ref.column_names:
        assert table[col].equals(ref[col]), col
    assert report["by_type"] == ref_report["by_type"]
    assert report["tracks"] == ref_report["tracks"]
    assert report["not_reported_explained"] == ref_report["not_reported_explained"]


def test_detect_spark_hash_partitioned_writes_same_events(spark, store, embedded, tmp_path) -> None:
    """Default layout (vessels hashed over Spark partitions), file:// URI in, another store out: the same
    ids, types, vessels and intervals as the embedded engine (2 threads)."""
    out = tmp_path / "out"
    report = sd.detect_spark(f"file://{store}", str(out))
    written = pq.read_table(out / "events" / "producer=maritime").sort_by("event_id")
    ref = embedded[2][0].sort_by("event_id")
    assert report["events"] == ref.num_rows
    for col in ("event_id", "type", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "port"):
        assert written[col].to_pylist() == ref[col].to_pylist(), col
    # the CLI: `sanctionwatch detect --engine spark --store URI` writes the same events into the store
    from typer.testing import CliRunner

    from sanctionwatch.cli.main import app

    r = CliRunner().invoke(app, ["detect", "--engine", "spark", "--store", f"file://{store}"])
    assert r.exit_code == 0, r.output
    cli = pq.read_table(store / "events" / "producer=maritime").sort_by("event_id")
    assert cli["event_id"].to_pylist() == ref["event_id"].to_pylist()


def test_missing_store_is_a_clear_error(spark, tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="no readable 'positions' table"):
        sd.detect(spark, str(tmp_path / "nowhere"))


def test_group_key_is_a_function_of_the_vessel() -> None:
    """Every vessel lands in exactly one of n groups, the same one whatever the batch it arrives in."""
    df = pl.DataFrame({"mmsi": pl.Series(list(range(100_000, 100_500)) * 2, dtype=pl.Int32)})
    keyed = pl.from_arrow(sd.group_key(df.to_arrow(), 3))
    per_vessel = keyed.group_by("mmsi").agg(pl.col("_grp").n_unique().alias("n"), pl.col("_grp").first())
    assert per_vessel["n"].max() == 1 and set(per_vessel["_grp"].to_list()) == {0, 1, 2}
    again = pl.from_arrow(sd.group_key(df.tail(7).to_arrow(), 3))
    assert again["_grp"].to_list() == keyed.tail(7)["_grp"].to_list()


def test_plain_arrow_gives_spark_types() -> None:
    """Dictionary columns decode and millisecond timestamps become microseconds (Spark rejects the others)."""
    t = pa.table({"s": pa.array(["a", "b"]).dictionary_encode(),
                  "ts": pa.array([0, 1], pa.timestamp("ms", "UTC"))})
    out = sp.plain_arrow(t)
    assert out.schema == pa.schema([("s", pa.string()), ("ts", pa.timestamp("us", "UTC"))])
    assert out["ts"].cast(pa.int64()).to_pylist() == [0, 1000]


def test_is_remote() -> None:
    assert sp.is_remote("s3a://bucket/store") and sp.is_remote("gs://b/s")
    assert not sp.is_remote("/data/store") and not sp.is_remote("file:///data/store")


def test_spark_screening_equals_embedded(spark, shared_data, tmp_path) -> None:
    """Screening the store's identities on Spark gives exactly the embedded matcher's hits."""
    from sanctionwatch.engines.spark_screen import screen
    from sanctionwatch.lists.index import build_index
    from sanctionwatch.lists.screen import screen_vessels
    from sanctionwatch.lists.sources import SOURCES, load_source

    lists = shared_data / "sanctions"
    os.environ["SANCTIONWATCH_LISTS_DIR"] = str(lists)
    index, _ = build_index([load_source(s, lists / s.local) for s in SOURCES.values() if s.default])
    reports = pa.table({"ts": pa.array([0, 1, 2, 3], pa.timestamp("ms", "UTC")),
                        "mmsi": pa.array([445539000, 367000140, 1, 445539000], pa.int32()),
                        "imo": pa.array([8937675, 7702774, None, 8937675], pa.int32()),
                        "name": ["TONG SAN 2", "SAMUEL I NEWHOUSE", "KUMUNSAN 3", "TONG SAN 2"],
                        "callsign": [None, "WYR3371", None, None]})
    day = tmp_path / "store" / "vessel_reports" / "day=1970-01-01"
    day.mkdir(parents=True)
    pq.write_table(reports, day / "r.parquet")
    hits = screen(spark, str(tmp_path / "store"), index)
    ref = screen_vessels(reports.select(["mmsi", "imo", "name", "callsign"]), index)
    # one row per (vessel, designation): TONG SAN 2's IMO, MMSI and name all agree, the IMO is the strongest
    tong_san = hits.filter(pl.col("mmsi") == 445539000)
    assert tong_san.height == tong_san["designation_id"].n_unique() == 1 and tong_san["field"].to_list() == ["imo"]
    assert hits.filter(pl.col("mmsi") == 367000140).is_empty()
    key = ["mmsi", "field", "entry_id", "matched_value"]
    assert hits.sort(key).to_dicts() == ref.select(hits.columns).sort(key).to_dicts()
    # the CLI's --engine spark gives the same rows as the embedded CLI
    import json

    from typer.testing import CliRunner

    from sanctionwatch.cli.main import app

    out = {}
    for engine in ("embedded", "spark"):
        r = CliRunner().invoke(app, ["screen", "--store", str(tmp_path / "store"), "--engine", engine, "-f", "json"])
        assert r.exit_code == 0, r.output
        out[engine] = sorted((m["mmsi"], m["field"], m["entry_id"]) for m in json.loads(r.stdout[r.stdout.index("["):]))
    assert out["spark"] == out["embedded"] and len(out["spark"]) == ref.height


def test_ingest_decoded_parquet(spark, store, tmp_path) -> None:
    """Decoded Parquet (the smoke store's positions plus 2 rows without MMSI) -> a new store: the same
    positions through the DuckDB views, the 2 bad rows quarantined and counted, not dropped."""
    from sanctionwatch.engines.spark_ingest import ingest_parquet

    src = pl.from_arrow(pq.read_table(store / "positions", partitioning=None)).with_columns(
        pl.col("source").cast(pl.String), pl.col("station").cast(pl.String), pl.col("ts_source").cast(pl.String))
    bad = src.head(2).with_columns(pl.lit(None, pl.Int32).alias("mmsi"))
    (tmp_path / "in").mkdir()
    pl.concat([src, bad]).write_parquet(tmp_path / "in" / "decoded.parquet")
    out = tmp_path / "new"
    report = ingest_parquet(spark, str(tmp_path / "in"), str(out))
    assert report["rows_in"] == src.height + 2
    assert report["rows_written"] == src.height and report["rows_quarantined"] == 2
    from sanctionwatch.store.duck import connect

    cols = ["ts", "mmsi", "lat", "lon", "sog", "source", "src_line"]
    got = pl.from_arrow(connect(Store(out)).sql(f"SELECT {', '.join(cols)} FROM positions").arrow())
    want = pl.from_arrow(connect(Store(store)).sql(f"SELECT {', '.join(cols)} FROM positions").arrow())
    assert got.sort(cols).equals(want.sort(cols))
    q = pl.read_parquet(out / "_quarantine" / "spark-positions" / "*.parquet")
    assert q.height == 2 and q["_reason"].to_list() == ["mmsi is null (or not castable)"] * 2
