"""Simulator parameters: ship kinematics by type, AIS reporting intervals, noise and reception, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace


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
    drop_fraction: float = 0.0  # > 0: each received position/static report is lost with this probability
    clock_error_s: float = 0.0  # > 0: each station's clock is off by a fixed U(-x, x) seconds (tag-block c:)
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
class CoverageParams:
    """Who hears the transponder: the coverage regime (`dense`, `satellite`, `mixed`) and its numbers.

    - `dense`: terrestrial shore network everywhere (every report sent is received; today's behaviour).
    - `satellite`: satellite AIS only. Each vessel is heard in passes: the next pass comes
      `sat_sea_interval_min` later at sea and `sat_port_interval_h` later when moored/anchored (message
      collisions in busy ports, Eriksen et al. 2006 "Maritime traffic monitoring using a space-based AIS
      receiver", Acta Astronautica 58; exactEarth/Spire revisit 20-90 min at mid latitudes), and a pass
      hears `sat_burst` consecutive reports sent within `sat_pass_window_s` (a pass lasts ~10 min). Static
      reports (two-slot type 5, more collision-prone) are heard about once per `sat_static_interval_d` days
      (issue 12: "one type 5 in three days is normal on satellite AIS"). The intervals are issue 12's figures.
    - `mixed`: terrestrial within `terrestrial_range_km` of a receiver, satellite elsewhere. Receivers are
      gazetteer ports outside `no_receiver_countries` (DPRK feeds no public AIS network).
    """

    regime: str = "dense"
    sat_sea_interval_min: tuple[float, float] = (20.0, 90.0)
    sat_port_interval_h: tuple[float, float] = (3.0, 6.0)
    sat_burst: tuple[int, int] = (1, 3)  # messages per pass, inclusive
    sat_pass_window_s: float = 600.0  # a LEO pass sees a ship for ~10 min
    sat_static_interval_d: tuple[float, float] = (1.0, 3.0)
    # VHF line of sight from a shore antenna to a ship: typically 20-40 nm depending on antenna height; we take
    # the elevated-antenna end, 40 nm = 74 km (an assumption, not a measured station range)
    terrestrial_range_km: float = 74.0
    no_receiver_countries: tuple[str, ...] = ("KP",)


@dataclass(frozen=True)
class NoisyParams:
    """What the `-noisy` suffix of a regime changes (applied over NoiseParams).

    Stress values chosen to be worse than the clean default, not measured on one feed: 15 m position sigma
    (3x the GNSS default: multipath near quays, cheap receivers) and doubled SOG/COG/heading noise; 10 % of
    received reports lost at random (slot collisions, packet loss in aggregated feeds); half of all messages
    received twice (default 25 %); 1 % of lines get a garbled extra copy (default 0.2 %); each station's clock
    off by a fixed amount up to 5 s (the tag-block `c:` time is the receiver's).
    """

    position_sigma_m: float = 15.0
    sog_sigma_kn: float = 0.2
    cog_sigma_deg: float = 2.0
    heading_sigma_deg: float = 4.0
    drop_fraction: float = 0.1
    duplicate_fraction: float = 0.5
    corrupt_fraction: float = 0.01
    clock_error_s: float = 5.0


@dataclass(frozen=True)
class SimParams:
    """Everything a run depends on besides preset, seed and sizes."""

    reporting: ReportingParams = field(default_factory=ReportingParams)
    noise: NoiseParams = field(default_factory=NoiseParams)
    movement: MovementParams = field(default_factory=MovementParams)
    coverage: CoverageParams = field(default_factory=CoverageParams)
    sanctioned_area_id: str = "dprk_12nm"  # sanctionwatch/data/areas/dprk.geojson
    regime: str = "dense"  # the full regime name (coverage + optional '-noisy'), for labels and summary


DEFAULT = SimParams()

COVERAGES = ("dense", "satellite", "mixed")
REGIMES = (*COVERAGES, *(f"{c}-noisy" for c in COVERAGES))
"""Every coverage regime: `dense`, `satellite`, `mixed`, and each with `-noisy` (NoisyParams)."""


def with_regime(params: SimParams, regime: str, noisy: NoisyParams = NoisyParams()) -> SimParams:
    """`params` under a coverage regime ('dense', 'satellite', 'mixed', optionally suffixed '-noisy')."""
    base, _, suffix = regime.partition("-")
    if base not in COVERAGES or suffix not in ("", "noisy"):
        raise ValueError(f"unknown regime {regime!r}; choose from {list(REGIMES)}")
    out = replace(params, coverage=replace(params.coverage, regime=base), regime=regime)
    if suffix:
        nz = {f.name: getattr(noisy, f.name) for f in fields(noisy)}
        out = replace(out, noise=replace(out.noise, **nz))
    return out
