"""Coverage regimes: the same scenario (same ground truth), thinned as documented (satellite pass intervals, sparse
static reports, terrestrial range in `mixed`), and the noisy variants' artefacts. yellow-sea, ~10 s."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from sanctionwatch.detect.scorecard import load_labels
from sanctionwatch.simulate import run
from sanctionwatch.simulate.coverage import terrestrial
from sanctionwatch.simulate.params import DEFAULT, with_regime
from tests.simulate import scenario_csv

SEED = 5


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for regime in ("dense", "satellite", "mixed", "satellite-noisy"):
        d = tmp_path_factory.mktemp(regime)
        out[regime] = (d, run("yellow-sea", d, seed=SEED, regime=regime))
    return out


def _labels(d) -> list[dict]:
    return load_labels(d / "labels.jsonl")


def _csv(d) -> pl.DataFrame:
    return scenario_csv(d, ("Navigational status",)).sort("MMSI", "ts")


def test_same_ground_truth_in_every_regime(runs):
    def truth(d):
        return sorted((x["type"], x["vessel"], x["control"], x["notes"]) for x in _labels(d)
                      if x["type"] in ("gap", "encounter", "loitering", "spoofing"))

    base = truth(runs["dense"][0])
    assert any(t == "gap" and not c for t, _, c, _ in base) and any("honest silence" in n for *_, n in base)
    for regime, (d, summary) in runs.items():
        assert truth(d) == base, regime
        assert summary["regime"] == regime


def test_satellite_pass_intervals(runs):
    df = _csv(runs["satellite"][0])
    dense = runs["dense"][1]["position_reports"]
    assert 0 < df.height < dense / 10
    # bursts: fixes of one MMSI within 20 min belong to one pass
    df = df.with_columns(dt=pl.col("ts").diff().over("MMSI"))
    between = df.filter(pl.col("dt") > 20 * 60)
    sea = between.filter((pl.col("SOG") > 3) & (pl.col("Navigational status") == "Under way using engine"))
    port = between.filter(pl.col("Navigational status") == "Moored")
    assert 20 <= sea["dt"].median() / 60 <= 90, sea["dt"].median() / 60
    assert 3 <= port["dt"].median() / 3600 <= 6.5, port["dt"].median() / 3600
    burst = df.filter(pl.col("dt") <= 20 * 60)
    assert burst.height < df.height  # some passes hear more than one report, not all


def test_satellite_static_reports_are_sparse(runs):
    (d, s), (_, dense) = runs["satellite"], runs["dense"]
    days = 3.0
    assert s["static_reports"] <= 2.5 * s["vessels"] * days / 1.0 / 2  # about one per 1-3 days per vessel
    assert s["static_reports"] < dense["static_reports"] / 20
    single = [x for x in _labels(d) if x["type"] == "identity_change" and x["seen"]["old_reports"] == 1
              and x.get("other_mmsi")]
    assert single, "the single-report identity keeps exactly one static report in every regime"


def test_mixed_keeps_every_report_in_terrestrial_range(runs):
    dense, mixed, sat = (_csv(runs[r][0]) for r in ("dense", "mixed", "satellite"))
    assert sat.height < mixed.height < dense.height
    cp = with_regime(DEFAULT, "mixed").coverage
    near = dense.filter(pl.Series(terrestrial(dense["Latitude"].to_numpy(), dense["Longitude"].to_numpy(), cp)))
    far = dense.height - near.height
    assert near.height and far  # both zones are crossed
    kept = near.join(mixed.select("MMSI", "ts"), on=["MMSI", "ts"], how="semi").height
    assert kept >= 0.995 * near.height  # GNSS noise can move a fix across the 74 km edge


def test_noisy_artefacts(runs):
    d, s = runs["satellite-noisy"]
    clean = runs["satellite"][1]
    assert s["duplicate_receptions"] > 0.4 * s["messages"] and s["corrupt_lines"] > 0.003 * s["lines"]
    assert s["position_reports"] < clean["position_reports"]  # 10 % dropped
    csv = _csv(d)
    stamp = {}
    for line in (d / "traffic.nmea").read_text().splitlines():
        body = line.split("\\")[-1]
        if body.startswith("!AIVDM,1,1") and body.split(",")[5][0] == "1":
            st, t = line[3:].split(",c:")[0], int(line.split(",c:")[1][:10])
            stamp.setdefault(st, []).append(t)
    assert len(stamp) >= 3
    ts = np.sort(csv["ts"].to_numpy())
    off = {}
    for st, t in stamp.items():  # each station's stamps sit a fixed 0-5 s from a transmitted time
        t = np.array(t)
        i = np.clip(np.searchsorted(ts, t), 1, len(ts) - 1)
        off[st] = float(np.median(np.minimum(np.abs(t - ts[i]), np.abs(t - ts[i - 1]))))
    assert max(off.values()) <= 5 and max(off.values()) >= 1, off  # a clock error, and a small one


def test_deterministic_for_a_seed_and_regime(runs, tmp_path):
    d0, _ = runs["satellite-noisy"]
    run("yellow-sea", tmp_path, seed=SEED, regime="satellite-noisy")
    for name in ("traffic.nmea", "labels.jsonl"):
        assert (tmp_path / name).read_bytes() == (d0 / name).read_bytes(), name
