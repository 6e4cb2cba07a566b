"""Structural checks a list file must pass before it is used: a download becomes "latest" only when it passes.

Why: an empty 200, an HTML error page or a body cut in half used to load as a (small) list, so screening
reported "0 matches" against a list that was not there. The checks are per format and cheap (bytes and the
first/last records), followed by the loader itself and two counts:

* sniff: empty file, HTML page (error/captive portal), wrong format (not CSV/XML/JSON lines as expected);
* completeness: OFAC CSVs end with a `\\x1a` byte and a complete 12-field last row; UN XML ends with
  `</CONSOLIDATED_LIST>`; the last ConList row has the header's field count; the last FtM line is a whole
  JSON object. A CSV that ends inside a quoted field is cut;
* required columns / elements: OFAC's 12 columns with a numeric `ent_num`, ConList's `Group ID`, `Group
  Type`, `Alias Type` and name columns, UN `INDIVIDUALS` and `ENTITIES` under `CONSOLIDATED_LIST`, FtM
  `id` and `schema`;
* at least `min_entities` entries, at most `max_problem_ratio` of records unusable, and at most
  `max_drop_ratio` fewer entries than the previous version (the previous download, else the packaged
  snapshot): `allow_drop` overrides that last check for a deliberate downgrade.

The OFAC `\\x1a` trailer is not required: mirrors strip it (the 2019 moov-io copy shipped for tests has none).
A missing trailer alone is a warning; when another check of the same file fails it is reported with it as
"possibly truncated".
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sanctionwatch.lists.sources import DOWNLOAD_NAMES, ListSource

if TYPE_CHECKING:
    from sanctionwatch.lists.model import LoadedList


@dataclass(frozen=True)
class ValidateParams:
    """Thresholds of list validation; each default with its reason (docs/screening.md "Validation")."""

    max_drop_ratio: float = 0.20  # fewer entries than the previous version by more than this fails. Measured on
    #   the shipped snapshots: OFAC SDN only grew (7,379 -> 9,083 -> 14,965, 2019-2024) and the UN list lost
    #   8.2% in seven years (1,093 -> 1,003, 2018-2026); a cut body loses ~50% (issue 19: 8,078 of 14,965).
    min_entities: int = 1  # a list with no entry is never a valid current list.
    max_problem_ratio: float = 0.10  # unusable records / all records above this means wrong format or
    #   corruption: every shipped real list loads with 0 problems.
    tail_bytes: int = 64 * 1024  # bytes read from a file's end for the completeness checks (XML closing tag).


# Columns per OFAC CSV (OFAC "SDN.CSV" spec): sdn/cons_prim 12, add 6, alt 5, comments 2.
_OFAC_FIELDS = {"sdn.csv": 12, "cons_prim.csv": 12, "add.csv": 6, "cons_add.csv": 6, "alt.csv": 5,
                "cons_alt.csv": 5, "sdn_comments.csv": 2, "cons_comments.csv": 2}
_CONLIST_REQUIRED = ("Group ID", "Group Type", "Alias Type", "Name 6", "Name 1")
_UK_DERIVED_REQUIRED = {"subjects.csv": ("unique_id", "subject_type"),
                        "subject_names.csv": ("unique_id", "name_type", "full_name"),
                        "subject_identifiers.csv": ("unique_id", "identifier_type", "raw_value")}


@dataclass(frozen=True)
class Finding:
    """One failed (or, with severity `warning`, doubtful) check: which file, which check, what was seen."""

    file: str
    check: str
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.file}: {self.message} (check {self.check})"  # not [..]: rich would eat it as markup


@dataclass
class Validation:
    """Outcome of validating one list: findings, entry counts and the previous version compared against."""

    source: str
    findings: list[Finding] = field(default_factory=list)
    entities: int | None = None
    problems: int | None = None
    previous_entities: int | None = None
    previous_from: str | None = None  # "download <version>" or "packaged snapshot <version>"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def reasons(self) -> str:
        return "; ".join(str(f) for f in self.errors)

    def as_dict(self) -> dict:
        return {"source": self.source, "ok": self.ok, "entities": self.entities, "problems": self.problems,
                "previous_entities": self.previous_entities, "previous_from": self.previous_from,
                "findings": [f.__dict__ for f in self.findings]}


class ListValidationError(ValueError):
    """A list failed validation; `validation` holds every finding."""

    def __init__(self, validation: Validation, kept: str = ""):
        self.validation = validation
        msg = f"list {validation.source} failed validation: {validation.reasons()}"
        super().__init__(msg + (f"; {kept}" if kept else ""))


def _read_ends(path: Path, n: int, name: str) -> tuple[bytes, bytes, Finding | None]:
    """First and last `n` bytes of a file, and a finding when it is empty or an HTML page instead of a list."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(n)
        if size > n:
            fh.seek(max(0, size - n))
        tail = fh.read(n) if size > n else head
    if not head.strip(b" \t\r\n\x1a\x00"):
        return head, tail, Finding(name, "empty", "empty file (0 bytes or whitespace only)")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith(b"<") and any(t in start for t in (b"<!doctype html", b"<html", b"<body")):
        return head, tail, Finding(name, "sniff", "an HTML page, not a list (an error or login page?)")
    return head, tail, None


