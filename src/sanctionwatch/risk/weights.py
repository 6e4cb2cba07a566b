"""Risk weights and bands: how many points each kind of evidence adds, with the reasoning beside each number.

The score is a sum of contributions, each tied to one event or one list entry, so every point can be
traced (no black box). Caps stop one noisy signal (e.g. dozens of gaps) from drowning the rest; a capped
signal gets a negative `cap` row in the breakdown, so the rows always add up to the headline.
Weights follow the deceptive-shipping-practice indicators of the US advisory of 2020-05-14
("Sanctions Advisory for the Maritime Industry") and the UK OFSI maritime guidance (2022): a designation
first, then DPRK port calls, STS with designated vessels and going dark toward or near DPRK, then other AIS
manipulation, then weaker behavioural signals. A name-only possible list match is a lead to check, not
evidence: it is weighted by how rare the name is and can never make a vessel high-risk on its own.

Bands, in rank order (every vessel gets one, with its reason):
- **designated**: a strong-id list hit (IMO, MMSI or call sign of a listed vessel).
- **high**: behaviour (plus owner/manager-link) points reach `high_points`; name evidence may top up a
  vessel whose behaviour alone already reaches `review_points`, never more.
- **review**: behaviour points reach `review_points`, or a possible name match whose `name_weight` (screening's
  estimate, from the name's rarity and the features that agree or disagree) reaches `review_name_weight`.
- **low**: everything else, including vessels with no evidence at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from sanctionwatch.overrides import replace_known

# Flags of convenience / registries repeatedly named in UN Panel of Experts reports on DPRK (S/2019/171,
# S/2020/151, S/2021/211) for DPRK-linked tankers and flag hopping (ISO 3166 alpha-2).
FLAGS_OF_CONCERN = ("KP", "SL", "TG", "KM", "MN", "PW", "PA", "BZ", "KH", "TZ", "CM", "GA", "KN", "VC", "MH", "BO")

# Countries whose ports/waters are sanctioned destinations for the behaviour weights (UNSCR 2397: DPRK).
SANCTIONED_COUNTRIES = ("KP",)

BANDS = ("designated", "high", "review", "low")  # rank order
# risk_0_100 of each band (low, high end): the 0-100 headline agrees with the rank, so "above 50" means
# high or designated; inside a band it grows with points as 1 - exp(-points / scale_points).
BAND_RANGES = {"designated": (80.0, 100.0), "high": (50.0, 80.0), "review": (25.0, 50.0), "low": (0.0, 25.0)}


@dataclass(frozen=True)
class RiskWeights:
    """Points per piece of evidence, caps and band thresholds, all overridable from config/CLI."""

    list_hit_strong_id: float = field(default=100.0, metadata={"doc": "IMO/MMSI/call sign equal to a listed vessel: designated band. One designation counts once, however many lists or rows carry it."})
    list_hit_name: float = field(default=10.0, metadata={"doc": "name-only possible match, multiplied by the screening `name_weight` (0-1: the name's rarity in real traffic times feature agreement; not the raw fuzzy score); all name evidence of a vessel caps at this (one match at weight 1). Far below behaviour evidence: a lead to check, never high on its own."})
    name_weight_unknown: float = field(default=0.5, metadata={"doc": "name weight assumed when the hits carry no `name_weight` (older screening output): as likely as not."})
    list_hit_related: float = field(default=40.0, metadata={"doc": "owner/manager/operator of the vessel (a registry import, `sanctionwatch registry load`) is listed, or linked to a listed entity within `max_hops` (default 2) list links (OFAC 50 % rule: property of a blocked person). Multiplied by the link factor: hop_decay (0.5) ** (hops - 1) x the company match (1 company IMO or equal name, 0.5 fuzzy name); one piece per registry company, the path is the reason (docs/ownership.md). Vessels that only share a manager with designated vessels are listed as a cluster, not scored."})
    dprk_port_call: float = field(default=45.0, metadata={"doc": "UNSCR 2397 para 9: port entry/calls in DPRK. High on its own at typical confidence (0.9 x 45 = 40.5)."})
    sanctioned_area: float = field(default=25.0, metadata={"doc": "entering DPRK waters/approaches without a port call."})
    encounter_listed: float = field(default=45.0, metadata={"doc": "STS with a designated or DPRK-flagged vessel (UNSCR 2375 para 11 bans STS with DPRK)."})
    encounter: float = field(default=8.0, metadata={"doc": "STS away from port with an unlisted vessel."})
    gap_dark_near_area: float = field(default=30.0, metadata={"doc": "dark gap (`dark: true`: started at sea, others received nearby) with a sanctioned port/area `near_area` (advisory: \"disabling or manipulating AIS\")."})
    gap_dark: float = field(default=6.0, metadata={"doc": "dark gap elsewhere: a generic gap."})
    gap_not_dark: float = field(default=0.0, metadata={"doc": "`dark: false` gap (berth silence, coverage hole, no data): not evidence of AIS switched off; scores nothing."})
    destination_toward_sanctioned: float = field(default=45.0, metadata={"doc": "destination_mismatch that went dark en route heading toward a sanctioned port/area (`case: went_dark_en_route`, `toward` set), or arrived in a sanctioned country instead of the declared one."})
    destination_mismatch: float = field(default=12.0, metadata={"doc": "declared destination country not reached (`level: country`), or went dark en route toward no sanctioned place (advisory: \"falsifying cargo/vessel docs\")."})
    destination_mismatch_port: float = field(default=5.0, metadata={"doc": "arrived at another port of the declared country (`level: port`): usually a schedule change."})
    identity_change: float = field(default=15.0, metadata={"doc": "new name/MMSI/IMO pairing (identity laundering)."})
    flag_hop_concern: float = field(default=15.0, metadata={"doc": "change to a flag of concern (flag hopping)."})
    spoofing: float = field(default=12.0, metadata={"doc": "impossible positions / one MMSI in two places (location spoofing). Moderate: on real traffic most impossible jumps are receiver or MMSI-sharing artefacts (68 of 9,877 vessels in the shared AIS files, none near a sanctioned area)."})
    loitering: float = field(default=3.0, metadata={"doc": "slow offshore: weak alone, context for STS."})
    events_counted_per_signal: float = field(default=2.0, metadata={"doc": "cap per signal = this many pieces of evidence at full weight (so 20 generic gaps count as 2, and repeated spoofing alone stays below high_points: 2 x 12 = 24)."})
    cap_per_signal: float = field(default=120.0, metadata={"doc": "absolute max points from any one signal type."})
    high_points: float = field(default=35.0, metadata={"doc": "band high: behaviour + related points reaching this (one DPRK port call, STS with a designated vessel, dark toward DPRK)."})
    review_points: float = field(default=12.0, metadata={"doc": "band review: behaviour + related points reaching this."})
    review_name_weight: float = field(default=0.5, metadata={"doc": "band review: a name-only possible match whose `name_weight` reaches this. Screening's name_weight is the estimated chance that the ship is the listed one (1 in 1 + other bearers of the name, times feature likelihood ratios): 0.5 = as likely as not. Commoner names stay low, visible in the breakdown."})
    scale_points: float = field(default=60.0, metadata={"doc": "risk_0_100 = band low + (band high - band low) * (1 - exp(-points / scale_points)); band ranges: designated 80-100, high 50-80, review 25-50, low 0-25."})

    def with_overrides(self, **overrides: float) -> RiskWeights:
        """Copy with some fields replaced; unknown names are an error."""
        return replace_known(self, "risk weight", **overrides)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


MEASURED_MARK = "<!-- measured: hand-written below this line (benchmarks/bench_risk_bands.py) -->"


def markdown() -> str:
    """The weights as Markdown, for docs/risk.md up to MEASURED_MARK (a test keeps it current)."""
    rows = ["# Vessel risk", "", (__doc__ or "").strip(), "",
            "Generated from `sanctionwatch.risk.weights` (`python -m sanctionwatch.risk.weights`; paste above the",
            "measured section). Override with `sanctionwatch risk --weight NAME=POINTS`. Event-based points are",
            "multiplied by the event's confidence; name-match points by the match's `name_weight`.", "",
            "| weight | default | why |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {f.default} | {f.metadata.get('doc', '')} |" for f in fields(RiskWeights)]
    rows += ["", "Flags of concern: " + ", ".join(FLAGS_OF_CONCERN) + ".",
             "Sanctioned countries (behaviour weights): " + ", ".join(SANCTIONED_COUNTRIES) + ".", "",
             MEASURED_MARK]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
