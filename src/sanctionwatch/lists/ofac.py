"""OFAC SDN and consolidated (non-SDN) list loader: sdn/add/alt/comments CSVs into FtM entities.

Format (OFAC "SDN.CSV" spec): no header; `ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
Tonnage, GRT, Vess_flag, Vess_owner, Remarks`; null is `-0- `; cp1252; the file ends with a `\\x1a` byte.
Remarks longer than the column continue in sdn_comments.csv. IMO and MMSI live only in the remarks.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from sanctionwatch.lists.ids import imo_check_ok, imos_in_text, mmsis_in_text, norm_callsign
from sanctionwatch.lists.model import LoadedList, new_entity, org_schema, require_usable, short_path
from sanctionwatch.lists.relations import link_by_name

NULL = "-0-"
_AKA_RE = re.compile(r"\b([afn])\.k\.a\. '([^']+)'")
_VESSEL_IMO_RE = re.compile(r"(?:Vessel Registration Identification|Identification Number) IMO\s*(\d{7})")
# Company (owner) IMO numbers: OFAC writes "Company Number IMO" and, on most entities, "Identification Number IMO".
_COMPANY_IMO_RE = re.compile(r"(?:Company Number|Identification Number) IMO\s*(\d{7})")
_FORMER_FLAG_RE = re.compile(r"Former Vessel Flag ([^;.]+)")
_LINKED_RE = re.compile(r"Linked To: ([^;]+?)\.?(?:;|$)")
_SCHEMA = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane"}
FILES = {"sdn": ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"),
         "cons": ("cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv")}


def _cell(v: str | None) -> str | None:
    v = (v or "").strip()
    return None if not v or v == NULL else v


def _rows(path: Path, errors: list[tuple[str, str]]) -> list[tuple[int, list[str]]]:
    """(line, fields) of an OFAC CSV; cp1252 with undecodable bytes reported, trailing EOF byte skipped."""
    raw = path.read_bytes()
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError as e:
        errors.append((f"{short_path(path)}:byte {e.start}", f"not cp1252 ({e.reason}); decoded as latin-1"))
        text = raw.decode("latin-1")
    out = []
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:  # e.g. a field over the csv module's size limit: that row only
            errors.append((f"{short_path(path)}:{reader.line_num}", f"CSV error: {e}"))
            continue
        if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
            continue
        out.append((reader.line_num, row))
    return out


def _date_from_folder(path: Path) -> str | None:
    m = re.search(r"(\d{4}-\d{2}(?:-\d{2})?)", path.parent.name)
    return m.group(1) if m else None


def load_ofac(folder: str | Path, kind: str = "sdn", list_version: str | None = None) -> LoadedList:
    """Load an OFAC SDN (`kind='sdn'`) or consolidated non-SDN (`kind='cons'`) folder of CSVs.

    The CSV files carry no date; `list_version` defaults to the date in the folder name (e.g. `2024-05-03`).
    Missing add/alt/comments files are allowed (aliases then come from the remarks only).
    """
    folder = Path(folder)
    main, add_f, alt_f, com_f = (folder / f for f in FILES[kind])
    if not main.exists():
        raise FileNotFoundError(f"OFAC {kind} list: {main} not found")
    version = list_version or _date_from_folder(main) or date.today().isoformat()
    dataset = "us_ofac_sdn" if kind == "sdn" else "us_ofac_cons"
    files = [str(p) for p in (main, add_f, alt_f, com_f) if p.exists()]
    out = LoadedList(dataset, "US Treasury OFAC", version, files)
    errs: list[tuple[str, str]] = []

    comments: dict[str, str] = {}
    if com_f.exists():
        for _, row in _rows(com_f, errs):
            if len(row) >= 2:
                comments[row[0].strip()] = comments.get(row[0].strip(), "") + row[1]
    aliases: dict[str, list[tuple[str, str]]] = {}
    if alt_f.exists():
        for line, row in _rows(alt_f, errs):
            if len(row) < 4 or not _cell(row[3]):
                out.problem(f"{short_path(alt_f)}:{line}", f"alias row with {len(row)} fields / no name")
                continue
            aliases.setdefault(row[0].strip(), []).append(((_cell(row[2]) or "aka").lower(), _cell(row[3]) or ""))
    countries: dict[str, list[str]] = {}
    if add_f.exists():
        for _, row in _rows(add_f, errs):
            if len(row) >= 5 and _cell(row[4]):
                countries.setdefault(row[0].strip(), []).append(_cell(row[4]) or "")

    pending: list[tuple[str, str, str, str]] = []  # (entry id, role, target name, file:line): lists/relations.py
    for line, row in _rows(main, errs):
        loc = f"{short_path(main)}:{line}"
        if len(row) != 12 or not row[0].strip().isdigit():
            out.problem(loc, f"expected 12 fields with a numeric ent_num, got {len(row)}")
            continue
        if not _cell(row[1]):
            out.problem(loc, "no name")
            continue
        try:
            e = _entity(row, dataset, comments, aliases, countries, loc, out)
        except (ValueError, InvalidData) as err:  # one odd row costs itself, not the list
            out.problem(loc, f"row not usable: {err}")
            continue
        out.add(e, loc)
        pending += _links(e, _remarks(row, comments), _cell(row[10]), loc)
    link_by_name(out, pending)
    for loc, reason in errs:
        out.problem(loc, reason)
    require_usable(out, main)
    return out


def _remarks(row: list[str], comments: dict[str, str]) -> str:
    """The Remarks column plus its overflow in the comments file."""
    return (_cell(row[11]) or "") + comments.get(row[0].strip(), "")


def _links(e: EntityProxy, remarks: str, owner: str | None, loc: str) -> list[tuple[str, str, str, str]]:
    """The links a row states by name: every `Linked To: NAME` of its remarks, and a vessel's owner column."""
    out = [(str(e.id), "Linked To", t.strip(), loc) for t in _LINKED_RE.findall(remarks) if t.strip()]
    if e.schema.is_a("Vessel") and owner:
        out.append((str(e.id), "owner", owner, loc))
    return out


