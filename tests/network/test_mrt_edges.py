"""Hand-built damage and formats: corrupt records reported (not fatal), truncation, compression, writer round trip."""

from __future__ import annotations

import bz2
import collections
import gzip
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctionwatch.network.bgpdump_format import bgpdump_ipv6, bgpdump_lines
from sanctionwatch.network.mrt import ParseReport, iter_raw, read_table
from sanctionwatch.network.mrt_write import Peer, peer_index, rib_entry, state_change, update, write_mrt
from sanctionwatch.network.params import BgpParams
from sanctionwatch.network.reference import mrtparse_routes

SRC = "ripe_bgpdump_testdata/updates.20100722.2015.gz"


def _plain(mrt_dir: Path) -> bytes:
    return gzip.decompress((mrt_dir / SRC).read_bytes())


def _frames(data: bytes) -> list[tuple[int, int]]:
    """(offset, length) of each record."""
    out, off = [], 0
    while off < len(data):
        length = struct.unpack_from("!I", data, off + 8)[0]
        out.append((off, length))
        off += 12 + length
    return out


def test_corrupt_record_is_reported_and_skipped(mrt_dir: Path, tmp_path: Path) -> None:
    data = bytearray(_plain(mrt_dir))
    good, _ = read_table(mrt_dir / SRC)
    frames = _frames(bytes(data))
    k = 3  # record 3 is a BGP4MP UPDATE; set its BGP message length beyond the record
    off, _length = frames[k]
    hdr_len = 12 + 4 + 4 + 2 + 2 + 4 + 4 + 16  # MRT hdr, 4-byte ASNs (MESSAGE_AS4), ifindex, afi, IPv4 addrs, marker
    struct.pack_into("!H", data, off + hdr_len, 0xFFFF)
    p = tmp_path / "corrupt.mrt"
    p.write_bytes(bytes(data))
    table, rep = read_table(p)
    assert [(e["record"], e["offset"]) for e in rep.errors] == [(k, off)]
    assert "does not fit" in rep.errors[0]["error"]
    lost = good.filter(good.column("record").to_numpy() == k).num_rows
    assert lost > 0 and table.num_rows == good.num_rows - lost
    assert rep.records == len(frames) and not rep.truncated


@pytest.mark.parametrize("cut", [5, 40])
def test_truncated_plain_file(mrt_dir: Path, tmp_path: Path, cut: int) -> None:
    data = _plain(mrt_dir)
    frames = _frames(data)
    off = frames[10][0]
    p = tmp_path / "trunc.mrt"
    p.write_bytes(data[:off + cut])
    table, rep = read_table(p)
    assert rep.truncated and rep.records == 10
    assert rep.errors[0]["record"] == 10 and rep.errors[0]["offset"] == off
    assert ("header" in rep.errors[0]["error"]) == (cut < 12)
    assert table.column("record").to_pylist()[-1] == 9


def test_absurd_length_stops_with_location(tmp_path: Path) -> None:
    p = tmp_path / "bad.mrt"
    p.write_bytes(struct.pack("!IHHI", 0, 16, 4, 0x7FFFFFFF) + b"x" * 10)
    rep = ParseReport(str(p))
    assert list(iter_raw(p, rep, BgpParams(max_record_bytes=1024))) == []
    assert rep.errors[0]["record"] == 0 and "framing" in rep.errors[0]["error"]


def test_compression_detected_by_content(mrt_dir: Path, tmp_path: Path) -> None:
    data = _plain(mrt_dir)
    (tmp_path / "a.bz2.wrongname.gz").write_bytes(bz2.compress(data))
    (tmp_path / "plain").write_bytes(data)
    ref = list(bgpdump_lines(read_table(mrt_dir / SRC)[0]))
    for name in ("a.bz2.wrongname.gz", "plain"):
        assert list(bgpdump_lines(read_table(tmp_path / name)[0])) == ref


