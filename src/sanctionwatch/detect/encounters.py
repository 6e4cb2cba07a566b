"""encounter: two vessels within 0.5 km for >= 2 h, both median < 2 kn, > 10 km from port (GFW definition).

No all-pairs loop: fixes are averaged into 10-minute buckets per vessel, keyed by a ~1 km grid cell
(lon width widened with latitude so a cell is never narrower than its height), and every bucket is also
replicated into its 8 neighbour cells (`halo`). `pair_candidates` joins own rows with halo rows of the
same (bucket, cell): it can run on any partition of cells/buckets (Spark: groupBy(cell keys)) and finds
each close pair exactly once (lower MMSI on the own side). `encounter_events` then joins buckets into runs.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, point_rows
from sanctionwatch.detect.near import near_any_port
from sanctionwatch.detect.params import EncounterParams

CELL_DEG = 0.01  # ~1.1 km of latitude: >= 2 x max_distance_km, so the 3x3 neighbourhood always suffices
MIN_MS = 60_000


def buckets(track: pl.DataFrame, ports: pl.DataFrame, params: EncounterParams = EncounterParams()) -> pl.DataFrame:
    """Per vessel and time bucket: mean position/speed, first/last fix (row index `i` of `track`), slow and off-port only."""
    bms = params.bucket_min * MIN_MS
    b = (track.lazy().with_row_index("i").with_columns((pl.col("t") // bms).alias("bucket"))
         .group_by("mmsi", "bucket")
         .agg(pl.col("lat").mean(), pl.col("lon").mean(), pl.col("spd").mean().alias("sog"),
              pl.col("t").min().alias("t0"), pl.col("t").max().alias("t1"), pl.col("i").min().alias("i0"),
              pl.col("i").max().alias("i1"))
         .filter(pl.col("sog") <= params.prefilter_speed_kn).collect())
    if b.height == 0:
        return b
    near = near_any_port(b["lat"].to_numpy(), b["lon"].to_numpy(), ports, params.min_port_distance_km, edge=True)
    return b.filter(pl.Series(~near))


def _row_cells(row: pl.Expr) -> pl.Expr:
    """Number of longitude cells in grid row `row`: as many as fit with width >= CELL_DEG / cos(poleward edge),
    so a cell is never narrower than ~1.1 km and the cells tile 360 deg exactly (no sliver at the dateline)."""
    edge = pl.max_horizontal((row * CELL_DEG).abs(), ((row + 1) * CELL_DEG).abs()).clip(upper_bound=89.9)
    return (360.0 / (CELL_DEG / (edge * np.pi / 180).cos())).floor().clip(lower_bound=1).cast(pl.Int64)


def _col(lon: pl.Expr, row: pl.Expr) -> pl.Expr:
    """Grid column of a longitude in row `row`, wrapped at the dateline."""
    n = _row_cells(row)
    return ((lon + 180.0) / (360.0 / n)).floor().cast(pl.Int64) % n


def keyed(b: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(own, halo): own rows keyed by their cell; halo rows replicated into the 8 neighbours (and own cell)."""
    own = b.with_columns((pl.col("lat") / CELL_DEG).floor().cast(pl.Int64).alias("cy")).with_columns(
        _col(pl.col("lon"), pl.col("cy")).alias("cx"))
    offs = pl.DataFrame({"dy": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dx": [-1, 0, 1] * 3},
                        schema={"dy": pl.Int64, "dx": pl.Int64})
    halo = own.drop("cx").join(offs, how="cross").with_columns((pl.col("cy") + pl.col("dy")).alias("cy"))
    halo = halo.with_columns(_col(pl.col("lon"), pl.col("cy")).alias("cx0")).with_columns(
        (pl.col("cx0") + pl.col("dx")).alias("cx")).drop("dy", "dx", "cx0")
    # wrap neighbour columns at the dateline
    halo = halo.with_columns(pl.col("cx") % _row_cells(pl.col("cy")))
    return own, halo


def pair_candidates(own: pl.DataFrame, halo: pl.DataFrame, params: EncounterParams = EncounterParams()
                    ) -> pl.DataFrame:
    """Close pairs per bucket within one partition: a (own, lower MMSI) and b (halo) within max_distance_km."""
    j = own.join(halo, on=["bucket", "cy", "cx"], suffix="_b").filter(pl.col("mmsi") < pl.col("mmsi_b"))
    if j.height == 0:
        return pl.DataFrame(schema={"a": pl.Int32, "b": pl.Int32, "bucket": pl.Int64, "dist_km": pl.Float64})
    from sanctionwatch.geo.distance import haversine_km

    d = haversine_km(j["lat"].to_numpy(), j["lon"].to_numpy(), j["lat_b"].to_numpy(), j["lon_b"].to_numpy())
    j = j.with_columns(pl.Series("dist_km", d)).filter(pl.col("dist_km") <= params.max_distance_km)
    return j.select(pl.col("mmsi").alias("a"), pl.col("mmsi_b").alias("b"), "bucket", "dist_km",
                    pl.col("lat"), pl.col("lon"), pl.col("sog").alias("sog_a"), pl.col("sog_b"),
                    pl.min_horizontal("t0", "t0_b").alias("t0"), pl.max_horizontal("t1", "t1_b").alias("t1"),
                    pl.col("i0").alias("ia"), pl.col("i0_b").alias("ib")).unique(["a", "b", "bucket"])


def encounter_events(pairs: pl.DataFrame, track: pl.DataFrame, params: EncounterParams = EncounterParams()
                     ) -> list[dict]:
    """Join per-bucket close pairs into runs; keep runs >= min_duration_h with both median speeds < threshold."""
    if pairs.height == 0:
        return []
    gap_b = max(1, params.max_bucket_gap_min // params.bucket_min)
    p = pairs.sort("a", "b", "bucket").with_columns(
        ((pl.col("a") != pl.col("a").shift(1)) | (pl.col("b") != pl.col("b").shift(1))
         | (pl.col("bucket") - pl.col("bucket").shift(1) > gap_b)).fill_null(True).cum_sum().alias("run"))
    runs = (p.group_by("run").agg(pl.first("a"), pl.first("b"), pl.col("t0").min(), pl.col("t1").max(),
                                  pl.col("sog_a").median().alias("med_a"), pl.col("sog_b").median().alias("med_b"),
                                  pl.col("dist_km").median().alias("med_dist"), pl.col("dist_km").max().alias("max_dist"),
                                  pl.col("lat").median(), pl.col("lon").median(), pl.len().alias("n_buckets"),
                                  pl.col("ia"), pl.col("ib"))
            .with_columns(((pl.col("t1") - pl.col("t0")) / 3.6e6).alias("hours"))
            .filter((pl.col("hours") >= params.min_duration_h) & (pl.col("med_a") < params.max_median_speed_kn)
                    & (pl.col("med_b") < params.max_median_speed_kn)).sort("a", "t0"))
    groups = []
    for r in runs.iter_rows(named=True):
        ia, ib = r["ia"], r["ib"]
        sel = sorted(set(np.linspace(0, len(ia) - 1, min(len(ia), 6)).round().astype(int).tolist()))
        groups.append([ia[k] for k in sel] + [ib[k] for k in sel])
    pts = point_rows(track, groups)
    out = []
    for r, ev in zip(runs.iter_rows(named=True), pts, strict=True):
        half = len(ev) // 2
        out.append(event("encounter", int(r["a"]), int(r["t0"]), int(r["t1"]) + 1000, other_mmsi=int(r["b"]),
                         lat=r["lat"], lon=r["lon"], confidence=min(0.95, 0.7 + 0.05 * r["hours"]),
                         rule=f"within {params.max_distance_km} km for {r['hours']:.1f} h (>= {params.min_duration_h} h),"
                              f" median speeds {r['med_a']:.1f}/{r['med_b']:.1f} kn (< {params.max_median_speed_kn}),"
                              f" > {params.min_port_distance_km} km from port",
                         hours=round(r["hours"], 2), n_buckets=r["n_buckets"],
                         median_distance_km=round(r["med_dist"], 3), max_distance_km=round(r["max_dist"], 3),
                         median_speed_kn={"a": round(r["med_a"], 2), "b": round(r["med_b"], 2)},
                         positions_a=ev[:half], positions_b=ev[half:],
                         thresholds={"max_distance_km": params.max_distance_km,
                                     "min_duration_h": params.min_duration_h,
                                     "max_median_speed_kn": params.max_median_speed_kn,
                                     "min_port_distance_km": params.min_port_distance_km,
                                     "bucket_min": params.bucket_min, "max_bucket_gap_min": params.max_bucket_gap_min}))
    return out


def encounters(track: pl.DataFrame, ports: pl.DataFrame, params: EncounterParams = EncounterParams()) -> list[dict]:
    """All encounters among the vessels of `track` (main-track fixes of every vessel, sorted by mmsi, t)."""
    b = buckets(track, ports, params)
    if b.height == 0:
        return []
    own, halo = keyed(b)
    return encounter_events(pair_candidates(own, halo, params), track, params)
