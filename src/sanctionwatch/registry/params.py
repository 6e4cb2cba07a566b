"""Parameters of the ownership graph and of the risk that follows its links, each default with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanctionwatch.lists.params import ScreenParams


@dataclass(frozen=True)
class OwnershipParams:
    """How far risk follows company links and how much a link is worth."""

    # Hops from the vessel to a designated entity: 1 = its owner / manager / operator is designated,
    # 2 = that company is linked to (owned by, linked to) a designated one. OFAC's 50 % rule reaches owned
    # entities; two hops keeps "the manager is a front of a designated company" without walking whole
    # conglomerates (OFAC links one company to dozens).
    max_hops: int = 2
    # Points at hop h = list_hit_related x hop_decay ** (h - 1) x path factor: each link is less certain.
    hop_decay: float = 0.5
    # A registry company matched to a listed one by a fuzzy name only (not equal after normalisation, no
    # company IMO): its links count this much (equal names and company IMO count 1; a contradicting company
    # IMO, 0: rejected namesake).
    fuzzy_name_factor: float = 0.5
    # Name matching of registry company names against listed companies (the screening matcher's threshold).
    screen: ScreenParams = field(default_factory=ScreenParams)
