"""Overriding fields of a frozen params dataclass by name: the one place unknown names become an error."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, TypeVar

T = TypeVar("T")


def replace_known(params: T, what: str, **overrides: Any) -> T:
    """Copy of `params` with `overrides` applied; names that are not fields raise ValueError naming them."""
    known = {f.name for f in fields(params)}  # type: ignore[arg-type]
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown {what}(s): {', '.join(sorted(unknown))}")
    return replace(params, **overrides)  # type: ignore[type-var]
