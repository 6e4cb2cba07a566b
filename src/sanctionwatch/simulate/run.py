"""Run a scenario preset: build the world, derive labels, write NMEA + DMA CSV + labels.jsonl + summary.json."""

from __future__ import annotations

import contextlib
import itertools
import json
from pathlib import Path

import numpy as np
import orjson

from sanctionwatch import __version__
from sanctionwatch.geo.areas import load_areas
from sanctionwatch.progress import ProgressFn, report, steps
from sanctionwatch.simulate import labels as lb
from sanctionwatch.simulate.emit import CsvEmitter, NmeaEmitter, open_out, quantise
from sanctionwatch.simulate.params import DEFAULT, SimParams, with_regime
from sanctionwatch.simulate.presets import PRESETS
from sanctionwatch.simulate.scenario import World
from sanctionwatch.simulate.vessel import Vessel
from sanctionwatch.store.files import atomic_path, write_text_atomic

CHUNK_ROWS = 400_000


def _vessel_tables(v: Vessel, em: dict[str, np.ndarray], static_ts: np.ndarray
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Position rows (with the static context of each moment, for the CSV) and static report rows."""
    ids = v.identities
    k = v.kind
    a = round(v.length_m * 0.8)
    dims = {"a": a, "b": v.length_m - a, "c": v.beam_m // 2, "d": v.beam_m - v.beam_m // 2}
    arrivals = np.array(sorted(s.t0 for s in v.stays if s.port is not None and not s.anchored))

    def ctx(ts: np.ndarray) -> dict[str, np.ndarray]:
        n = len(ts)
        ii = v.identity_at(ts.astype(float))
        nxt = np.searchsorted(arrivals, ts, side="right")
        eta = np.full(n, -1, np.int64)
        if len(arrivals):
            ok = nxt < len(arrivals)
            eta[ok] = (arrivals[nxt[ok]] // 60 * 60).astype(np.int64)
        return {
            "mmsi": np.array([ids[i][1].mmsi for i in ii], dtype=np.int64),
            "imo": np.array([ids[i][1].imo for i in ii], dtype=np.int64),
            "name": np.array([ids[i][1].name for i in ii], dtype=object),
            "callsign": np.array([ids[i][1].callsign for i in ii], dtype=object),
            "destination": np.array(v.destination_at(ts.astype(float)), dtype=object),
            "eta": eta, "ship_type": np.full(n, k.ais_type, np.int64), "dma_type": np.full(n, k.dma_type, object),
            "draught": np.full(n, v.draught_m), "class_b": np.full(n, k.class_b),
            **{c: np.full(n, x, np.int64) for c, x in dims.items()},
        }

    pos = {c: em[c] for c in ("ts", "lat", "lon", "sog", "cog", "hdg", "rot", "status")}
    pos.update(ctx(em["ts"]))
    stat = {"ts": static_ts, **ctx(static_ts)}
    return pos, stat


def _concat_sorted(tables: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    keys = tables[0].keys()
    out = {c: np.concatenate([t[c] for t in tables]) for c in keys}
    order = np.argsort(out["ts"], kind="stable")
    return {c: v[order] for c, v in out.items()}


def build_labels(w: World, emitted: dict[str, dict[str, np.ndarray]], statics: dict[str, np.ndarray]) -> list[dict]:
    """Every label of the run, sorted by start then type then MMSI."""
    areas = load_areas()
    aid = w.params.sanctioned_area_id
    geom = areas.filter(areas["area_id"] == aid)["geometry"][0]
    out: list[dict] = []
    calls: list[dict] = []
    hulls_of: dict[int, set[str]] = {}
    for v in w.vessels:
        for _, ident in v.identities:
            hulls_of.setdefault(ident.mmsi, set()).add(v.key)
    shared = frozenset(m for m, h in hulls_of.items() if len(h) > 1)
    for v in w.vessels:
        em = emitted[v.key]
        c = lb.port_calls(v, em)
        calls += c
        out += c
        out += lb.sanctioned_area(v, em, geom, aid)
        notes = {(t0, t1): w.dark_notes.get((v.key, t0, t1), "transponder off") for t0, t1 in v.dark}
        out += lb.gaps(v, em, notes)
        out += lb.quiet_gaps(v, em)
        out += lb.coverage_gaps(v, em)
        out += lb.identity_changes(v, em, statics[v.key], shared)
        out += lb.destination_mismatches(v, calls, em, statics[v.key])
    out += [lb.behaviour(b, emitted) for b in w.behaviours]
    if w.params.regime != "dense":  # only non-default regimes name themselves on every label
        out = [{**x, "regime": w.params.regime} for x in out]
    return sorted(out, key=lambda d: (d["start_epoch"] or 0, d["type"], d["mmsi"] or 0, d["id"]))


def write_scenario(w: World, out_dir: Path, *, gz: bool, seed: int, preset: str, write_csv: bool = True,
                   progress: ProgressFn | None = None) -> dict:
    """Emit a built world to out_dir and return the run summary (`progress`: vessels emitted, labels, position
    rows written; sanctionwatch.progress)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    emitted: dict[str, dict[str, np.ndarray]] = {}
    statics: dict[str, np.ndarray] = {}
    pos_t, stat_t = [], []
    for v in steps(progress, "simulate: vessels", w.vessels):
        em = v.emitted()
        if len(em["ts"]) and em["ts"][-1] >= w.t1:  # a leg still under way at the end: no report after the period
            em = {c: x[em["ts"] < w.t1] for c, x in em.items()}
        quantise(em)
        emitted[v.key] = em
        s_ts = v.static_times(float(em["ts"][0]), float(em["ts"][-1]) + 1) if len(em["ts"]) else np.zeros(0, np.int64)
        statics[v.key] = s_ts
        p, s = _vessel_tables(v, em, s_ts)
        pos_t.append(p)
        stat_t.append(s)
    pos = _concat_sorted(pos_t)
    stat = _concat_sorted(stat_t)
    report(progress, "simulate: labels", 0, 1)
    labels = build_labels(w, emitted, statics)
    report(progress, "simulate: labels", 1, 1)
    rng = np.random.default_rng([seed, 7])
    nmea_path = out_dir / ("traffic.nmea.gz" if gz else "traffic.nmea")
    csv_path = out_dir / "traffic.csv"
    em_c = None
    with contextlib.ExitStack() as stack:  # closes files before the atomic renames, in reverse order
        fn = stack.enter_context(open_out(stack.enter_context(atomic_path(nmea_path)), gz))
        em_n = NmeaEmitter(fn, w.params.noise, rng, w.params.noise.stations)
        if write_csv:
            em_c = CsvEmitter(stack.enter_context(open(stack.enter_context(atomic_path(csv_path)), "wb")))
        edges = np.unique(np.concatenate([pos["ts"][::CHUNK_ROWS], [pos["ts"][-1] + 1]]))
        done = 0
        report(progress, "simulate: writing position rows", 0, len(pos["ts"]))
        for lo, hi in itertools.pairwise(edges):
            pm = (pos["ts"] >= lo) & (pos["ts"] < hi)
            sm = (stat["ts"] >= lo) & (stat["ts"] < hi)
            pb = {c: x[pm] for c, x in pos.items()}
            em_n.write(pb, {c: x[sm] for c, x in stat.items()})
            if em_c:
                em_c.write(pb)
            done += len(pb["ts"])
            report(progress, "simulate: writing position rows", done, len(pos["ts"]))
    with atomic_path(out_dir / "labels.jsonl") as tmp:
        tmp.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in labels))
    st = em_n.stats
    summary = {
        "preset": preset, "seed": seed, "regime": w.params.regime, "sanctionwatch_version": __version__,
        "start": lb.iso(w.t0), "end": lb.iso(w.t1), "vessels": len(w.vessels),
        "messages": st.messages, "position_reports": len(pos["ts"]), "static_reports": len(stat["ts"]),
        "lines": st.lines, "duplicate_receptions": st.duplicates, "corrupt_lines": st.corrupt,
        "by_type": {str(k): v for k, v in sorted(st.by_type.items())}, "csv_rows": em_c.rows if em_c else 0,
        "labels": len(labels), "labels_by_type": _count(labels, control=False), "controls_by_type": _count(labels, control=True),
        "files": {"nmea": nmea_path.name, "csv": csv_path.name if write_csv else None, "labels": "labels.jsonl"},
    }
    write_text_atomic(out_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def _count(labels: list[dict], *, control: bool) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in labels:
        if x["control"] == control:
            out[x["type"]] = out.get(x["type"], 0) + 1
    return dict(sorted(out.items()))


def run(preset: str, out_dir: str | Path, *, seed: int = 0, vessels: int | None = None, days: float | None = None,
        messages: int | None = None, gz: bool = False, csv: bool = True, params: SimParams = DEFAULT,
        regime: str | None = None, progress: ProgressFn | None = None) -> dict:
    """Generate a preset into out_dir; returns the summary (also written to summary.json).

    `regime` (params.REGIMES: dense, satellite, mixed, each optionally '-noisy') sets who hears the
    transponder; the scenario itself (tracks, behaviours, labels' ground truth) is the same in every regime.
    `progress(stage, done, total)` is told each stage's advance (sanctionwatch.progress); output is the same
    with or without it.
    """
    out = Path(out_dir)
    if regime is not None:
        params = with_regime(params, regime)
    if preset == "global":
        if params.regime != "dense":
            raise ValueError("coverage regimes apply to the regional presets, not 'global'")
        from sanctionwatch.simulate.world_global import run_global

        return run_global(out, seed=seed, vessels=vessels, days=days, messages=messages, gz=gz, csv=csv, params=params,
                          progress=progress)
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {sorted([*PRESETS, 'global'])}")
    if messages is not None:
        raise ValueError("--messages applies to the 'global' preset; size other presets with --vessels/--days")
    report(progress, "simulate: building the world", 0, 1)
    w = PRESETS[preset](params, seed, vessels, days)
    report(progress, "simulate: building the world", 1, 1)
    return write_scenario(w, out, gz=gz, seed=seed, preset=preset, write_csv=csv, progress=progress)
