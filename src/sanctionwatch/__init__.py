"""sanctionwatch: open data to evidence of sanctions evasion.

Python API (see docs/python.md): `sanctionwatch.open(store)` (`.detect()` runs the detectors;
`sanctionwatch.detect` is the detectors' package, so the function is `sanctionwatch.api.detect`) and
`sanctionwatch.screen(queries)`.
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


__all__ = ["__version__", "open", "screen"]
