"""Read a vessel registry CSV export into one row per (vessel, company role), every row with its file:line.

Two layouts are accepted, recognised from the header (names folded: case, spaces and punctuation ignored):

* **wide** (one row per ship, a column per role; commercial registry exports): an IMO column plus any of
  registered owner, ship manager, ISM manager, operator, beneficial / group owner, each optionally with its
  company IMO number and its date of effect; optional `from` / `to` dates apply to every role of the row;
* **long** (one row per ship and company; the Equasis "ship management" table): IMO, role, company name,
  company IMO, date of effect (and optional end date).

`HEADERS` lists the accepted spellings of each column (docs/ownership.md prints them). Vessel IMOs must pass
the check digit; company IMO numbers (IMO Unique Company and Registered Owner Identification Numbers) are
7 digits with no check digit. Dates: ISO `2021-03-01`, `01/03/2021` (day first, as Equasis), `2021-03`,
`202103`, with or without Equasis' `since `. Every row that cannot be used is a located problem (file:line, reason); a file with no IMO column
or no usable row is an error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from sanctionwatch.lists.ids import imo_check_ok, parse_imo
from sanctionwatch.lists.model import Problem

ROLES = ("registered owner", "beneficial owner", "ship manager", "ISM manager", "operator")


def fold_header(h: str) -> str:
    """`Registered Owner (IMO No.)` -> `registeredownerimono`: header spellings compared without case or
    punctuation."""
    return re.sub(r"[^a-z0-9]", "", (h or "").lower().replace("\ufeff", ""))


def _folds(*names: str) -> tuple[str, ...]:
    return tuple(fold_header(n) for n in names)


_CO_IMO = ("imo", "imo number", "imo no", "company imo", "company imo number", "company number", "code")
_DATE = ("date", "date of effect", "since", "effective date", "from")


def _role_headers(*bases: str) -> dict[str, tuple[str, ...]]:
    names = [b for b in bases]
    return {
        "name": _folds(*names, *(f"{b} name" for b in names), *(f"{b} company" for b in names)),
        "company_imo": _folds(*(f"{b} {s}" for b in names for s in _CO_IMO)),
        "start": _folds(*(f"{b} {s}" for b in names for s in _DATE)),
    }


# canonical column -> accepted header spellings (folded)
HEADERS: dict[str, tuple[str, ...]] = {
    "imo": _folds("imo", "imo number", "imo no", "imo no.", "ship imo", "vessel imo", "lr/imo", "lr/imo ship no",
                  "lr imo ship no", "imo ship no"),
    "vessel_name": _folds("name", "ship name", "vessel name", "vessel", "ship", "shipname"),
    "role": _folds("role", "company role", "relationship", "type"),
    "company": _folds("company", "company name", "name of company", "company_name"),
    "company_imo": _folds(*_CO_IMO[:6], "company identification number", "owcode"),
    "start": _folds(*_DATE, "start date", "valid from", "date from"),
    "end": _folds("to", "until", "end date", "valid to", "date to", "end"),
}
ROLE_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "registered owner": _role_headers("registered owner", "reg owner", "owner", "registered owner company"),
    "beneficial owner": _role_headers("beneficial owner", "group owner", "group beneficial owner",
                                      "ultimate owner"),
    "ship manager": _role_headers("ship manager", "shipmanager", "manager", "technical manager",
                                  "ship manager commercial manager"),
    "ISM manager": _role_headers("ism manager", "ism", "doc company", "ism manager doc company",
                                 "document of compliance company"),
    "operator": _role_headers("operator", "commercial operator", "commercial manager"),
}
# values of a long file's role column -> canonical role
ROLE_VALUES = {fold_header(k): v for k, v in {
    "registered owner": "registered owner", "owner": "registered owner", "reg owner": "registered owner",
    "beneficial owner": "beneficial owner", "group owner": "beneficial owner",
    "ship manager": "ship manager", "manager": "ship manager", "technical manager": "ship manager",
    "ship manager/commercial manager": "ship manager",
    "ism manager": "ISM manager", "ism": "ISM manager", "doc company": "ISM manager",
    "ism manager (doc company)": "ISM manager",
    "operator": "operator", "commercial operator": "operator", "commercial manager": "operator",
}.items()}

ROW_SCHEMA = {"imo": pl.Utf8, "vessel_name": pl.Utf8, "role": pl.Utf8, "company": pl.Utf8, "company_imo": pl.Utf8,
              "start_date": pl.Utf8, "end_date": pl.Utf8, "source_ref": pl.Utf8, "file_sha256": pl.Utf8}


@dataclass
class RegistryFile:
    """One registry export read into ROW_SCHEMA rows, with what could not be used."""

    path: str
    sha256: str
    layout: str  # wide | long
    columns: dict[str, str]  # canonical column -> header used
    rows: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0


def parse_date(text: str | None) -> str | None:
    """ISO date (or YYYY-MM) from the export spellings; None when empty. ValueError when not a date."""
    t = re.sub(r"^(?:since|from)\s+", "", (text or "").strip(), flags=re.IGNORECASE)  # Equasis: "since 01/05/2019"
    if not t:
        return None
    for fmt, out in (("%Y-%m-%d", "%Y-%m-%d"), ("%d/%m/%Y", "%Y-%m-%d"), ("%d.%m.%Y", "%Y-%m-%d"),
                     ("%Y-%m", "%Y-%m"), ("%Y%m", "%Y-%m"), ("%m/%Y", "%Y-%m"), ("%Y", "%Y")):
        try:
            return datetime.strptime(t[:10] if fmt == "%Y-%m-%d" else t, fmt).strftime(out)
        except ValueError:
            continue
    raise ValueError(f"date {t!r} not understood (YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYYMM)")


def _company_imo(text: str | None) -> str | None:
    """7-digit company IMO number (`IMO 5434358`, `5434358`); None when empty; ValueError otherwise."""
    t = (text or "").strip()
    if not t or t in ("-", "0", "n/a", "N/A", "unknown"):
        return None
    m = re.fullmatch(r"(?:IMO\s*)?(\d{7})", t, re.IGNORECASE)
    if not m:
        raise ValueError(f"company IMO number {t!r} is not 7 digits")
    return m.group(1)


def _pick(header: list[str], accepted: tuple[str, ...], used: set[int]) -> int | None:
    folded = [fold_header(h) for h in header]
    for a in accepted:  # in order of preference
        for i, f in enumerate(folded):
            if f == a and i not in used:
                used.add(i)
                return i
    return None


def _getter(rec: list[str]):
    """cell(i): the stripped cell i of the record, "" when the column is absent or the row short."""
    return lambda i: rec[i].strip() if i is not None and i < len(rec) else ""


def read_registry(path: str | Path) -> RegistryFile:
    """Read one registry CSV (UTF-8, BOM and `;` or tab separators accepted) into ROW_SCHEMA rows."""
    path = Path(path)
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delim = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ValueError(f"{path}: empty file (no header row)")
    used: set[int] = set()
    cols = {k: _pick(header, HEADERS[k], used) for k in ("imo", "role", "company", "vessel_name")}
    if cols["imo"] is None:
        raise ValueError(f"{path}: no IMO column; headers are {header} (accepted: IMO, IMO number, IMO No., "
                         "LR/IMO Ship No., ship/vessel IMO; see docs/ownership.md)")
    long = cols["role"] is not None and cols["company"] is not None
    role_cols: dict[str, dict[str, int | None]] = {}
    if long:
        for k in ("company_imo", "start", "end"):
            cols[k] = _pick(header, HEADERS[k], used)
    else:
        for role, hs in ROLE_HEADERS.items():
            rc = {k: _pick(header, hs[k], used) for k in ("name", "company_imo", "start")}
            if rc["name"] is not None or rc["company_imo"] is not None:
                role_cols[role] = rc
        for k in ("start", "end"):
            cols[k] = _pick(header, HEADERS[k], used)
        if not role_cols:
            raise ValueError(f"{path}: no owner, manager or operator column; headers are {header} "
                             "(see docs/ownership.md for the accepted names)")
    out = RegistryFile(str(path), sha, "long" if long else "wide",
                       {k: header[i] for k, i in cols.items() if i is not None}
                       | {f"{r} {k}": header[i] for r, rc in role_cols.items() for k, i in rc.items() if i is not None},
                       pl.DataFrame(schema=ROW_SCHEMA))
    ref_name = path.name
    rows: list[tuple] = []
    for rec in reader:
        line = reader.line_num
        out.lines += 1
        if not any(c.strip() for c in rec):
            continue
        loc = f"{ref_name}:{line}"
        get = _getter(rec)
        imo = parse_imo(get(cols["imo"]))
        if imo is None or not imo_check_ok(imo):
            out.problems.append(Problem(loc, f"vessel IMO {get(cols['imo'])!r} is not a check-digit-valid IMO "
                                        "number; row not used"))
            continue
        vname = get(cols["vessel_name"]) or None
        try:
            row_start, row_end = parse_date(get(cols.get("start"))), parse_date(get(cols.get("end")))
        except ValueError as e:
            out.problems.append(Problem(loc, f"{e}; dates of this row left empty"))
            row_start = row_end = None
        if long:
            role = ROLE_VALUES.get(fold_header(get(cols["role"])))
            if role is None:
                out.problems.append(Problem(loc, f"role {get(cols['role'])!r} not one of {', '.join(ROLES)}; "
                                            "row not used"))
                continue
            items = [(role, get(cols["company"]), get(cols.get("company_imo")), None)]
        else:
            items = [(role, get(rc["name"]), get(rc["company_imo"]), get(rc["start"])) for role, rc in role_cols.items()]
        for role, name, co_imo_text, start_text in items:
            try:
                co_imo = _company_imo(co_imo_text)
            except ValueError as e:
                out.problems.append(Problem(loc, f"{role}: {e}; kept by name only"))
                co_imo = None
            if not name and co_imo is None:
                continue  # this role is not filled in for the ship
            try:
                start = parse_date(start_text) if start_text else row_start
            except ValueError as e:
                out.problems.append(Problem(loc, f"{role}: {e}; date left empty"))
                start = row_start
            rows.append((imo, vname, role, name or None, co_imo, start, row_end, loc, sha))
    out.rows = pl.DataFrame(rows, schema=ROW_SCHEMA, orient="row").unique(maintain_order=True)
    if out.rows.is_empty():
        first_p = f"; first problem {out.problems[0].location}: {out.problems[0].reason}" if out.problems else ""
        raise ValueError(f"{path}: no usable registry row ({out.lines} data line(s), {len(out.problems)} "
                         f"problem(s){first_p})")
    return out
