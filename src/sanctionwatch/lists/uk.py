"""UK lists: the OFSI/HMT consolidated list CSV (ConList.csv) and the 2026 UK Sanctions List derived tables.

ConList.csv: one row per name (Group Type Individual/Entity/Ship, Alias Type Prime Alias/AKA/FKA), grouped
by `Group ID`; cp1252; optional first line `Last Updated,dd/mm/yyyy`; some copies have one extra empty
header column. The derived UK Sanctions List (covyr/uk-sanctions-list transform) is five normalised tables
keyed by `unique_id` whose 3-letter prefix is the regime (DPR = DPRK).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from sanctionwatch.lists.ids import imo_check_ok, imos_in_text, mmsis_in_text, parse_imo
from sanctionwatch.lists.model import LoadedList, new_entity, org_schema, require_usable, short_path

UK_REGIMES = {"DPR": "Democratic People's Republic of Korea", "RUS": "Russia", "IRN": "Iran",
              "SYR": "Syria", "AQD": "ISIL (Da'esh) and Al-Qaida", "AFG": "Afghanistan"}
_GROUP_SCHEMA = {"individual": "Person", "ship": "Vessel"}


def _iso(d: str | None) -> str | None:
    """`dd/mm/yyyy` to ISO; None when empty or not a date."""
    try:
        return datetime.strptime((d or "").strip(), "%d/%m/%Y").date().isoformat()
    except ValueError:
        return None


def load_hmt_conlist(path: str | Path) -> LoadedList:
    """Load an OFSI ConList.csv; version = the `Last Updated` header line, else the latest row update."""
    path = Path(path)
    text = path.read_bytes().decode("cp1252", errors="replace")
    lines = text.splitlines(keepends=True)
    header_date = None
    if lines and lines[0].startswith("Last Updated"):
        header_date = _iso(lines[0].split(",")[1])
        lines = lines[1:]
    reader = csv.reader(io.StringIO("".join(lines), newline=""))
    header = next(reader, None)
    if header is None:
        raise ValueError(f"{path}: empty file (no header row); not an OFSI ConList.csv")
    if "Group ID" not in header:
        raise ValueError(f"{path}: no `Group ID` column; not an OFSI ConList.csv")
    groups: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    out = LoadedList("gb_hmt_sanctions", "UK HM Treasury OFSI", header_date or "unknown", [str(path)])
    offset = 1 if header_date else 0
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as e:  # e.g. a NUL byte: that row is lost, the rest still load
            out.problem(f"{short_path(path)}:{reader.line_num + offset}", f"CSV error: {e}")
            continue
        line = reader.line_num + offset
        if not any(c.strip() for c in row):
            continue
        h = header
        if len(row) == len(header) - 1 and header[0] == "":
            h = header[1:]  # known quirk: one extra leading empty header column
        if len(row) != len(h):
            out.problem(f"{short_path(path)}:{line}", f"{len(row)} fields, header has {len(h)}")
            continue
        rec = dict(zip(h, row, strict=True))
        groups[rec["Group ID"].strip()].append((line, rec))
    latest = max((d for rows in groups.values() for _, r in rows if (d := _iso(r.get("Last Updated")))), default=None)
    if not header_date:
        out.list_version = latest or "unknown"
    for gid, rows in groups.items():
        line, first = rows[0]
        gtype = first.get("Group Type", "").strip().lower()
        names = []
        for _, r in rows:
            parts = [r.get(f"Name {i}", "").strip() for i in (1, 2, 3, 4, 5)] + [r.get("Name 6", "").strip()]
            nm = " ".join(p for p in parts if p)
            if nm:
                names.append((r.get("Alias Type", "").strip().lower(), nm))
        if not names:
            out.problem(f"{short_path(path)}:{line}", f"group {gid} has no name")
            continue
        prime = next((n for a, n in names if a.startswith("prime")), names[0][1])
        info = " ".join(dict.fromkeys(r.get("Other Information", "").strip() for _, r in rows)).strip()
        schema = _GROUP_SCHEMA.get(gtype) or org_schema(prime)
        if schema != "Person" and _is_ship(info):
            schema = "Vessel"  # pre-2020 ConList files list ships under Group Type `Entity`
        e = new_entity(schema, f"gb_hmt_sanctions-{gid}")
        e.add("name", prime)
        for a, n in names:
            if n != prime:
                e.add("previousName" if a == "fka" else "alias", n)
        e.add("program", first.get("Regime", "").strip() or None)
        e.add("programId", gid)
        if info:
            e.add("notes", info)
        if schema == "Vessel":
            for imo in imos_in_text(info):
                if not imo_check_ok(imo):
                    out.problem(f"{short_path(path)}:{line}", f"IMO {imo} fails the check digit")
                e.add("imoNumber", f"IMO{imo}")
            for m in mmsis_in_text(info):
                e.add("mmsi", m)
        out.add(e, f"{short_path(path)}:{line}")
    require_usable(out, path)
    return out


def _is_ship(info: str) -> bool:
    """An `Entity` group that is a ship: a valid IMO ship number plus `vessel` or an MMSI in its notes."""
    has_imo = any(imo_check_ok(i) for i in imos_in_text(info))
    return has_imo and ("vessel" in info.lower() or bool(mmsis_in_text(info)))


def _read(path: Path) -> list[tuple[int, dict[str, str]]]:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:  # bad bytes become U+FFFD
        reader = csv.DictReader(fh)
        return [(reader.line_num, r) for r in reader]


def load_uk_derived(folder: str | Path) -> LoadedList:
    """Load the derived UK Sanctions List tables (subjects, subject_names, subject_identifiers)."""
    folder = Path(folder)
    subjects_f = folder / "subjects.csv"
    if not subjects_f.exists():
        raise FileNotFoundError(f"UK Sanctions List tables: {subjects_f} not found")
    subjects = _read(subjects_f)
    version = max((d for _, s in subjects if (d := _iso(s.get("last_updated")))), default="unknown")
    files = [str(folder / f) for f in ("subjects.csv", "subject_names.csv", "subject_identifiers.csv")]
    out = LoadedList("gb_fcdo_sanctions", "UK FCDO", version, files)
    names: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for _, r in _read(folder / "subject_names.csv"):
        if (r.get("full_name") or "").strip() and r.get("unique_id"):
            names[r["unique_id"]].append((r.get("name_type") or "", r["full_name"].strip()))
    idents: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for line, r in _read(folder / "subject_identifiers.csv"):
        idents[r.get("unique_id") or ""].append((line, r))
    for line, s in subjects:
        uid = (s.get("unique_id") or "").strip()
        loc = f"{short_path(subjects_f)}:{line}"
        if not uid:
            out.problem(loc, "subject without unique_id")
            continue
        nm = names.get(uid, [])
        if not nm:
            out.problem(loc, f"subject {uid} has no name in subject_names.csv")
            continue
        prime = next((n for t, n in nm if t == "primary"), nm[0][1])
        stype = (s.get("subject_type") or "").strip().lower()
        schema = _GROUP_SCHEMA.get(stype) or org_schema(prime)
        e = new_entity(schema, f"gb_fcdo_sanctions-{uid}")
        e.add("name", prime)
        for _t, n in nm:
            if n != prime:
                e.add("alias", n)
        regime = uid[:3]
        e.add("program", UK_REGIMES.get(regime, regime))
        e.add("programId", uid)
        if s.get("un_reference_number"):
            e.add("notes", f"UN reference {s['un_reference_number']}")
        for iline, i in idents.get(uid, []):
            if i.get("identifier_type") != "imo":
                continue
            imo = parse_imo(i.get("raw_value") or "")
            iloc = f"{short_path(folder / 'subject_identifiers.csv')}:{iline}"
            if imo is None:
                out.problem(iloc, f"IMO value {i['raw_value']!r} is not 7 digits")
            elif schema == "Vessel":
                if not imo_check_ok(imo) and f"IMO{imo}" not in e.get("imoNumber"):
                    out.problem(iloc, f"IMO {imo} fails the check digit (kept as listed)")
                e.add("imoNumber", f"IMO{imo}")
            elif e.schema.get("imoNumber"):
                e.add("imoNumber", imo)
        out.add(e, loc)
    require_usable(out, subjects_f)
    return out


