"""Risk weights: how many points each kind of evidence adds, with the reasoning beside each number.

The score is a sum of contributions, each tied to one event or one list entry, so every point can be
traced (no black box). Caps stop one noisy signal (e.g. dozens of gaps) from drowning the rest.
Weights follow the deceptive-shipping-practice indicators of the US advisory of 2020-05-14
("Sanctions Advisory for the Maritime Industry") and the UK OFSI maritime guidance (2022): list hits first,
then DPRK port calls and STS with designated vessels, then AIS manipulation, then weaker behavioural signals.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

# Flags of convenience / registries repeatedly named in UN Panel of Experts reports on DPRK (S/2019/171,
# S/2020/151, S/2021/211) for DPRK-linked tankers and flag hopping (ISO 3166 alpha-2).
FLAGS_OF_CONCERN = ("KP", "SL", "TG", "KM", "MN", "PW", "PA", "BZ", "KH", "TZ", "CM", "GA", "KN", "VC", "MH", "BO")


@dataclass(frozen=True)
class RiskWeights:
    """Points per piece of evidence (and caps per signal), all overridable from config/CLI."""

    list_hit_strong_id: float = 100.0  # IMO/MMSI/call sign equal to a listed vessel: designated outright.
    list_hit_name: float = 60.0  # fuzzy name match; multiplied by the match score (0-1).
    list_hit_related: float = 50.0  # owner/manager/operator of the vessel is listed.
    dprk_port_call: float = 40.0  # UNSCR 2397 para 9: port entry/calls in DPRK.
    sanctioned_area: float = 25.0  # entering DPRK waters/approaches without a port call.
    encounter_listed: float = 45.0  # STS with a listed or DPRK-flagged vessel (UNSCR 2375 para 11 bans STS with DPRK).
    encounter: float = 10.0  # STS away from port with an unlisted vessel.
    gap_near_area: float = 25.0  # AIS off near a sanctioned area (advisory: "disabling or manipulating AIS").
    gap: float = 4.0  # AIS gap elsewhere (coverage-aware confidence scales it).
    destination_mismatch: float = 20.0  # declared destination not reached (advisory: "falsifying cargo/vessel docs").
    identity_change: float = 15.0  # new name/MMSI/IMO pairing (identity laundering).
    flag_hop_concern: float = 15.0  # change to a flag of concern (flag hopping).
    spoofing: float = 25.0  # impossible positions / one MMSI in two places (location spoofing).
    loitering: float = 3.0  # slow offshore: weak alone, context for STS.
    cap_per_signal: float = 120.0  # max points from any one signal type.
    scale_points: float = 60.0  # risk_0_100 = 100 * (1 - exp(-points / scale_points)).

    def with_overrides(self, **overrides: float) -> RiskWeights:
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown risk weight(s): {', '.join(sorted(unknown))}")
        return replace(self, **overrides)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)
