"""The detector on the CONSTRUCTED DPRK fixture: exact changes of Oct 2017 and Dec 2014 (facts in PROVENANCE.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from sanctionwatch.network.analyze import analyze, events_of, summary_rows
from sanctionwatch.network.asinfo import load_asnames, load_ipasn, parse_target
from sanctionwatch.network.params import BgpParams
from sanctionwatch.network.upstreams import upstream_of
from sanctionwatch.store import Store
from sanctionwatch.store.duck import connect
from sanctionwatch.store.events import write_events


def T(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=UTC)


def _oct(dprk: dict[str, Path]) -> list[Path]:
    return [dprk["rib"], dprk["updates1"], dprk["updates2"]]


def _changes(an, scope: str = "*") -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(c.change, c.upstream, c.start, c.end) for c in an.changes if c.scope == scope]


def test_ttk_appears_2017_10_01(dprk: dict[str, Path]) -> None:
    an = analyze(_oct(dprk), parse_target("AS131279"), load_asnames())
    assert _changes(an) == [
        ("upstream_appeared", 20485, T("2017-10-01T09:07:51"), T("2017-10-01T10:14:45")),
        ("upstream_disappeared", 20485, T("2017-10-01T10:14:45"), T("2017-10-01T12:21:55")),
        ("upstream_appeared", 20485, T("2017-10-01T12:21:55"), T("2017-10-02T12:00:00")),
    ]
    first = an.changes[0]
    assert first.evidence["upstream_name"].startswith("TRANSTELECOM")
    assert first.evidence["shares_before"] == {"AS4837": 1.0}
    assert first.evidence["shares_after"] == {"AS4837": 0.7, "AS20485": 0.3}  # 6 of 20 peer-prefix paths
    assert first.evidence["peers"] == ["198.51.100.4 AS20764", "198.51.100.5 AS31133"]
    assert first.confidence == pytest.approx(2 / 5)
    row = first.evidence["rows"][0]
    assert row["source"].endswith("constructed-dprk.updates.20171001.gz#record=1")
    assert row["as_path"] == "20764 20485 131279"


def test_session_flap_is_not_a_change(dprk: dict[str, Path]) -> None:
    """Peer 3's session drops at 15:00 and returns: Unicom stays an upstream; the drop is in the timeline."""
    an = analyze(_oct(dprk), parse_target("AS131279"))
    assert all(c.upstream != 4837 for c in an.changes)
    at_flap = an.timeline.filter((pl.col("scope") == "*") & (pl.col("time") == T("2017-10-01T15:00:00")))
    assert dict(zip(at_flap["upstream"], at_flap["paths"], strict=True)) == {4837: 10, 20485: 6}


def test_per_prefix_changes_match_dyn_timeline(dprk: dict[str, Path]) -> None:
    an = analyze(_oct(dprk), parse_target("AS131279"), per_prefix=True)
    assert _changes(an, "175.45.177.0/24") == []
    lost = {(c.scope, c.start) for c in an.changes if c.change == "upstream_disappeared" and c.scope != "*"
            and c.start > T("2017-10-01T23:00:00")}
    assert lost == {("175.45.176.0/24", T("2017-10-02T07:56:39")), ("175.45.179.0/24", T("2017-10-02T09:10:29"))}
    still = [c for c in an.changes if c.scope == "175.45.178.0/24" and c.change == "upstream_appeared"]
    assert still[-1].end == T("2017-10-02T12:00:00")  # only 178.0/24 keeps TTK to the end


def test_short_absence_is_merged(dprk: dict[str, Path]) -> None:
    """With a hold-down longer than the 2 h 7 min gap, the TTK drop is one continuous presence."""
    an = analyze(_oct(dprk), parse_target("AS131279"), params=BgpParams(min_absence_s=3 * 3600))
    assert _changes(an) == [("upstream_appeared", 20485, T("2017-10-01T09:07:51"), T("2017-10-02T12:00:00"))]


