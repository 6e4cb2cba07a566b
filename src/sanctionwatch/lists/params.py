"""Screening thresholds and the list catalogue defaults: one frozen dataclass, each default with its reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenParams:
    """Name-matching thresholds; CLI flags only override these.

    Defaults were chosen on the shipped data (docs/screening.md): at 0.88 every alias and spacing/romanisation
    variant of every listed vessel and company is found, while real AIS ship names from Digitraffic and NOAA
    produce few hits. yente's default `logic-v1` cut-off is 0.70 on a different scale; ours is rapidfuzz's
    normalised Indel similarity (fuzz.ratio / 100) on normalised names, which is stricter per point.
    """

    threshold: float = 0.88  # minimum name score to report (0-1); see docs/screening.md scorecard.
    digits_mismatch_reject: bool = True  # `KUM UN SAN 2` is a different hull from `KUM UN SAN 3`.
    digits_missing_penalty: float = 0.92  # one side numbered, the other not: score multiplied by this.
    min_key_len: int = 3  # names shorter than this (after normalisation) are matched exactly only.
    gram_size: int = 3  # character n-grams used for blocking (candidate generation).
    min_shared_grams_frac: float = 0.5  # candidate needs this share of the shorter key's n-grams in common.
    max_gram_postings: int = 3000  # n-grams more frequent than this are not used for blocking (stop-grams).
    max_candidates_per_query: int = 50  # after blocking, best-overlap candidates scored per query string.
    vessel_name_schemas: tuple[str, ...] = ("Vessel",)  # AIS ship names are matched against these schemas.
