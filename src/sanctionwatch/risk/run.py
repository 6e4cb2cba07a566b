"""Score every vessel in a store: events + list hits -> contributions and ranking, written under STORE/risk/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from sanctionwatch.progress import ProgressFn, report
from sanctionwatch.risk.score import HITS_COLUMNS, OPTIONAL_HIT_COLUMNS, contributions, score
from sanctionwatch.risk.weights import RiskWeights
from sanctionwatch.store import Store, connect
from sanctionwatch.store.files import write_parquet_atomic

if TYPE_CHECKING:
    from sanctionwatch.lists.index import ListIndex

RISK_FILES = ("contributions", "ranked", "list_hits")


def risk_file(store: Store, name: str) -> Path:
    """Where `compute_risk` keeps one of its outputs (STORE/risk/<name>.parquet)."""
    assert name in RISK_FILES, name
    return store.root / "risk" / f"{name}.parquet"


@dataclass
class RiskResult:
    ranked: pl.DataFrame
    contributions: pl.DataFrame
    hits: pl.DataFrame


def list_hits(store: Store, index: ListIndex | None = None) -> pl.DataFrame:
    """Screen every vessel identity in the store against the lists (`index`, else the store's index, else the
    shipped lists)."""
    from sanctionwatch.lists.screen import screen_store

    hits = screen_store(store, index)
    return hits.filter(pl.col("mmsi").is_not_null())


def store_mmsis(store: Store) -> pl.Series:
    """Every MMSI with a position or a static report in the store: each gets a band, evidence or not."""
    return connect(store).execute(
        "select mmsi from positions where mmsi is not null union select mmsi from vessel_reports where mmsi is not null"
    ).pl()["mmsi"].cast(pl.Int64)


RISK_STEPS = "risk: events, list screening, contributions, ranking, writing"


def compute_risk(store: Store, weights: RiskWeights | None = None, hits: pl.DataFrame | None = None,
                 progress: ProgressFn | None = None) -> RiskResult:
    """Band and rank every vessel of the store by explainable risk; persist contributions (caps included, so a
    vessel's rows add up to its points), ranking and list hits atomically.

    `progress(stage, done, total)` (sanctionwatch.progress): the five steps of RISK_STEPS, and the list
    index's loading when it has to be built (not cached, not in the store)."""
    w = weights or RiskWeights()
    report(progress, RISK_STEPS, 0, 5)
    events = connect(store).execute(
        'select event_id, type, mmsi, other_mmsi, start, "end", port, country, confidence, evidence from events'
    ).pl()
    report(progress, RISK_STEPS, 1, 5)
    if hits is None:
        from sanctionwatch.lists.screen import default_index

        hits = list_hits(store, default_index(store, progress=progress))
    report(progress, RISK_STEPS, 2, 5)
    from sanctionwatch.registry.related import related_hits

    related = related_hits(store)  # owner/manager/operator links of registry imports (issue 18); often none
    if related.height:
        hits = pl.concat([hits, related], how="diagonal_relaxed")
    contribs = contributions(events, hits.select([c for c in (*HITS_COLUMNS, *OPTIONAL_HIT_COLUMNS)
                                                  if c in hits.columns]), w)
    report(progress, RISK_STEPS, 3, 5)
    ranked = score(contribs, w, store_mmsis(store))
    report(progress, RISK_STEPS, 4, 5)
    write_parquet_atomic(contribs.to_arrow(), risk_file(store, "contributions"))
    write_parquet_atomic(ranked.to_arrow(), risk_file(store, "ranked"))
    write_parquet_atomic(hits.to_arrow(), risk_file(store, "list_hits"))
    report(progress, RISK_STEPS, 5, 5)
    return RiskResult(ranked, contribs, hits)
