"""Audit trail of a screening: which list versions were searched, how old each is, and a stale-list warning.

A list version is the publication date found in the list (lists/model.py `LoadedList.list_version`; a month
`2025-12` counts from its first day). A list older than `ScreenParams.list_max_age_days` on the screening date is
stale: the CLI, the API and case files repeat the warning, because a stale list misses recent designations
(a "no match" against it is not a clearance).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sanctionwatch.lists.params import ScreenParams


def _as_date(version: str | None) -> date | None:
    if not version:
        return None
    for fmt, n in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        try:
            return datetime.strptime(version[:n], fmt).date()
        except ValueError:
            continue
    return None


def list_ages(manifest: dict, params: ScreenParams | None = None, today: date | None = None) -> list[dict]:
    """Per searched list: dataset, list_version, age_days (None when undated) and stale (bool)."""
    p = params or ScreenParams()
    today = today or datetime.now(UTC).date()
    out = []
    for s in manifest.get("sources", []):
        d = _as_date(s.get("list_version"))
        age = (today - d).days if d else None
        out.append({"dataset": s["dataset"], "list_version": s.get("list_version"), "age_days": age,
                    "stale": age is None or age > p.list_max_age_days, "max_age_days": p.list_max_age_days})
    return out


def stale_warning(ages: list[dict]) -> str | None:
    """One sentence naming the stale lists, or None when every searched list is fresh."""
    stale = [a for a in ages if a["stale"]]
    if not stale:
        return None
    bound = stale[0]["max_age_days"]
    parts = ", ".join(f"{a['dataset']} {a['list_version'] or 'undated'}"
                      + (f" ({a['age_days']} days old)" if a["age_days"] is not None else "") for a in stale)
    return (f"STALE LISTS: {parts} exceed the {bound}-day freshness bound; recent designations are missing and "
            "'no match' is not a clearance (`sanctionwatch lists download ID`, then `lists build --cached`)")


def searched(ages: list[dict]) -> str:
    """`dataset version (N d)` for every searched list, comma-joined."""
    return ", ".join(f"{a['dataset']} {a['list_version']}" + (f" ({a['age_days']} d)" if a["age_days"] is not None
                                                              else "") for a in ages)
