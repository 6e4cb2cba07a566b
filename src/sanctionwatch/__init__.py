"""sanctionwatch: open data to evidence of sanctions evasion.

Python API (see docs/python.md): `sanctionwatch.open(store)` (`.detect()` runs the detectors) and
`sanctionwatch.screen(queries)`; every API function is in `sanctionwatch.api`, reachable after a plain
`import sanctionwatch as sw` as `sw.api` (loaded on first use). `sanctionwatch.detect` is the detectors'
package, so the detect function is `sw.api.detect(store)`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sanctionwatch")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+local"


def open(store):
    """Open a store folder: `.positions()`, `.events()` (evidence as dicts), `.risk()`, `.detect()`, `.sql()`."""
    from sanctionwatch.api import open as _open

    return _open(store)


def screen(queries, store=None):
    """Screen queries against the default sanctions lists; returns a Polars DataFrame of hits."""
    from sanctionwatch.api import screen as _screen

    return _screen(queries, store)


def __getattr__(name: str):
    """`sanctionwatch.api` without importing it first (it loads Polars/DuckDB lazily itself)."""
    if name == "api":
        import importlib

        return importlib.import_module("sanctionwatch.api")
    raise AttributeError(f"module 'sanctionwatch' has no attribute {name!r}")


__all__ = ["__version__", "api", "open", "screen"]
