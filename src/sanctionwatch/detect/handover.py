"""identity_change by handover: one MMSI falls silent and another starts at the same spot right after.

An identity swapped at sea (a hull broadcasting another ship's MMSI, name and IMO) leaves no static-data
link between old and new; the track does. Segment ends are joined to segment starts of other MMSIs in
time buckets of the handover window (no all-pairs loop), then filtered by time and distance.
"""

from __future__ import annotations

import polars as pl

from sanctionwatch.detect.evidence import event
from sanctionwatch.detect.identity import flag_of
from sanctionwatch.detect.params import IdentityParams


def handovers(tracks: pl.DataFrame, params: IdentityParams = IdentityParams(), data_start_ms: int | None = None,
              data_end_ms: int | None = None) -> list[dict]:
    """Handover events from all fixes (build_tracks output: mmsi, t, seg, lat, lon, source, src_line)."""
    if tracks.height == 0:
        return []
    w = int(params.handover_max_min * 60_000)
    at = (pl.col("source").cast(pl.String) + ":" + pl.col("src_line").cast(pl.String)).alias("at")
    df = tracks.select("mmsi", "t", "seg", "lat", "lon", at)
    # silence boundaries within each physically possible track segment (a twin on a shared MMSI has its own):
    # an 'end' is a fix followed by > window of silence in its segment, a 'start' one preceded by it
    df = df.with_columns(  # input is sorted by (mmsi, t), so each (mmsi, seg) group is in time order
        (pl.col("t") - pl.col("t").shift(1).over("mmsi", "seg")).alias("before"),
        (pl.col("t").shift(-1).over("mmsi", "seg") - pl.col("t")).alias("after"))
    lo = data_start_ms if data_start_ms is not None else int(df["t"].min())
    hi = data_end_ms if data_end_ms is not None else int(df["t"].max())
    ends = df.filter((pl.col("after").is_null() | (pl.col("after") > w)) & (pl.col("t") < hi - w)).select(
        pl.col("mmsi").alias("old"), pl.col("t").alias("t1"), pl.col("lat").alias("lat1"),
        pl.col("lon").alias("lon1"), pl.col("at").alias("at1"), (pl.col("t") // w).alias("b"))
    starts = df.filter((pl.col("before").is_null() | (pl.col("before") > w)) & (pl.col("t") > lo + w)).select(
        pl.col("mmsi").alias("new"), pl.col("t").alias("t0"), pl.col("lat").alias("lat0"),
        pl.col("lon").alias("lon0"), pl.col("at").alias("at0"), (pl.col("t") // w).alias("b0"))
    if ends.height == 0 or starts.height == 0:
        return []
    cand = pl.concat([starts.with_columns((pl.col("b0") - k).alias("b")) for k in (0, 1)]).join(ends, on="b")
    cand = cand.filter((pl.col("old") != pl.col("new")) & (pl.col("t0") >= pl.col("t1"))
                       & (pl.col("t0") - pl.col("t1") <= w))
    if cand.height == 0:
        return []
    from sanctionwatch.geo.distance import haversine_km

    d = haversine_km(cand["lat1"].to_numpy(), cand["lon1"].to_numpy(), cand["lat0"].to_numpy(), cand["lon0"].to_numpy())
    cand = cand.with_columns(pl.Series("km", d)).filter(pl.col("km") <= params.handover_max_km)
    # each start takes its closest end, each end its closest start
    cand = cand.sort("km").unique(["new", "t0"], keep="first").unique(["old", "t1"], keep="first").sort("t1")
    out = []
    for r in cand.iter_rows(named=True):
        mins = (r["t0"] - r["t1"]) / 60_000
        of, nf = flag_of(r["old"]), flag_of(r["new"])
        out.append(event("identity_change", int(r["old"]), int(r["t1"]), int(r["t0"]), other_mmsi=int(r["new"]),
                         lat=r["lat1"], lon=r["lon1"], country=nf, confidence=0.7,
                         rule=f"handover: MMSI {r['old']} fell silent and MMSI {r['new']} started {mins:.1f} min later "
                              f"{r['km']:.2f} km away (<= {params.handover_max_min} min, <= {params.handover_max_km} km)",
                         scope="track", changes={"mmsi": {"old": str(r["old"]), "new": str(r["new"])},
                                                 **({"flag": {"old": of, "new": nf, "from": "MMSI MID (ITU table)"}}
                                                    if of != nf else {})},
                         last_old={"ts_ms": r["t1"], "lat": r["lat1"], "lon": r["lon1"], "at": r["at1"]},
                         first_new={"ts_ms": r["t0"], "lat": r["lat0"], "lon": r["lon0"], "at": r["at0"]},
                         distance_km=round(float(r["km"]), 3), minutes=round(mins, 1),
                         thresholds={"handover_max_min": params.handover_max_min,
                                     "handover_max_km": params.handover_max_km}))
    return out


