#!/usr/bin/env python
"""Build the shipped ship-name frequency table from real AIS traffic and the listed vessel names.

Every real AIS file in ../shared/data/ais (raw NMEA, DMA/AMSA/exactEarth feeds, MarineCadastre and satellite CSV,
the Digitraffic Baltic snapshot) is ingested into a temporary store; each distinct (MMSI, name) of
vessel_reports counts once. Every name, alias and former name of every listed Vessel in the default lists
counts once per designation. Names are counted by their folded spaceless key (lists/normalize.py), words by
their folded form. Writes src/sanctionwatch/data/namefreq/name_frequency.csv.gz (deterministic gzip) that
`sanctionwatch.lists.namefreq` reads; the product never reads ../shared.

    .venv/bin/python scripts/build_name_frequency.py [--ais ../shared/data/ais] [--lists ../shared/data/sanctions]
"""

from __future__ import annotations

import argparse
import gzip
import io
import tempfile
from pathlib import Path

import polars as pl

from sanctionwatch.lists.index import build_index
from sanctionwatch.lists.namefreq import TABLE, word_keys
from sanctionwatch.lists.normalize import name_forms
from sanctionwatch.lists.sources import SOURCES, load_source

OUT = Path(__file__).resolve().parents[1] / "src" / "sanctionwatch" / "data" / "namefreq"


def traffic_names(ais: Path) -> pl.DataFrame:
    """Distinct (mmsi, name) sent in every AIS file of `ais` (ingested with the product's own readers)."""
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.store import Store, connect

    with tempfile.TemporaryDirectory() as tmp:
        st = Store(Path(tmp) / "store")
        ingest(st, sorted(str(p) for p in ais.iterdir() if p.is_file() and p.name != "PROVENANCE.md"))
        con = connect(st)
        df = con.execute("SELECT DISTINCT mmsi, name FROM vessel_reports WHERE name IS NOT NULL").pl()
        con.close()
    return df


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ais", type=Path, default=Path("../shared/data/ais"))
    ap.add_argument("--lists", type=Path, default=Path("../shared/data/sanctions"))
    args = ap.parse_args()
    ais = traffic_names(args.ais)
    ais = pl.concat([ais, name_forms(ais["name"])], how="horizontal").filter(pl.col("fold") != "")
    index, _ = build_index([load_source(s, args.lists / s.local) for s in SOURCES.values() if s.default])
    lst = index.names.filter(pl.col("schema") == "Vessel").join(
        index.entries.select("entry_id", "designation_id"), on="entry_id").filter(pl.col("fold") != "")
    names = pl.concat([
        ais.group_by("fold").agg(pl.col("mmsi").n_unique().cast(pl.Int64).alias("n_vessels"), pl.col("norm").first()),
        lst.group_by("fold").agg(pl.lit(0, dtype=pl.Int64).alias("n_vessels"), pl.col("norm").first()),
    ]).group_by("fold").agg(pl.col("n_vessels").max(), pl.col("norm").first())
    names = names.join(lst.group_by("fold").agg(pl.col("designation_id").n_unique().cast(pl.Int64).alias("n_designations")),
                       on="fold", how="left").with_columns(pl.col("n_designations").fill_null(0))
    words = names.select("fold", word_keys(pl.col("norm")).alias("word")).explode("word").filter(
        pl.col("word") != "").group_by("word").agg(pl.col("fold").n_unique().cast(pl.Int64).alias("n_names"))
    rows = pl.concat([
        names.select(pl.lit("name").alias("kind"), pl.col("fold").alias("key"), "n_vessels", "n_designations",
                     pl.lit(None, dtype=pl.Int64).alias("n_names")),
        words.select(pl.lit("word").alias("kind"), pl.col("word").alias("key"), pl.lit(None, dtype=pl.Int64)
                     .alias("n_vessels"), pl.lit(None, dtype=pl.Int64).alias("n_designations"), "n_names"),
    ]).with_columns(pl.col("n_vessels", "n_designations").cast(pl.Int64)).sort("kind", "key")
    buf = io.StringIO()
    buf.write("# Ship-name frequency table; built by scripts/build_name_frequency.py (see lists/namefreq.py)\n")
    buf.write(f"# sources: every real AIS file in ../shared/data/ais ({ais['mmsi'].n_unique()} MMSIs, "
              f"{ais['fold'].n_unique()} distinct names) + listed vessel names of the default lists "
              f"({lst['designation_id'].n_unique()} designations, {lst['fold'].n_unique()} names)\n")
    buf.write(f"# total_names={names.height}\n")
    rows.write_csv(buf)
    OUT.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    (OUT / TABLE).write_bytes(data)
    print(f"wrote {OUT / TABLE}: {names.height} names, {words.height} words, {len(data):,} bytes")


if __name__ == "__main__":
    main()
