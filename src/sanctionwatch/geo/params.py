"""Frozen parameter objects for the geo component: gazetteer radii and destination-matching thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GazetteerParams:
    """Port-area radius by WPI harbour size.

    Source: Global Fishing Watch port-visit logic treats a vessel as in port within ~3-4 km of an
    anchorage point (Kroodsma et al. 2018, Science 359:904, supplementary methods; pipe-anchorages
    `port_visits` entry/exit distances); we scale that up with the WPI "Harbor Size" class because a
    large harbour's basins and anchorages spread over ~10 km. Unknown size uses the 'Small' radius.
    """

    radius_km_by_size: dict[str, float] = field(
        default_factory=lambda: {"Very Small": 3.0, "Small": 4.0, "Medium": 6.0, "Large": 10.0}
    )
    default_radius_km: float = 4.0


@dataclass(frozen=True)
class ResolveParams:
    """Thresholds for free-text destination resolution.

    The fuzzy cut-offs were set on the Digitraffic Baltic destinations (2,876 distinct strings) so that
    the hand-checked sample in docs/geo.md stays >= 90 % precise; see docs/geo.md for the sample.
    """

    fuzzy_min_score: float = 90.0  # rapidfuzz ratio 0-100 needed to accept a fuzzy name match
    fuzzy_min_len: int = 4  # names shorter than this are matched exactly only (too ambiguous)
    fuzzy_long_min_score: float = 85.0  # lower bar for long strings against WPI's own names (not derived variants):
    fuzzy_long_min_len: int = 8  # at 85 on the Baltic + AMSA strings this added ~20 right matches and 1 wrong one
    conf_locode: float = 0.98  # 'CNSHA' / 'CN SHA' exact LOCODE in gazetteer
    conf_name: float = 0.95  # exact normalised name or alias
    conf_code_only: float = 0.6  # LOCODE-shaped with a valid country prefix, not in the gazetteer
    conf_fuzzy_scale: float = 0.9  # fuzzy confidence = score/100 * this
    conf_unspecified: float = 0.95  # 'FOR ORDERS', 'AT SEA', blank


GAZETTEER = GazetteerParams()
RESOLVE = ResolveParams()
