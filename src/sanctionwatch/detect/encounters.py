"""encounter: two vessels within 0.5 km for >= 2 h, both median < 2 kn, > 10 km from port (GFW definition).

Tracks are first put on a 10-minute grid per vessel (`detect/resample.py`, as GFW resamples to 10 min):
steps holding fixes are observed (mean of the fixes), empty steps inside a segment silence of at most
`max_interp_gap_h` are interpolated. So two ships reporting every 20-90 min (satellite AIS) are still
compared at the same instant. No all-pairs loop: every step is keyed by a ~1 km grid cell (lon width
widened with latitude so a cell is never narrower than its height) and replicated into those of its 8
neighbour cells a partner within 0.5 km could lie in (`halo`). `pair_candidates` joins own rows with halo
rows of the same (bucket, cell): it can run on any partition of cells/buckets (Spark: groupBy(cell keys))
and finds each close pair exactly once (lower MMSI on the own side). The embedded engine first drops steps
that no other vessel comes near (`crowded`, an exact pre-pass on 0.1 deg cells). `encounter_events` then
joins steps into runs and keeps a run only when each vessel has at least `min_observed_points` observed
steps in it: interpolation fills between sightings, it never makes an encounter on its own. Evidence
counts observed vs interpolated steps per vessel, the longest silence bridged, and `partner_dark` (one
vessel silent >= `dark_partner_min_h` right before or after while the other kept reporting).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, point_rows
from sanctionwatch.detect.near import near_any_port
from sanctionwatch.detect.params import EncounterParams
from sanctionwatch.detect.resample import grid
from sanctionwatch.geo.distance import lon_median

CELL_DEG = 0.01  # ~1.1 km of latitude: >= 2 x max_distance_km, so the 3x3 neighbourhood always suffices
KM_PER_DEG = 111.195  # km per degree of latitude (mean Earth radius 6371 km)
COARSE_DEG = 0.1  # crowding pre-pass cells (~11 km): a step is replicated into a neighbour only near its edge
MIN_MS = 60_000
HOUR_MS = 3_600_000


def buckets(track: pl.DataFrame, ports: pl.DataFrame, params: EncounterParams = EncounterParams()) -> pl.DataFrame:
    """Per vessel and 10-min step (observed or interpolated, `resample.grid`): position, speed, first/last fix
    time, fix rows `i0`/`i1` of `track`, `obs`, fix before/after; slow and off-port steps only."""
    b = grid(track, params, params.prefilter_speed_kn).filter(pl.col("sog") <= params.prefilter_speed_kn)
    if b.height == 0:
        return b
    near = near_any_port(b["lat"].to_numpy(), b["lon"].to_numpy(), ports, params.min_port_distance_km, edge=True)
    return b.filter(pl.Series(~near))


def _row_cells(row: np.ndarray, cell_deg: float = CELL_DEG) -> np.ndarray:
    """Number of longitude cells in grid row `row`: as many as fit with width >= cell_deg / cos(poleward edge),
    so a cell is never narrower than its height (~1.1 km for CELL_DEG) and the cells tile 360 deg exactly
    (no sliver at the dateline)."""
    edge = np.minimum(np.maximum(np.abs(row * cell_deg), np.abs((row + 1) * cell_deg)), 89.9)
    return np.maximum(np.floor(360.0 / (cell_deg / np.cos(np.radians(edge)))), 1).astype(np.int64)


def _cells(lat: np.ndarray, lon: np.ndarray, cell_deg: float, max_km: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(cy, cx) of each point, and (row index, cy, cx) of every cell - its own and those of the 8 neighbours -
    that a point within `max_km` of it could lie in (a conservative bound: latitude gap x 111.195 km, or
    longitude gap x km per degree at the most poleward latitude in reach, less 5 %)."""
    cy = np.floor(lat / cell_deg).astype(np.int64)
    reach = max_km * 1.05 + 1e-3
    km_lon = KM_PER_DEG * np.cos(np.radians(np.minimum(np.abs(lat) + reach / KM_PER_DEG + cell_deg, 89.99)))
    idx, hy, hx = [], [], []
    own_cx = np.zeros(lat.size, np.int64)
    for dy in (-1, 0, 1):
        row = cy + dy
        gap = {-1: lat - cy * cell_deg, 0: np.zeros(lat.size), 1: (cy + 1) * cell_deg - lat}[dy] * KM_PER_DEG
        n = _row_cells(row, cell_deg)
        w = 360.0 / n
        x = (lon + 180.0) / w
        c0 = np.floor(x)
        frac = x - c0
        c0 = c0.astype(np.int64)
        if dy == 0:
            own_cx = c0 % n
        for dx, ok in ((-1, frac * w * km_lon <= reach), (0, True), (1, (1 - frac) * w * km_lon <= reach)):
            sel = np.flatnonzero((gap <= reach) & ok)
            idx.append(sel)
            hy.append(row[sel])
            hx.append((c0[sel] + dx) % n[sel])
    return cy, own_cx, np.concatenate(idx), np.concatenate(hy), np.concatenate(hx)


