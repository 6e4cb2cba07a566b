"""Thresholds of the network channel (MRT reading, upstream change detection): one frozen dataclass, sources cited."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sanctionwatch.overrides import replace_known


@dataclass(frozen=True)
class BgpParams:
    """Every number the BGP component uses; the CLI only overrides these."""

    # Upstream flaps: an upstream that vanishes and returns within this many seconds is treated as continuous.
    # BGP path exploration after a withdrawal takes up to a few minutes (Labovitz et al., "Delayed Internet
    # Routing Convergence", SIGCOMM 2000: convergence "up to 3 minutes", tail beyond); 300 s covers it, while the
    # documented DPRK TransTeleCom drop (10:14:45 -> 12:21:55 UTC, Dyn Research 2017-10-02) stays a real change.
    min_absence_s: float = 300.0
    # Outage: every route of the target withdrawn for at least this long (same reasoning as min_absence_s;
    # Dyn's 2014-12-22 DPRK outage lasted hours).
    min_outage_s: float = 300.0
    # Without a RIB dump the prior routing state is unknown: upstreams first seen during this warm-up at the
    # start of an updates-only window are baseline, not appearances. 2 h = RouteViews' RIB period (a RIB is
    # published every 2 h, archive.routeviews.org), i.e. the gap an analyst leaves by not passing the preceding RIB.
    warmup_s: float = 7200.0
    # Evidence rows (file:record lines) kept per event; enough to verify, small enough to read.
    max_evidence_rows: int = 5
    # MRT framing sanity: a record longer than this is treated as corrupt framing (RFC 6396 length is 32 bits;
    # the largest real TABLE_DUMP_V2 RIB records with ~1,000 peers stay well below 1 MiB).
    max_record_bytes: int = 16 * 1024 * 1024
    # Work bound on garbage: this many consecutive records of no MRT type (RFC 6396 types; zeros frame as type 0
    # with length 0, 12 bytes each) mean framing is lost and the file stops there. Real files have none at all
    # (every file in ../shared/data/bgp has 0); 1,000 still lets a vendor's private record type pass in runs.
    max_unknown_run: int = 1_000
    # Compression-bomb bound: stop once the decompressed stream exceeds this many times the file size. Real MRT
    # files expand 5.8-14x (gz 5.8-8.7x, bz2 5.8-14x over the files in ../shared/data/bgp); gzip's ceiling is
    # ~1,032x and a 510 KB gzip of zeros is 500 MB. 100x keeps 7x headroom over the most compressible real file.
    max_expansion: int = 100
    # Rows per Arrow batch when streaming a file (bounded memory; ~10 MB of columns per batch).
    batch_rows: int = 65_536

    def with_overrides(self, **overrides: float) -> BgpParams:
        """Copy with some fields replaced; unknown names are an error."""
        return replace_known(self, "bgp parameter", **overrides)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_PARAMS = BgpParams()
