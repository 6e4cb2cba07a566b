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

    # Entity matching of a name hit (lists/screen.py, lists/features.py). The name prior is the chance that a
    # ship bearing this name is the listed one: 1 in (1 + other bearers), other bearers estimated from the
    # shipped name-frequency table (lists/namefreq.py). Each feature multiplies the odds by a likelihood
    # ratio (LR); name_weight = odds / (1 + odds). The LRs are judgement values, kept mild because the
    # evading fleet re-flags (new MMSI, call sign and flag) faster than lists are updated; their effect is
    # measured in docs/screening.md (benchmarks/bench_screen_vs_logicv1.py).
    max_name_odds: float = 20.0  # a name unseen in the ~10,000-vessel table is still no proof (world fleet
    #   ~ 100,000): prior odds at most 20:1 (weight 0.95).
    token_smoothing: float = 0.5  # add-1/2 count for name words never seen in the table.
    lr_fuzzy: float = 0.3  # names match only fuzzily (not equal once normalised/folded): ANKARA vs ANGARA.
    lr_mmsi_differs: float = 0.3  # listed MMSI(s) known and the vessel sends another (re-flagging changes it).
    lr_callsign_differs: float = 0.5  # listed call sign known, vessel sends another (changes with the flag).
    lr_flag_agrees: float = 2.0  # flag from the MMSI's MID equals the listed flag.
    lr_flag_past: float = 1.5  # equals a listed former flag (OFAC lists former flags for 40 of 851 vessels).
    lr_flag_differs: float = 0.5  # neither current nor former listed flag.
    lr_type_agrees: float = 1.5  # AIS ship type category consistent with the listed type.
    lr_type_differs: float = 0.5  # inconsistent (AIS types are often wrong or left at a default: mild).
    gt_per_cubic_m: float = 0.005  # gross tonnage ~ k * length^3 for merchant hulls (100 m ~ 5,000 GT).
    size_ratio_ok: float = 4.0  # listed GT within x4 of the length's expected GT: size fits.
    size_ratio_bad: float = 10.0  # beyond x10: not the same hull.
    lr_size_agrees: float = 1.5
    lr_size_differs: float = 0.3

    # Audit trail: a list snapshot older than this many days is stale (a warning in CLI, API and case files).
    # UN, OFAC and UK publish changes weekly or faster; the shadow-fleet designations of 2024-2025 added
    # hundreds of vessels within months, so a list over 90 days old is missing designations.
    list_max_age_days: int = 90
