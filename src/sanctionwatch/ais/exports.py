"""Readers for decoded AIS exports (placeholder: being implemented, see issue 2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from sanctionwatch.ais.batch import DecodedBatch


def sniff(head: bytes) -> str | None:
    """Name of the export format the first bytes belong to, or None for raw NMEA."""
    return None


def read_export(stream: BinaryIO, fmt: str, *, source: str) -> Iterator[DecodedBatch]:
    raise NotImplementedError(fmt)
