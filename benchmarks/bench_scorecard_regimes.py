"""Per-regime scorecard: precision and recall per detector type in every coverage regime, on held-out seeds
and presets (detect.scorecard.evaluate). Prints a markdown table per preset and one over all runs; run from
the repo root:

    .venv/bin/python benchmarks/bench_scorecard_regimes.py            # full: smoke + yellow-sea, seeds 101-103
    .venv/bin/python benchmarks/bench_scorecard_regimes.py --quick    # yellow-sea + smoke, seed 101
    ... --failures FILE   also writes every false positive and missed label, one per line

Held out: detectors were tuned on smoke seeds 1-3 and sea-of-japan seeds 1-3 (dense only); `yellow-sea` was
never used for tuning. `--sea-of-japan` adds a shortened sea-of-japan run (4 days, 8 background vessels).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sanctionwatch.detect.scorecard import aggregate, evaluate, failures, table
from sanctionwatch.simulate.params import REGIMES


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one seed (101) per preset")
    ap.add_argument("--seeds", default="101,102,103")
    ap.add_argument("--presets", default="yellow-sea,smoke")
    ap.add_argument("--regimes", default=",".join(REGIMES))
    ap.add_argument("--sea-of-japan", action="store_true", help="also sea-of-japan, 4 days, 8 vessels")
    ap.add_argument("--failures", type=Path, help="write FP / missed lines here")
    ap.add_argument("--workdir", type=Path, default=None)
    a = ap.parse_args()
    seeds = [101] if a.quick else [int(x) for x in a.seeds.split(",")]
    presets = [(p, None, None) for p in a.presets.split(",")]
    if a.sea_of_japan:
        presets.append(("sea-of-japan", 4.0, 8))
    regimes = tuple(a.regimes.split(","))
    work = a.workdir or Path(tempfile.mkdtemp(prefix="sw-regimes-"))
    cards = []
    t_all = time.time()
    for preset, days, vessels in presets:
        for regime in regimes:
            for seed in seeds:
                t = time.time()
                c = evaluate(preset, seed, regime, work, days=days, vessels=vessels)
                cards.append(c)
                print(f"# {preset} {regime} seed {seed}: {c['summary']['messages']:,} messages, "
                      f"{c['summary']['labels']} labels, {time.time() - t:.1f} s", flush=True)
    print(f"\nseeds {seeds}, presets {[p for p, _, _ in presets]}, {len(cards)} runs, {time.time() - t_all:.0f} s, "
          f"load {os.getloadavg()[0]:.1f}")
    print("cell: precision / recall (true positives + false positives, labels found / observable labels)\n")
    for preset, _, _ in presets:
        print(f"## {preset}\n")
        print(table(aggregate([c for c in cards if c["preset"] == preset]), regimes) + "\n")
    print("## all presets\n")
    print(table(aggregate(cards), regimes))
    if a.failures:
        a.failures.write_text("\n".join(failures(cards)) + "\n", encoding="utf-8")
        print(f"\nfailure cases -> {a.failures}")


if __name__ == "__main__":
    main()
