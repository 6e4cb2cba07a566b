"""Risk weights: how many points each kind of evidence adds, with the reasoning beside each number.

The score is a sum of contributions, each tied to one event or one list entry, so every point can be
traced (no black box). Caps stop one noisy signal (e.g. dozens of gaps) from drowning the rest.
Weights follow the deceptive-shipping-practice indicators of the US advisory of 2020-05-14
("Sanctions Advisory for the Maritime Industry") and the UK OFSI maritime guidance (2022): list hits first,
then DPRK port calls and STS with designated vessels, then AIS manipulation, then weaker behavioural signals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from sanctionwatch.overrides import replace_known

# Flags of convenience / registries repeatedly named in UN Panel of Experts reports on DPRK (S/2019/171,
# S/2020/151, S/2021/211) for DPRK-linked tankers and flag hopping (ISO 3166 alpha-2).
FLAGS_OF_CONCERN = ("KP", "SL", "TG", "KM", "MN", "PW", "PA", "BZ", "KH", "TZ", "CM", "GA", "KN", "VC", "MH", "BO")


@dataclass(frozen=True)
class RiskWeights:
    """Points per piece of evidence (and caps per signal), all overridable from config/CLI."""

    list_hit_strong_id: float = field(default=100.0, metadata={"doc": "IMO/MMSI/call sign equal to a listed vessel: designated outright."})
    list_hit_name: float = field(default=60.0, metadata={"doc": "fuzzy name match; multiplied by the match score (0-1)."})
    list_hit_related: float = field(default=50.0, metadata={"doc": "owner/manager/operator of the vessel is listed."})
    dprk_port_call: float = field(default=40.0, metadata={"doc": "UNSCR 2397 para 9: port entry/calls in DPRK."})
    sanctioned_area: float = field(default=25.0, metadata={"doc": "entering DPRK waters/approaches without a port call."})
    encounter_listed: float = field(default=45.0, metadata={"doc": "STS with a listed or DPRK-flagged vessel (UNSCR 2375 para 11 bans STS with DPRK)."})
    encounter: float = field(default=10.0, metadata={"doc": "STS away from port with an unlisted vessel."})
    gap_near_area: float = field(default=25.0, metadata={"doc": "AIS off near a sanctioned area (advisory: \"disabling or manipulating AIS\")."})
    gap: float = field(default=4.0, metadata={"doc": "AIS gap elsewhere (coverage-aware confidence scales it)."})
    destination_mismatch: float = field(default=20.0, metadata={"doc": "declared destination not reached (advisory: \"falsifying cargo/vessel docs\")."})
    identity_change: float = field(default=15.0, metadata={"doc": "new name/MMSI/IMO pairing (identity laundering)."})
    flag_hop_concern: float = field(default=15.0, metadata={"doc": "change to a flag of concern (flag hopping)."})
    spoofing: float = field(default=25.0, metadata={"doc": "impossible positions / one MMSI in two places (location spoofing)."})
    loitering: float = field(default=3.0, metadata={"doc": "slow offshore: weak alone, context for STS."})
    cap_per_signal: float = field(default=120.0, metadata={"doc": "max points from any one signal type."})
    scale_points: float = field(default=60.0, metadata={"doc": "risk_0_100 = 100 * (1 - exp(-points / scale_points))."})

    def with_overrides(self, **overrides: float) -> RiskWeights:
        """Copy with some fields replaced; unknown names are an error."""
        return replace_known(self, "risk weight", **overrides)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def markdown() -> str:
    """The weights as Markdown, for docs/risk.md (a test keeps the doc current)."""
    rows = ["# Vessel risk", "", (__doc__ or "").strip(), "",
            "Generated from `sanctionwatch.risk.weights` (`python -m sanctionwatch.risk.weights > docs/risk.md`).",
            "Override with `sanctionwatch risk --weight NAME=POINTS`. Event-based points are multiplied by the",
            "event's confidence; list-name points by the match score.", "",
            "| weight | default | why |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {f.default} | {f.metadata.get('doc', '')} |" for f in fields(RiskWeights)]
    rows += ["", "Flags of concern: " + ", ".join(FLAGS_OF_CONCERN) + "."]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown(), end="")
