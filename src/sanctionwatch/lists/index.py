"""The entity index: list entries merged by IMO number into entities, as three Polars tables in the store.

```
STORE/lists/entries.parquet   one row per list entry: entry_id, entity_id (merged), schema, caption, dataset,
                              authority, list_version, source_ref (file:line / file#ref), programs, program_ids
STORE/lists/names.parquet     one row per (entry, name): field (name/alias/weakAlias/previousName) + match forms
STORE/lists/idents.parquet    one row per (entry, strong id): kind (imo/owner_imo/mmsi/callsign), value, valid
STORE/lists/entities.ftm.json merged FtM entities (with `referents` and `datasets`), one JSON per line
STORE/lists/manifest.json     sources, list versions, sha256 of inputs, counts, problems (file:line + reason)
```
Vessel entries with the same check-digit-valid IMO number become one entity `imo-<number>`; every other
entry is its own entity. `designation_id` (lists/designations.py) merges further, by IMO then MMSI and call
sign, so one listed vessel on several lists is one designation. Rows keep the entry granularity so a match
cites the exact list entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sanctionwatch import __version__
from sanctionwatch.lists.designations import designation_ids
from sanctionwatch.lists.features import list_features, type_categories
from sanctionwatch.lists.ids import imo_check_ok, norm_callsign, norm_mmsi, parse_imo
from sanctionwatch.lists.model import LoadedList
from sanctionwatch.lists.normalize import name_forms
from sanctionwatch.store.files import atomic_open, write_parquet_atomic, write_text_atomic
from sanctionwatch.store.layout import Store

NAME_FIELDS = ("name", "alias", "weakAlias", "previousName")
ENTRY_SCHEMA = {c: pl.Utf8 for c in ("entry_id", "entity_id", "schema", "caption", "dataset", "authority",
                                     "list_version", "source_ref", "programs", "program_ids", "flag", "past_flags",
                                     "listed_type", "gross_tonnage")}
# Derived per index: the merged designation (lists/designations.py) and the listed type's AIS categories.
DERIVED_ENTRY_COLS = ("designation_id", "type_cats")
NAME_SCHEMA = {c: pl.Utf8 for c in ("entry_id", "entity_id", "schema", "field", "name", "norm", "key", "fold",
                                    "digits")}
IDENT_SCHEMA = {"entry_id": pl.Utf8, "entity_id": pl.Utf8, "kind": pl.Utf8, "value": pl.Utf8, "valid": pl.Boolean}


@dataclass
class ListIndex:
    """The screening index: entries, names (with match forms) and strong identifiers, plus its manifest."""

    entries: pl.DataFrame
    names: pl.DataFrame
    idents: pl.DataFrame
    manifest: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False, compare=False)  # blocking tables, built lazily

    def versions(self) -> dict[str, str]:
        """dataset -> list version in this index."""
        return {s["dataset"]: s["list_version"] for s in self.manifest.get("sources", [])}


def _sha256(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        for f in sorted(Path(p).rglob("*")) if Path(p).is_dir() else [Path(p)]:
            if f.is_file():
                h.update(f.read_bytes())
    return h.hexdigest()


def _entity_ids(loaded: list[LoadedList]) -> dict[str, str]:
    """entry id -> merged entity id (vessels sharing a valid IMO number are one entity)."""
    out: dict[str, str] = {}
    for ll in loaded:
        for e in ll.entities:
            imos = sorted(i for v in e.get("imoNumber", quiet=True) if (i := parse_imo(v)) and imo_check_ok(i))
            out[str(e.id)] = f"imo-{imos[0]}" if imos and e.schema.is_a("Vessel") else str(e.id)
    return out


def build_index(loaded: list[LoadedList]) -> tuple[ListIndex, list[dict]]:
    """Index loaded lists; returns the index and the merged FtM entities as dicts (for entities.ftm.json)."""
    ids = _entity_ids(loaded)
    entries, names, idents = [], [], []
    merged: dict[str, dict] = {}
    for ll in loaded:
        for e in ll.entities:
            eid = ids[str(e.id)]
            caption = e.first("name") or e.caption
            entries.append((e.id, eid, e.schema.name, caption, ll.dataset, ll.authority, ll.list_version,
                            ll.refs.get(str(e.id), ""), "; ".join(e.get("program", quiet=True)),
                            "; ".join(e.get("programId", quiet=True)), *list_features(e)))
            for f in NAME_FIELDS:
                for n in e.get(f, quiet=True):
                    names.append((e.id, eid, e.schema.name, f, n))
            for v in e.get("imoNumber", quiet=True):
                imo = parse_imo(v)
                if imo:
                    kind = "imo" if e.schema.is_a("Vessel") else "owner_imo"
                    idents.append((e.id, eid, kind, imo, imo_check_ok(imo) if kind == "imo" else True))
            for v in e.get("mmsi", quiet=True):
                if m := norm_mmsi(v):
                    idents.append((e.id, eid, "mmsi", m, True))
            for v in e.get("callSign", quiet=True):
                if c := norm_callsign(v):
                    idents.append((e.id, eid, "callsign", c, True))
            _merge_json(merged, eid, e, ll.dataset)
    names_df = pl.DataFrame(names, schema=list(NAME_SCHEMA)[:5], orient="row").unique(maintain_order=True)
    names_df = pl.concat([names_df, name_forms(names_df["name"])], how="horizontal")
    idents_df = pl.DataFrame(idents, schema=IDENT_SCHEMA, orient="row").unique(maintain_order=True)
    index = ListIndex(
        entries=with_derived(pl.DataFrame(entries, schema=ENTRY_SCHEMA, orient="row"), idents_df),
        names=names_df.select(list(NAME_SCHEMA)),
        idents=idents_df,
        manifest=_manifest(loaded),
    )
    return index, list(merged.values())


def with_derived(entries: pl.DataFrame, idents: pl.DataFrame) -> pl.DataFrame:
    """Entries with designation_id and type_cats (and null feature columns when read from an older index)."""
    entries = entries.with_columns([pl.lit(None, dtype=pl.Utf8).alias(c) for c in ENTRY_SCHEMA
                                    if c not in entries.columns])
    entries = entries.drop([c for c in DERIVED_ENTRY_COLS if c in entries.columns])
    entries = entries.join(designation_ids(entries, idents), on="entry_id", how="left", maintain_order="left")
    return entries.with_columns(type_categories(pl.col("listed_type")).alias("type_cats"))


def _merge_json(merged: dict[str, dict], eid: str, e, dataset: str) -> None:
    """Fold one entry into the merged FtM entity dict of its entity id."""
    d = e.to_dict()
    cur = merged.get(eid)
    if cur is None:
        merged[eid] = {"id": eid, "schema": d["schema"], "caption": e.first("name") or e.caption,
                       "properties": d["properties"], "referents": [e.id], "datasets": [dataset]}
        return
    for prop, values in d["properties"].items():
        have = cur["properties"].setdefault(prop, [])
        have.extend(v for v in values if v not in have)
    cur["referents"].append(e.id)
    if dataset not in cur["datasets"]:
        cur["datasets"].append(dataset)


def _manifest(loaded: list[LoadedList]) -> dict:
    return {
        "package_version": __version__,
        "sources": [
            {"dataset": ll.dataset, "authority": ll.authority, "list_version": ll.list_version,
             "files": ll.source_files, "sha256": _sha256(ll.source_files), "entities": len(ll.entities),
             "skipped": dict(ll.skipped), "problems": [{"location": p.location, "reason": p.reason}
                                                       for p in ll.problems]}
            for ll in loaded
        ],
    }


def index_dir(store: Store) -> Path:
    return store.root / "lists"


def write_index(index: ListIndex, merged: list[dict], store: Store) -> Path:
    """Write the index files atomically under STORE/lists/ (manifest last: it marks a complete index)."""
    d = index_dir(store)
    write_parquet_atomic(index.entries.to_arrow(), d / "entries.parquet")
    write_parquet_atomic(index.names.to_arrow(), d / "names.parquet")
    write_parquet_atomic(index.idents.to_arrow(), d / "idents.parquet")
    with atomic_open(d / "entities.ftm.json") as fh:
        for m in merged:
            fh.write(json.dumps(m, ensure_ascii=False, sort_keys=True) + "\n")
    counts = {"entries": index.entries.height, "entities": index.entries["entity_id"].n_unique(),
              "designations": index.entries["designation_id"].n_unique(),
              "names": index.names.height, "idents": index.idents.height}
    index.manifest = {**index.manifest, "counts": counts}
    write_text_atomic(d / "manifest.json", json.dumps(index.manifest, indent=1))
    return d


def read_index(store: Store) -> ListIndex:
    """Read the index written by `write_index`; a clear error when it was never built."""
    d = index_dir(store)
    if not (d / "manifest.json").exists():
        raise FileNotFoundError(f"no list index in {d}; run `sanctionwatch lists build --store {store.root}`")
    entries, idents = pl.read_parquet(d / "entries.parquet"), pl.read_parquet(d / "idents.parquet")
    if "designation_id" not in entries.columns:  # an index written before designations existed
        entries = with_derived(entries, idents)
    return ListIndex(
        entries=entries,
        names=pl.read_parquet(d / "names.parquet"),
        idents=idents,
        manifest=json.loads((d / "manifest.json").read_text()),
    )
