"""Port gazetteer: a compact table derived from the World Port Index plus sourced additions.

`load_ports()` reads the table shipped in `sanctionwatch/data/ports.csv`; `build_ports()` rebuilds it
from the WPI CSV (setting `ports_csv`) and reports every row it had to correct or could not use.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import polars as pl

from sanctionwatch.geo.added_ports import (
    ADDED_PORTS,
    ALIASES_BY_LOCODE,
    EXTRA_ALIASES,
    LOCODE_ASSIGN,
    LOCODE_FIXES,
)
from sanctionwatch.geo.params import GAZETTEER, GazetteerParams

ALIAS_SEP = "|"
COLUMNS = ["port_id", "locode", "name", "country", "country_name", "lat", "lon", "radius_km",
           "aliases", "kind", "harbor_size", "source", "source_ref"]

# WPI country names whose ports carry no LOCODE at all, so the ISO2 code cannot be derived (ISO 3166-1).
_ISO2_FALLBACK = {"Gibraltar": "GI", "Johnson Atoll": "UM", "Midway Islands": "UM",
                  "Norfolk Island": "NF", "Palau": "PW", "Wake Island": "UM"}


@dataclass
class BuildReport:
    """What `build_ports` corrected or rejected, each with its WPI row number (1-based, after header)."""

    rows_in: int = 0
    rows_out: int = 0
    issues: list[str] = field(default_factory=list)


def ascii_fold(text: str) -> str:
    """Strip accents so 'Göteborg' and 'Goteborg' compare equal."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _split_alternates(alt: str | None) -> list[str]:
    """WPI 'Alternate Port Name' holds ';'-separated variants."""
    return [a.strip() for a in (alt or "").split(";") if a.strip()]


def _country_iso2(df: pl.DataFrame) -> dict[str, str]:
    """WPI country name -> ISO2, taken as the most common LOCODE prefix among that country's ports."""
    coded = df.filter(pl.col("lc").str.contains(r"^[A-Z]{2}[A-Z2-9]{3}$"))
    mode = coded.group_by("Country Code").agg(pl.col("lc").str.slice(0, 2).mode().sort().first().alias("iso"))
    out = dict(zip(mode["Country Code"].to_list(), mode["iso"].to_list(), strict=True))
    return {**_ISO2_FALLBACK, **out}


def _shipped_iso2() -> dict[str, str]:
    """Country name -> ISO2 from the shipped gazetteer, so a partial WPI extract still maps its countries."""
    try:
        df = pl.read_csv(shipped_path(), columns=["country_name", "country"]).unique()
    except (FileNotFoundError, pl.exceptions.PolarsError):
        return {}
    return dict(zip(df["country_name"].to_list(), df["country"].to_list(), strict=True))


def _kind(name: str, harbor_type: str) -> str:
    """'terminal' for named terminals, 'anchorage' for open roadsteads and anchorages, else 'port'."""
    low = name.lower()
    if "terminal" in low:
        return "terminal"
    if harbor_type == "Open Roadstead" or "anchorage" in low or "roads" in low:
        return "anchorage"
    return "port"


