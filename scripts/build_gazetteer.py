"""Rebuild the shipped geo data: data/ports.csv from the World Port Index CSV (setting `ports_csv`) and,
with --areas, data/areas/dprk.geojson from global-land-mask (see geo/areas_build.py).

Usage: python scripts/build_gazetteer.py [WPI_CSV [DEST_CSV]] [--areas]
"""

from __future__ import annotations

import sys
from pathlib import Path

from sanctionwatch import settings
from sanctionwatch.geo.areas import default_areas_dir
from sanctionwatch.geo.gazetteer import build_ports, shipped_path, to_csv_frame
from sanctionwatch.store.files import atomic_path, write_text_atomic


def main(argv: list[str]) -> int:
    """Build, write atomically and print the report of corrected/rejected WPI rows."""
    if "--areas" in argv:
        argv = [a for a in argv if a != "--areas"]
        from sanctionwatch.geo.areas_build import feature_collection, to_geojson_text

        dest_areas = default_areas_dir() / "dprk.geojson"
        write_text_atomic(dest_areas, to_geojson_text(feature_collection())).chmod(0o644)
        print(f"wrote {dest_areas}")
    src = Path(argv[1]) if len(argv) > 1 else Path(settings.get("ports_csv") or "../shared/data/ports/UpdatedPub150.csv")
    dest = Path(argv[2]) if len(argv) > 2 else shipped_path()
    ports, report = build_ports(src)
    with atomic_path(dest) as tmp:
        to_csv_frame(ports).write_csv(tmp)
        tmp.chmod(0o644)
    print(f"{src}: {report.rows_in} WPI rows -> {report.rows_out} ports in {dest}")
    print(f"{len(report.issues)} issues:")
    for issue in report.issues:
        print("  " + issue)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
