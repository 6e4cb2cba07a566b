"""Decoded-export readers against the real sample files, with expectations computed independently (csv/json)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from sanctionwatch.ais import exports
from sanctionwatch.ais.batch import Reject

NY = "ais/NYHarbor_2020_06_30_first_hour.csv"
SAT = "ais/test_data_20210701.csv"
DT = "ais/digitraffic_baltic_latest_20251212.json"


def read_all(data: bytes, chunk_bytes: int = 1 << 20, **kw) -> tuple[pl.DataFrame, pl.DataFrame, list[Reject], dict]:
    """Run the sniffed reader over bytes; concatenated positions, reports, rejects and counters."""
    fmt = exports.sniff(data[:65536])
    assert fmt is not None
    pos, rep, rej = [], [], []
    counters: dict[str, Counter] = {"by_type": Counter(), "skipped": Counter(), "n": Counter()}
    for b in exports.read_export(io.BufferedReader(io.BytesIO(data)), fmt, source="x", chunk_bytes=chunk_bytes,
                                 **kw):
        pos.append(pl.from_arrow(b.positions))
        rep.append(pl.from_arrow(b.reports))
        rej += b.rejects
        counters["by_type"].update(b.by_type)
        counters["skipped"].update(b.skipped_types)
        counters["n"].update({"lines": b.lines, "messages": b.messages})
    return pl.concat(pos, how="diagonal"), pl.concat(rep, how="diagonal"), rej, counters


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


# ---- sniffing ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("rel", "fmt"), [(NY, "marinecadastre"), (SAT, "sat_csv"), (DT, "digitraffic")])
def test_sniff_real_files(shared_data: Path, rel: str, fmt: str) -> None:
    assert exports.sniff((shared_data / rel).read_bytes()[:65536]) == fmt


def test_sniff_nmea_and_unknown() -> None:
    assert exports.sniff(b"!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*23\n") is None
    assert exports.sniff(b"\\s:2573345,c:1241544035*4A\\!AIVDM,1,1,,B,15N4cJ`005Jrek0H@9n`DW5608EP,0*13\n") is None
    assert exports.sniff(b"$PGHP,1,2013,11,12,12,0,0,0,219,,,1,*1F\n") is None
    assert exports.sniff(DMA_HEADER.encode() + b"\n") == "dma_aisdk"
    with pytest.raises(exports.ExportError, match="no known export layout"):
        exports.sniff(b"mmsi,time,lat,lon\n1,2,3,4\n")
    with pytest.raises(exports.ExportError, match="Digitraffic"):
        exports.sniff(b'{"type": "FeatureCollection"}')


# ---- MarineCadastre ----------------------------------------------------------------------------------------
def test_marinecadastre_counts_and_values(shared_data: Path) -> None:
    path = shared_data / NY
    header, rows = csv_rows(path)
    ix = {n: i for i, n in enumerate(header)}
    pos, rep, rej, c = read_all(path.read_bytes())
    assert rej == []
    assert pos.height == len(rows) == 8689
    assert c["n"]["lines"] == len(rows) + 1
    assert Counter(pos["msg_type"].to_list()) == Counter(18 if r[ix["TranscieverClass"]] == "B" else 1 for r in rows)

    # Static reports: one per change of (name, imo, callsign, type, draft) per MMSI, in file order.
    def static(r: list[str]) -> tuple:
        imo = r[ix["IMO"]].removeprefix("IMO")
        vt, dr = r[ix["VesselType"]], r[ix["Draft"]]
        return (r[ix["VesselName"]].strip() or None, int(imo) if imo and int(imo) else None,
                r[ix["CallSign"]].strip() or None, int(float(vt)) if vt and float(vt) else None,
                float(dr) if dr and float(dr) else None)
    last: dict[str, tuple] = {}
    expected = 0
    for r in rows:
        s = static(r)
        if any(v is not None for v in s) and last.get(r[ix["MMSI"]]) != s:
            expected += 1
            last[r[ix["MMSI"]]] = s
    assert rep.height == expected
    assert rep["mmsi"].n_unique() == len(last)

    first = pos.filter(pl.col("src_line") == 2).row(0, named=True)  # 2020-06-30T00:00:00,-74.07157,40.64409,...
    assert first["mmsi"] == 367000140 and first["lat"] == 40.64409 and first["lon"] == -74.07157
    assert first["ts"] == datetime(2020, 6, 30, tzinfo=UTC) and first["heading"] == 246
    assert first["cog"] == pytest.approx(349.0, abs=1e-4)  # -60.6 stored as signed 12-bit: -60.6 + 409.6
    r2 = rep.filter(pl.col("mmsi") == 367000140).row(0, named=True)
    assert (r2["name"], r2["imo"], r2["callsign"], r2["ship_type"]) == ("SAMUEL I NEWHOUSE", 7702774, "WYR3371", 60)


def test_marinecadastre_signed_cog_fix_agrees_with_heading(shared_data: Path) -> None:
    """After +409.6 on negative COG, moving vessels' COG is near their heading (it is not without the fix)."""
    pos, *_ = read_all((shared_data / NY).read_bytes())
    moving = pos.filter((pl.col("sog") > 3) & pl.col("heading").is_not_null() & pl.col("cog").is_not_null())
    raw = pl.read_csv(shared_data / NY).filter((pl.col("SOG") > 3) & (pl.col("Heading") < 360)
                                               & (pl.col("COG") < 0))
    assert raw.height > 100  # the negative values are common, not an edge case

    def share_close(cog: pl.Series, hdg: pl.Series) -> float:
        d = ((cog - hdg + 540) % 360 - 180).abs()
        return float((d < 20).mean())
    assert share_close(moving["cog"], moving["heading"].cast(pl.Float64)) > 0.9
    assert share_close(raw["COG"] % 360, raw["Heading"]) < 0.1


