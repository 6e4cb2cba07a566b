"""HS chapter names (HS 2022 nomenclature, 2-digit level) for labels in tables and charts."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def chapters() -> dict[str, str]:
    """Chapter code -> description, from data/trade/hs_chapters.csv (derived from datasets/harmonized-system)."""
    text = resources.files("sanctionwatch").joinpath("data/trade/hs_chapters.csv").read_text(encoding="utf-8")
    return {r["chapter"]: r["description"] for r in csv.DictReader(text.splitlines())}


def chapter_label(code: str, width: int = 40) -> str:
    """'HS 27 Mineral fuels, mineral oils and ...' (code alone if unknown; 'other' unchanged)."""
    if code == "other":
        return code
    name = chapters().get(code[:2], "")
    label = f"HS {code} {name}".strip()
    return label if len(label) <= width else label[: width - 1].rstrip() + "…"
