"""Parsing real collector files: line-for-line equal to `bgpdump -m` reference outputs, and to mrtparse."""

from __future__ import annotations

import collections
import functools
import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sanctionwatch.network.bgpdump_format import bgpdump_lines
from sanctionwatch.network.mrt import iter_batches, read_table
from sanctionwatch.network.params import BgpParams
from sanctionwatch.network.reference import mrtparse_routes

_read = functools.lru_cache(maxsize=4)(read_table)

GOLDEN = [
    # file, reference lines (PROVENANCE.md), MRT records
    ("updates.20160811.1600.gz", 41_234, 17_406),   # BGP4MP_MESSAGE_AS4 + STATE_CHANGE_AS4, MP over IPv6
    ("updates.20100722.2015.gz", 5_654, 2_193),     # 2-byte BGP4MP_MESSAGE with AS4_PATH merging
    ("bview.20020722.2337.gz", 115_521, 115_521),   # legacy TABLE_DUMP v1
]


@pytest.mark.parametrize(("name", "n_lines", "n_records"), GOLDEN)
def test_matches_bgpdump_m_exactly(mrt_dir: Path, name: str, n_lines: int, n_records: int) -> None:
    src = mrt_dir / "ripe_bgpdump_testdata" / name
    table, rep = read_table(src)
    with gzip.open(f"{src}.bgpdump-m.txt.gz", "rt") as fh:
        ref = fh.read().splitlines()
    ours = list(bgpdump_lines(table))
    assert rep.errors == [] and not rep.truncated
    assert rep.records == n_records
    assert len(ref) == n_lines
    diff = [(i, a, b) for i, (a, b) in enumerate(zip(ours, ref, strict=True)) if a != b]
    assert diff == [], diff[:3]


def _keys(table) -> collections.Counter:  # type: ignore[no-untyped-def]
    d = table.select(["kind", "peer_ip", "peer_as", "prefix", "path_id", "as_path"]).to_pylist()
    return collections.Counter((r["kind"], r["peer_ip"], r["peer_as"], r["prefix"], r["path_id"], r["as_path"] or "")
                               for r in d if r["kind"] != "STATE")


@pytest.mark.parametrize("rel", [
    "caida_libbgpstream_test/ris.rrc06.updates.1427846400.gz",
    "caida_libbgpstream_test/routeviews.route-views.jinx.updates.1427846400.bz2",
    "mrtparse_samples/bird-mrtdump_bgp",
    "mrtparse_samples/bird-mrtdump_rib",           # TABLE_DUMP_V2 incl. RIB_IPV4_UNICAST_ADDPATH
    "mrtparse_samples/bird6-mrtdump_rib",          # RIB_IPV6_UNICAST(_ADDPATH)
    "mrtparse_samples/openbgpd_rib_table-v2",      # RIB_GENERIC
    "mrtparse_samples/quagga_rib",
])
def test_same_routes_as_mrtparse(mrt_dir: Path, rel: str) -> None:
    table, _ = read_table(mrt_dir / rel)
    ref = collections.Counter(mrtparse_routes(mrt_dir / rel))
    assert sum(ref.values()) > 0
    assert _keys(table) == ref


def test_real_rib_same_routes_as_mrtparse_first_records(mrt_dir: Path) -> None:
    """route-views2 TABLE_DUMP_V2 (2014): the first 1,500 records (~45k routes) agree with mrtparse."""
    batches = []
    for b in iter_batches(mrt_dir / "pyasn" / "rib.20140523.0600_firstMB.bz2", params=BgpParams(batch_rows=5_000)):
        batches.append(b)
        if b.column("record")[-1].as_py() >= 1_500:
            break
    table = pa.Table.from_batches(batches)
    ours = _keys(table.filter(pc.less(table.column("record"), 1_500)))
    ref = collections.Counter(mrtparse_routes(mrt_dir / "pyasn" / "rib.20140523.0600_firstMB.bz2", 1_500))
    assert sum(ref.values()) > 40_000
    assert ours == ref


@pytest.mark.slow
def test_real_rib_same_routes_as_mrtparse_whole_file(mrt_dir: Path) -> None:
    """The whole truncated RIB (270,005 routes) against mrtparse (slow: mrtparse needs ~50 s)."""
    table, _ = _read(mrt_dir / "pyasn" / "rib.20140523.0600_firstMB.bz2")
    assert _keys(table) == collections.Counter(mrtparse_routes(mrt_dir / "pyasn" / "rib.20140523.0600_firstMB.bz2"))


@pytest.mark.parametrize("rel", ["mrtparse_samples/openbgpd_bgp", "mrtparse_samples/quagga_bgp"])
def test_mrtparse_invents_impossible_prefixes_we_do_not(mrt_dir: Path, rel: str) -> None:
    """On these lab captures mrtparse 2.2.0 decodes extra IPv4 'prefixes' longer than /32 (e.g. /104);
    ours are a subset of its routes and every prefix length is valid."""
    table, rep = read_table(mrt_dir / rel)
    ours, ref = _keys(table), collections.Counter(mrtparse_routes(mrt_dir / rel))
    assert rep.errors == []
    assert not (ours - ref)
    extra = ref - ours
    bogus = sum(n for k, n in extra.items() if ":" not in k[3] and int(k[3].split("/")[1]) > 32)
    assert bogus > 0 and bogus == sum(extra.values())


def test_truncated_rib_reports_and_keeps_records_before(mrt_dir: Path) -> None:
    table, rep = _read(mrt_dir / "pyasn" / "rib.20140523.0600_firstMB.bz2")
    assert rep.truncated
    assert rep.records == 9_073  # PEER_INDEX_TABLE + 9,072 RIB_IPV4_UNICAST (PROVENANCE.md)
    assert len(rep.errors) == 1 and rep.errors[0]["record"] == 9_073
    assert "ended" in rep.errors[0]["error"]
    assert table.column("prefix")[0].as_py() == "0.0.0.0/0"
    assert set(table.column("format").unique().to_pylist()) == {"TABLE_DUMP2"}
