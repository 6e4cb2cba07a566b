"""Relations stated by the lists as FtM entities, and the relation table the ownership graph is built from.

Loaders call `link_by_name` with the links an entry states by name (OFAC `Linked To: NAME`, the vessel-owner
column; UN `Owned or controlled by ...`). Each becomes one FtM relation entity:

* `Ownership` (owner -> asset) for owners: OFAC `Vess_owner`, registry registered/beneficial owners;
* `UnknownLink` (subject -> object, `role`) for "linked to", ship manager, ISM manager and operator: FtM has
  no management schema, and OFAC's "Linked To" states a link, not its kind (OpenSanctions maps it the same);
* `Directorship` only where a list names a director (none of the shipped lists does).

A target name is resolved to the list entry whose name or alias is equal after normalisation (upper case,
punctuation and spaces folded) in the same list. No entry: the target becomes a graph-only `Company` /
`Organization` node (not a sanctions target) and the link is counted `unresolved`. Two or more entries: the
link is kept unresolved too, its `description` names the candidates (never a guess). Either way the list
loads as before: these are facts about the list, not unusable records.

The relation table (`RELATION_SCHEMA`) has one row per relation with the two ends in a fixed reading order:
`a` is the asset / the entry that states the link, `b` the owner, manager, operator or linked entity, so a
row reads "a <verb> b" ("EVER BRIGHT 88 linked to OCEAN MARITIME MANAGEMENT COMPANY LIMITED"). Ends are list
entry ids (the index merges them into designations by IMO / company IMO number) or graph-only node ids.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict

import polars as pl
from followthemoney import model
from followthemoney.proxy import EntityProxy

from sanctionwatch.lists.model import LoadedList, org_schema

# role -> (FtM schema, verb, kind). kind is what risk and the surfaces group by.
ROLES: dict[str, tuple[str, str, str]] = {
    "Linked To": ("UnknownLink", "linked to", "linked"),
    "owned or controlled by": ("UnknownLink", "owned or controlled by", "owner"),
    "registered owner": ("Ownership", "owned by", "owner"),
    "beneficial owner": ("Ownership", "beneficially owned by", "owner"),
    "owner": ("Ownership", "owned by", "owner"),
    "ship manager": ("UnknownLink", "managed by", "manager"),
    "ISM manager": ("UnknownLink", "ISM-managed by", "manager"),
    "operator": ("UnknownLink", "operated by", "operator"),
    "director": ("Directorship", "director of", "director"),
}

RELATION_SCHEMA = {
    "rel_id": pl.Utf8, "schema": pl.Utf8, "role": pl.Utf8, "verb": pl.Utf8, "kind": pl.Utf8,
    "a_id": pl.Utf8, "a_schema": pl.Utf8, "a_caption": pl.Utf8,
    "b_id": pl.Utf8, "b_schema": pl.Utf8, "b_caption": pl.Utf8, "b_resolved": pl.Boolean,
    "dataset": pl.Utf8, "list_version": pl.Utf8, "source_ref": pl.Utf8,
    "start_date": pl.Utf8, "end_date": pl.Utf8, "ftm": pl.Utf8,
}
_ORG = ("Company", "Organization", "LegalEntity", "PublicBody")


def norm_name(name: str | None) -> str:
    """Upper case, every run of non-alphanumerics one space: `Ocean Maritime Management Co., Ltd.` and
    `OCEAN MARITIME MANAGEMENT CO LTD` are the same key."""
    return re.sub(r"[^0-9A-Z]+", " ", (name or "").upper()).strip()


def norm_name_expr(col: str | pl.Expr) -> pl.Expr:
    """`norm_name` as a column expression (same result: Unicode upper case, non-[0-9A-Z] runs to one space)."""
    e = pl.col(col) if isinstance(col, str) else col
    return e.str.to_uppercase().str.replace_all(r"[^0-9A-Z]+", " ").str.strip_chars()


def rel_id(*parts: str) -> str:
    """Stable relation / node id from its defining parts (same statement, same id on every load)."""
    return "rel-" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def make_relation(role: str, a_id: str, b_id: str, dataset: str, *, start: str | None = None,
                  end: str | None = None, note: str | None = None) -> EntityProxy:
    """One FtM relation entity for "a <role> b" (see ROLES for the schema and which end is which)."""
    schema, _, _ = ROLES[role]
    e = model.make_entity(schema)
    # cleaned=True: entry ids carry the dataset name (`us_ofac_sdn-19570`), whose underscore FtM's entity-id
    # cleaner would reject; they are the ids the index and entities.ftm.json use.
    e.id = rel_id(dataset, schema, role, a_id, b_id, start or "", end or "")
    if schema == "Ownership":
        e.add("asset", a_id, cleaned=True)
        e.add("owner", b_id, cleaned=True)
    elif schema == "Directorship":
        e.add("director", a_id, cleaned=True)
        e.add("organization", b_id, cleaned=True)
    else:
        e.add("subject", a_id, cleaned=True)
        e.add("object", b_id, cleaned=True)
    e.add("role", role)
    e.add("startDate", start, quiet=True)
    e.add("endDate", end, quiet=True)
    if note:
        e.add("description", note)
    return e


def graph_node(dataset: str, name: str, schema: str | None = None) -> EntityProxy:
    """A graph-only endpoint (named by a list, not itself listed): no `sanction` topic, never screened."""
    e = model.make_entity(schema or org_schema(name))
    e.id = f"{dataset}-node-{norm_name(name).replace(' ', '-').lower()[:60]}-{rel_id(dataset, norm_name(name))[4:12]}"
    e.add("name", name)
    return e


def name_lookup(out: LoadedList) -> dict[str, set[str]]:
    """normalised name or alias -> ids of the non-vessel entries bearing it (targets of "linked to")."""
    by: dict[str, set[str]] = defaultdict(set)
    for e in out.entities:
        if e.schema.is_a("Vessel"):
            continue
        for prop in ("name", "alias", "previousName"):
            for n in e.get(prop, quiet=True):
                if k := norm_name(n):
                    by[k].add(str(e.id))
    return by


def link_by_name(out: LoadedList, pending: list[tuple[str, str, str, str]], keep_unresolved: bool = True) -> None:
    """Turn (entry id, role, target name, file:line) links into relation entities on `out` (see module doc).

    `keep_unresolved=False` (names cut from free text): a name that is no entry is counted in `out.skipped`,
    not made a node (a mis-cut phrase must not become a company)."""
    if not pending:
        return
    by = name_lookup(out)
    nodes: dict[str, EntityProxy] = {}
    for a_id, role, target, loc in pending:
        key = norm_name(target)
        if not key:
            out.problem(loc, f"{role}: empty target name")
            continue
        hits = sorted(by.get(key, set()) - {a_id})
        note = (f"unresolved: {len(hits)} entries bear the name {target!r} ({', '.join(hits[:5])})"
                if len(hits) > 1 else None)
        if len(hits) == 1:
            b_id = hits[0]
        elif not keep_unresolved:
            out.skipped[f"{role} name in free text that is no entry"] += 1
            continue
        else:
            node = nodes.get(key)
            if node is None:
                node = nodes[key] = graph_node(out.dataset, target)
                out.add_relation(node, loc)
            b_id = str(node.id)
        out.add_relation(make_relation(role, a_id, b_id, out.dataset, note=note), loc)


# UN COMMENTS1: "Owned or controlled by[, or acts ... on behalf of,] X[ and Y][, which ...]." / "Subsidiary of X".
_UN_OWNED_RE = re.compile(
    r"(?i)\b(?:owned or controlled by|subsidiary of)\b(?:,? or act(?:s|ing)?(?: or purport(?:s|ing)? to act)?"
    r"(?: for or)? on behalf of)?,?(?: directly or indirectly,)?\s+(.+?)(?:[.;]|, which|, and| which| –|$)")


def owners_in_text(text: str) -> list[str]:
    """Names after "owned or controlled by" / "subsidiary of" in UN comments, split on " and " (each is
    resolved against the list's names later; a phrase that is no entry name is dropped)."""
    out = []
    for m in _UN_OWNED_RE.finditer(" ".join(text.split())):
        for part in re.split(r"\s+and\s+|,\s+", m.group(1)):
            part = re.sub(r"^(?:the)\s+", "", part.strip(), flags=re.IGNORECASE)
            if part:
                out.append(part)
    return out


def _ends(e: EntityProxy) -> tuple[str | None, str | None]:
    s = e.schema.name
    a, b = (("asset", "owner") if s == "Ownership" else ("director", "organization") if s == "Directorship"
            else ("subject", "object"))
    return e.first(a), e.first(b)


def relation_table(loaded: list[LoadedList]) -> pl.DataFrame:
    """All relations of the loaded lists as RELATION_SCHEMA rows (ends captioned from entries or graph nodes)."""
    info: dict[str, tuple[str, str, bool]] = {}
    for ll in loaded:
        for e in ll.entities:
            info[str(e.id)] = (e.schema.name, e.first("name") or e.caption, True)
        for e in ll.relations:
            if not e.schema.edge:
                info.setdefault(str(e.id), (e.schema.name, e.first("name") or e.caption, False))
    rows = []
    for ll in loaded:
        for e in ll.relations:
            if not e.schema.edge:
                continue
            a, b = _ends(e)
            if not a or not b:
                ll.problem(ll.refs.get(str(e.id), ll.dataset), f"{e.schema.name} {e.id} without both ends")
                continue
            role = e.first("role") or e.schema.name
            _, verb, kind = ROLES.get(role, (e.schema.name, "linked to", "linked"))
            ai, bi = info.get(a, (None, None, False)), info.get(b, (None, None, False))
            rows.append((str(e.id), e.schema.name, role, verb, kind, a, ai[0], ai[1], b, bi[0], bi[1], bi[2],
                         ll.dataset, ll.list_version, ll.refs.get(str(e.id), ""), e.first("startDate"),
                         e.first("endDate"), json.dumps(e.to_dict(), sort_keys=True)))
    return pl.DataFrame(rows, schema=RELATION_SCHEMA, orient="row")


def link_counts(rel: pl.DataFrame) -> pl.DataFrame:
    """Per dataset: vessel->company, company->company, person->company and other links, resolved or not."""
    org = list(_ORG)
    cls = (pl.when(pl.col("a_schema") == "Vessel").then(pl.lit("vessel"))
           .when(pl.col("a_schema").is_in(org)).then(pl.lit("company"))
           .when(pl.col("a_schema") == "Person").then(pl.lit("person")).otherwise(pl.lit("other")))
    to = pl.when(pl.col("b_schema").is_in(org)).then(pl.lit("company")).when(pl.col("b_schema") == "Person") \
        .then(pl.lit("person")).when(pl.col("b_schema") == "Vessel").then(pl.lit("vessel")).otherwise(pl.lit("other"))
    return (rel.with_columns(pl.format("{}->{}", cls, to).alias("link"))
            .group_by("dataset", "list_version", "link")
            .agg(pl.len().alias("links"), pl.col("b_resolved").sum().alias("resolved"),
                 pl.col("a_id").n_unique().alias("from_entries"))
            .sort("dataset", "link"))
