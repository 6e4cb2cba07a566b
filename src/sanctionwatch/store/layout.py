"""Store layout on disk and the writers every component uses.

```
STORE/
  positions/day=YYYY-MM-DD/<import_id>-<chunk>.parquet     (one file per import chunk and day)
  vessel_reports/day=YYYY-MM-DD/<import_id>-<chunk>.parquet
  events/producer=<name>/events.parquet                   (each producer replaces its own)
  trade_flows/source=<id>/flows.parquet
  lists/...                                               (screening index, see lists/)
  _imports/<import_id>.json                               (ingest report, manifest of done imports)
  _imports/by_raw/<sha256 of the raw file>                (-> import id: the fast skip check)
  _imports/by_prefix/<content bytes>.<content sha256>     (-> import id: imports a longer one may supersede)
  _quarantine/<import_id>.tsv                             (raw rejected lines: file, line, reason, raw)
  _staging/<import_id>/...                                (in-progress imports, never read)
```
Import ids are derived from input content (sha256), so re-ingesting the same file rewrites the same
file names and adds no rows; an interrupted import leaves only `_staging/`, which readers ignore.
An import whose content is a prefix of a later import's content (a truncated .gz, a file cut mid-transfer, a
log that kept growing) is *superseded* by it: its rows are removed when the longer one is published, so the
overlap is stored once (`supersede_imports`).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sanctionwatch.store.files import atomic_path, write_parquet_atomic, write_text_atomic
from sanctionwatch.store.schemas import conform

DAY_PARTITIONED = ("positions", "vessel_reports")


def _pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (signal 0 probes without touching it)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Store:
    """A store directory; cheap to construct, creates folders on first write."""

    root: Path

    def __init__(self, root: str | Path):
        object.__setattr__(self, "root", Path(root).expanduser())

    def table_dir(self, table: str) -> Path:
        return self.root / table

    @property
    def imports_dir(self) -> Path:
        return self.root / "_imports"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "_quarantine"

    def staging_dir(self, import_id: str) -> Path:
        return self.root / "_staging" / import_id

    def has_files(self, table: str) -> bool:
        d = self.table_dir(table)
        return d.exists() and any(d.rglob("*.parquet"))

    # ---- imports (idempotency manifest) -------------------------------------------------
    def import_record(self, import_id: str) -> dict | None:
        """The report of a completed import, or None."""
        p = self.imports_dir / f"{import_id}.json"
        return json.loads(p.read_text()) if p.exists() else None

    def imports(self, include_superseded: bool = False) -> list[dict]:
        """Reports of the completed imports whose rows are in the store, by id (with `include_superseded`, also
        those a longer import replaced: `superseded_by` in their record)."""
        if not self.imports_dir.exists():
            return []
        recs = [json.loads(p.read_text()) for p in sorted(self.imports_dir.glob("*.json"))]
        return recs if include_superseded else [r for r in recs if not r.get("superseded_by")]

    def import_by_raw_hash(self, raw_sha256: str) -> dict | None:
        """Record of the import whose raw input file had this sha256 (O(1): `_imports/by_raw/<hash>`)."""
        alias = self.imports_dir / "by_raw" / raw_sha256
        return self.import_record(alias.read_text().strip()) if alias.exists() else None

    def write_raw_alias(self, raw_sha256: str, import_id: str) -> None:
        """Remember that a raw file (e.g. a .gz) decodes to import `import_id`, for the fast skip check."""
        write_text_atomic(self.imports_dir / "by_raw" / raw_sha256, import_id)

    def write_import_record(self, import_id: str, record: dict) -> None:
        """Write an import's report atomically (its presence marks the import complete)."""
        write_text_atomic(self.imports_dir / f"{import_id}.json", json.dumps(record, indent=1, default=str))

    @property
    def _prefix_dir(self) -> Path:
        return self.imports_dir / "by_prefix"

    def prefix_index(self) -> dict[int, dict[str, str]]:
        """Imports a longer input may supersede: {content length in bytes: {content sha256: import id}}.

        One empty file per live import, `_imports/by_prefix/<bytes>.<sha256>.<import id>` (a directory listing,
        no file reads), so the ingest can hash its own content at each of these lengths while reading and
        recognise an earlier import as its prefix.
        """
        out: dict[int, dict[str, str]] = {}
        if not self._prefix_dir.exists():
            return out
        for e in os.scandir(self._prefix_dir):
            parts = e.name.split(".")
            if len(parts) == 3 and parts[0].isdigit() and len(parts[1]) == 64:
                out.setdefault(int(parts[0]), {})[parts[1]] = parts[2]
        return out

    def write_prefix_entry(self, content_bytes: int, content_sha256: str, import_id: str) -> None:
        """Index a published import by its content length and hash (see `prefix_index`)."""
        if content_bytes > 0:
            write_text_atomic(self._prefix_dir / f"{content_bytes}.{content_sha256}.{import_id}", "")

    def supersede_imports(self, old_ids: list[str], new_id: str) -> None:
        """Remove the rows and quarantine of imports whose content is a prefix of import `new_id`'s, and mark
        their records `superseded_by` (kept: the history says what happened; a forced re-run of the shorter
        input is then skipped). Called by `publish_import` after the new files are in place and before the new
        manifest is written, so an interruption at any point is repaired by re-running the longer input."""
        for old_id in old_ids:
            for table_name in DAY_PARTITIONED:
                d = self.table_dir(table_name)
                if d.exists():
                    for p in d.glob(f"day=*/{old_id}-*.parquet"):
                        p.unlink()
            rec = self.import_record(old_id)
            if rec is not None:
                if rec.get("quarantine"):
                    Path(rec["quarantine"]).unlink(missing_ok=True)
                self.write_import_record(old_id, {**rec, "quarantine": None, "superseded_by": new_id,
                                                  "superseded_at": datetime.now(UTC).isoformat(timespec="seconds")})
                n, sha = rec.get("content_bytes"), rec.get("content_sha256")
                if n and sha:
                    (self._prefix_dir / f"{n}.{sha}.{old_id}").unlink(missing_ok=True)

    # ---- day-partitioned tables -----------------------------------------------------------
    def stage_day_partitions(self, table_name: str, table: pa.Table, import_id: str, chunk: int) -> int:
        """Write `table` (canonical columns) split by UTC day of `ts` into the import's staging area.

        Returns rows written. Files become visible only through `publish_import`.
        """
        if table.num_rows == 0:
            return 0
        table = conform(table, table_name)
        # UTC day number of each row: floor(epoch ms / 86.4e6), exact in float64 (much faster than strftime).
        ms = table.column("ts").cast(pa.int64()).cast(pa.float64())
        day_no = pc.floor(pc.divide(ms, 86_400_000.0)).cast(pa.int64())
        days = pc.unique(day_no)
        for d in sorted(days.to_pylist()):
            part = table.filter(pc.equal(day_no, d)) if len(days) > 1 else table
            day = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=d)).strftime("%Y-%m-%d")
            dest = self.staging_dir(import_id) / table_name / f"day={day}" / f"{import_id}-{chunk:05d}.parquet"
            write_parquet_atomic(part, dest)
        return table.num_rows

    def publish_import(self, staging_id: str, record: dict, final_id: str | None = None,
                       supersedes: list[str] | None = None) -> list[Path]:
        """Move an import's staged files into place (each an atomic rename), then record the import.

        Staged files are named `<staging_id>-<chunk>`; they are published as `<final_id>-<chunk>`
        (stdin imports learn their content hash only at the end).

        Files of an earlier run of the same import id (same input content) are replaced, so re-running
        never duplicates rows; imports in `supersedes` (content a prefix of this one's) lose their rows.
        The manifest is written last: an import without one is incomplete.
        """
        final_id = final_id or staging_id
        staged = self.staging_dir(staging_id)
        published: list[Path] = []
        for table_name in DAY_PARTITIONED:
            # Remove files of a previous run of this same import (e.g. chunk count changed).
            old = self.table_dir(table_name)
            if old.exists():
                for p in old.glob(f"day=*/{final_id}-*.parquet"):
                    p.unlink()
            src_root = staged / table_name
            if not src_root.exists():
                continue
            for src in sorted(src_root.rglob("*.parquet")):
                rel = src.relative_to(src_root)
                dest = self.table_dir(table_name) / rel.parent / src.name.replace(staging_id, final_id, 1)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
                published.append(dest)
        shutil.rmtree(staged, ignore_errors=True)
        if supersedes:
            self.supersede_imports(supersedes, final_id)
        record = {**record, "published_at": datetime.now(UTC).isoformat(timespec="seconds")}
        self.write_import_record(final_id, record)
        if record.get("content_sha256") and record.get("content_bytes"):
            self.write_prefix_entry(int(record["content_bytes"]), str(record["content_sha256"]), final_id)
        return published

    def discard_staging(self, import_id: str) -> None:
        """Delete an import's staging area (its files were never visible)."""
        shutil.rmtree(self.staging_dir(import_id), ignore_errors=True)

    def claim_staging(self, import_id: str) -> Path:
        """Create an import's staging area, owned by this process (its pid is written inside)."""
        d = self.staging_dir(import_id)
        d.mkdir(parents=True, exist_ok=True)
        (d / "owner.pid").write_text(str(os.getpid()))
        return d

    def clean_stale_staging(self) -> list[str]:
        """Remove staging areas left by killed processes (owner pid gone); returns their ids."""
        root = self.root / "_staging"
        removed: list[str] = []
        if not root.exists():
            return removed
        for d in root.iterdir():
            pid_file = d / "owner.pid"
            try:
                pid = int(pid_file.read_text())
            except (OSError, ValueError):
                continue  # being created right now, or not ours: leave it
            if not _pid_alive(pid):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d.name)
        return removed

    # ---- producer-owned tables --------------------------------------------------------------
    def replace_partition(self, table_name: str, key: str, value: str, table: pa.Table, file: str = "data") -> Path:
        """Atomically replace the whole partition `table_name/key=value/` with `table`."""
        table = conform(table, table_name)
        dest = self.table_dir(table_name) / f"{key}={value}" / f"{file}.parquet"
        return write_parquet_atomic(table, dest)


