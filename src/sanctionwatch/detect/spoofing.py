"""spoofing: fixes no ship could have reached from its main track (impossible jumps, one MMSI in two places)."""

from __future__ import annotations

import numpy as np
import polars as pl

from sanctionwatch.detect.evidence import event, point_rows, sample_idx
from sanctionwatch.detect.params import IdentityParams, SpoofingParams, TrackParams

KN_KMH = 1.852


def spoofing(track: pl.DataFrame, params: SpoofingParams = SpoofingParams(),
             track_params: TrackParams = TrackParams(), counter: dict | None = None) -> list[dict]:
    """One event per off-track segment (>= min_points fixes) from `build_tracks` output (all fixes, sorted).

    Off-track here is `build_tracks`' (unreachable at max_speed_kn) plus the pieces of the main track split off
    by the vessel's own speed (`own_speed_split`: a jump beyond what its reported SOG allows).
    A segment whose fixes lie on the vessel's own main track, only at other times (`_drop_time_shifted`), is a
    clock artefact (a feed stamping some sentences with a second clock), not spoofing: counted in `counter`
    as `spoofing_time_shifted` (segments) and `spoofing_time_shifted_samples` (file:line), no event."""
    if track.height == 0:
        return []
    on, seg, cap = own_speed_split(track, params, track_params)
    if on.all():
        return []
    if counter is not None and cap:
        counter["spoofing_own_speed_vessels"] = counter.get("spoofing_own_speed_vessels", 0) + len(cap)
    idx = np.arange(track.height)
    df = track.select("mmsi", "t", "lat", "lon").with_columns(pl.Series("seg", seg), pl.Series("on_track", on),
                                                              pl.Series("i", idx))
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
    mmsi, t, on50 = track["mmsi"].to_numpy(), track["t"].to_numpy(), track["on_track"].to_numpy()
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
        own = cap.get(int(mmsi[a])) if on50[a] else None  # on the 50 kn main track: split by its own speed
        conf = min(0.95, 0.6 + 0.05 * r["n"]) if not inter else 0.9
        if own is None:
            why = f"at <= {track_params.max_speed_kn} kn (+{track_params.noise_km} km noise)"
        else:
            kind += " for its own speed"
            conf *= 0.9
            why = (f"at <= {own[0]:.1f} kn ({params.own_speed_factor} x its fastest reported SOG {own[1]:.1f} kn "
                   f"(>= {params.own_speed_floor_kn}) + {params.own_speed_margin_kn} kn, +{track_params.noise_km} "
                   "km noise)")
        out.append(event("spoofing", int(mmsi[a]), int(t[a]), end, lat=lat[a], lon=lon[a], confidence=conf,
                         rule=f"{kind}: {r['n']} fixes unreachable from the main track {why}",
                         kind=kind, n_positions=r["n"], jump=jump, positions=ev,
                         own_speed=None if own is None else {"cap_kn": round(own[0], 1),
                                                             "fastest_sog_kn": round(own[1], 1)},
                         thresholds={"max_speed_kn": track_params.max_speed_kn, "noise_km": track_params.noise_km,
                                     "min_points": params.min_points, "own_speed_factor": params.own_speed_factor,
                                     "own_speed_margin_kn": params.own_speed_margin_kn}))
    return out


