"""The notebook API: sanctionwatch.open(store) and sanctionwatch.screen(...), plus the module's doctests."""

from __future__ import annotations

import doctest

import pytest

import sanctionwatch
import sanctionwatch.api


def test_doctests():
    res = doctest.testmod(sanctionwatch.api)
    assert res.attempted > 0 and res.failed == 0


def test_open_store_end_to_end(tmp_path):
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.simulate import run as simulate
    from sanctionwatch.store import Store

    summary = simulate("smoke", tmp_path / "scen", seed=3, csv=False)
    list(ingest(Store(tmp_path / "store"), [str(tmp_path / "scen" / summary["files"]["nmea"])]))
    ws = sanctionwatch.open(tmp_path / "store")
    assert ws.positions().height > 1000
    ws.detect()
    ev = ws.events()
    assert ev.height > 0 and isinstance(ev["evidence"][0], dict)
    one = ws.events(type=ev["type"][0])
    assert set(one["type"]) == {ev["type"][0]}
    ranked = ws.risk()
    assert ranked.height > 0 and "risk_0_100" in ranked.columns
    with pytest.raises(FileNotFoundError):
        sanctionwatch.open(tmp_path / "nope")
