"""The packaged list snapshot: real, dated copies of the default lists, unpacked once into the user cache.

`src/sanctionwatch/data/lists/snapshot.tar.xz` (built by `scripts/build_list_snapshot.py`; ~1 MB) holds the
default lists byte-for-byte with their PROVENANCE.md; `snapshot.json` records each list's publication date
and sha256. It is unpacked to `CACHE/lists/snapshot/<sha256[:12]>/` on first use, so the product never reads
a path relative to the working directory.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from importlib import resources
from pathlib import Path

from sanctionwatch import settings


def _pkg() -> Path:
    return Path(str(resources.files("sanctionwatch") / "data" / "lists"))


def manifest() -> dict:
    """snapshot.json: tarball sha256 and, per list, version (publication date), sha256, bytes, provenance."""
    return json.loads((_pkg() / "snapshot.json").read_text(encoding="utf-8"))


def snapshot_dir(cache_dir: str | Path | None = None) -> Path:
    """Folder with the unpacked snapshot (same layout as a `lists_dir`), unpacking it if needed."""
    digest = manifest()["sha256"][:12]
    root = Path(cache_dir or settings.get("cache_dir")).expanduser() / "lists" / "snapshot"
    final = root / digest
    if (final / "PROVENANCE.md").exists():
        return final
    tmp = root / f"_incoming-{digest}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with tarfile.open(_pkg() / "snapshot.tar.xz", mode="r:xz") as tar:
        tar.extractall(tmp, filter="data")
    try:
        tmp.rename(final)
    except OSError:  # another process unpacked it first
        shutil.rmtree(tmp, ignore_errors=True)
    return final