def test_chunking_does_not_change_results(shared_data: Path) -> None:
    data = (shared_data / NY).read_bytes()
    p1, r1, _, _ = read_all(data, chunk_bytes=1 << 24)
    p2, r2, _, c2 = read_all(data, chunk_bytes=40_000)
    assert c2["n"]["lines"] == 8690
    assert p1.equals(p2)
    assert r1.equals(r2)  # static dedupe state carries across chunks


def test_bad_rows_rejected_with_line_and_raw_text(shared_data: Path) -> None:
    lines = (shared_data / NY).read_text().splitlines()[:11]
    bad = {
        3: lines[2].replace("40.54291", "40.5x291"),           # bad number
        4: lines[3].replace("2020-06-30T00:00:00", "2020-06-31T00:00:00"),  # impossible date
        5: "," + lines[4].split(",", 1)[1].split(",", 3)[-1],  # missing fields
        6: lines[5] + ",extra",                                # too many fields
        7: lines[6].replace(lines[6].split(",")[3], ""),       # missing MMSI
        8: lines[7].replace(lines[7].split(",")[3], "1234567890"),  # MMSI out of range
        9: lines[8].replace(",IMO", ",IMOX") if ",IMO" in lines[8] else lines[8].replace(",B,", ",B,", 1),
    }
    for n, text in bad.items():
        lines[n - 1] = text
    lines.insert(9, "")  # a blank line (line 10): counted, not data
    data = ("\n".join(lines) + "\n").encode()
    pos, _, rej, c = read_all(data)
    expected_bad = {3, 4, 5, 6, 7} | ({9} if ",IMOX" in bad[9] else set())
    assert {r.line for r in rej if r.reason == "bad_row"} == expected_bad
    assert [(r.line, r.reason) for r in rej if r.reason == "bad_mmsi"] == [(8, "bad_mmsi")]
    by_line = {r.line: r.raw for r in rej}
    assert all(by_line[n] == lines[n - 1] for n in by_line)  # verbatim
    assert c["skipped"]["blank_line"] == 1
    assert pos.height == 11 - 1 - len(rej)
    assert sorted(pos["src_line"].to_list()) == [n for n in range(2, 13) if n not in by_line and n != 10]


