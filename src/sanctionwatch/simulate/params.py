"""Simulator parameters: ship kinematics by type, AIS reporting intervals, noise and reception, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ShipKind:
    """Kinematics and static data of one ship type.

    Service speeds: UNCTAD Review of Maritime Transport 2019 ch. 2 (average design speeds: tankers
    13-15 kn, bulk/general cargo 12-14 kn, container 18-22 kn); turn rates: IMO MSC.137(76) manoeuvring
    standards imply steady turns of a few deg/s for small ships, well under 1 deg/s for large ones.
    """

    name: str
    dma_type: str  # DMA CSV 'Ship type' text
    ais_type: int  # ITU-R M.1371 Table 53 ship-and-cargo code
    cruise_kn: tuple[float, float]  # uniform range of service speed
    max_turn_deg_min: float
    accel_kn_min: float  # speed change per minute when leaving/approaching a port
    length_m: tuple[int, int]
    beam_m: tuple[int, int]
    draught_m: tuple[float, float]
    class_b: bool = False


KINDS: dict[str, ShipKind] = {
    "tanker": ShipKind("tanker", "Tanker", 80, (10.0, 13.5), 20.0, 0.25, (90, 180), (14, 30), (5.5, 11.0)),
    "cargo": ShipKind("cargo", "Cargo", 70, (11.0, 14.5), 25.0, 0.3, (90, 200), (15, 32), (6.0, 11.0)),
    "container": ShipKind("container", "Cargo", 71, (16.0, 21.0), 25.0, 0.3, (180, 330), (28, 45), (9.0, 13.5)),
    "passenger": ShipKind("passenger", "Passenger", 60, (15.0, 18.0), 40.0, 0.5, (100, 180), (18, 28), (5.0, 7.0)),
    "fishing": ShipKind("fishing", "Fishing", 30, (8.0, 11.0), 90.0, 0.8, (25, 60), (7, 12), (3.0, 5.0)),
    "tug": ShipKind("tug", "Tug", 52, (8.0, 11.0), 90.0, 0.8, (25, 40), (8, 12), (3.0, 5.0)),
    "pleasure": ShipKind("pleasure", "Pleasure", 37, (5.0, 8.0), 120.0, 1.0, (8, 20), (3, 6), (1.0, 2.5), class_b=True),
}


@dataclass(frozen=True)
class ReportingParams:
    """Nominal reporting intervals, ITU-R M.1371-5 Annex 1 §4.2.1 Table 1 (Class A) and Table 2 (Class B CS).

    Class A: at anchor/moored and < 3 kn: 3 min; 0-14 kn: 10 s; 14-23 kn: 6 s; > 23 kn: 2 s.
    Class B "CS": > 2 kn 30 s, <= 2 kn 3 min. Static/voyage data (type 5, type 24): every 6 min.
    `interval_scale` stretches every interval (the `smoke` preset uses it to stay small).
    """

    moored_s: float = 180.0
    slow_s: float = 10.0
    mid_s: float = 6.0
    fast_s: float = 2.0
    class_b_moving_s: float = 30.0
    class_b_slow_s: float = 180.0
    static_s: float = 360.0
    interval_scale: float = 1.0


@dataclass(frozen=True)
class NoiseParams:
    """Position/kinematic noise and reception artefacts.

    GNSS horizontal error ~ 3-10 m (US DoD GPS SPS Performance Standard 2020, 95 % <= 9 m) -> 5 m sigma;
    SOG/COG jitter of the same order as the 0.1 kn / 0.1 deg resolution plus sea state.
    Duplicate receptions and corrupt lines are typical of shore networks (DMA/NOAA raw feeds show
    10-40 % multi-station duplicates); corrupt lines here are garbled *extra* receptions, so every
    labelled message keeps at least one clean line.
    """

    position_sigma_m: float = 5.0
    sog_sigma_kn: float = 0.1
    cog_sigma_deg: float = 1.0
    heading_sigma_deg: float = 2.0
    duplicate_fraction: float = 0.25
    corrupt_fraction: float = 0.002
    satellite_keep_fraction: float = 1.0  # < 1: keep each position report with this probability
    # boxes (lat_min, lat_max, lon_min, lon_max) with no receiver: reports sent from inside are lost
    coverage_holes: tuple[tuple[float, float, float, float], ...] = ()
    stations: tuple[str, ...] = ("RUVVO001", "RUNJK002", "KRPUS003", "JPKIJ004", "CNDLC005", "SATEL006")


@dataclass(frozen=True)
class MovementParams:
    """Port approach and dwell behaviour.

    Harbour speed limits of 5-8 kn are common (e.g. Port of Vladivostok rules: 8 kn; Busan VTS: 6-10 kn);
    anchored ships swing within about a cable (185 m) of the anchor.
    """

    harbour_speed_kn: float = 6.0
    harbour_zone_km: float = 8.0
    anchor_swing_m: float = 120.0
    moored_jitter_m: float = 15.0
    drift_speed_kn: tuple[float, float] = (0.3, 1.5)
    drift_radius_km: float = 2.5
    encounter_offset_m: float = 60.0  # hull centre distance when side by side


@dataclass(frozen=True)
class SimParams:
    """Everything a run depends on besides preset, seed and sizes."""

    reporting: ReportingParams = field(default_factory=ReportingParams)
    noise: NoiseParams = field(default_factory=NoiseParams)
    movement: MovementParams = field(default_factory=MovementParams)
    sanctioned_area_id: str = "dprk_12nm"  # sanctionwatch/data/areas/dprk.geojson


DEFAULT = SimParams()
