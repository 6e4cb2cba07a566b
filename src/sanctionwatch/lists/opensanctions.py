"""OpenSanctions FollowTheMoney JSON lines loader (`entities.ftm.json` exports)."""

from __future__ import annotations

import json
from pathlib import Path

from followthemoney import model
from followthemoney.exc import InvalidData

from sanctionwatch.lists.model import LoadedList, require_usable, short_path

SCREENABLE = ("LegalEntity", "Vessel", "Airplane")  # schemata with names worth screening against
RELATIONS = ("Ownership", "Directorship", "UnknownLink")  # kept as relations for the ownership graph


def load_ftm(path: str | Path, dataset: str | None = None) -> LoadedList:
    """Load FtM JSON lines; Ownership / Directorship / UnknownLink go to `relations`; other non-screenable
    schemata (Address, Sanction, ...) are counted in `skipped`.

    The list version is the latest `last_change` (else `last_seen`) date of the entities.
    """
    path = Path(path)
    out = LoadedList(dataset or "opensanctions", "OpenSanctions", "unknown", [str(path)])
    latest = ""
    datasets: set[str] = set()
    with open(path, encoding="utf-8", errors="replace") as fh:  # bad bytes: that line fails JSON/FtM, not the file
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            loc = f"{short_path(path)}:{line_no}"
            try:
                data = json.loads(line)
            except ValueError as e:
                out.problem(loc, f"not JSON: {e}")
                continue
            if not isinstance(data, dict) or not isinstance(data.get("schema"), str):
                out.problem(loc, f"not an FtM entity: a JSON {type(data).__name__} without a string `schema`")
                continue
            if not isinstance(data.get("properties", {}), dict):
                out.problem(loc, "not an FtM entity: `properties` is not an object")
                continue
            try:
                proxy = model.get_proxy(data, cleaned=False)
            except (ValueError, InvalidData, TypeError, AttributeError) as e:
                out.problem(loc, f"not an FtM entity: {type(e).__name__}: {e}")
                continue
            if not proxy.id:
                out.problem(loc, "entity without id")
                continue
            changed = data.get("last_change") or data.get("last_seen") or ""
            latest = max(latest, changed[:10] if isinstance(changed, str) else "")
            if proxy.schema.name in RELATIONS:  # the ownership graph (lists/relations.py), not screened
                out.add_relation(proxy, loc)
                continue
            if not any(proxy.schema.is_a(s) for s in SCREENABLE):
                out.skipped[f"schema {proxy.schema.name} (not screenable)"] += 1
                continue
            ds = data.get("datasets") or []
            if not isinstance(ds, list) or not all(isinstance(d, str) for d in ds):
                out.problem(loc, "`datasets` is not a list of strings (ignored)")
                ds = []
            datasets.update(ds)
            for d in ds:
                proxy.add("program", d, quiet=True)
            proxy.add("topics", "sanction", quiet=True)
            out.add(proxy, loc)
    require_usable(out, path)
    out.list_version = latest or "unknown"
    if dataset is None and len(datasets) == 1:
        out.dataset = f"opensanctions_{next(iter(datasets))}"
    return out
