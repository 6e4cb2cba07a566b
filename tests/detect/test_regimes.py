"""Per-regime scorecard on a held-out preset and seed: precision and recall >= 0.95 per detector type in every
coverage regime (dense, satellite, mixed, each also noisy). `yellow-sea` was never used to tune a detector, and
seed 103 is outside the tuning seeds (1-3). Combinations measured below the bar are xfail (not strict) with the
measured numbers; the failure cases are listed in docs/detectors.md
"Per-regime scorecard". ~20 s for all six regimes.
"""

from __future__ import annotations

import pytest

from sanctionwatch.detect.scorecard import DARK, evaluate
from sanctionwatch.simulate.params import REGIMES

PRESET, SEED = "yellow-sea", 103
TYPES = ("port_call", "gap", DARK, "encounter", "loitering", "destination_mismatch", "identity_change",
         "spoofing", "sanctioned_area")
BAR = 0.95

# measured 2026-12-02 23:15 UTC on main at 237f1ab (yellow-sea seed 103); detectors are owned by others.
# identity_change (satellite, satellite-noisy) fixed 2026-12-03 at ec11080: handover window follows the revisit
KNOWN: dict[tuple[str, str], str] = {}

_cards: dict[str, dict] = {}


@pytest.fixture(scope="module")
def card(tmp_path_factory):
    """The scored run of one regime (simulated, ingested and detected once per regime)."""
    work = tmp_path_factory.mktemp("regimes")

    def get(regime: str) -> dict:
        if regime not in _cards:
            _cards[regime] = evaluate(PRESET, SEED, regime, work)
        return _cards[regime]

    return get


def _cases():
    for regime in REGIMES:
        for t in TYPES:
            why = KNOWN.get((regime, t))
            marks = [pytest.mark.xfail(strict=False, reason=f"issue 12, measured: {why}")] if why else []
            yield pytest.param(regime, t, marks=marks, id=f"{regime}-{t}")


@pytest.mark.parametrize(("regime", "kind"), list(_cases()))
def test_precision_recall(card, regime, kind):
    c = card(regime)["score"]
    assert kind in c, f"no {kind} labels or events at all in {PRESET} seed {SEED} {regime}"
    x = c[kind]
    if x["tp"] + x["fp"]:
        assert x["precision"] >= BAR, (x["tp"], x["fp"], [(e["mmsi"], str(e["start"])) for e in x["false_positives"]])
    if x["labels"]:
        assert x["recall"] >= BAR, (x["labels"] - x["fn"], x["labels"], [(m["mmsi"], m["notes"]) for m in x["missed"]])


def test_regimes_differ_and_dense_sees_every_case(card):
    """The regimes really thin the data, and in dense every issue-12 case is labelled and observable."""
    msgs = {r: card(r)["summary"]["messages"] for r in ("dense", "satellite", "mixed")}
    assert msgs["satellite"] < msgs["mixed"] < msgs["dense"], msgs
    s = card("dense")["score"]
    dm = [lab for lab in s["destination_mismatch"]["missed"]]
    assert not dm
    assert s["destination_mismatch"]["labels"] >= 5 and s["loitering"]["labels"] >= 2 and s[DARK]["controls"] >= 2