def _csv_rows(path: Path, encoding: str) -> tuple[list[list[str]], str | None]:
    """All CSV rows (strict parser, so an unterminated quote at the end is an error) and the error, if any."""
    text = path.read_bytes().decode(encoding, errors="replace")
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), strict=True):
            if row and not (len(row) == 1 and row[0].strip() in ("", "\x1a")):
                rows.append(row)
    except csv.Error as e:
        return rows, f"CSV error after row {len(rows)}: {e} (file cut inside a quoted field?)"
    return rows, None


def _check_ofac(folder: Path, fmt: str, tail_n: int) -> list[Finding]:
    out: list[Finding] = []
    main = DOWNLOAD_NAMES[fmt][0]
    if not (folder / main).exists():
        return [Finding(main, "required_file", f"{main} missing")]
    for name in DOWNLOAD_NAMES[fmt]:
        p = folder / name
        if not p.exists():
            continue
        _, tail, bad = _read_ends(p, tail_n, name)
        if bad:
            out.append(bad)
            continue
        mine: list[Finding] = []
        rows, err = _csv_rows(p, "cp1252")
        want = _OFAC_FIELDS[name]
        if err:
            mine.append(Finding(name, "complete", err))
        if not rows:
            mine.append(Finding(name, "format", "no CSV rows"))
        else:
            if len(rows[0]) != want or not rows[0][0].strip().isdigit():
                mine.append(Finding(name, "format", f"first row has {len(rows[0])} fields and ent_num "
                                    f"{rows[0][0][:20]!r}; OFAC {name} rows have {want} fields, numeric ent_num"))
            elif len(rows[-1]) != want:
                mine.append(Finding(name, "complete", f"last row has {len(rows[-1])} fields, expected {want}"))
        if not tail.rstrip(b"\r\n ").endswith(b"\x1a"):
            if mine:
                mine.append(Finding(name, "trailer", "no \\x1a end-of-file byte either: possibly truncated"))
            else:
                mine.append(Finding(name, "trailer", "no \\x1a end-of-file byte (OFAC's own files end with one; "
                                    "mirrors strip it)", "warning"))
        out += mine
    return out


