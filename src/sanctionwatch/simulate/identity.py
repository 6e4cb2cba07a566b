"""Vessel identities (MMSI with the flag's MID, valid IMO numbers, names, call signs) and messy destinations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sanctionwatch.geo.gazetteer import ascii_fold
from sanctionwatch.simulate.routes import Port

# Maritime Identification Digits, ITU MID table (https://www.itu.int/en/ITU-R/terrestrial/fmd/Pages/mid.aspx)
MID = {"KP": 445, "RU": 273, "KR": 440, "CN": 412, "JP": 431, "PA": 352, "SL": 667, "TG": 671, "MN": 457,
       "KM": 616, "HK": 477, "LR": 636, "MH": 538, "SG": 563, "MT": 248, "BZ": 312, "VN": 574, "GR": 241}
# ITU call sign prefixes (Radio Regulations Appendix 42), first characters only
CALL_PREFIX = {"KP": "HM", "RU": "UB", "KR": "DS", "CN": "BO", "JP": "JD", "PA": "3E", "SL": "9L", "TG": "5V",
               "MN": "JV", "KM": "D6", "HK": "VR", "LR": "A8", "MH": "V7", "SG": "9V", "MT": "9H", "BZ": "V3",
               "VN": "3W", "GR": "SV"}

_WORDS_A = ["SEA", "OCEAN", "GOLDEN", "BLUE", "NORTHERN", "EASTERN", "PACIFIC", "GRAND", "STAR", "SILVER", "GREAT",
            "ORIENT", "JADE", "CORAL", "SUN", "MORNING", "BRIGHT", "HAPPY", "FORTUNE", "RICH"]
_WORDS_B = ["PIONEER", "GLORY", "HARMONY", "WAY", "SPIRIT", "PEARL", "TRADER", "VENTURE", "DRAGON", "PHOENIX",
            "CROWN", "BRIDGE", "HORIZON", "LINK", "RIVER", "WIND", "CLOUD", "LOTUS", "CRANE", "EAGLE"]
_KP_WORDS = ["CHON MA", "PAEK MA", "RYONG GANG", "SAM JONG", "KUM UN SAN", "MYONG RYU", "NAM SAN", "JI SONG",
             "YU JONG", "SAEBYOL", "KWANG MYONG", "AN SAN", "SONG BONG", "RAK WON", "MU BONG"]


def imo_with_check(six: int) -> int:
    """Seven-digit IMO number whose last digit is the check digit (weights 7..2, IMO Res. A.1117(30))."""
    digits = [int(c) for c in f"{six:06d}"]
    return six * 10 + sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10


def is_valid_imo(imo: int) -> bool:
    """True when the IMO check digit is right."""
    return 1_000_000 <= imo <= 9_999_999 and imo_with_check(imo // 10) == imo


@dataclass(frozen=True)
class Identity:
    """What a transponder broadcasts about the hull (type 5 / type 24)."""

    mmsi: int
    imo: int  # 0 = none (Class B, fishing boats)
    name: str
    callsign: str
    flag: str


class IdentityFactory:
    """Unique MMSIs / IMOs / names for one run (deterministic for the rng)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self._mmsi: set[int] = set()
        self._imo: set[int] = set()
        self._names: set[str] = set()

    def mmsi(self, flag: str) -> int:
        while True:
            m = MID[flag] * 1_000_000 + int(self.rng.integers(100_000, 999_999))
            if m not in self._mmsi:
                self._mmsi.add(m)
                return m

    def imo(self) -> int:
        while True:
            i = imo_with_check(int(self.rng.integers(800_000, 999_999)))
            if i not in self._imo:
                self._imo.add(i)
                return i

    def name(self, flag: str) -> str:
        while True:
            if flag == "KP":
                n = f"{_KP_WORDS[self.rng.integers(len(_KP_WORDS))]} {int(self.rng.integers(1, 12))}"
            else:
                n = f"{_WORDS_A[self.rng.integers(len(_WORDS_A))]} {_WORDS_B[self.rng.integers(len(_WORDS_B))]}"
                if self.rng.random() < 0.4:
                    n += f" {int(self.rng.integers(1, 30))}"
            if n not in self._names:
                self._names.add(n)
                return n

    def callsign(self, flag: str) -> str:
        return CALL_PREFIX[flag] + "".join(self.rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), 3))

    def new(self, flag: str, *, imo: bool = True, name: str | None = None) -> Identity:
        """A fresh identity under `flag`."""
        return Identity(self.mmsi(flag), self.imo() if imo else 0, name or self.name(flag), self.callsign(flag), flag)


_GENERIC = {"BUKHTA", "PORT", "KO", "GANG", "HANG", "EASTERN", "PART", "OF", "HARBOR", "HARBOUR"}


def _plain(name: str) -> str:
    return ascii_fold(name).upper().replace("'", "").replace("-", " ")


def messy_destination(p: Port, rng: np.random.Generator, prev: Port | None = None) -> str:
    """A destination the way crews type it: 'CN SHA', 'SHANGHAI', 'SHANG HAI', 'CNSHA>KRPUS', 'CNSHA'."""
    words = [w for w in _plain(p.name).split() if w not in _GENERIC] or _plain(p.name).split()
    name = max(words, key=len)
    forms = [p.locode, f"{p.locode[:2]} {p.locode[2:]}", name]
    if len(name) >= 6:
        forms.append(f"{name[: len(name) // 2]} {name[len(name) // 2:]}")
    if prev is not None:
        forms.append(f"{prev.locode}>{p.locode}")
    return forms[int(rng.integers(len(forms)))][:20]
