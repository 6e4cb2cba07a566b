"""Regenerate the CONSTRUCTED trade fixtures in src/sanctionwatch/data/trade/ (not real statistics).

Run: .venv/bin/python tests/trade/build_constructed_fixture.py
The numbers are invented to exercise the pipeline end to end offline (seed claims, caps, bans, mirror);
they are NOT official data. Every row's source says so (file names start with `constructed_`).
"""

from __future__ import annotations

import csv
from pathlib import Path


def _cols(header: str) -> list[str]:
    """Column names of a CSV header line."""
    return header.split(",")


OUT = Path(__file__).resolve().parents[2] / "src" / "sanctionwatch" / "data" / "trade"

CURRENT_HEADER = _cols(
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,flowCode,flowDesc,"
    "partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,classificationCode,"
    "classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,isLeaf,customsCode,customsDesc,"
    "mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,altQtyUnitCode,altQtyUnitAbbr,altQty,"
    "isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,"
    "legacyEstimationFlag,isReported,isAggregate"
)
CHAPTERS = {
    "27": "Mineral fuels, mineral oils and products of their distillation; bituminous substances; mineral waxes",
    "10": "Cereals", "15": "Animal or vegetable fats and oils", "22": "Beverages, spirits and vinegar",
    "48": "Paper and paperboard", "85": "Electrical machinery and equipment",
    "62": "Apparel and clothing accessories; not knitted or crocheted",
    "90": "Optical, photographic, measuring, medical instruments",
}
# Russia's monthly exports to DPRK, million USD (constructed), and the HS 27 share of each year.
EXPORTS = {2016: [4.1, 4.5, 5.0, 5.2, 5.1, 5.6, 6.0, 5.8, 5.4, 5.0, 4.8, 5.3],
           2017: [8.0, 9.1, 10.4, 9.9, 10.2, 9.0, 7.5, 6.8, 6.2, 5.1, 4.7, 4.4]}
SHARE_27 = {2016: 0.85, 2017: 0.92}
OTHER_EXPORT_SPLIT = {"10": 0.4, "15": 0.3, "22": 0.2, "48": 0.1}
IMPORTS = {2016: [0.3, 0.35, 0.35, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4],
           2017: [1.2, 1.3, 1.4, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.3, 0.2]}


def current_row(year: int, month: int, flow: str, code: str, desc: str, value: float) -> dict:
    flow_desc = {"X": "Export", "M": "Import"}[flow]
    period = f"{year}{month:02d}"
    return {
        "typeCode": "C", "freqCode": "M", "refPeriodId": f"{period}01", "refYear": year, "refMonth": month,
        "period": period, "reporterCode": 643, "reporterISO": "RUS", "reporterDesc": "Russian Federation",
        "flowCode": flow, "flowDesc": flow_desc, "partnerCode": 408, "partnerISO": "PRK",
        "partnerDesc": "Dem. People's Rep. of Korea", "partner2Code": 0, "partner2ISO": "W00",
        "partner2Desc": "World", "classificationCode": "H4", "classificationSearchCode": "HS",
        "isOriginalClassification": True, "cmdCode": code, "cmdDesc": desc,
        "aggrLevel": 0 if code == "TOTAL" else len(code), "isLeaf": False, "customsCode": "C00",
        "customsDesc": "TOTAL CPC", "mosCode": 0, "motCode": 0, "motDesc": "TOTAL MOT", "qtyUnitCode": -1,
        "qtyUnitAbbr": "N/A", "qty": "", "isQtyEstimated": False, "altQtyUnitCode": -1, "altQtyUnitAbbr": "N/A",
        "altQty": "", "isAltQtyEstimated": False, "netWgt": "", "isNetWgtEstimated": False, "grossWgt": "",
        "isGrossWgtEstimated": False, "cifvalue": value if flow == "M" else "",
        "fobvalue": value if flow == "X" else "", "primaryValue": value, "legacyEstimationFlag": 0,
        "isReported": True, "isAggregate": code == "TOTAL",
    }


def rus_prk_rows() -> list[dict]:
    rows = []
    for year in (2016, 2017):
        for m in range(1, 13):
            total = round(EXPORTS[year][m - 1] * 1e6)
            c27 = round(total * SHARE_27[year])
            parts = {"27": c27}
            rest = total - c27
            for code, f in OTHER_EXPORT_SPLIT.items():
                parts[code] = round(rest * f)
            parts["48"] += total - sum(parts.values())
            rows.append(current_row(year, m, "X", "TOTAL", "All Commodities", total))
            rows += [current_row(year, m, "X", c, CHAPTERS[c], v) for c, v in parts.items()]
            imp = round(IMPORTS[year][m - 1] * 1e6)
            # Apparel (62) stops after the UNSCR 2375 textile ban (2017-09-11) except one month (2017-10),
            # planted so the ban rule has something to find.
            apparel = (year, m) < (2017, 9) or (year, m) == (2017, 10)
            ip = {"85": round(imp * (0.5 if apparel else 0.8)), "62": round(imp * 0.3) if apparel else 0}
            ip["90"] = imp - sum(ip.values())
            rows.append(current_row(year, m, "M", "TOTAL", "All Commodities", imp))
            rows += [current_row(year, m, "M", c, CHAPTERS[c], v) for c, v in ip.items() if v]
    return rows


