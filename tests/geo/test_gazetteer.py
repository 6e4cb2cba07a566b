"""Gazetteer: shipped table shape, DPRK / Russian Far East completeness, LOCODE hygiene, rebuild from WPI."""

from __future__ import annotations

import polars as pl
import pytest

from sanctionwatch.geo.gazetteer import build_ports, load_ports, port, to_csv_frame

DPRK = {"Najin": "Rajin", "Senbong": "Sonbong", "Ch'ongjin": "Chongjin", "Kimch'aek": "Kimchaek",
        "Hungnam": "Hungnam", "Wonsan": "Wonsan", "Nampo": "Nampo", "Kyomip'o": "Songnim", "Haeju Hang": "Haeju"}
RFE = ["RUVVO", "RUNJK", "RUVYP", "RUVNN", "RUSKA", "RUZAR", "RUPSE"]


@pytest.fixture(scope="module")
def ports() -> pl.DataFrame:
    return load_ports()


def test_columns_and_types(ports):
    for col in ["locode", "name", "country", "lat", "lon", "radius_km", "aliases", "kind", "source"]:
        assert col in ports.columns
    assert ports.schema["aliases"] == pl.List(pl.String)
    assert set(ports["kind"].unique()) <= {"port", "anchorage", "terminal"}
    assert set(ports["source"].unique()) == {"wpi", "added"}
    assert ports["port_id"].is_unique().all()
    lc = ports["locode"].drop_nulls()
    assert lc.str.contains(r"^[A-Z]{2}[A-Z2-9]{3}$").all(), "every LOCODE is 5 chars without a space"
    assert ports["lat"].is_between(-90, 90).all() and ports["lon"].is_between(-180, 180).all()
    assert (ports["radius_km"] > 0).all()
    assert ports.filter(pl.col("source") == "added")["source_ref"].str.len_chars().min() > 20, "added ports cite a source"


def test_dprk_ports_complete_with_aliases(ports):
    kp = ports.filter(pl.col("country") == "KP")
    for name, alias in DPRK.items():
        row = kp.filter(pl.col("name") == name)
        assert row.height == 1, name
        assert alias.upper() in [a.upper() for a in row["aliases"][0]], (name, alias)
    assert kp.filter(pl.col("name") == "Najin")["locode"].item() == "KPRJN"


def test_russian_far_east_ports(ports):
    got = ports.filter(pl.col("locode").is_in(RFE))
    assert sorted(got["locode"].to_list()) == sorted(RFE)
    vvo = got.filter(pl.col("locode") == "RUVVO").row(0, named=True)
    assert abs(vvo["lat"] - 43.109) < 0.01 and abs(vvo["lon"] - 131.888) < 0.01


def test_locode_corrections_keep_wpi_code_as_alias(ports):
    sha = ports.filter(pl.col("locode") == "CNSHA").row(0, named=True)
    assert sha["name"] == "Shanghai" and "CNSGH" in sha["aliases"]
    # WPI gives the Florida St Petersburg the Russian code RULED: it must be dropped there.
    assert ports.filter(pl.col("locode") == "RULED")["country"].to_list() == ["RU"]


def test_rebuild_from_wpi_matches_shipped(shared_data, ports):
    built, report = build_ports(shared_data / "ports" / "UpdatedPub150.csv")
    assert report.rows_in == 3805
    assert report.rows_out == built.height == ports.height
    assert any("RULED belongs to a RU port" in i for i in report.issues)
    assert all(i.startswith("row ") for i in report.issues), "every issue names its WPI row"
    assert to_csv_frame(built).equals(to_csv_frame(ports))


def test_bad_wpi_rows_are_reported_not_dropped_silently(tmp_path, shared_data):
    src = (shared_data / "ports" / "UpdatedPub150.csv").read_text(encoding="utf-8-sig").splitlines()
    head, rows = src[0], src[1:4]
    bad = rows[1].rsplit(",", 2)[0] + ",north,east"
    p = tmp_path / "wpi.csv"
    p.write_text("\n".join([head, rows[0], bad, rows[2]]) + "\n", encoding="utf-8")
    built, report = build_ports(p)
    assert report.rows_in == 3 and built.filter(pl.col("source") == "wpi").height == 2
    assert len([i for i in report.issues if "unparsable lat/lon" in i]) == 1
    assert "row 2 " in report.issues[0]


def test_port_lookup(ports):
    assert port("KP NAM", ports)["name"] == "Nampo"
    assert port("kpnam", ports)["lat"] == pytest.approx(38.716667)
    assert port("ADD001", ports)["name"] == "Sinpo"
    with pytest.raises(KeyError, match="XXYYY"):
        port("XXYYY", ports)