def build_ports(csv_path: str | Path, params: GazetteerParams = GAZETTEER) -> tuple[pl.DataFrame, BuildReport]:
    """Derive the gazetteer from a WPI CSV (Pub. 150 column names) plus ADDED_PORTS."""
    raw = pl.read_csv(csv_path, infer_schema_length=0, encoding="utf8-lossy")
    report = BuildReport(rows_in=raw.height)
    raw = raw.with_row_index("row", offset=1).with_columns(
        pl.col("UN/LOCODE").fill_null("").str.replace_all(r"[\s\"]", "").str.to_uppercase().alias("lc"))
    iso = {**_shipped_iso2(), **_country_iso2(raw)}
    owned_codes = set(raw.filter(pl.col("Country Code").replace_strict(iso, default=None) == pl.col("lc").str.slice(0, 2))["lc"])
    rows: list[dict] = []
    for r in raw.iter_rows(named=True):  # build-time only (~3.8k rows), not a hot path
        row_no, name, country_name = r["row"], (r["Main Port Name"] or "").strip(), r["Country Code"] or ""
        try:
            lat, lon = float(r["Latitude"]), float(r["Longitude"])
        except (TypeError, ValueError):
            report.issues.append(f"row {row_no} {name!r}: unparsable lat/lon {r['Latitude']!r},{r['Longitude']!r}; skipped")
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not name:
            report.issues.append(f"row {row_no} {name!r}: out-of-range position or empty name; skipped")
            continue
        country = iso.get(country_name)
        if country is None:
            report.issues.append(f"row {row_no} {name!r}: no ISO2 for country {country_name!r}; skipped")
            continue
        aliases = _split_alternates(r["Alternate Port Name"])
        lc = r["lc"]
        if lc and len(lc) != 5:
            report.issues.append(f"row {row_no} {name!r}: malformed LOCODE {r['UN/LOCODE']!r}; dropped")
            lc = ""
        elif lc and lc[:2] != country:
            if lc in owned_codes:
                report.issues.append(f"row {row_no} {name!r}: LOCODE {lc} belongs to a {lc[:2]} port, not {country}; dropped")
                lc = ""
            else:
                report.issues.append(f"row {row_no} {name!r}: LOCODE {lc} prefix differs from country {country}; kept")
        ref = f"WPI row {row_no} (index no. {r['World Port Index Number']})"
        if lc in LOCODE_FIXES:
            aliases.append(lc)
            ref += f"; LOCODE corrected from WPI {lc}"
            lc = LOCODE_FIXES[lc]
        if not lc and (country, name) in LOCODE_ASSIGN:
            lc = LOCODE_ASSIGN[(country, name)]
            ref += "; LOCODE assigned (added_ports.LOCODE_ASSIGN)"
        aliases += EXTRA_ALIASES.get((country, name), []) + ALIASES_BY_LOCODE.get(lc, [])
        size = r["Harbor Size"].strip() if r["Harbor Size"] else ""
        rows.append({
            "port_id": f"WPI{int(float(r['World Port Index Number']))}", "locode": lc or None, "name": name,
            "country": country, "country_name": country_name, "lat": round(lat, 6), "lon": round(lon, 6),
            "radius_km": params.radius_km_by_size.get(size, params.default_radius_km),
            "aliases": _dedup([name, *aliases]), "kind": _kind(name, r["Harbor Type"] or ""),
            "harbor_size": size or None, "source": "wpi", "source_ref": ref,
        })
    for i, a in enumerate(ADDED_PORTS, start=1):
        rows.append({
            "port_id": f"ADD{i:03d}", "locode": a["locode"], "name": a["name"], "country": a["country"],
            "country_name": a["country_name"], "lat": a["lat"], "lon": a["lon"], "radius_km": a["radius_km"],
            "aliases": _dedup([a["name"], *a["aliases"]]), "kind": a["kind"], "harbor_size": None,
            "source": "added", "source_ref": a["ref"],
        })
    ids = [r["port_id"] for r in rows]
    dups = {i for i in ids if ids.count(i) > 1}
    for r in rows:  # WPI index numbers repeat for a few entries: disambiguate with the WPI row number
        if r["port_id"] in dups:
            r["port_id"] += "-r" + r["source_ref"].split()[2]
    df = pl.DataFrame(rows, schema=_schema()).sort("port_id")
    report.rows_out = df.height
    return df, report


def _dedup(names: list[str]) -> list[str]:
    """Keep first occurrence of each name, case-insensitively."""
    seen: set[str] = set()
    out = []
    for n in names:
        if n.upper() not in seen:
            seen.add(n.upper())
            out.append(n)
    return out


def _schema() -> dict[str, pl.DataType]:
    """Column types of the gazetteer."""
    return {"port_id": pl.String, "locode": pl.String, "name": pl.String, "country": pl.String,
            "country_name": pl.String, "lat": pl.Float64, "lon": pl.Float64, "radius_km": pl.Float64,
            "aliases": pl.List(pl.String), "kind": pl.String, "harbor_size": pl.String, "source": pl.String,
            "source_ref": pl.String}


def to_csv_frame(ports: pl.DataFrame) -> pl.DataFrame:
    """Flatten the aliases list to one '|'-joined string for the shipped CSV."""
    return ports.with_columns(pl.col("aliases").list.join(ALIAS_SEP))


def shipped_path() -> Path:
    """Path of the gazetteer shipped inside the package."""
    return Path(str(resources.files("sanctionwatch") / "data" / "ports.csv"))


@functools.cache
def _load_cached(path: str) -> pl.DataFrame:
    """Read and type a gazetteer CSV once per process."""
    schema = {**_schema(), "aliases": pl.String}
    df = pl.read_csv(path, schema=schema)
    return df.with_columns(pl.col("aliases").str.split(ALIAS_SEP))


def load_ports(path: str | Path | None = None) -> pl.DataFrame:
    """The gazetteer: one row per port with locode, name, country (ISO2), lat, lon, radius_km, aliases, kind, source."""
    return _load_cached(str(path or shipped_path()))


def port(ref: str, ports: pl.DataFrame | None = None) -> dict:
    """One port as a dict, by LOCODE ('KPNAM', 'KP NAM') or port_id ('WPI60280'); KeyError naming `ref` if absent."""
    ports = load_ports() if ports is None else ports
    key = ref.replace(" ", "").upper()
    hit = ports.filter((pl.col("locode") == key) | (pl.col("port_id") == key))
    if hit.height == 0:
        raise KeyError(f"no port with LOCODE or port_id {ref!r} in the gazetteer")
    return hit.sort("radius_km", descending=True).row(0, named=True)