# ---- satellite-provider CSV ----------------------------------------------------------------------------------
def test_sat_csv_counts_and_values(shared_data: Path) -> None:
    path = shared_data / SAT
    header, rows = csv_rows(path)
    ix = {n: i for i, n in enumerate(header)}
    pos, rep, rej, c = read_all(path.read_bytes())
    ok = [r for r in rows if 1 <= int(r[ix["MMSI"]]) <= 999_999_999]
    assert [(r.line, r.reason) for r in rej] == [(i + 2, "bad_mmsi") for i, r in enumerate(rows) if r not in ok]
    types = Counter(int(r[ix["Message_ID"]]) for r in ok)
    assert c["by_type"] == types
    assert pos.height == sum(types[t] for t in (1, 2, 3, 4, 18, 19, 27))
    assert rep.height == sum(types[t] for t in (5, 19, 24))
    assert c["skipped"] == Counter({t: n for t, n in types.items() if t not in (1, 2, 3, 4, 5, 18, 19, 24, 27)})
    # Not-available sentinels -> null, counted independently.
    pos_rows = [r for r in ok if int(r[ix["Message_ID"]]) in (1, 2, 3, 4, 18, 19, 27)]
    assert pos["lat"].null_count() == sum(r[ix["Latitude"]] in ("", "91.0") for r in pos_rows)
    hdg = [r[ix["Heading"]] for r in pos_rows]
    assert pos["heading"].null_count() == sum(h in ("", "None") or float(h) >= 360 for h in hdg)  # 511, and 480

    p = pos.filter(pl.col("src_line") == 2).row(0, named=True)
    assert p["mmsi"] == 432905000 and p["msg_type"] == 1
    assert p["ts"] == datetime(2021, 7, 1, 18, 51, 51, 680000, tzinfo=UTC)  # Time + Millisecond
    assert (p["lat"], p["lon"], p["heading"], p["nav_status"]) == (8.87747666667, -103.63687, 315, 0)
    assert p["sog"] == pytest.approx(13.6) and p["cog"] == pytest.approx(314.8)

    zonda = rep.filter(pl.col("mmsi") == 538007407).row(0, named=True)
    assert (zonda["name"], zonda["callsign"], zonda["imo"], zonda["ship_type"]) == ("GH ZONDA", "V7MF3", 9436472, 71)
    assert (zonda["to_bow"], zonda["to_stern"], zonda["to_port"], zonda["to_starboard"]) == (182, 49, 24, 8)
    assert zonda["draught"] == pytest.approx(8.7)  # 87 decimetres
    assert zonda["destination"] == "BLUFF"
    # ETA 06-30 19:00 seen on 2021-07-01: the next occurrence at or after ts (store/schemas.py rule).
    assert zonda["eta"] == datetime(2022, 6, 30, 19, 0, tzinfo=UTC)
    straitsman = rep.filter(pl.col("mmsi") == 512002959).row(0, named=True)
    assert straitsman["eta"] is None  # 0/0 24:60 = not available
    parts = rep.filter(pl.col("msg_type") == 24)["part"]
    assert parts.null_count() == 0 and set(parts.to_list()) <= {0, 1}
    assert rep.filter(pl.col("msg_type") != 24)["part"].null_count() == rep.filter(pl.col("msg_type") != 24).height


