#!/usr/bin/env python
"""Build the packaged sanctions-list snapshot from ../shared/data/sanctions (run from the repository root).

The product never reads ../shared: this script copies the default lists (the ones `lists build` and the demo
use, see `sanctionwatch.lists.sources.SOURCES`) byte-for-byte into one xz tarball under
`src/sanctionwatch/data/lists/`, with PROVENANCE.md and `snapshot.json` (per source: path, publication date,
sha256, bytes). At run time `sanctionwatch.lists.snapshot` unpacks it once into the user cache.

    .venv/bin/python scripts/build_list_snapshot.py [--src ../shared/data/sanctions]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import tarfile
from pathlib import Path

from sanctionwatch.lists.sources import SOURCES, load_source

OUT = Path(__file__).resolve().parents[1] / "src" / "sanctionwatch" / "data" / "lists"


def _files(p: Path) -> list[Path]:
    return sorted(q for q in p.rglob("*") if q.is_file()) if p.is_dir() else [p]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=Path("../shared/data/sanctions"))
    args = ap.parse_args()
    src_root: Path = args.src.resolve()
    records, members = [], [src_root / "PROVENANCE.md"]
    for s in SOURCES.values():
        if not s.default:
            continue
        p = src_root / s.local
        loaded = load_source(s, p)
        h = hashlib.sha256()
        files = _files(p)
        for f in files:
            h.update(f.read_bytes())
        members += files
        records.append({"source": s.id, "title": s.title, "format": s.format, "local": s.local,
                        "list_version": loaded.list_version, "entities": len(loaded.entities),
                        "sha256": h.hexdigest(), "bytes": sum(f.stat().st_size for f in files),
                        "provenance": "PROVENANCE.md (copied from ../shared/data/sanctions)"})
    OUT.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz", preset=9) as tar:
        for f in members:
            info = tar.gettarinfo(str(f), arcname=str(f.relative_to(src_root)))
            info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode = 0, 0, 0, "", "", 0o644
            with open(f, "rb") as fh:
                tar.addfile(info, fh)
    (OUT / "snapshot.tar.xz").write_bytes(buf.getvalue())
    (OUT / "PROVENANCE.md").write_bytes((src_root / "PROVENANCE.md").read_bytes())
    meta = {"sha256": hashlib.sha256(buf.getvalue()).hexdigest(), "sources": records}
    (OUT / "snapshot.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{OUT / 'snapshot.tar.xz'}: {len(buf.getvalue()):,} bytes, {len(records)} lists")
    for r in records:
        print(f"  {r['source']}: {r['list_version']} ({r['entities']} entities)")


if __name__ == "__main__":
    main()
