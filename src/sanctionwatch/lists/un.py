"""UN Security Council consolidated list (XML, sc-sanctions.xsd) loader into FtM entities.

`INDIVIDUAL` -> Person, `ENTITY` -> Company/Organization; `UN_LIST_TYPE` is the programme (DPRK = 1718
Committee), `REFERENCE_NUMBER` (`KPe.066`) the stable id. The XML lists no vessels; IMO numbers in entity
comments are company (owner) numbers, kept on the entity.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from sanctionwatch.lists.ids import imos_in_text
from sanctionwatch.lists.model import LoadedList, new_entity, org_schema, require_usable, short_path
from sanctionwatch.lists.relations import link_by_name, owners_in_text

# "International Maritime Organization (IMO) Number: 1790183" (OMM, KPe.020): the bracket defeats imos_in_text.
_UN_IMO_RE = re.compile(r"\(IMO\)\s*Number\s*:?\s*(\d{7})\b", re.IGNORECASE)
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")


def _text(el: ET.Element, tag: str) -> str | None:
    v = el.findtext(tag)
    return v.strip() if v and v.strip() else None


def load_un(path: str | Path) -> LoadedList:
    """Load one UN consolidated XML file; the list version is its `dateGenerated` date."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise ValueError(f"{path}: not well-formed XML ({err})") from err
    if root.tag != "CONSOLIDATED_LIST":
        raise ValueError(f"{path}: root element is {root.tag!r}, expected CONSOLIDATED_LIST")
    generated = root.get("dateGenerated", "")
    lines: dict[str, int] = {}  # filled on the first problem: line of each REFERENCE_NUMBER / DATAID
    out = LoadedList("un_sc_sanctions", "UN Security Council", generated[:10] or "unknown", [str(path)])
    if not generated:
        out.problem(short_path(path), "no dateGenerated attribute; list version unknown")
    pending: list[tuple[str, str, str, str]] = []  # "owned or controlled by" names: lists/relations.py
    for kind, tag in (("INDIVIDUAL", "INDIVIDUALS/INDIVIDUAL"), ("ENTITY", "ENTITIES/ENTITY")):
        for el in root.findall(tag):
            ref = _text(el, "REFERENCE_NUMBER")
            data_id = _text(el, "DATAID")
            loc = f"{short_path(path)}#{ref or 'DATAID=' + str(data_id)}"
            name = " ".join(p for p in (_text(el, t) for t in _NAME_PARTS) if p)
            if not name or not (ref or data_id):
                out.problem(_line_loc(path, loc, ref, data_id, lines), "record without name or reference number")
                continue
            try:
                e = _entity(el, kind, name, ref, data_id)
            except (ValueError, InvalidData) as err:  # one odd record costs itself, not the list
                out.problem(_line_loc(path, loc, ref, data_id, lines), f"record not usable: {err}")
                continue
            out.add(e, loc)
            if kind == "ENTITY":
                pending += [(str(e.id), "owned or controlled by", t, loc)
                            for t in owners_in_text(_text(el, "COMMENTS1") or "")]
    link_by_name(out, pending, keep_unresolved=False)
    require_usable(out, path)
    return out


def _line_loc(path: Path, loc: str, ref: str | None, data_id: str | None, lines: dict[str, int]) -> str:
    """`file:line#REF` for a problem record: ElementTree keeps no line numbers, so the raw file is searched
    (once, only when a record has a problem)."""
    if not lines:
        raw, pos, line = path.read_bytes(), 0, 1
        for m in re.finditer(rb"<(REFERENCE_NUMBER|DATAID)>\s*([^<\s]+)\s*<", raw):
            line, pos = line + raw.count(b"\n", pos, m.start()), m.start()  # incremental: one pass
            lines.setdefault(m.group(2).decode("utf-8", "replace"), line)
        lines.setdefault("", 0)
    n = lines.get(ref or "") or lines.get(data_id or "")
    return loc.replace("#", f":{n}#", 1) if n else loc


def _entity(el: ET.Element, kind: str, name: str, ref: str | None, data_id: str | None) -> EntityProxy:
    """One INDIVIDUAL/ENTITY element as an FtM entity."""
    schema = "Person" if kind == "INDIVIDUAL" else org_schema(name)
    e = new_entity(schema, f"un_sc_sanctions-{ref or data_id}")
    e.add("name", name)
    e.add("program", _text(el, "UN_LIST_TYPE"))
    e.add("programId", ref)
    for alias in el.findall(f"{kind}_ALIAS"):
        a = _text(alias, "ALIAS_NAME")
        if a:
            quality = (_text(alias, "QUALITY") or "").lower()
            e.add("weakAlias" if quality == "low" else "alias", a)
    orig = _text(el, "NAME_ORIGINAL_SCRIPT")
    if orig:
        e.add("alias", orig)
    comments = _text(el, "COMMENTS1") or ""
    if comments:
        e.add("notes", comments)
    if kind == "ENTITY" and e.schema.get("imoNumber"):
        for imo in dict.fromkeys(imos_in_text(comments) + _UN_IMO_RE.findall(comments)):
            e.add("imoNumber", imo)
    for c in el.findall(f"{kind}_ADDRESS/COUNTRY"):
        if c.text and c.text.strip():
            e.add("country", c.text.strip(), quiet=True)
    for n in el.findall("NATIONALITY/VALUE"):
        if n.text and n.text.strip():
            e.add("nationality" if schema == "Person" else "country", n.text.strip(), quiet=True)
    return e