# ---- Digitraffic -------------------------------------------------------------------------------------------
def test_digitraffic_snapshot(shared_data: Path) -> None:
    path = shared_data / DT
    doc = json.loads(path.read_text())
    vessels = doc["vessels"]
    pos, rep, rej, _ = read_all(path.read_bytes())
    snap = datetime.fromisoformat(doc["timestamp"]).replace(microsecond=532000)
    assert rej == [] and pos.height == len(vessels) == 7762
    assert pos["ts"].unique().to_list() == [snap]
    assert set(pos["ts_source"].to_list()) == {"snapshot"}
    assert pos["heading"].null_count() == sum(v["heading"] == 511 for v in vessels)
    assert pos["cog"].null_count() == sum(v["cog"] >= 360 for v in vessels)
    def eta_ok(e: str | None) -> bool:
        """A usable ETA: every part available and the date exists this year or next (29 Feb may not)."""
        p = int(e) if e else 0
        month, day, hour, minute = p >> 16, (p >> 11) & 31, (p >> 6) & 31, p & 63
        if not (1 <= month <= 12 and day >= 1 and hour < 24 and minute < 60):
            return False
        for year in (2025, 2026):
            try:
                datetime(year, month, day)
                return True
            except ValueError:
                pass
        return False
    def text(t: str | None) -> str:
        return (t or "").split("@")[0].strip()  # AIS text ends at the first '@' (padding)
    with_static = [v for v in vessels if text(v["name"]) or text(v["destination"])
                   or 1 <= v["ship_type"] <= 99 or eta_ok(v["eta"])]
    assert rep["eta"].null_count() == sum(not eta_ok(v["eta"]) for v in with_static)
    assert rep.height == len(with_static)
    text_lines = path.read_text().splitlines()
    line = pos.filter(pl.col("mmsi") == 376128000)["src_line"].item()
    assert text_lines[line - 1].strip() == '"mmsi": 376128000,'
    atlas = rep.filter(pl.col("mmsi") == 376128000).row(0, named=True)
    # eta "811520" = 12 << 16 | 12 << 11 | 8 << 6 | 0: 12 Dec 08:00, already past at 12:31 -> next year.
    assert 12 << 16 | 12 << 11 | 8 << 6 == 811520
    assert atlas["eta"] == datetime(2026, 12, 12, 8, 0, tzinfo=UTC)
    assert (atlas["name"], atlas["ship_type"], atlas["destination"]) == ("FFS ATLAS", 52, "UNKNOWN")


def test_digitraffic_without_timestamp_needs_assume_time(tmp_path: Path) -> None:
    doc = {"vessels": [{"mmsi": 230613000, "name": "ALPPILA", "lon": 19.38, "lat": 59.01, "sog": 6.6,
                        "cog": 215.5, "heading": 214, "ship_type": 70, "destination": "FI RAU", "eta": "803840"},
                       {"mmsi": None, "name": "X", "lon": 19.0, "lat": 59.0, "sog": 1, "cog": 1, "heading": 1,
                        "ship_type": 70, "destination": "", "eta": None}]}
    data = json.dumps(doc, indent=1).encode()
    with pytest.raises(exports.ExportError, match="--assume-time"):
        read_all(data)
    t = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    pos, rep, rej, _ = read_all(data, assume_time=t)
    assert pos["ts"].to_list() == [t] and pos["ts_source"].to_list() == ["assumed"]
    assert [r.reason for r in rej] == ["bad_row"] and json.loads(rej[0].raw)["name"] == "X"
    assert 12 << 16 | 8 << 11 | 16 << 6 == 803840
    assert rep["eta"].to_list() == [datetime(2025, 12, 8, 16, 0, tzinfo=UTC)]  # 12/08 16:00 after 2025-01-02


# ---- DMA aisdk ---------------------------------------------------------------------------------------------
DMA_HEADER = ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,"
              "Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,"
              "ETA,Data source type,A,B,C,D")