# Rows per Parquet row group in the tracks table: small enough that one vessel's track touches few groups
# (DuckDB skips the others by their mmsi min/max), large enough to compress well.
TRACKS_ROW_GROUP = 65_536
TRACKS_FILE_ROWS = 4_194_304


def write_tracks(store: Store, table: pa.Table) -> int:
    """Replace STORE/tracks/ with positions sorted by (mmsi, ts): the per-vessel read path of the dashboard.

    The new files are written beside the old folder, which is then swapped out, so readers see either
    the old or the new tracks, never a half-written set.
    """
    table = conform(table, "tracks")
    table = table.take(pc.sort_indices(table, sort_keys=[("mmsi", "ascending"), ("ts", "ascending")]))
    final = store.table_dir("tracks")
    fresh = store.root / f".tracks-new-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    for i, start in enumerate(range(0, max(table.num_rows, 1), TRACKS_FILE_ROWS)):
        with atomic_path(fresh / f"part-{i:05d}.parquet") as tmp:
            pq.write_table(table.slice(start, TRACKS_FILE_ROWS), tmp, compression="zstd",
                           row_group_size=TRACKS_ROW_GROUP)
    old = store.root / f".tracks-old-{os.getpid()}"
    if final.exists():
        os.replace(final, old)
    os.replace(fresh, final)
    shutil.rmtree(old, ignore_errors=True)
    return table.num_rows
