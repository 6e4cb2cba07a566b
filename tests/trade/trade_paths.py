"""Paths of the shipped trade data files used by the tests ."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DATA = Path(str(resources.files("sanctionwatch").joinpath("data/trade")))
MONTHLY = DATA / "constructed_rus_prk_monthly_H4_2016-2017.csv"
LEGACY = DATA / "constructed_prk_caps_bans_mirror_legacy.csv"
SEED_CLAIMS = DATA / "claims_seed.toml"
RULES = DATA / "rules_dprk.toml"