DMA_ROWS = [
    "27/02/2024 00:00:00,Class A,219000873,56.990977,10.304400,Under way using engine,0.0,10.2,212.2,196,9234567,"
    "OXAB2,SEA STAR,Tanker,Category X,20,120,GPS,7.5,RU LED,01/03/2024 12:00:00,AIS,100,20,10,10",
    "27/02/2024 00:00:10,Class A,219000873,56.991977,10.305400,Under way using engine,0.0,10.2,212.2,196,9234567,"
    "OXAB2,SEA STAR,Tanker,Category X,20,120,GPS,7.5,RU LED,01/03/2024 12:00:00,AIS,100,20,10,10",
    "27/02/2024 00:00:20,Class B,211000001,91.000000,181.000000,Unknown value,,,,,Unknown,Unknown,,Undefined,,,,"
    "Undefined,,Unknown,,AIS,,,,",
    "27/02/2024 00:00:30,Base Station,2190047,55.0,12.0,Unknown value,,,,,Unknown,Unknown,,Undefined,,,,GPS,,"
    "Unknown,,AIS,,,,",
    "27/02/2024 00:00:40,AtoN,992191000,55.0,12.0,Unknown value,,,,,Unknown,Unknown,,Undefined,,,,GPS,,Unknown,,"
    "AIS,,,,",
    "27/13/2024 00:00:50,Class A,219000873,56.99,10.30,At anchor,0.0,0.0,0,196,9234567,OXAB2,SEA STAR,Tanker,"
    "Category X,20,120,GPS,7.5,RU LED,01/03/2024 12:00:00,AIS,100,20,10,10",
    "27/02/2024 00:01:00,Class A,219000873,56.99,10.30,Moored,0.0,abc,0,196,9234567,OXAB2,SEA STAR,Tanker,"
    "Category X,20,120,GPS,7.5,RU LED,01/03/2024 12:00:00,AIS,100,20,10,10",
    "27/02/2024 00:01:10,Class A,219000873,56.99,10.30",
    "27/02/2024 00:01:20,Class A,219000873,56.99,10.30,Moored,0.0,0.0,0,196,9234567,OXAB2,SEA STAR,Tanker,"
    "Category X,20,120,GPS,6.1,RU LED,01/03/2024 12:00:00,AIS,100,20,10,10",
    "27/02/2024 00:01:30,Class A,257000001,60.1,5.2,Engaged in fishing,-2.5,3.1,45.0,40,Unknown,LAXY,NORDFISK,"
    "Fishing,No additional information,8,30,GPS,4.0,,,AIS,20,10,4,4",
    "27/02/2024 00:01:40,Class A,1000000000,56.99,10.30,Moored,0.0,0.0,0,196,,,,,,,,GPS,,,,AIS,,,,",
    "27/02/2024 00:01:50,Class A,219000873,56.99,10.30,Sinking slowly,0.0,0.0,0,196,9234567,OXAB2,SEA STAR,Tanker,"
    "Category X,20,120,GPS,6.1,RU LED,01/03/2024 12:00:00,AIS,100,20,10,10",
]


def test_dma_aisdk_layout() -> None:
    data = ("\n".join([DMA_HEADER, *DMA_ROWS]) + "\n").encode()
    pos, rep, rej, c = read_all(data)
    assert [(r.line, r.reason) for r in rej] == [(7, "bad_row"), (8, "bad_row"), (9, "bad_row"), (12, "bad_mmsi")]
    assert rej[2].raw == DMA_ROWS[7]
    assert c["skipped"] == Counter({"type of mobile 'aton'": 1, "unmapped Navigational status='sinking slowly'": 1})
    assert pos["src_line"].to_list() == [2, 3, 4, 5, 10, 11, 13]
    assert pos["msg_type"].to_list() == [1, 1, 18, 4, 1, 1, 1]
    assert pos["nav_status"].to_list() == [0, 0, None, None, 5, 7, None]
    assert pos["lat"][2] is None and pos["lon"][2] is None  # 91 / 181
    assert pos["ts"][0] == datetime(2024, 2, 27, tzinfo=UTC)
    assert pos["rot"][5] == pytest.approx(-2.5)
    # Static reports only when the tuple changes: line 2, line 10 (draught 7.5 -> 6.1), the fishing vessel.
    assert rep["src_line"].to_list() == [2, 10, 11]
    sea = rep.row(0, named=True)
    assert (sea["imo"], sea["callsign"], sea["name"], sea["ship_type"]) == (9234567, "OXAB2", "SEA STAR", 81)
    assert (sea["to_bow"], sea["to_stern"], sea["to_port"], sea["to_starboard"]) == (100, 20, 10, 10)
    assert sea["eta"] == datetime(2024, 3, 1, 12, tzinfo=UTC) and sea["destination"] == "RU LED"
    fish = rep.row(2, named=True)
    assert (fish["imo"], fish["ship_type"], fish["destination"], fish["eta"]) == (None, 30, None, None)
    assert rep["msg_type"].to_list() == [5, 5, 5]


