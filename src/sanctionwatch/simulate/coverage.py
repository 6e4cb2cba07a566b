"""Coverage regimes: which of the reports a vessel sends are received (CoverageParams in params.py).

`dense` receives everything (shore network). `satellite` hears each vessel in passes: a renewal process whose
next pass comes 20-90 min later at sea and 3-6 h later when the vessel is moored or at anchor; a pass hears a
burst of 1-3 consecutive reports. Static reports are heard about once per 1-3 days. `mixed` is terrestrial
within range of a shore receiver (gazetteer ports outside DPRK), satellite elsewhere.

The pass schedule depends only on time and the vessel's state, never on whether it transmits: a satellite
passing over a dark vessel hears nothing. So a silence in the data is a gap label only when the transponder
was really off (labels.py); a silence because no satellite passed is not labelled.
"""

from __future__ import annotations

import functools

import numpy as np

from sanctionwatch.simulate.params import CoverageParams


def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


@functools.lru_cache(maxsize=4)
def _receivers(excluded: tuple[str, ...]):
    """KD-tree over unit vectors of the gazetteer ports that stand for shore receivers."""
    import polars as pl
    from scipy.spatial import cKDTree

    from sanctionwatch.geo.gazetteer import load_ports

    df = load_ports().filter(~pl.col("country").is_in(list(excluded)))
    return cKDTree(_xyz(df["lat"].to_numpy(), df["lon"].to_numpy()))


def terrestrial(lat: np.ndarray, lon: np.ndarray, cp: CoverageParams) -> np.ndarray:
    """Mask of positions within `terrestrial_range_km` of a shore receiver (chord distance on the unit sphere)."""
    if len(lat) == 0:
        return np.zeros(0, bool)
    chord = 2 * np.sin(cp.terrestrial_range_km / 6371.0088 / 2)
    d, _ = _receivers(tuple(cp.no_receiver_countries)).query(_xyz(lat, lon), k=1, distance_upper_bound=chord)
    return np.isfinite(d)


def satellite_passes(t: np.ndarray, stopped: np.ndarray, rng: np.random.Generator, cp: CoverageParams) -> np.ndarray:
    """Pass times over a vessel's true track `t` (sorted): the next pass after one at sea comes
    U(sat_sea_interval_min) later, after one while stopped U(sat_port_interval_h) later."""
    if len(t) == 0:
        return np.zeros(0)
    sea = np.array(cp.sat_sea_interval_min) * 60.0
    port = np.array(cp.sat_port_interval_h) * 3600.0
    out = []
    tc = float(t[0]) + rng.uniform(0, sea[1])
    while tc <= t[-1]:
        out.append(tc)
        i = min(int(np.searchsorted(t, tc)), len(t) - 1)
        tc += rng.uniform(*port) if stopped[i] else rng.uniform(*sea)
    return np.array(out)


def satellite_heard(t: np.ndarray, sent: np.ndarray, stopped: np.ndarray, rng: np.random.Generator,
                    cp: CoverageParams, min_window_s: float = 0.0) -> np.ndarray:
    """Mask of samples of `t` a satellite hears: per pass, the first 1-3 sent reports within the pass window.

    The window is at least `min_window_s` (the vessel's longest reporting interval, so a pass over a moored
    ship whose reports are stretched by `interval_scale` still hears one: the pass rate, not the sampling,
    sets the revisit)."""
    heard = np.zeros(len(t), bool)
    idx = np.flatnonzero(sent)
    if not len(idx):
        return heard
    ts = t[idx]
    for tp in satellite_passes(t, stopped, rng, cp):
        k = int(rng.integers(cp.sat_burst[0], cp.sat_burst[1] + 1))
        a = int(np.searchsorted(ts, tp))
        b = int(np.searchsorted(ts, tp + max(cp.sat_pass_window_s, min_window_s)))
        heard[idx[a:min(b, a + k)]] = True
    return heard


def satellite_static_heard(t: np.ndarray, sent: np.ndarray, rng: np.random.Generator, cp: CoverageParams
                           ) -> np.ndarray:
    """Mask of static-report times heard by satellite: about one every U(sat_static_interval_d) days."""
    heard = np.zeros(len(t), bool)
    idx = np.flatnonzero(sent)
    if not len(idx):
        return heard
    ts = t[idx]
    iv = np.array(cp.sat_static_interval_d) * 86400.0
    tc = float(t[0]) + rng.uniform(0, iv[0])
    while tc <= t[-1]:
        a = int(np.searchsorted(ts, tc))
        if a < len(ts) and ts[a] < tc + cp.sat_pass_window_s:
            heard[idx[a]] = True
        tc += rng.uniform(*iv)
    return heard
