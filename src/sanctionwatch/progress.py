"""Progress reporting from library code: one optional callback, `progress(stage, done, total)`.

Long library functions (simulate, detect, risk, list indexing) take `progress: ProgressFn | None = None` and
call it as work completes: `stage` names the step ("simulate: vessels"), `done` counts finished units of that
stage (monotone, ending at `total`), `total` is the stage's size in its own units (vessels, rows, lists,
steps). The library never draws anything and never imports rich: the CLI renders the calls as bars
(`sanctionwatch.cli.common.progress_callback`), a notebook may pass its own function, and None costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

ProgressFn = Callable[[str, int, int], None]
"""progress(stage, done, total): `done` of `total` units of `stage` are finished."""

T = TypeVar("T")


def report(progress: ProgressFn | None, stage: str, done: int, total: int) -> None:
    """Call `progress` if there is one (library code calls this, so a missing callback is one test)."""
    if progress is not None:
        progress(stage, done, total)


def steps(progress: ProgressFn | None, stage: str, names: Iterable[T]) -> Iterator[T]:
    """Iterate `names`, reporting `stage` at 0 first and after each item (done = items finished)."""
    items = list(names)
    report(progress, stage, 0, len(items))
    for i, x in enumerate(items, 1):
        yield x
        report(progress, stage, i, len(items))