def test_dma_text_mappings_cover_itu_codes() -> None:
    assert set(exports.DMA_NAV_STATUS.values()) == set(range(15))
    types = set(exports.DMA_SHIP_TYPE.values())
    assert {20, 30, 31, 32, 33, 34, 35, 36, 37, 40, 50, 51, 52, 53, 54, 55, 58, 60, 70, 80, 90} <= types


def test_resolve_eta_edge_cases() -> None:
    ts = [datetime(2024, 12, 31, 23, 0, tzinfo=UTC), datetime(2023, 3, 1, tzinfo=UTC),
          datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 5, 5, 10, 0, tzinfo=UTC)]
    df = pl.DataFrame({"ts": ts, "m": [1, 2, 2, 5], "d": [2, 29, 29, 5], "h": [3, 0, 0, 10], "mi": [4, 0, 0, 0]})
    out = df.select(exports.resolve_eta(pl.col("ts"), pl.col("m"), pl.col("d"), pl.col("h"), pl.col("mi")))
    assert out.to_series().to_list() == [
        datetime(2025, 1, 2, 3, 4, tzinfo=UTC),  # wraps into the next year
        datetime(2024, 2, 29, tzinfo=UTC),       # 29 Feb 2023 does not exist: next occurrence is 2024
        datetime(2025, 2, 28, tzinfo=UTC) if False else None,  # 29 Feb 2025 does not exist either -> null
        datetime(2024, 5, 5, 10, 0, tzinfo=UTC),  # at ts counts as the next occurrence
    ]


def test_unknown_format_name_is_an_error() -> None:
    with pytest.raises(exports.ExportError, match="unknown export format"):
        list(exports.read_export(io.BufferedReader(io.BytesIO(b"")), "nope", source="x"))


def test_positions_conform_to_store_schema(shared_data: Path) -> None:
    from sanctionwatch.store.schemas import conform
    fmt = "sat_csv"
    stream = io.BufferedReader(io.BytesIO((shared_data / SAT).read_bytes()))
    for b in exports.read_export(stream, fmt, source="x"):
        assert isinstance(conform(b.positions, "positions"), pa.Table)
        assert isinstance(conform(b.reports, "vessel_reports"), pa.Table)


def test_crlf_and_bom_give_the_same_rows(shared_data: Path) -> None:
    data = (shared_data / NY).read_bytes()
    p1, r1, _, _ = read_all(data)
    crlf = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")
    p2, r2, rej, c = read_all(crlf, chunk_bytes=100_000)
    assert rej == [] and c["n"]["lines"] == 8690
    assert p1.equals(p2) and r1.equals(r2)


# ---- RFC 4180: line breaks inside quoted fields ---------------------------------------------------------------
def _with_quoted_newlines(path: Path, rows: dict[int, str]) -> tuple[bytes, list[list[str]]]:
    """The MarineCadastre sample with the vessel name of the given file lines replaced by a quoted text holding
    line breaks; also the expected rows (csv module)."""
    header, rows_in = csv_rows(path)
    col = header.index("VesselName")
    for n, name in rows.items():
        rows_in[n - 2][col] = name
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")  # quotes exactly the fields that need it
    w.writerow(header)
    w.writerows(rows_in)
    return buf.getvalue().encode(), rows_in