def _check_un(path: Path, tail_n: int) -> list[Finding]:
    name = path.name
    head, tail, bad = _read_ends(path, tail_n, name)
    if bad:
        return [bad]
    out = []
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"<"):
        return [Finding(name, "sniff", f"not XML (starts with {start[:20]!r})")]
    if b"<CONSOLIDATED_LIST" not in head:
        out.append(Finding(name, "required_element", "no <CONSOLIDATED_LIST> root element in the first "
                           f"{len(head)} bytes"))
    if not tail.rstrip().endswith(b"</CONSOLIDATED_LIST>"):
        out.append(Finding(name, "complete", "does not end with </CONSOLIDATED_LIST> (truncated?)"))
    if not out:  # element presence is cheap to check on the whole (bounded, ~2-25 MB) file
        data = path.read_bytes()
        for el in (b"INDIVIDUALS", b"ENTITIES"):
            if b"<" + el not in data:
                out.append(Finding(name, "required_element", f"no <{el.decode()}> element"))
    return out


def _check_conlist(path: Path, tail_n: int) -> list[Finding]:
    name = path.name
    _, _, bad = _read_ends(path, tail_n, name)
    if bad:
        return [bad]
    rows, err = _csv_rows(path, "cp1252")
    out = [Finding(name, "complete", err)] if err else []
    if rows and rows[0] and rows[0][0].startswith("Last Updated"):
        rows = rows[1:]
    if not rows:
        return [*out, Finding(name, "format", "no header row")]
    header = rows[0]
    missing = [c for c in _CONLIST_REQUIRED if c not in header]
    if missing:
        return [*out, Finding(name, "required_columns", f"missing columns {missing}; header starts "
                              f"{','.join(header[:4])[:80]!r}")]
    if len(rows) > 1 and len(rows[-1]) not in (len(header), len(header) - 1):
        out.append(Finding(name, "complete", f"last row has {len(rows[-1])} fields, header has {len(header)}"))
    return out


def _first_last_lines(path: Path, limit: int) -> tuple[bytes, bytes]:
    """First and last non-empty lines, reading at most `limit` bytes from each end (lines can be long)."""
    with open(path, "rb") as fh:
        first = b""
        while not first.strip():
            first = fh.readline(limit)
            if not first:
                break
        size = fh.seek(0, 2)
        pos, buf = size, b""
        while pos > 0 and len(buf) < limit:
            step = min(64 * 1024, pos)
            pos -= step
            fh.seek(pos)
            buf = fh.read(step) + buf
            stripped = buf.rstrip(b"\r\n \t")
            if b"\n" in stripped:
                break
        last = buf.rstrip(b"\r\n \t").rsplit(b"\n", 1)[-1]
    return first.strip(), last.strip()


_MAX_LINE = 64 * 1024 * 1024  # an FtM entity line is at most a few MB; beyond this a "line" is not one.


def _check_ftm(path: Path, tail_n: int) -> list[Finding]:
    name = path.name
    _, _, bad = _read_ends(path, tail_n, name)
    if bad:
        return [bad]
    out = []
    first, last = _first_last_lines(path, _MAX_LINE)
    try:
        obj = json.loads(first)
    except ValueError:
        return [Finding(name, "sniff", f"first line is not JSON ({first[:40]!r}); not FtM JSON lines")]
    if not isinstance(obj, dict) or not {"id", "schema"} <= set(obj):
        out.append(Finding(name, "required_fields", "first line is not an FtM entity (a JSON object with id and "
                           "schema)"))
    try:
        json.loads(last)
    except ValueError:
        out.append(Finding(name, "complete", "last line is not a complete JSON object (truncated?)"))
    return out


def _check_uk_derived(folder: Path) -> list[Finding]:
    out = []
    for name, cols in _UK_DERIVED_REQUIRED.items():
        p = folder / name
        if not p.exists():
            out.append(Finding(name, "required_file", f"{name} missing"))
            continue
        with open(p, encoding="utf-8", errors="replace", newline="") as fh:
            header = next(csv.reader(fh), [])
        missing = [c for c in cols if c not in header]
        if missing:
            out.append(Finding(name, "required_columns", f"missing columns {missing}"))
    return out


