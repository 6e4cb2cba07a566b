"""Thresholds and conversion factors of the trade analyses: one frozen dataclass, each default with its source."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sanctionwatch.overrides import replace_known


@dataclass(frozen=True)
class TradeParams:
    """Every number the trade component uses; the CLI and rule files only override these."""

    # Mirror statistics: importers report CIF, exporters FOB. The IMF Direction of Trade Statistics
    # (DOTS Guide, 2018, "CIF/FOB factor") uses a uniform 10% margin when deriving one side from the other.
    cif_fob_margin: float = 0.10
    # Tonnes -> barrels: BP Statistical Review of World Energy, "Approximate conversion factors"
    # (barrels per tonne): crude oil 7.33, gasoline 8.53, kerosene 7.88, gas oil/diesel 7.46, fuel oil 6.66.
    # HS 2710 mixes these; the default is the gas oil/diesel factor (the bulk of DPRK-bound deliveries
    # named by the UN Panel of Experts, S/2018/171 para 12), overridable per HS code in the rule file.
    barrels_per_tonne: float = 7.46
    # Claims: "about $24 million" is supported when the measured value lies within this relative tolerance,
    # unless the claim gives its own (a rounding-to-two-significant-figures reading of press figures).
    claim_tolerance: float = 0.05
    # Ban rules: a flow counts as a finding when its value exceeds this (Comtrade rounds to whole dollars;
    # values of a few dollars are typically reporting noise).
    ban_min_value_usd: float = 1000.0

    def with_overrides(self, **overrides: float) -> TradeParams:
        """Copy with some fields replaced; unknown names are an error."""
        return replace_known(self, "trade parameter", **overrides)

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_PARAMS = TradeParams()
