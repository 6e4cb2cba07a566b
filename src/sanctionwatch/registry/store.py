"""Registry imports in the store: one Parquet file per imported export, named by its content.

```
STORE/registry/files/<sha256[:16]>.parquet   the export's rows (registry/load.py ROW_SCHEMA), write-then-rename
STORE/registry/manifest.json                 per file: path, sha256, layout, columns used, rows, problems
```
Loading the same export again rewrites the same file with the same rows (idempotent); a new export of the
same ships is a second file, and both stay, each row citing its file:line and dates, so history is kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from sanctionwatch.registry.load import ROW_SCHEMA, RegistryFile, read_registry
from sanctionwatch.store.files import write_parquet_atomic, write_text_atomic
from sanctionwatch.store.layout import Store


def registry_dir(store: Store) -> Path:
    return store.root / "registry"


def manifest(store: Store) -> dict:
    f = registry_dir(store) / "manifest.json"
    return json.loads(f.read_text(encoding="utf-8")) if f.exists() else {"files": []}


def load_registry(path: str | Path, store: Store) -> tuple[RegistryFile, bool]:
    """Read an export and keep it in the store; returns it and whether the same content was there already."""
    reg = read_registry(path)
    d = registry_dir(store)
    name = f"{reg.sha256[:16]}.parquet"
    man = manifest(store)
    again = any(f["sha256"] == reg.sha256 for f in man["files"])
    write_parquet_atomic(reg.rows.to_arrow(), d / "files" / name)
    entry = {"file": name, "path": str(Path(path).resolve()), "sha256": reg.sha256, "layout": reg.layout,
             "columns": reg.columns, "rows": reg.rows.height, "vessels": reg.rows["imo"].n_unique(),
             "lines": reg.lines, "problems": [{"location": p.location, "reason": p.reason} for p in reg.problems],
             "loaded_at": datetime.now(UTC).isoformat(timespec="seconds")}
    man["files"] = [f for f in man["files"] if f["sha256"] != reg.sha256] + [entry]
    write_text_atomic(d / "manifest.json", json.dumps(man, indent=1))  # last: the file it lists is in place
    return reg, again


def registry_rows(store: Store) -> pl.DataFrame:
    """Every imported registry row (ROW_SCHEMA), empty when nothing was imported."""
    files = [registry_dir(store) / "files" / f["file"] for f in manifest(store)["files"]]
    files = [f for f in files if f.exists()]
    if not files:
        return pl.DataFrame(schema=ROW_SCHEMA)
    return pl.concat([pl.read_parquet(f) for f in files]).select(
        [pl.col(c).cast(t) for c, t in ROW_SCHEMA.items()]).unique(maintain_order=True)