def test_quoted_newline_in_a_field_is_one_record(shared_data: Path) -> None:
    """A quoted field holding a line break (RFC 4180) was two bad rows; now it is one record on its first
    line, the value keeps the break (trailing-space/`@` rules apply as to any name), later rows keep their file
    lines, and every line is accounted for (header + records + rejected + continuation lines)."""
    names = {5: "SEA\nSTAR", 40: "MULTI\r\nLINE\nNAME", 41: '"QUOTED"\nAGAIN'}
    data, rows = _with_quoted_newlines(shared_data / NY, names)
    n_phys = data.count(b"\n")
    for chunk in (1 << 20, 3_000, 700):  # small chunks put a record across a chunk boundary
        pos, rep, rej, c = read_all(data, chunk_bytes=chunk)
        assert rej == [], chunk
        assert pos.height == len(rows) == 8689
        assert c["skipped"]["continuation_line"] == 4
        assert c["n"]["lines"] == n_phys == 1 + pos.height + c["skipped"]["continuation_line"]
        # file line of each row: first line of its record
        line_of_row = [2]
        for r in rows[:-1]:
            line_of_row.append(line_of_row[-1] + 1 + sum(f.count("\n") for f in r))
        assert pos["src_line"].to_list() == line_of_row
        got = dict(zip(rep["src_line"].to_list(), rep["name"].to_list(), strict=True))
        assert got[line_of_row[5 - 2]] == "SEA\nSTAR" and got[line_of_row[40 - 2]] == "MULTI\r\nLINE\nNAME"
        assert got[line_of_row[41 - 2]] == '"QUOTED"\nAGAIN'


def test_quoted_newline_record_rejected_whole_and_stray_quote_costs_one_line(shared_data: Path) -> None:
    """A multi-line record with a bad value is quarantined as its full text; an unbalanced quote does not swallow
    the lines after it (a record may span at most MAX_RECORD_BYTES)."""
    header, rows = csv_rows(shared_data / NY)
    lines = (shared_data / NY).read_text().splitlines()
    col = header.index("VesselName")
    bad = list(rows[10])
    bad[col] = "TWO\nLINES"
    bad[header.index("MMSI")] = "1234567890"  # out of range -> bad_mmsi
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(bad)
    stray = lines[30].replace(lines[30].split(",")[7], '"UNCLOSED', 1)
    text = "\n".join(lines[:11]) + "\n" + buf.getvalue() + "\n".join(lines[12:30]) + "\n" + stray + "\n" \
        + "\n".join(lines[31:2000]) + "\n"
    pos, _, rej, c = read_all(text.encode(), chunk_bytes=50_000)
    assert [(r.line, r.reason) for r in rej] == [(12, "bad_mmsi"), (32, "bad_row")]
    assert rej[0].raw == buf.getvalue().rstrip("\n") and rej[1].raw == stray
    assert pos.height == 1999 - 2
    assert c["n"]["lines"] == 2001 == 1 + pos.height + len(rej) + c["skipped"]["continuation_line"]


def test_invalid_utf8_in_a_field_is_not_a_crash(shared_data: Path) -> None:
    """Bytes that are not UTF-8 (a latin-1 name, a flipped bit) crashed the line-by-line parser (polars refuses
    the surrogates that keep them verbatim for the quarantine); a bad name is kept as U+FFFD, a bad time is a
    bad_row quarantined byte for byte."""
    lines = (shared_data / NY).read_bytes().split(b"\n")[:6]
    lines[3] = lines[3].replace(b"H200", b"H2\xff0")
    lines[4] = lines[4].replace(b"2020", b"2\xfe20", 1)
    _, rep, rej, _ = read_all(b"\n".join(lines) + b"\n")
    assert "H2\ufffd0" in rep["name"].to_list()
    assert [(r.line, r.reason) for r in rej] == [(5, "bad_row")]
    assert rej[0].raw.encode("utf-8", "surrogateescape") == lines[4]