def keyed(b: pl.DataFrame, max_km: float = EncounterParams().max_distance_km) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(own, halo): own rows keyed by their cell; halo rows replicated into their own cell and those of the 8
    neighbours that a point within `max_km` could lie in (`_cells`), so ~3.6 rows per step instead of 9 and
    still every pair within `max_km` meets in one cell (tested against brute force)."""
    b = b.rechunk()  # a gather over a chunked frame (concat of observed + interpolated steps) is ~8x slower
    cy, cx, idx, hy, hx = _cells(b["lat"].to_numpy(), b["lon"].to_numpy(), CELL_DEG, max_km)
    own = b.with_columns(pl.Series("cy", cy), pl.Series("cx", cx))
    halo = b[idx].with_columns(pl.Series("cy", hy), pl.Series("cx", hx))
    return own, halo


def crowded(b: pl.DataFrame, max_km: float = EncounterParams().max_distance_km) -> pl.DataFrame:
    """The steps that could have a partner: another vessel registered in the same (bucket, 0.1 deg cell), where
    every step registers in its own coarse cell and the neighbours within reach (`_cells`, ~1.2 per step).
    Exact (two steps within max_km share a registration: the other's own cell), and a group-by is far cheaper
    than the fine halo join, so isolated slow vessels (most of a satellite feed's drifters) skip that join.
    Needs all vessels at once: the embedded engine uses it; Spark partitions the fine join instead."""
    if b.height == 0:
        return b
    b = b.rechunk()
    _, _, idx, hy, hx = _cells(b["lat"].to_numpy(), b["lon"].to_numpy(), COARSE_DEG, max_km)
    key = b["bucket"].to_numpy()[idx] * (1 << 30) + (hy + 901) * 3_602 + hx  # rows < 1802, cells < 3601
    reg = pl.DataFrame({"k": key, "mmsi": b["mmsi"].to_numpy()[idx], "i": idx})
    busy = reg.group_by("k").agg(pl.col("mmsi").n_unique().alias("n")).filter(pl.col("n") > 1)
    keep = reg.join(busy.select("k"), on="k", how="semi")["i"].unique().sort()
    return b[keep.to_numpy()]


PAIR_SCHEMA = {"a": pl.Int32, "b": pl.Int32, "bucket": pl.Int64, "dist_km": pl.Float64, "lat": pl.Float64,
               "lon": pl.Float64, "sog_a": pl.Float64, "sog_b": pl.Float64, "t0": pl.Int64, "t1": pl.Int64,
               "ia": pl.Int64, "ib": pl.Int64, "obs_a": pl.Boolean, "obs_b": pl.Boolean, "prev_a": pl.Int64,
               "next_a": pl.Int64, "prev_b": pl.Int64, "next_b": pl.Int64}


def pair_candidates(own: pl.DataFrame, halo: pl.DataFrame, params: EncounterParams = EncounterParams()
                    ) -> pl.DataFrame:
    """Close pairs per bucket within one partition: a (own, lower MMSI) and b (halo) within max_distance_km."""
    # (bucket, cy, cx) packed into one Int64 (cy + 9001 < 18002 rows x < 36002 columns < 2^30): a one-column
    # hash join is several times faster than a three-column one
    key = pl.col("bucket") * (1 << 30) + (pl.col("cy") + 9001) * 36_002 + pl.col("cx")
    cols = ["mmsi", "lat", "lon", "sog", "t0", "t1", "i0", "obs", "prev_t", "next_t"]
    j = (own.select(key.alias("_k"), "bucket", *cols)
         .join(halo.select(key.alias("_k"), *cols), on="_k", suffix="_b")
         .filter(pl.col("mmsi") < pl.col("mmsi_b")))
    if j.height == 0:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    from sanctionwatch.geo.distance import haversine_km

    d = haversine_km(j["lat"].to_numpy(), j["lon"].to_numpy(), j["lat_b"].to_numpy(), j["lon_b"].to_numpy())
    j = j.with_columns(pl.Series("dist_km", d)).filter(pl.col("dist_km") <= params.max_distance_km)
    return j.select(pl.col("mmsi").alias("a"), pl.col("mmsi_b").alias("b"), "bucket", "dist_km",
                    pl.col("lat"), pl.col("lon"), pl.col("sog").alias("sog_a"), pl.col("sog_b"),
                    pl.min_horizontal("t0", "t0_b").alias("t0"), pl.max_horizontal("t1", "t1_b").alias("t1"),
                    pl.col("i0").alias("ia"), pl.col("i0_b").alias("ib"), pl.col("obs").alias("obs_a"),
                    pl.col("obs_b"), pl.col("prev_t").alias("prev_a"), pl.col("next_t").alias("next_a"),
                    pl.col("prev_t_b").alias("prev_b"), pl.col("next_t_b").alias("next_b")
                    ).unique(["a", "b", "bucket"]).cast(PAIR_SCHEMA)  # type: ignore[arg-type]


def _bridged(obs: str, prev: str, nxt: str) -> pl.Expr:
    """Longest silence (ms) bridged by the interpolated steps of one side of a run (0 when none)."""
    return (pl.col(nxt) - pl.col(prev)).filter(~pl.col(obs)).max().fill_null(0)


def _dark(r: dict, params: EncounterParams) -> list[dict]:
    """`partner_dark`: a vessel silent >= dark_partner_min_h right before/after the run while the other reported."""
    out = []
    dark, near = params.dark_partner_min_h * HOUR_MS, params.max_interp_gap_h * HOUR_MS
    for x, y in (("a", "b"), ("b", "a")):
        px, py = r[f"first_prev_{x}"], r[f"first_prev_{y}"]
        if px is not None and py is not None and r["t0"] - px >= dark and r["t0"] - py <= near:
            out.append({"mmsi": int(r[x]), "side": "before", "silent_h": round((r["t0"] - px) / HOUR_MS, 2)})
        nx, ny = r[f"last_next_{x}"], r[f"last_next_{y}"]
        if nx is not None and ny is not None and nx - r["t1"] >= dark and ny - r["t1"] <= near:
            out.append({"mmsi": int(r[x]), "side": "after", "silent_h": round((nx - r["t1"]) / HOUR_MS, 2)})
    return out


def encounter_events(pairs: pl.DataFrame, track: pl.DataFrame, params: EncounterParams = EncounterParams()
                     ) -> list[dict]:
    """Join per-bucket close pairs into runs; keep runs >= min_duration_h with both median speeds < threshold
    and at least min_observed_points observed steps of each vessel."""
    if pairs.height == 0:
        return []
    gap_b = max(1, params.max_bucket_gap_min // params.bucket_min)
    p = pairs.sort("a", "b", "bucket").with_columns(
        ((pl.col("a") != pl.col("a").shift(1)) | (pl.col("b") != pl.col("b").shift(1))
         | (pl.col("bucket") - pl.col("bucket").shift(1) > gap_b)).fill_null(True).cum_sum().alias("run"))
    runs = (p.group_by("run", maintain_order=True)
            .agg(pl.first("a"), pl.first("b"), pl.col("t0").min(), pl.col("t1").max(),
                 pl.col("sog_a").median().alias("med_a"), pl.col("sog_b").median().alias("med_b"),
                 pl.col("dist_km").median().alias("med_dist"), pl.col("dist_km").max().alias("max_dist"),
                 pl.col("lat").median(), lon_median("lon"), pl.len().alias("n_buckets"),
                 pl.col("obs_a").sum().alias("n_obs_a"), pl.col("obs_b").sum().alias("n_obs_b"),
                 _bridged("obs_a", "prev_a", "next_a").alias("bridged_a"),
                 _bridged("obs_b", "prev_b", "next_b").alias("bridged_b"),
                 pl.col("prev_a").first().alias("first_prev_a"), pl.col("prev_b").first().alias("first_prev_b"),
                 pl.col("next_a").last().alias("last_next_a"), pl.col("next_b").last().alias("last_next_b"),
                 pl.col("ia").filter(pl.col("obs_a")).alias("ia_obs"),
                 pl.col("ib").filter(pl.col("obs_b")).alias("ib_obs"), pl.col("ia"), pl.col("ib"))
            .with_columns(((pl.col("t1") - pl.col("t0")) / 3.6e6).alias("hours"))
            .filter((pl.col("hours") >= params.min_duration_h) & (pl.col("med_a") < params.max_median_speed_kn)
                    & (pl.col("med_b") < params.max_median_speed_kn)
                    & (pl.col("n_obs_a") >= params.min_observed_points)
                    & (pl.col("n_obs_b") >= params.min_observed_points)).sort("a", "t0"))
    groups = []
    for r in runs.iter_rows(named=True):
        ia = sorted(set(r["ia_obs"] or r["ia"]))
        ib = sorted(set(r["ib_obs"] or r["ib"]))
        sa = sorted(set(np.linspace(0, len(ia) - 1, min(len(ia), 6)).round().astype(int).tolist()))
        sb = sorted(set(np.linspace(0, len(ib) - 1, min(len(ib), 6)).round().astype(int).tolist()))
        groups.append(([ia[j] for j in sa], [ib[j] for j in sb]))
    pts = point_rows(track, [ga + gb for ga, gb in groups])
    out = []
    for r, (ga, _), ev in zip(runs.iter_rows(named=True), groups, pts, strict=True):
        n = r["n_buckets"]
        share = (r["n_obs_a"] + r["n_obs_b"]) / (2 * n)
        longest = max(r["bridged_a"], r["bridged_b"]) / MIN_MS
        dark = _dark(r, params)
        why = (f"within {params.max_distance_km} km for {r['hours']:.1f} h (>= {params.min_duration_h} h),"
               f" median speeds {r['med_a']:.1f}/{r['med_b']:.1f} kn (< {params.max_median_speed_kn}),"
               f" > {params.min_port_distance_km} km from port; {r['n_obs_a']}/{r['n_obs_b']} of {n} 10-min steps"
               f" observed")
        if longest:
            why += f", silences up to {longest:.0f} min interpolated"
        for d in dark:
            why += f"; {d['mmsi']} silent {d['silent_h']:.1f} h {d['side']} it while the other kept reporting"
        out.append(event("encounter", int(r["a"]), int(r["t0"]), int(r["t1"]) + 1000, other_mmsi=int(r["b"]),
                         lat=r["lat"], lon=r["lon"], confidence=min(0.95, 0.7 + 0.05 * r["hours"]) * (0.8 + 0.2 * share),
                         rule=why, hours=round(r["hours"], 2), n_buckets=n,
                         grid_points={"a": {"observed": r["n_obs_a"], "interpolated": n - r["n_obs_a"]},
                                      "b": {"observed": r["n_obs_b"], "interpolated": n - r["n_obs_b"]}},
                         longest_interpolated_min=round(longest, 1), partner_dark=dark,
                         median_distance_km=round(r["med_dist"], 3), max_distance_km=round(r["max_dist"], 3),
                         median_speed_kn={"a": round(r["med_a"], 2), "b": round(r["med_b"], 2)},
                         positions_a=ev[:len(ga)], positions_b=ev[len(ga):],
                         thresholds={"max_distance_km": params.max_distance_km,
                                     "min_duration_h": params.min_duration_h,
                                     "max_median_speed_kn": params.max_median_speed_kn,
                                     "min_port_distance_km": params.min_port_distance_km,
                                     "bucket_min": params.bucket_min, "max_bucket_gap_min": params.max_bucket_gap_min,
                                     "max_interp_gap_h": params.max_interp_gap_h,
                                     "min_observed_points": params.min_observed_points,
                                     "dark_partner_min_h": params.dark_partner_min_h}))
    return out


def encounters(track: pl.DataFrame, ports: pl.DataFrame, params: EncounterParams = EncounterParams()) -> list[dict]:
    """All encounters among the vessels of `track` (main-track fixes of every vessel, sorted by mmsi, t)."""
    b = crowded(buckets(track, ports, params), params.max_distance_km)
    if b.height == 0:
        return []
    own, halo = keyed(b, params.max_distance_km)
    return encounter_events(pair_candidates(own, halo, params), track, params)