def test_writer_round_trip(tmp_path: Path) -> None:
    t = datetime(2017, 10, 1, 9, 7, 51, tzinfo=UTC)
    ts = int(t.timestamp())
    me, peer = Peer("198.51.100.254", 6447), Peer("198.51.100.4", 20764)
    recs = [peer_index("198.51.100.254", [peer], ts),
            rib_entry(0, "175.45.178.0/24", [(0, [20764, 4837, 131279], peer.ip)], ts),
            update(t, peer, me, ["175.45.176.0/24", "175.45.178.0/24"], [20764, 20485, 131279]),
            update(t, peer, me, withdraw=["175.45.179.0/24"]),
            state_change(t, peer, me, 6, 1)]
    table, rep = read_table(write_mrt(tmp_path / "f.gz", recs))
    assert rep.errors == []
    assert list(bgpdump_lines(table)) == [
        f"TABLE_DUMP2|{ts}|B|198.51.100.4|20764|175.45.178.0/24|20764 4837 131279|IGP|198.51.100.4|0|0||NAG||",
        f"BGP4MP|{ts}|A|198.51.100.4|20764|175.45.176.0/24|20764 20485 131279|IGP|198.51.100.4|0|0||NAG||",
        f"BGP4MP|{ts}|A|198.51.100.4|20764|175.45.178.0/24|20764 20485 131279|IGP|198.51.100.4|0|0||NAG||",
        f"BGP4MP|{ts}|W|198.51.100.4|20764|175.45.179.0/24",
        f"BGP4MP|{ts}|STATE|198.51.100.4|20764|6|1",
    ]


def test_writer_refuses_naive_times(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone"):
        update(datetime(2017, 10, 1), Peer("1.1.1.1", 1), Peer("2.2.2.2", 2), ["10.0.0.0/8"], [1])


@pytest.mark.parametrize(("rfc5952", "bgpdump"), [
    ("2001:7f8:30:0:2:1:0:8447", "2001:7f8:30::2:1:0:8447"),  # bgpdump compresses a single zero group
    ("2001:db8::1", "2001:db8::1"),
    ("fd01:1:2::/64", "fd01:1:2::/64"),
    ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ("10.0.0.0/8", "10.0.0.0/8"),
])
def test_bgpdump_ipv6_text(rfc5952: str, bgpdump: str) -> None:
    assert bgpdump_ipv6(rfc5952) == bgpdump


def test_extended_time_and_add_path(tmp_path: Path) -> None:
    """BGP4MP_ET keeps microseconds; MESSAGE_AS4_ADDPATH carries path ids (bgpdump's BGP4MP_ET_AP format)."""
    t = datetime(2017, 10, 1, 9, 7, 51, 250_000, tzinfo=UTC)
    me, peer = Peer("198.51.100.254", 6447), Peer("198.51.100.4", 20764)
    recs = [update(t, peer, me, ["175.45.178.0/24"], [20764, 20485, 131279], path_id=7, extended_time=True),
            update(t, peer, me, withdraw=["175.45.178.0/24"], path_id=7)]
    path = write_mrt(tmp_path / "et.gz", recs)
    table, rep = read_table(path)
    assert rep.errors == []
    ts = int(t.timestamp())
    assert list(bgpdump_lines(table)) == [
        f"BGP4MP_ET_AP|{ts}.250000|A|198.51.100.4|20764|175.45.178.0/24|7|20764 20485 131279|IGP|198.51.100.4|0|0||NAG||",
        f"BGP4MP_AP|{ts}|W|198.51.100.4|20764|175.45.178.0/24|7",
    ]
    assert table.column("time")[0].as_py() == t
    assert collections.Counter(mrtparse_routes(path)) == collections.Counter([
        ("A", "198.51.100.4", 20764, "175.45.178.0/24", 7, "20764 20485 131279"),
        ("W", "198.51.100.4", 20764, "175.45.178.0/24", 7, "")])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)), min_size=1, max_size=20),
       st.lists(st.integers(1, 2**32 - 1), min_size=1, max_size=12))
def test_round_trip_property(nets: list[tuple[int, int]], as_path: list[int]) -> None:
    """Any IPv4 prefixes and 4-byte AS path written by the writer read back unchanged."""
    import ipaddress
    import tempfile

    prefixes = sorted({str(ipaddress.ip_network((a, n), strict=False)) for a, n in nets})
    t = datetime(2020, 1, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as d:
        table, rep = read_table(write_mrt(Path(d) / "p.mrt", [update(t, Peer("10.0.0.1", 65000),
                                                                         Peer("10.0.0.2", 6447), prefixes, as_path)],
                                          compress=False))
    assert rep.errors == []
    assert table.column("prefix").to_pylist() == prefixes
    assert set(table.column("as_path").to_pylist()) == {" ".join(map(str, as_path))}


def test_prefix_cache_keeps_families_apart() -> None:
    """0.0.0.0/6 (IPv4) and ::/0 (IPv6) have the same NLRI bytes after the AFI tag; both decode correctly."""
    from sanctionwatch.network.attrs import parse_nlri

    assert parse_nlri(b"\x06\x00", 0, 2, 1, False) == [("0.0.0.0/6", None)]
    assert parse_nlri(b"\x00", 0, 1, 2, False) == [("::/0", None)]
    assert parse_nlri(b"\x06\x00", 0, 2, 1, False) == [("0.0.0.0/6", None)]