def check_files(src: ListSource, path: str | Path, params: ValidateParams | None = None) -> list[Finding]:
    """Format checks on the files of one list at `path` (file, or folder for OFAC / UK derived)."""
    p, prm = Path(path), params or ValidateParams()
    if not p.exists():
        return [Finding(p.name, "required_file", f"{p} not found")]
    if src.format in ("ofac_sdn", "ofac_cons"):
        return _check_ofac(p, src.format, prm.tail_bytes)
    if src.format == "un_xml":
        return _check_un(p, prm.tail_bytes)
    if src.format == "hmt_conlist":
        return _check_conlist(p, prm.tail_bytes)
    if src.format == "ftm":
        return _check_ftm(p, prm.tail_bytes)
    if src.format == "uk_derived":
        return _check_uk_derived(p)
    return []


def check_counts(v: Validation, loaded: LoadedList, params: ValidateParams, allow_drop: bool = False) -> None:
    """Entry count, problem ratio and drop versus `v.previous_entities`; findings appended to `v`."""
    n, bad = len(loaded.entities), len(loaded.problems)
    v.entities, v.problems = n, bad
    name = Path(loaded.source_files[0]).name if loaded.source_files else v.source
    if n < params.min_entities:
        v.findings.append(Finding(name, "min_entities", f"{n} entries loaded (at least {params.min_entities} "
                                  "required)"))
    if bad and bad / (n + bad) > params.max_problem_ratio:
        first = loaded.problems[0]
        v.findings.append(Finding(name, "problem_ratio", f"{bad} of {n + bad} records unusable (over "
                                  f"{params.max_problem_ratio:.0%}; first: {first.location}: {first.reason})"))
    prev = v.previous_entities
    if prev and n < prev * (1 - params.max_drop_ratio):
        drop = 1 - n / prev
        f = Finding(name, "drop", f"{n} entries, {drop:.0%} fewer than the {prev} of the {v.previous_from} "
                    f"(max drop {params.max_drop_ratio:.0%}; pass --allow-drop if this is intended)",
                    "warning" if allow_drop else "error")
        v.findings.append(f)


def validate(src: ListSource, path: str | Path, previous: tuple[int, str] | None = None,
             params: ValidateParams | None = None, allow_drop: bool = False) -> tuple[LoadedList | None, Validation]:
    """Check the files, load them, check the counts. Returns the loaded list (None if it could not load)."""
    from sanctionwatch.lists.sources import LOADERS

    prm = params or ValidateParams()
    v = Validation(src.id)
    if previous:
        v.previous_entities, v.previous_from = previous
    v.findings += check_files(src, path, prm)
    if any(f.check in ("empty", "sniff", "required_file") for f in v.errors):
        return None, v  # nothing a loader could read
    try:
        loaded = LOADERS[src.format](Path(path))
    except (ValueError, OSError, KeyError, UnicodeError) as e:
        v.findings.append(Finding(Path(path).name, "load", f"loader failed: {e}"))
        return None, v
    check_counts(v, loaded, prm, allow_drop)
    return loaded, v


def validate_loaded(src: ListSource, path: str | Path, loaded: LoadedList, previous: tuple[int, str] | None = None,
                    params: ValidateParams | None = None, allow_drop: bool = False) -> Validation:
    """The same checks for a list already loaded (`lists build`): files at `path`, then counts vs `previous`."""
    prm = params or ValidateParams()
    v = Validation(src.id)
    if previous:
        v.previous_entities, v.previous_from = previous
    v.findings += check_files(src, path, prm)
    check_counts(v, loaded, prm, allow_drop)
    return v


def previous_in_index(manifest: dict | None, dataset: str) -> tuple[int, str] | None:
    """Entry count of `dataset` in a store's current index manifest (what `lists build` would replace)."""
    for s in (manifest or {}).get("sources", []):
        if s.get("dataset") == dataset and s.get("entities") is not None:
            return int(s["entities"]), f"store's current index ({s.get('list_version')})"
    return None
