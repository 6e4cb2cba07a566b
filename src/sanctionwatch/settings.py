"""One registry of user-facing settings: name, default, help, environment variable.

The CLI, the docs (`docs/settings.md`) and the dashboard's settings page all read this registry,
and a test fails when a setting is missing from the docs (datasette's pattern).
Detector thresholds are not here: each detector has one frozen params dataclass (see `detect/params.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """A named, documented setting that an environment variable can override."""

    name: str
    default: str
    help: str
    env: str

    def value(self) -> str:
        """The value in force: the environment variable if set, else the default."""
        return os.environ.get(self.env, self.default)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("store", "./sw-store", "Store directory (Parquet by day + DuckDB views).", "SANCTIONWATCH_STORE"),
        Setting(
            "ingest_chunk_bytes",
            str(64 * 1024 * 1024),
            "Bytes of raw input decoded per chunk; bounds ingest memory (peak RSS ~ 15x this for NMEA; CSV chunks cap at 16 MiB).",
            "SANCTIONWATCH_INGEST_CHUNK_BYTES",
        ),
        Setting(
            "dedup_window_s",
            "60",
            "Same payload received by several stations within this many seconds is stored once.",
            "SANCTIONWATCH_DEDUP_WINDOW_S",
        ),
        Setting(
            "ports_csv",
            "",
            "World Port Index CSV used by scripts/build_gazetteer.py to rebuild the gazetteer (the shipped gazetteer needs none).",
            "SANCTIONWATCH_PORTS_CSV",
        ),
        Setting(
            "areas_path",
            "",
            "GeoJSON file or folder of sanctioned areas; empty = the shipped DPRK 12/24 nm areas.",
            "SANCTIONWATCH_AREAS_PATH",
        ),
        Setting(
            "lists_dir",
            "",
            "Folder of official sanctions list files (UN XML, OFAC CSV, UK CSV, OpenSanctions FtM); empty = the newest "
            "`lists download` in the cache, else the packaged dated snapshot (data/lists/snapshot.json).",
            "SANCTIONWATCH_LISTS_DIR",
        ),
        Setting(
            "cache_dir",
            "~/.cache/sanctionwatch",
            "Cache for downloaded lists, Comtrade responses and BGP archives.",
            "SANCTIONWATCH_CACHE_DIR",
        ),
        Setting(
            "comtrade_key",
            "",
            "UN Comtrade subscription key; empty uses the public preview endpoints.",
            "SANCTIONWATCH_COMTRADE_KEY",
        ),
        Setting(
            "api_token",
            "",
            "API token required when the server binds to a non-loopback address.",
            "SANCTIONWATCH_API_TOKEN",
        ),
        Setting(
            "allowed_hosts",
            "",
            "Comma-separated extra Host header names the server answers to (loopback names and the bind address "
            "always are; others are refused against DNS rebinding); `*` disables the check.",
            "SANCTIONWATCH_ALLOWED_HOSTS",
        ),
        Setting(
            "trusted_proxies",
            "",
            "Comma-separated proxy addresses whose X-Forwarded-For is believed (rate limiting, logs); empty = the "
            "socket peer only.",
            "SANCTIONWATCH_TRUSTED_PROXIES",
        ),
    ]
}


def get(name: str) -> str:
    """Value in force for a registered setting."""
    return SETTINGS[name].value()


def store_path(explicit: str | Path | None = None) -> Path:
    """Resolve the store directory: explicit argument, else SANCTIONWATCH_STORE, else ./sw-store."""
    return Path(explicit) if explicit else Path(get("store"))


def markdown() -> str:
    """The settings registry as Markdown, for docs/settings.md."""
    rows = ["# Settings", "", "Generated from `sanctionwatch.settings` (`python -m sanctionwatch.settings > docs/settings.md`).",
            "Each setting can be overridden by its environment variable; CLI options override both.", "",
            "| setting | env var | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | `{s.env}` | `{s.default}` | {s.help} |" for s in SETTINGS.values()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
