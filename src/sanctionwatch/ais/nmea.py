"""NMEA 0183 AIS decoding (placeholder: being implemented, see issue 2)."""

from __future__ import annotations

from datetime import datetime

from sanctionwatch.ais.batch import DecodedBatch


class NmeaDecoder:
    """Streaming decoder: feed chunks of whole lines, get DecodedBatch per chunk."""

    def __init__(self, source: str, *, assume_time: datetime | None = None, dedup_window_s: int = 60):
        raise NotImplementedError("NMEA decoder not implemented yet")

    def feed(self, chunk: bytes) -> DecodedBatch:
        raise NotImplementedError

    def finish(self) -> DecodedBatch:
        raise NotImplementedError
