"""Resolve free-text AIS destinations to gazetteer ports, with a status, a confidence and the rule that matched.

Normalisation and route splitting are Polars expressions over the column; then each *distinct* string
goes through dict lookups (LOCODE, name, name without spaces) and, only if those fail, the slower steps
(suffix/country stripping, LOCODE inside the text, rapidfuzz blocked by first letter and length so it
never compares names x ports). Results are joined back to the input rows.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import polars as pl
from rapidfuzz import fuzz, process

from sanctionwatch.geo.gazetteer import load_ports
from sanctionwatch.geo.params import RESOLVE, ResolveParams
from sanctionwatch.geo.textnorm import clean_words, name_key, nospace, route_marked

STATUSES = ("resolved", "code_only", "unspecified", "unresolved")
OUT_COLUMNS = ["raw", "locode", "port", "country", "status", "confidence", "rule", "port_id", "origin", "origin_locode"]

# Whole-destination phrases that name no place (IMO/industry shorthand seen in the Baltic and AMSA data).
_UNSPECIFIED = re.compile(
    r"^(?:(?:UP )?(?:FOR|TO|AWAITING|AWAIT) ORDERS?|ORDERS?|AT SEA|SEA|OPEN SEA|HIGH SEAS?|UNKNOWN|UNKOWN|UNKNOW|NONE|"
    r"NIL|N ?A|TBA|TBN|TBC|TBD|NO DESTINATION|NOT DEFINED|NOT AVAILABLE|.*\bFISHING\b.*|SURVEY|"
    r"PATROL|PATROLLING|ON PATROL|RESERVED|MIL ?OPS?|TESTING|SEA TRIALS?|SAR|.*\bSAR VESSEL|MILITARY.*|TRAINING|"
    r"DRIFTING|STANDBY|STAND BY|OFFSHORE|WORKING|ANCHORAGE|"
    r"ROADS?|BUNKERING|[A-Z]|[0-9 ]+|)$"
)
_FOR_ORDERS_TAIL = re.compile(r"^(.*?)\s*(?:\b(?:FOR|TO|UP TO|WAITING FOR|AWAITING) ORDERS?\b.*|\bF ?O|\bORDERS?)$")
_VIA_TAIL = re.compile(r"^(.+?)\s+VIA\s+.*$")
_OPL = re.compile(r"^(?:OPL|OFF|OFF PORT LIMITS|OUTER)\s+(.+)$")
# Trailing words that describe a place within a port, stripped before a second exact try.
_SUFFIX = re.compile(r"^(.+?)\s+(?:ANCHORAGE|ANCH|ANC|ROADS?|PILOT(?: STATION)?|PS|AREA|HARBOU?R|HBR|PORT|"
                     r"TERMINAL|OPL|OUTER|INNER|BAY|ROADSTEAD|RADE|REEDE|LIGHT|BOUY|BUOY|STS)$")
_LOCODE_IN_TEXT = re.compile(r"\b([A-Z]{2}) ?([A-Z2-9]{3})\b")
# USPS state codes: 'CORPUS TX', 'NORFOLK VA'. Many clash with ISO2 (DE, IN, PA...), so a state suffix is only
# believed when the rest of the text names a US port; otherwise the token is read as a country code.
_US_STATES = frozenset([
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA",
    "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK",
    "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR",
])
_US_STATE_NAMES = ("ALABAMA", "ALASKA", "CALIFORNIA", "CONNECTICUT", "DELAWARE", "FLORIDA", "GEORGIA", "HAWAII",
                   "LOUISIANA", "MAINE", "MARYLAND", "MASSACHUSETTS", "MICHIGAN", "MISSISSIPPI", "NEW JERSEY",
                   "NORTH CAROLINA", "OREGON", "PENNSYLVANIA", "SOUTH CAROLINA", "TEXAS", "VIRGINIA", "WASHINGTON")
_SIZE_RANK = {"Large": 0, "Medium": 1, "Small": 2, "Very Small": 3}


@dataclass(frozen=True)
class _Tables:
    """Lookup tables built once per gazetteer."""

    ports: pl.DataFrame  # port_id, locode, name, country, rank
    by_locode: dict[str, int]  # LOCODE (or WPI/alias code) -> row
    by_name: dict[str, list[int]]  # name key -> rows, best first
    by_nospace: dict[str, list[int]]
    blocks: dict[str, list[str]]  # first letter -> nospace keys, for fuzzy blocking
    countries: dict[str, str]  # country name/ISO2 key -> ISO2
    countries_ns: dict[str, str]  # same, keys without spaces
    name_words: frozenset[str]  # 5-letter words of port names ('BREST', 'DOVER'): never read as a LOCODE
    original_ns: frozenset[str]  # no-space keys of real aliases (not derived variants)


@functools.cache
def _tables_for(path: str | None) -> _Tables:
    """Build (and cache) the lookup tables for a gazetteer."""
    ports = load_ports(path).with_row_index("row").with_columns(
        pl.col("harbor_size").replace_strict(_SIZE_RANK, default=4).alias("rank"))
    al = ports.select("row", "rank", "port_id", alias=pl.col("aliases")).explode("alias").drop_nulls("alias")
    al = pl.concat([al.with_columns(pl.lit(True).alias("original")),
                    _derived_aliases(al).with_columns(pl.lit(False).alias("original"))]
                   ).unique(["row", "alias"], keep="first", maintain_order=True)
    al = al.with_columns(name_key(pl.col("alias")).alias("key")).with_columns(nospace(pl.col("key")).alias("ns"))
    al = al.filter(pl.col("key") != "").sort("rank", "port_id")
    original_ns = frozenset(al.filter("original")["ns"].to_list())
    by_name = {k: list(dict.fromkeys(v)) for k, v in al.group_by("key", maintain_order=True).agg("row").iter_rows()}
    by_ns = {k: list(dict.fromkeys(v)) for k, v in al.group_by("ns", maintain_order=True).agg("row").iter_rows()}
    by_locode: dict[str, int] = {}
    ranked = ports.sort("rank", "port_id")
    for row, lc in ranked.select("row", "locode").drop_nulls().iter_rows():
        by_locode.setdefault(lc, row)
    for row, ns in al.select("row", "ns").iter_rows():  # WPI/alternative codes kept as aliases (CNSGH, KPNJN)
        if re.fullmatch(r"[A-Z]{2}[A-Z2-9]{3}", ns) and ns[:2] == ports["country"][row] and ns not in by_name:
            by_locode.setdefault(ns, row)
    blocks: dict[str, list[str]] = {}
    for ns in by_ns:
        if len(ns) >= 3:
            blocks.setdefault(ns[0], []).append(ns)
    cn = ports.select("country", "country_name").unique()
    countries = {k: iso for iso, nm in cn.iter_rows() for k in (iso, _key(nm))}
    countries |= {"USA": "US", "UK": "GB", "UAE": "AE", "KOREA": "KR", "HOLLAND": "NL", "RUSSIAN FEDERATION": "RU",
                  "TURKIYE": "TR", "S KOREA": "KR", "N KOREA": "KP", "DPRK": "KP",
                  "AUS": "AU", "AUST": "AU", "AUSTR": "AU", "NZL": "NZ", "PNG": "PG", "CHN": "CN", "JPN": "JP",
                  "KOR": "KR", "RUS": "RU", "IND": "IN", "INDO": "ID", "PRC": "CN", "EGY": "EG", "DNK": "DK",
                  "SWE": "SE", "FIN": "FI", "NOR": "NO", "DEU": "DE", "NLD": "NL", "POL": "PL", "EST": "EE"}
    countries |= {k: "US" for k in _US_STATE_NAMES}
    countries_ns = {k.replace(" ", ""): v for k, v in countries.items()}
    name_words = frozenset(w for k in by_name for w in k.split() if len(w) == 5)
    return _Tables(ports.select("row", "port_id", "locode", "name", "country", "rank"), by_locode, by_name, by_ns,
                   blocks, countries, countries_ns, name_words, original_ns)


# Generic words in WPI names that AIS destinations usually omit ('Vadinar Terminal' -> 'VADINAR').
_GENERIC = (r"(?i)\b(?:harbou?rs?|terminals?|port of|port|porto|bay|limani|bandar|havn|hamn|hang|gang|sadam|rade|"
            r"bukhta|gavan|puerto|oil|lng|anchorage|roads)\b")


def _derived_aliases(al: pl.DataFrame) -> pl.DataFrame:
    """Extra alias rows: parts in/outside parentheses ('Mumbai (Bombay)') and names without generic words."""
    a = pl.col("alias")
    variants = [
        a.str.extract(r"\(([^)]+)\)"),
        a.str.replace_all(r"\([^)]*\)", ""),
        a.str.split(" - ").list.first(),
        a.str.replace_all(_GENERIC, " ").str.replace_all(r"^\s*(?:(?:Al|El|Le|La|De|Del|Of|Mina)\s+)+", ""),
        a.str.replace(r"(?i)[\s-]+ko$", ""),  # Japanese 'ko' (port) at the end: 'Niigata Ko' -> 'Niigata'
    ]
    out = pl.concat([al.with_columns(v.str.strip_chars(" -").alias("alias")) for v in variants])
    return out.filter(pl.col("alias").str.len_chars() >= 4)


def _key(text: str) -> str:
    """Python twin of textnorm.name_key for short literals."""
    return pl.select(name_key(pl.lit(text))).item()


def split_routes(raw: pl.Series) -> pl.DataFrame:
    """raw -> (raw, dest, origin): text after the last route arrow is the destination, before the first the origin."""
    df = pl.DataFrame({"raw": raw.cast(pl.String)}).with_columns(route_marked(pl.col("raw").fill_null("")).alias("m"))
    parts = pl.col("m").str.split(">").list.eval(clean_words(pl.element())).list.eval(
        pl.element().filter(pl.element() != ""))
    return df.with_columns(parts.alias("p")).select(
        "raw",
        pl.col("p").list.last().fill_null("").alias("dest"),
        pl.when(pl.col("p").list.len() > 1).then(pl.col("p").list.first()).otherwise(None).alias("origin"),
    )


def _hit(t: _Tables, row: int, rule: str, conf: float, n: int = 1) -> dict:
    """One resolved row from a gazetteer row."""
    p = t.ports.row(row, named=True)
    if n > 1:
        rule, conf = f"{rule} (ambiguous: {n} ports, took largest harbour)", conf * 0.85
    return {"locode": p["locode"], "port": p["name"], "country": p["country"], "port_id": p["port_id"],
            "status": "resolved", "confidence": round(conf, 3), "rule": rule}


def _none(status: str, rule: str, conf: float, country: str | None = None) -> dict:
    """A row with no port."""
    return {"locode": None, "port": None, "country": country, "port_id": None, "status": status,
            "confidence": round(conf, 3), "rule": rule}


def _pick(t: _Tables, rows: list[int], country: str | None) -> tuple[int, int]:
    """Best candidate row (largest harbour first) and the number of candidates; with a country hint only
    candidates in that country count, and (-1, 0) means none is there."""
    if country:
        rows = [r for r in rows if t.ports["country"][r] == country]
        if not rows:
            return -1, 0
    return rows[0], len(rows)


def _exact(t: _Tables, d: str, p: ResolveParams, country: str | None, tag: str = "") -> dict | None:
    """LOCODE, name and no-space name lookups on one cleaned destination."""
    ns = d.replace(" ", "")
    if d in t.by_name:
        row, n = _pick(t, t.by_name[d], country)
        if n:
            return _hit(t, row, f"name{tag}", p.conf_name, n)
    if re.fullmatch(r"[A-Z]{2} ?[A-Z2-9]{3}", d) and ns in t.by_locode:
        return _hit(t, t.by_locode[ns], f"locode{tag}", p.conf_locode)
    if ns in t.by_nospace:
        row, n = _pick(t, t.by_nospace[ns], country)
        if n:
            return _hit(t, row, f"name_nospace{tag}", p.conf_name * 0.97, n)
    return None


def _resolve_one(t: _Tables, d: str, p: ResolveParams) -> dict:
    """Resolve one cleaned destination part (route already split)."""
    part = d
    if _UNSPECIFIED.match(d):
        return _none("unspecified", "blank" if not d else "no_place_phrase", p.conf_unspecified)
    if d in t.countries:
        return _none("unspecified", "country_only", p.conf_unspecified, t.countries[d])
    m = _FOR_ORDERS_TAIL.match(d)
    if m:
        head = m.group(1).strip()
        if not head or head in t.countries:
            return _none("unspecified", "for_orders" + ("+country" if head else ""), p.conf_unspecified,
                         t.countries.get(head))
        hit = _resolve_one(t, head, p)
        if hit["status"] == "resolved":
            hit["rule"] += "+for_orders_tail"
        return hit
    hit = _exact(t, d, p, None)
    if hit:
        return hit
    # Strip trailing country ('PORT SAID EG', 'ALIAGA TURKEY'), 'VIA ...', 'OPL ...' and place suffixes.
    words = d.split()
    if len(words) > 1 and words[-1] in _US_STATES:
        head = " ".join(words[:-1])
        hit = _exact(t, head, p, "US", "+strip-us-state") or _fuzzy(t, head, p, "US")
        if hit and hit["country"] == "US":
            return hit
    country, d = _strip_country(t, d)
    if country:
        hit = _exact(t, d, p, country, "+strip-country")
        if hit:
            return hit
        if len(d) == 3 and country + d in t.by_locode:  # 'NTL AUS' -> AUNTL
            return _hit(t, t.by_locode[country + d], "locode_split_country", p.conf_locode * 0.95)
    for rx, tag in ((_VIA_TAIL, "-via"), (_OPL, "-opl"), (_SUFFIX, "-suffix")):
        m = rx.match(d)
        if m:
            d = m.group(1)
            if d in t.countries:
                return _none("unspecified", f"country_only+strip{tag}", p.conf_unspecified, t.countries[d])
            hit = _exact(t, d, p, country, f"+strip{tag}")
            if hit:
                return hit
    found = [a + b for a, b in _LOCODE_IN_TEXT.findall(d) if a + b in t.by_locode]
    if found:
        return _hit(t, t.by_locode[found[-1]], "locode_in_text", p.conf_locode * 0.95)
    hit = _fuzzy(t, d, p, country)
    if hit:
        return hit
    ns = d.replace(" ", "")
    if (d == part and re.fullmatch(r"[A-Z]{2} ?[A-Z2-9]{3}", d) and ns[:2] in t.countries  # nothing stripped
            and d not in t.name_words):
        return {**_none("code_only", "locode_not_in_gazetteer", p.conf_code_only, ns[:2]), "locode": ns}
    return _none("unresolved", "no_match", 0.0, country)


def _country_of(t: _Tables, words: str) -> str | None:
    """ISO2 for a country written as code, name, name without spaces or a >=6-letter unique prefix ('NETHERLAND')."""
    if words in t.countries:
        return t.countries[words]
    ns = words.replace(" ", "")
    if ns in t.countries_ns:
        return t.countries_ns[ns]
    if len(ns) >= 6:
        hits = {iso for k, iso in t.countries_ns.items() if k.startswith(ns)}
        if len(hits) == 1:
            return hits.pop()
    return None


def _strip_country(t: _Tables, d: str) -> tuple[str | None, str]:
    """Remove a trailing (or else leading) country from 'PORT SAID EG', 'DAMMAM SAUDIARABIA', 'AUS FREMANTLE'."""
    words = d.split()
    for k in (2, 1):
        if len(words) > k:
            iso = _country_of(t, " ".join(words[-k:]))
            if iso:
                return iso, " ".join(words[:-k])
    if len(words) > 1 and len(" ".join(words[1:])) >= 4:
        iso = _country_of(t, words[0])
        if iso:
            return iso, " ".join(words[1:])
    return None, d


def _fuzzy(t: _Tables, d: str, p: ResolveParams, country: str | None) -> dict | None:
    """Fuzzy name match within the block of names sharing the first letter and a similar length."""
    ns = d.replace(" ", "")
    if len(ns) < p.fuzzy_min_len:
        return None
    block = [k for k in t.blocks.get(ns[0], ()) if abs(len(k) - len(ns)) <= 2]
    long = len(ns) >= p.fuzzy_long_min_len
    cutoff = min(p.fuzzy_min_score, p.fuzzy_long_min_score) if long else p.fuzzy_min_score
    best = process.extractOne(ns, block, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best is None:
        return None
    key, score, _ = best
    if score < p.fuzzy_min_score and key not in t.original_ns:
        return None  # the lower bar only applies against WPI's own names
    row, n = _pick(t, t.by_nospace[key], country)
    if not n:
        return None  # the text names a country and the fuzzy candidate is elsewhere: refuse rather than guess
    return _hit(t, row, f"fuzzy:{key}~{score:.0f}", score / 100 * p.conf_fuzzy_scale, n)


def resolve_parts(parts: pl.Series, params: ResolveParams = RESOLVE, ports_path: str | None = None) -> pl.DataFrame:
    """Resolve cleaned, route-free destination strings (one row per distinct input, column 'dest')."""
    t = _tables_for(ports_path)
    uniq = parts.unique().drop_nulls().to_list()
    rows = [{"dest": d, **_resolve_one(t, d, params)} for d in uniq]  # distinct strings only
    schema = {"dest": pl.String, "locode": pl.String, "port": pl.String, "country": pl.String, "port_id": pl.String,
              "status": pl.String, "confidence": pl.Float64, "rule": pl.String}
    return pl.DataFrame(rows, schema=schema)


def resolve_destinations(strings: pl.Series, params: ResolveParams = RESOLVE,
                         ports_path: str | None = None) -> pl.DataFrame:
    """Free-text AIS destinations -> one row per input: raw, locode, port, country, status, confidence, rule (+ port_id, origin)."""
    distinct = split_routes(strings.unique())
    dest = resolve_parts(distinct["dest"], params, ports_path)
    orig = resolve_parts(distinct["origin"].drop_nulls(), params, ports_path).select(
        pl.col("dest").alias("origin"), pl.col("locode").alias("origin_locode"))
    res = (distinct.join(dest, on="dest", how="left").join(orig, on="origin", how="left")
           .with_columns(pl.when(pl.col("origin").is_not_null()).then(pl.lit("route>") + pl.col("rule"))
                         .otherwise(pl.col("rule")).alias("rule")))
    # Letters that normalisation removed entirely (e.g. CJK in a CSV export) are not a blank destination.
    lost = (pl.col("rule") == "blank") & pl.col("raw").str.contains(r"\p{L}").fill_null(False)
    res = res.with_columns(
        pl.when(lost).then(pl.lit("unresolved")).otherwise(pl.col("status")).alias("status"),
        pl.when(lost).then(pl.lit(0.0)).otherwise(pl.col("confidence")).alias("confidence"),
        pl.when(lost).then(pl.lit("non_latin_text")).otherwise(pl.col("rule")).alias("rule"),
    )
    out = pl.DataFrame({"raw": strings.cast(pl.String)}).join(res, on="raw", how="left", nulls_equal=True,
                                                               maintain_order="left")
    return out.select(OUT_COLUMNS)
