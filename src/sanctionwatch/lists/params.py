"""Screening thresholds and the list catalogue defaults: one frozen dataclass, each default with its reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenParams:
    """Name-matching thresholds; CLI flags only override these.

    Defaults were chosen on the shipped data (docs/screening.md): at 0.90 every alias and spacing/romanisation
    variant of every listed vessel and company is found, while real AIS ship names from Digitraffic and NOAA
    produce few hits. yente's default `logic-v1` cut-off is 0.70 on a different scale; ours is rapidfuzz's
    normalised Indel similarity (fuzz.ratio / 100) on normalised names, which is stricter per point.
    """

    threshold: float = 0.90  # minimum name score to report (0-1); see docs/screening.md scorecard.
    short_key_len: int = 6  # keys shorter than this match only when equal (raw or folded): 1 edit in 5 letters
    #                         is a different word (DREAM/TEAM), measured on Digitraffic names.
    digits_mismatch_reject: bool = True  # `KUM UN SAN 2` is a different hull from `KUM UN SAN 3`.
    digits_missing_penalty: float = 0.92  # one side numbered, the other not: score multiplied by this.
    block_affix_len: int = 4  # blocking keys: first/last 4 letters of the folded key and words of 4+ letters.
    #   At score >= 0.9 a name of 8+ letters has at most one edit, which cannot touch both its first and last 4.
    max_block_size: int = 100  # blocks larger than this (MOHA..., KORE...) are skipped; the other keys of the
    #   name still block it. Measured: keeps candidates per query in the tens on the shipped lists.
    vessel_name_schemas: tuple[str, ...] = ("Vessel",)  # AIS ship names are matched against these schemas.