def own_speed_split(track: pl.DataFrame, params: SpoofingParams = SpoofingParams(),
                    track_params: TrackParams = TrackParams()) -> tuple[np.ndarray, np.ndarray, dict]:
    """(on_track, seg, caps): `build_tracks`' main track re-segmented at the vessel's own speed.

    Per vessel the cap is min(max_speed_kn, own_speed_factor x max(its fastest reported SOG on the main track,
    own_speed_floor_kn) + own_speed_margin_kn). Vessels with >= own_speed_min_sog_reports SOG reports (of them
    >= own_speed_min_underway_reports under way) and 1..own_speed_max_jumps main track steps beyond noise_km + cap x time (a vectorised pre-test; the rest keep their track) are segmented
    again, all their fixes (the real track may go on in a piece the 50 kn chain left off), with
    `tracks.segment_kernel` at that cap; the piece covering most 10-minute slots is the track (the same rule as
    the main track), the others are off it; their segment ids become negative (own-speed pieces). `caps`: mmsi -> (cap_kn,
    fastest SOG) of the re-segmented vessels."""
    from sanctionwatch.detect.tracks import segment_kernel, with_steps

    on = track["on_track"].to_numpy().copy()
    seg = track["seg"].to_numpy().copy()
    caps: dict[int, tuple[float, float]] = {}
    if "sog" not in track.columns or not on.any():
        return on, seg, caps
    main = with_steps(track.with_row_index("i").filter(pl.col("on_track")))
    sog = pl.col("sog").cast(pl.Float64)
    ok_sog = sog.is_not_null() & (sog >= 0) & (sog < 102.2)  # 102.3 kn = not available (ITU-R M.1371)
    top = sog.filter(ok_sog).max().over("mmsi")
    cap = pl.min_horizontal(pl.lit(track_params.max_speed_kn), params.own_speed_factor
                            * pl.max_horizontal(top, pl.lit(params.own_speed_floor_kn)) + params.own_speed_margin_kn)
    underway = ok_sog & (sog >= IdentityParams().handover_underway_kn)
    fast = (pl.col("dist_km") > track_params.noise_km + cap * KN_KMH * pl.col("dt_s") / 3600).fill_null(False)
    per = (main.with_columns(top.alias("top"), cap.alias("cap"), fast.alias("fast"), ok_sog.alias("ok"),
                             underway.alias("uw"))
           .group_by("mmsi").agg(pl.col("fast").sum().alias("jumps"), pl.col("ok").sum().alias("n_sog"),
                                 pl.col("uw").sum().alias("n_uw"), pl.col("top").first(), pl.col("cap").first())
           .filter((pl.col("n_sog") >= params.own_speed_min_sog_reports)
                   & (pl.col("n_uw") >= params.own_speed_min_underway_reports) & (pl.col("jumps") >= 1)
                   & (pl.col("jumps") <= params.own_speed_max_jumps)))
    if per.height == 0:
        return on, seg, caps
    next_id = -1
    every = track.select("mmsi", "t", "lat", "lon").with_row_index("i")
    for m, top_kn, cap_kn in per.select("mmsi", "top", "cap").iter_rows():  # rare vessels only
        v = every.filter(pl.col("mmsi") == m)  # all its fixes: the real track may continue off the 50 kn main
        sub = segment_kernel(v["mmsi"].to_numpy(), v["t"].to_numpy(), v["lat"].to_numpy(), v["lon"].to_numpy(),
                             cap_kn * KN_KMH, track_params.noise_km, track_params.max_segments)
        keep = (pl.DataFrame({"s": sub, "slot": v["t"].to_numpy() // 600_000})
                .group_by("s").agg(pl.col("slot").n_unique().alias("slots"), pl.len())
                .sort(["slots", "len", "s"], descending=[True, True, False])["s"][0])
        rows = v["i"].to_numpy()
        on[rows] = sub == keep
        for s_id in np.unique(sub):
            seg[rows[sub == s_id]] = next_id
            next_id -= 1
        caps[int(m)] = (float(cap_kn), float(top_kn))
    return on, seg, caps


def _drop_time_shifted(df: pl.DataFrame, segs: pl.DataFrame, params: SpoofingParams, counter: dict | None
                       ) -> pl.DataFrame:
    """Off-track segments minus those whose fixes (>= time_shift_min_share of them) lie within time_shift_km of
    a main-track fix of the same MMSI at most time_shift_max_h away in time: the ship was there, a little
    earlier or later (a timestamp artefact: duplicated or backward clocks), so the jump is in time, not in
    space. Cell join (no all-pairs loop)."""
    c = params.time_shift_km / 111.195 * 2  # cells at least the radius wide (up to ~60 deg latitude)
    cell = [(pl.col("lat") / c).floor().cast(pl.Int32).alias("cy"), (pl.col("lon") / c).floor().cast(pl.Int32)
            .alias("cx")]
    off = segs.select("mmsi", "seg", "piece", "rows").explode("rows").join(
        df.select(pl.col("i").alias("rows"), "t", "lat", "lon"), on="rows").with_columns(*cell)
    main = df.filter(pl.col("on_track")).select("mmsi", pl.col("t").alias("mt"), (pl.col("t") // 600_000).alias("slot"),
                                                pl.col("lat").alias("mlat"), pl.col("lon").alias("mlon"),
                                                *[e.alias(n) for e, n in zip(
                                                    [(pl.col("lat") / c).floor().cast(pl.Int32),
                                                     (pl.col("lon") / c).floor().cast(pl.Int32)], ("my", "mx"),
                                                    strict=True)]
                                                ).unique(["mmsi", "my", "mx", "slot"]).drop("slot")
    # (one main fix per cell and 10-minute slot: a berth's thousands of fixes do not multiply the join)
    offs = pl.DataFrame({"dy": [-1, -1, -1, 0, 0, 0, 1, 1, 1], "dx": [-1, 0, 1] * 3},
                        schema={"dy": pl.Int32, "dx": pl.Int32})
    q = off.join(offs, how="cross").with_columns((pl.col("cy") + pl.col("dy")).alias("my"),
                                                 (pl.col("cx") + pl.col("dx")).alias("mx"))
    hit = q.join(main, on=["mmsi", "my", "mx"]).filter(
        (pl.col("t") - pl.col("mt")).abs() <= params.time_shift_max_h * 3_600_000)
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
