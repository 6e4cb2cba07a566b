"""The one entity model: every loader returns followthemoney entities plus the list's version and problems."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

# Entity-name words that make an organisation a company (FtM `Company` is an `Organization` subtype).
_COMPANY_RE = re.compile(
    r"\b(CO|COMPANY|LTD|LIMITED|CORP|CORPORATION|INC|LLC|PLC|GMBH|JSC|S\.?A|SHIPPING|TRADING|BANK|"
    r"INDUSTR\w*|ENTERPRISE|GROUP|HOLDINGS?)\b\.?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """One input record that could not be used as-is: where it is and why (never dropped silently)."""

    location: str
    reason: str


@dataclass
class LoadedList:
    """One list snapshot loaded into FtM entities; `refs` maps entity id to its source location."""

    dataset: str
    authority: str
    list_version: str  # ISO date of the snapshot (publication / last-updated date found in the file)
    source_files: list[str]
    entities: list[EntityProxy] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    # FtM relation entities (Ownership / Directorship / UnknownLink) stated by the list, plus the graph-only
    # endpoints they name that are not list entries (lists/relations.py); refs hold their file:line too.
    relations: list[EntityProxy] = field(default_factory=list)

    def add(self, entity: EntityProxy, ref: str) -> None:
        """Keep an entity with the file location it came from."""
        if not entity.id:
            raise ValueError(f"{ref}: entity without id")
        self.entities.append(entity)
        self.refs[entity.id] = ref

    def add_relation(self, entity: EntityProxy, ref: str) -> None:
        """Keep a relation entity (or a graph-only endpoint) with the file location that states it."""
        if not entity.id:
            raise ValueError(f"{ref}: relation without id")
        self.relations.append(entity)
        self.refs[entity.id] = ref

    def problem(self, location: str, reason: str) -> None:
        self.problems.append(Problem(location, reason))


def require_usable(loaded: LoadedList, path: str | Path) -> None:
    """A file with no usable entry is an error, not an empty list (screening against it finds nothing)."""
    if loaded.entities:
        return
    if loaded.problems:
        p = loaded.problems[0]
        raise ValueError(f"{path}: no usable entry; {len(loaded.problems)} record(s) rejected, first "
                         f"{p.location}: {p.reason}")
    if loaded.skipped:
        raise ValueError(f"{path}: no screenable entry (only {dict(loaded.skipped)})")
    raise ValueError(f"{path}: no entries (empty list file)")


def new_entity(schema: str, entity_id: str) -> EntityProxy:
    """An empty FtM entity of `schema` with a stable id, flagged as a sanctions target."""
    e = model.make_entity(schema)
    e.id = entity_id
    e.add("topics", "sanction")
    return e


def org_schema(name: str) -> str:
    """`Company` when the name carries a company word, else `Organization`."""
    return "Company" if _COMPANY_RE.search(name or "") else "Organization"


def short_path(path: Path) -> str:
    """Path relative to its grand-parent folder, for compact file:line references."""
    path = Path(path)
    return "/".join(path.parts[-3:])