LEGACY_HEADER = _cols(
    "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,"
    "Reporter Code,Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,"
    "2nd Partner ISO,Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,"
    "Qty Unit Code,Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),"
    "Trade Value (US$),CIF Trade Value (US$),FOB Trade Value (US$),Flag"
)
AREAS = {156: ("China", "CHN"), 408: ("Dem. People's Rep. of Korea", "PRK"), 643: ("Russian Federation", "RUS")}
# (classification, period, flow code, reporter, partner, commodity code, description, net kg or None, USD)
LEGACY = [
    # Refined petroleum to DPRK (UNSCR 2397 cap): 2018 exceeds 500,000 bbl, 2019 stays within but one row
    # lacks a weight (so the 2019 total is a lower bound).
    ("H4", "2018", 2, 156, 408, "271012", "Motor spirit (gasoline)", 8_000_000, 6_400_000),
    ("H4", "2018", 2, 156, 408, "271019", "Medium/heavy oils (gas oil, fuel oil)", 20_000_000, 14_000_000),
    ("H4", "2018", 2, 643, 408, "2710", "Petroleum oils, not crude", 40_000_000, 30_000_000),
    ("H4", "2019", 2, 156, 408, "271019", "Medium/heavy oils (gas oil, fuel oil)", 10_000_000, 7_000_000),
    ("H4", "2019", 2, 156, 408, "271020", "Petroleum oils containing biodiesel", None, 90_000),
    ("H4", "2019", 2, 643, 408, "2710", "Petroleum oils, not crude", 30_000_000, 22_000_000),
    # China's imports of DPRK coal around the UNSCR 2371 ban (adopted 2017-08-05) and seafood.
    ("H4", "201707", 1, 156, 408, "2701", "Coal", 500_000_000, 40_000_000),
    ("H4", "201708", 1, 156, 408, "2701", "Coal", 200_000_000, 16_000_000),
    ("H4", "201709", 1, 156, 408, "2701", "Coal", 50_000_000, 4_000_000),
    ("H4", "201709", 1, 156, 408, "03", "Fish and crustaceans", 1_000_000, 2_500_000),
    ("H4", "201710", 1, 156, 408, "03", "Fish and crustaceans", 100, 500),
    # China's exports of vehicles to DPRK after UNSCR 2397 (adopted 2017-12-22) banned transport vehicles.
    ("H4", "201802", 2, 156, 408, "8703", "Motor cars", 30_000, 450_000),
    # Mirror pair: Russia's exports to China vs China's imports from Russia, HS 27, 2018.
    ("H4", "2018", 2, 643, 156, "27", "Mineral fuels", 9_000_000_000, 10_000_000),
    ("H4", "2018", 1, 156, 643, "27", "Mineral fuels", 9_100_000_000, 11_550_000),
]


def legacy_rows() -> list[dict]:
    rows = []
    for cl, period, fc, rep, par, code, desc, kg, usd in LEGACY:
        rows.append({
            "Classification": cl, "Year": period[:4], "Period": period,
            "Period Desc.": period if len(period) == 4 else f"{period[:4]}-{period[4:]}",
            "Aggregate Level": len(code), "Is Leaf Code": int(len(code) == 6), "Trade Flow Code": fc,
            "Trade Flow": {1: "Import", 2: "Export"}[fc], "Reporter Code": rep, "Reporter": AREAS[rep][0],
            "Reporter ISO": AREAS[rep][1], "Partner Code": par, "Partner": AREAS[par][0],
            "Partner ISO": AREAS[par][1], "Commodity Code": code, "Commodity": desc, "Qty Unit Code": 8,
            "Qty Unit": "Weight in kilograms", "Qty": "" if kg is None else kg,
            "Netweight (kg)": "" if kg is None else kg, "Trade Value (US$)": usd, "Flag": 0,
        })
    return rows


def write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header, restval="", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    write(OUT / "constructed_rus_prk_monthly_H4_2016-2017.csv", CURRENT_HEADER, rus_prk_rows())
    write(OUT / "constructed_prk_caps_bans_mirror_legacy.csv", LEGACY_HEADER, legacy_rows())
