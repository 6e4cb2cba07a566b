"""Upstream tracking on a real RIS update file, checked against an independent replay of bgpdump's own text."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest

from sanctionwatch.network.analyze import analyze
from sanctionwatch.network.asinfo import parse_target
from sanctionwatch.network.bgpdump_format import bgpdump_ipv6
from sanctionwatch.network.params import DEFAULT_PARAMS

SRC = "ripe_bgpdump_testdata/updates.20160811.1600.gz"


def _replay_bgpdump_text(path: Path, origin: int) -> dict[tuple[str, int, str], int]:
    """Final {(peer, peer AS, prefix): upstream} from `bgpdump -m` lines, written independently of our code."""
    state: dict[tuple[str, int, str], int] = {}
    known: set[str] = set()
    with gzip.open(path, "rt") as fh:
        for line in fh:
            f = line.rstrip("\n").split("|")
            peer = (f[3], int(f[4]))
            if f[2] == "STATE":
                if f[5] == "6" and f[6] != "6":
                    state = {k: v for k, v in state.items() if k[:2] != peer}
                continue
            key = (*peer, f[5])
            if f[2] == "W":
                state.pop(key, None)
                continue
            path = f[6].split()
            if not path or path[-1] != str(origin):
                if f[5] in known:
                    state.pop(key, None)  # re-announced with another origin: no longer the target's route
                continue
            known.add(f[5])
            dedup = [a for i, a in enumerate(path) if i == 0 or path[i - 1] != a]
            state[key] = int(dedup[-2]) if len(dedup) > 1 else 0
    return state


@pytest.mark.parametrize("origin", [9829, 28573])  # the most frequent origins in this 5-minute window
def test_final_upstreams_equal_independent_replay(mrt_dir: Path, origin: int) -> None:
    an = analyze([mrt_dir / SRC], parse_target(f"AS{origin}"))
    final = (an.transitions.group_by(["peer_ip", "peer_as", "prefix"], maintain_order=True)
             .agg(pl.col("upstream").last()).filter(pl.col("upstream").is_not_null()))
    ours = {(bgpdump_ipv6(ip), asn, bgpdump_ipv6(p)): up for ip, asn, p, up in final.iter_rows()}
    ref = _replay_bgpdump_text(Path(f"{mrt_dir / SRC}.bgpdump-m.txt.gz"), origin)
    assert len(ref) > 10
    assert ours == ref


def test_updates_only_window_has_no_appearances(mrt_dir: Path) -> None:
    """Five minutes of updates for AS9829 without a RIB: prior state unknown, so nothing 'appears' (warm-up);
    with the warm-up off the same data yields appearances, i.e. the guard is what prevents them."""
    target = parse_target("AS9829")
    an = analyze([mrt_dir / SRC], target, per_prefix=True)
    assert not [c for c in an.changes if c.change == "upstream_appeared"]
    cold = analyze([mrt_dir / SRC], target, params=DEFAULT_PARAMS.with_overrides(warmup_s=0))
    assert [c for c in cold.changes if c.change == "upstream_appeared"]


def test_real_window_changes_have_evidence(mrt_dir: Path) -> None:
    """Every change found in AS9829's real updates is backed by rows of that file."""
    an = analyze([mrt_dir / SRC], parse_target("AS9829"), per_prefix=True)
    assert an.selection.reports[0].errors == [] and an.changes
    for c in an.changes:
        assert c.evidence["rows"], c
        assert all(r["source"].startswith(str(mrt_dir / SRC)) for r in c.evidence["rows"])
        assert (c.end - c.start).total_seconds() >= 0
        if c.change == "upstream_disappeared":
            assert c.end == an.selection.end or (c.end - c.start).total_seconds() >= DEFAULT_PARAMS.min_absence_s