def _entity(row: list[str], dataset: str, comments: dict[str, str], aliases: dict[str, list[tuple[str, str]]],
            countries: dict[str, list[str]], loc: str, out: LoadedList) -> EntityProxy:
    """One sdn.csv / cons_prim.csv row (with its aliases, addresses and comment overflow) as an FtM entity."""
    ent_num, name, sdn_type, program = row[0].strip(), _cell(row[1]) or "", _cell(row[2]), _cell(row[3])
    schema = _SCHEMA.get((sdn_type or "").lower()) or org_schema(name)
    e = new_entity(schema, f"{dataset}-{ent_num}")
    e.add("name", name)
    remarks = _remarks(row, comments)
    for p in (program or "").strip("[]").split("] ["):
        if p.strip():
            e.add("program", p.strip())
    e.add("programId", ent_num)
    for kind_, alias in aliases.get(ent_num, []):
        e.add("weakAlias" if kind_ == "nka" else "previousName" if kind_ == "fka" else "alias", alias)
    for k, alias in _AKA_RE.findall(remarks):
        e.add("previousName" if k == "f" else "alias", alias)
    if remarks:
        e.add("notes", remarks)
    if schema == "Vessel":
        _vessel_fields(e, row, remarks, loc, out)
    else:
        for imo in _COMPANY_IMO_RE.findall(remarks):
            if e.schema.get("imoNumber"):
                e.add("imoNumber", imo)
        for c in countries.get(ent_num, []):
            e.add("country", c, quiet=True)
    return e


def _vessel_fields(e, row: list[str], remarks: str, loc: str, out: LoadedList) -> None:
    """Call sign, type, flag, tonnage, owner columns and IMO/MMSI from the remarks."""
    cs = norm_callsign(_cell(row[5]))
    if cs:
        e.add("callSign", cs)
    e.add("type", _cell(row[6]))
    e.add("flag", _cell(row[9]), quiet=True)
    e.add("grossRegisteredTonnage", (_cell(row[8]) or "").replace(",", "") or None, quiet=True)
    e.add("tonnage", (_cell(row[7]) or "").replace(",", "") or None, quiet=True)
    if _cell(row[10]):
        e.add("notes", f"Vessel owner: {_cell(row[10])}")
    for f in _FORMER_FLAG_RE.findall(remarks):
        e.add("pastFlags", f.strip(), quiet=True)
    imos = _VESSEL_IMO_RE.findall(remarks) or imos_in_text(remarks)
    for imo in dict.fromkeys(imos):
        if not imo_check_ok(imo):
            out.problem(loc, f"IMO {imo} fails the check digit (kept as listed, not used to merge)")
        e.add("imoNumber", f"IMO{imo}")
    for mmsi in mmsis_in_text(remarks):
        e.add("mmsi", mmsi)
