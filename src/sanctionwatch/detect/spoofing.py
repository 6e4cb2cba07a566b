"""spoofing: fixes no ship could have reached from its main track (impossible jumps, one MMSI in two places)."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, point_rows, sample_idx
from sanctionwatch.detect.params import SpoofingParams, TrackParams


def spoofing(track: pl.DataFrame, params: SpoofingParams = SpoofingParams(),
             track_params: TrackParams = TrackParams(), counter: dict | None = None) -> list[dict]:
    """One event per off-track segment (>= min_points fixes) from `build_tracks` output (all fixes, sorted).

    A segment whose fixes lie on the vessel's own main track, only at other times (`_drop_time_shifted`), is a
    clock artefact (a feed stamping some sentences with a second clock), not spoofing: counted in `counter`
    as `spoofing_time_shifted` (segments) and `spoofing_time_shifted_samples` (file:line), no event."""
    if track.height == 0 or track["on_track"].all():
        return []
    idx = np.arange(track.height)
    df = track.select("mmsi", "t", "seg", "on_track", "lat", "lon").with_columns(pl.Series("i", idx))
    max_ms = track_params.max_silence_h * 3_600_000
    # an off-track chain is cut where it falls silent > max_silence_h, like the main track's segments
    segs = (df.filter(~pl.col("on_track"))
            .with_columns(((pl.col("t") - pl.col("t").shift(1)).over("mmsi", "seg") > max_ms).fill_null(False)
                          .cum_sum().over("mmsi", "seg").alias("piece"))
            .group_by("mmsi", "seg", "piece")
            .agg(pl.col("i").min().alias("a"), pl.col("i").max().alias("z"), pl.len().alias("n"),
                 pl.col("i").alias("rows"))
            .filter(pl.col("n") >= params.min_points).sort("a"))
    if segs.height == 0:
        return []
    segs = _drop_time_shifted(df, segs, params, counter)
    if segs.height == 0:
        return []
    mmsi, t, on = track["mmsi"].to_numpy(), track["t"].to_numpy(), track["on_track"].to_numpy()
    lat, lon = track["lat"].to_numpy(), track["lon"].to_numpy()
    on_idx = np.flatnonzero(on)
    keep, groups = [], []
    for r in segs.iter_rows(named=True):
        a, z, rows = r["a"], r["z"], r["rows"]
        # nearest main-track fix before the segment starts (same vessel)
        k = int(np.searchsorted(on_idx, a)) - 1
        prev = int(on_idx[k]) if k >= 0 and mmsi[on_idx[k]] == mmsi[a] else -1
        k2 = int(np.searchsorted(on_idx, z))
        nxt = int(on_idx[k2]) if k2 < on_idx.size and mmsi[on_idx[k2]] == mmsi[a] else -1
        interleaved = bool(on[a:z + 1].any())
        sel = [rows[i] for i in sample_idx(0, len(rows))]
        keep.append((r, prev, nxt, interleaved))
        groups.append(([prev] if prev >= 0 else []) + sel)
    pts = point_rows(track, groups)
    out = []
    from sanctionwatch.geo.distance import haversine_km

    for (r, prev, nxt, inter), ev in zip(keep, pts, strict=True):
        a, z = r["a"], r["z"]
        # ends when the main track is seen again, unless that is after a segment-breaking silence
        end = int(t[nxt]) if nxt >= 0 and t[z] < t[nxt] <= t[z] + max_ms else int(t[z]) + 1000
        jump = None
        if prev >= 0:
            d = float(haversine_km(lat[prev], lon[prev], lat[a], lon[a]))
            hrs = max((t[a] - t[prev]) / 3.6e6, 1e-6)
            jump = {"from": ev[0], "to": ev[1], "distance_km": round(d, 2), "hours": round(hrs, 4),
                    "implied_speed_kn": round(d / hrs / 1.852, 1)}
        kind = "one MMSI in two places" if inter else "impossible jump"
        out.append(event("spoofing", int(mmsi[a]), int(t[a]), end, lat=lat[a], lon=lon[a],
                         confidence=min(0.95, 0.6 + 0.05 * r["n"]) if not inter else 0.9,
                         rule=f"{kind}: {r['n']} fixes unreachable from the main track at <= "
                              f"{track_params.max_speed_kn} kn (+{track_params.noise_km} km noise)",
                         kind=kind, n_positions=r["n"], jump=jump, positions=ev,
                         thresholds={"max_speed_kn": track_params.max_speed_kn, "noise_km": track_params.noise_km,
                                     "min_points": params.min_points}))
    return out


def _drop_time_shifted(df: pl.DataFrame, segs: pl.DataFrame, params: SpoofingParams, counter: dict | None
                       ) -> pl.DataFrame:
    """Off-track segments minus those whose fixes (>= time_shift_min_share of them) lie within time_shift_km of
    a main-track fix of the same MMSI: the ship was there, at another time (a timestamp artefact: duplicated or
    backward clocks), so the jump is in time, not in space. Cell join (no all-pairs loop)."""
    c = params.time_shift_km / 111.195 * 2  # cells at least the radius wide (up to ~60 deg latitude)
    cell = [(pl.col("lat") / c).floor().cast(pl.Int32).alias("cy"), (pl.col("lon") / c).floor().cast(pl.Int32)
            .alias("cx")]
    off = segs.select("mmsi", "seg", "piece", "rows").explode("rows").join(
        df.select(pl.col("i").alias("rows"), "lat", "lon"), on="rows").with_columns(*cell)
    main = df.filter(pl.col("on_track")).select("mmsi", pl.col("lat").alias("mlat"), pl.col("lon").alias("mlon"),
                                                *[e.alias(n) for e, n in zip(
                                                    [(pl.col("lat") / c).floor().cast(pl.Int32),
                                                     (pl.col("lon") / c).floor().cast(pl.Int32)], ("my", "mx"),
                                                    strict=True)]).unique(["mmsi", "my", "mx", "mlat", "mlon"])
    offs = pl.DataFrame({"dy": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dx": [-1, 0, 1] * 3},
                        schema={"dy": pl.Int32, "dx": pl.Int32})
    q = off.join(offs, how="cross").with_columns((pl.col("cy") + pl.col("dy")).alias("my"),
                                                 (pl.col("cx") + pl.col("dx")).alias("mx"))
    hit = q.join(main, on=["mmsi", "my", "mx"])
    if hit.height == 0:
        return segs
    from sanctionwatch.geo.distance import haversine_km

    d = np.asarray(haversine_km(hit["lat"].to_numpy(), hit["lon"].to_numpy(), hit["mlat"].to_numpy(),
                                hit["mlon"].to_numpy()), float)
    near = (hit.with_columns(pl.Series("d", d)).filter(pl.col("d") <= params.time_shift_km)
            .select("mmsi", "seg", "piece", "rows").unique().group_by("mmsi", "seg", "piece").len("n_on"))
    segs = segs.join(near, on=["mmsi", "seg", "piece"], how="left").with_columns(pl.col("n_on").fill_null(0))
    shifted = pl.col("n_on") >= params.time_shift_min_share * pl.col("n")
    if counter is not None:
        bad = segs.filter(shifted)
        counter["spoofing_time_shifted"] = counter.get("spoofing_time_shifted", 0) + bad.height
        counter["spoofing_time_shifted_fixes"] = counter.get("spoofing_time_shifted_fixes", 0) + int(bad["n"].sum())
    return segs.filter(~shifted).drop("n_on")