def test_summary_shares(dprk: dict[str, Path]) -> None:
    rows = {r["upstream"]: r for r in summary_rows(analyze(_oct(dprk), parse_target("AS131279")))}
    assert rows["AS20485"]["share_at_end"] == pytest.approx(2 / 20)   # 178.0/24 via 2 of 5 peers
    assert rows["AS4837"]["share_at_end"] == pytest.approx(18 / 20)
    assert rows["AS20485"]["first_seen"] == T("2017-10-01T09:07:51")
    assert rows["AS20485"]["prefixes"] == 3 and rows["AS20485"]["peers"] == 2


def test_outage_2014_12_22(dprk: dict[str, Path], shared_data: Path) -> None:
    """Country view (KP via AS names + 2014 ipasn table) sees the total withdrawal at 16:15 UTC."""
    ip = shared_data / "bgp" / "ipasn"
    target = parse_target("KP", load_asnames(ip / "asnames.json.gz"), load_ipasn(ip / "ipasn_20140513.dat.gz"))
    assert target.asns == frozenset({131279})
    assert [str(n) for n in target.networks] == [f"175.45.{i}.0/24" for i in range(176, 180)]
    an = analyze([dprk["outage"]], target)
    assert _changes(an) == [("outage", None, T("2014-12-22T16:15:00"), T("2014-12-22T18:00:00"))]
    assert an.changes[0].evidence["lost_upstreams"] == ["AS4837"]


def test_events_in_store(dprk: dict[str, Path], tmp_path: Path) -> None:
    an = analyze(_oct(dprk), parse_target("AS131279", load_asnames()), load_asnames())
    ev = events_of(an)
    assert ev.num_rows == 3
    assert set(ev.column("type").to_pylist()) == {"routing_change"}
    assert set(ev.column("subject").to_pylist()) == {"AS131279"}
    assert ev.column("country").to_pylist() == ["KP"] * 3
    assert len(set(ev.column("event_id").to_pylist())) == 3
    evidence = json.loads(ev.column("evidence")[0].as_py())
    assert evidence["change"] == "upstream_appeared" and evidence["upstream"] == "AS20485"
    assert evidence["params"]["min_absence_s"] == 300.0
    assert events_of(analyze(_oct(dprk), parse_target("AS131279"))).column("event_id").equals(ev.column("event_id"))
    store = Store(tmp_path / "store")
    write_events(store, "bgp", ev)
    con = connect(store)
    n, first = con.execute("select count(*), min(start) from events where type = 'routing_change'").fetchone()
    assert n == 3 and first == T("2017-10-01T09:07:51")


@pytest.mark.parametrize(("path", "up"), [
    ("3356 4837 131279", 4837), ("20764 20485 20485 131279 131279", 20485), ("131279", None),
    ("1 2 {3,4}", None), ("", None), (None, None), ("7 {8,9} 131279", None),
])
def test_upstream_of(path: str | None, up: int | None) -> None:
    assert upstream_of(path) == up


def test_target_parsing() -> None:
    assert parse_target("as131279").asns == frozenset({131279})
    assert parse_target("AS131279", load_asnames()).country == "KP"
    t = parse_target("175.45.176.0/22")
    assert t.covers("175.45.178.0/24") and not t.covers("175.45.180.0/24") and not t.covers("2001:db8::/32")
    for bad in ("KP", "not-a-target", "300.1.1.0/24"):
        with pytest.raises(ValueError, match="target"):
            parse_target(bad, {} if bad == "KP" else None)


def test_ipasn_bad_lines_counted_with_location(tmp_path: Path) -> None:
    p = tmp_path / "t.dat"
    p.write_text("; header\n175.45.176.0/24\t131279\nnot a line\n1.0.0.0/24\n175.45.177.0/24\t131279\n")
    t = load_ipasn(p)
    assert t.prefixes == {"175.45.176.0/24": 131279, "175.45.177.0/24": 131279}
    assert [e.split(": ")[0] for e in t.errors] == [f"{p}:3", f"{p}:4"]


def test_target_absent_from_data(dprk: dict[str, Path], tmp_path: Path) -> None:
    """A target with no routes yields empty results (no crash, no events), and the chart still renders."""
    from sanctionwatch.network.chart import write_chart

    an = analyze(_oct(dprk), parse_target("AS64512"))
    assert an.transitions.height == 0 and an.changes == [] and summary_rows(an) == []
    assert events_of(an).num_rows == 0
    assert write_chart(an, tmp_path / "empty.png").stat().st_size > 0
