"""Comtrade area codes <-> ISO3 for the areas this project names (a small hand-built table).

Comtrade codes follow M49 except for a few areas (India 699, France incl. Monaco 251, USA incl. territories
842); a test checks the table against Comtrade's own reporter list in ../shared/data/trade/codes.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib import resources
from pathlib import Path


@cache
def _table() -> tuple[dict[int, tuple[str, str]], dict[str, int]]:
    """(code -> (iso3, name), ISO3/alias -> code) from data/trade/areas.csv (M49 codes as used by Comtrade)."""
    text = resources.files("sanctionwatch").joinpath("data/trade/areas.csv").read_text(encoding="utf-8")
    by_code: dict[int, tuple[str, str]] = {}
    by_iso: dict[str, int] = {}
    for row in csv.DictReader(text.splitlines()):
        code = int(row["code"])
        by_code[code] = (row["iso3"], row["name"])
        by_iso[row["iso3"].upper()] = code
    by_iso.update({"DPRK": 408, "NORTH KOREA": 408, "RUSSIA": 643, "WORLD": 0})
    return by_code, by_iso


def area_code(value: str | int) -> int:
    """Area code from a code, an ISO3 or a common alias ('DPRK'); unknown names raise a clear error."""
    if isinstance(value, int):
        return value
    v = str(value).strip()
    if v.isdigit():
        return int(v)
    code = _table()[1].get(v.upper())
    if code is None:
        raise ValueError(f"unknown area {value!r}: use a Comtrade/M49 code or one of {sorted(_table()[1])}")
    return code


def area_iso3(code: int) -> str:
    """ISO3 of a code, or the code itself as text when the table does not know it."""
    entry = _table()[0].get(code)
    return entry[0] if entry else str(code)


def area_name(code: int) -> str:
    entry = _table()[0].get(code)
    return entry[1] if entry else str(code)


def read_reporter_areas_json(path: str | Path) -> dict[int, str]:
    """Comtrade's reporter-area list (`{"results": [{"id", "text"}]}`) as code -> name ('all' skipped)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {int(r["id"]): r["text"] for r in data["results"] if str(r["id"]).isdigit()}
