"""One frozen parameter object per detector: every threshold in one place, unit-suffixed, source beside it.

Starting points are Global Fishing Watch's published definitions (GFW "Encounters/Loitering/AIS gaps/Port
visits" data caveats, globalfishingwatch.org/datasets-and-code; Miller et al. 2018 Front. Mar. Sci. 5:240
for encounters; Welch et al. 2022 Sci. Adv. 8:eabq2109 for gaps; Kroodsma et al. 2018 Science 359:904
for port visits). The CLI and docs/detectors.md only show or override these; a test checks they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class TrackParams:
    """Track building: deduplication and impossible-jump splitting (gpsdio-segment style)."""

    # Fastest merchant/high-speed craft are < 50 kn (IMO HSC Code vessels); anything faster is not physics.
    max_speed_kn: float = 50.0
    # Position noise allowance independent of time: GNSS error + reporting latency (GFW segmenter uses ~1 nm).
    noise_km: float = 1.0
    # At most this many parallel track segments per MMSI are tracked (gpsdio-segment keeps a handful).
    max_segments: int = 8
    # A silence longer than this ends a segment: no port call, loitering, area visit or spoofing event runs
    # across it (only a gap may). gpsdio-segment (GFW segmenter) DEFAULT_MAX_HOURS = 24: "points with a time
    # delta larger than N hours are forced to be discontinuous"; satellite AIS in port reports every 3-6 h.
    max_silence_h: float = 24.0


@dataclass(frozen=True)
class PortCallParams:
    """Port visits: enter within the gazetteer port radius, leave beyond it plus a margin (GFW 3 km in / 4 km out)."""

    exit_margin_km: float = 1.0  # GFW port visits: entry 3 km, exit 4 km -> 1 km hysteresis
    min_duration_h: float = 1.0  # our floor (GFW has none): shorter dwell is a pilot stop or a pass, not a call
    max_stop_speed_kn: float = 1.0  # at least one report this slow inside: a stop, not a pass (GFW port stop 0.5-1 kn)
    # A stop seen arriving but never seen leaving (the track ends in port) is a call of unknown length when at
    # least this many fixes were received inside: one report shows no stay (the simulator's observability rule).
    min_open_positions: int = 2


@dataclass(frozen=True)
class GapParams:
    """AIS gaps: >= 6 h without a report (GFW pipe-gaps minimum; GFW publishes >= 12 h 'disabling' events)."""

    min_gap_h: float = 6.0
    lookback_h: float = 12.0  # reception evidence window before the gap (GFW: positions in the 12 h before)
    min_positions_before: int = 14  # GFW 'disabling' events need >= 14 positions in the 12 h before
    coverage_cell_deg: float = 0.5  # neighbourhood cell for "others were still received" (3x3 cells ~ 150 km)
    coverage_max_hours: int = 96  # coverage sampled over at most this many hours of a long gap
    # A vessel silent until the end of the data is reported only when others kept being received nearby
    # for at least this share of the hours (otherwise the feed itself may have ended).
    open_ended_min_coverage: float = 0.5
    open_ended_min_h: float = 12.0  # and silent at least this long (GFW 'AIS disabling' events: >= 12 h)
    # A silence starting this close to a port area (radius + margin, the port-call exit margin) starts 'in port':
    # a berthed ship powers down or is shadowed by the quay, so it is not dark activity (GFW's AIS-disabling
    # events likewise exclude gaps starting near shore: Welch et al. 2022 require > 50 nm from shore).
    in_port_margin_km: float = 1.0
    # Others received during at least this share of the gap's hours near its last or next fix -> the data
    # could have seen the ship ('received_nearby'); below it the silence is a coverage hole.
    nearby_min_share: float = 0.5
    # ...or, when the ship itself was received densely where it fell silent (>= min_positions_before fixes
    # in the lookback: GFW's disabling criterion), others received nearby in at least this many hours of it:
    # the receivers still worked there, and thin traffic is not a coverage hole.
    dense_min_other_hours: int = 1
    # The store holds any fix at all in fewer than this share of the gap's hours -> 'no_data' (e.g. two archive
    # files years apart): nothing could have seen the ship, so no gap is claimed (counted in the run report).
    min_data_share: float = 0.5
    # Sanctioned area/port named on a gap when within this distance of its last or next fix: a tanker at
    # 12 kn covers it in 4.5 h, inside the 6 h minimum gap.
    near_area_km: float = 100.0
    # A silence is a gap only when it is longer than `revisit_factor` x the vessel's own normal revisit: the
    # longest interval between its fixes within `revisit_window_h` before the last fix (and after the next
    # one), counting only intervals that start in the same state (stopped / under way) as that fix. Satellite
    # AIS hears a moored ship every 3-6 h and a ship under way every 20-90 min (issue 12; Eriksen et al. 2006);
    # 10 % lost reports make missed passes normal, so a silence within 3.5 such revisits is the coverage, not
    # the ship (smoke + sea-of-japan seeds 1-3, satellite/mixed +-noisy: honest silences reach 3.1 x, the
    # transponder-off ones start at 4.2 x). GFW's AIS-disabling events likewise need dense reception before
    # the gap (>= 14 fixes in the 12 h before). No interval before the silence: the revisit is unknown, no gap.
    revisit_factor: float = 3.5
    revisit_window_h: float = 24.0  # = track.max_silence_h: the span one track segment may bridge
    # Slower than this (SOG, else implied speed) the fix is 'stopped' (moored, at anchor, drifting): satellite
    # revisits differ by state, so the revisit is judged in the state the ship fell silent / was heard again in
    # (= port_call.max_stop_speed_kn: GFW port stops are 0.5-1 kn).
    stopped_max_kn: float = 1.0
    # Borrowed identity (an MMSI twin): a closed gap is explained when another MMSI's fixes jump onto the silent
    # ship's path right after it fell silent and off it right before it is heard again (gaps.borrowed_identity).
    # Reach at this speed (a fast merchant hull; loitering's jump test uses 1.25 x 12 kn) plus the noise.
    identity_max_speed_kn: float = 20.0
    identity_noise_km: float = 1.0  # = track.noise_km
    identity_window_h: float = 12.0  # the switch may lie this long inside the silence (2 x a 6 h in-port revisit)


@dataclass(frozen=True)
class EncounterParams:
    """Encounters (GFW, Miller et al. 2018): within 0.5 km for >= 2 h, median speed < 2 kn, > 10 km from port."""

    max_distance_km: float = 0.5
    min_duration_h: float = 2.0
    max_median_speed_kn: float = 2.0
    # GFW measures from anchorage points spread over the whole harbour; our gazetteer has one point and a
    # radius, so the 10 km are measured from the port area's edge (port point distance > radius_km + 10).
    min_port_distance_km: float = 10.0
    bucket_min: int = 10  # GFW interpolates tracks to 10-minute steps before pairing
    max_bucket_gap_min: int = 60  # a pair run survives this much missing reception (GFW allows short gaps)
    prefilter_speed_kn: float = 4.0  # buckets faster than this cannot be near a 2 kn median; skipped for speed
    # Sparse tracks (detect/resample.py): an empty 10-min step is interpolated between the fixes around it when
    # that silence (inside one segment) is at most this long. GFW pipe-encounters interpolates across < 1 h and
    # then merges raw encounters less than 4 h apart (min_hours_between_encounters=4); satellite AIS at sea
    # reports every 20-90 min. 3 h stays below the 6 h gap minimum and equals loitering.max_report_gap_h.
    max_interp_gap_h: float = 3.0
    # An encounter needs at least this many observed (not interpolated) 10-min steps of EACH vessel within
    # max_distance_km of the other: interpolation fills between sightings, it never makes the encounter alone.
    # 2 = each ship itself seen alongside the other twice; at 20-90 min satellite cadence it costs no recall
    # against 1 (30 seeds x 4 transfers of 3-8 h, docs/detectors.md); the counts are in the evidence.
    min_observed_points: int = 2
    # Evidence `partner_dark`: one vessel silent at least this long right before/after the encounter while the
    # other kept reporting (GFW pipe-gaps minimum gap, = gap.min_gap_h): a transfer half-seen (dark STS).
    dark_partner_min_h: float = 6.0


@dataclass(frozen=True)
class LoiteringParams:
    """Loitering (GFW): average speed < 2 kn for hours, away from port (GFW: > 20 nm from shore; we use ports)."""

    max_speed_kn: float = 2.0
    min_duration_h: float = 2.0  # same floor as encounters: long enough to transfer cargo
    min_port_distance_km: float = 10.0  # GFW encounter port exclusion, reused (from the port area's edge)
    max_report_gap_h: float = 3.0  # a longer silence splits the loitering run (it is a gap, reported as such)
    smooth_points: int = 5  # rolling-median window over SOG so one noisy report does not split a run
    # Class B transponders are small non-SOLAS craft (ITU-R M.1371 Annex 7; SOLAS V/19 requires Class A on
    # ships >= 300 GT): their slow hours are leisure or fishing, not cargo transfers.
    class_a_only: bool = True
    # A vessel slow in an encounter is explained by the encounter (GFW: loitering = encounter with no
    # visible partner), so loitering overlapping an encounter of the same vessel by more than this share of its
    # hours is not reported. 0 = any overlap: on sparse or noisy tracks the encounter found is often only part
    # of the time alongside (interpolation bounds), the rest of the same stop is not a second, partner-less event.
    max_encounter_overlap: float = 0.0
    # Reported navigational status (ITU-R M.1371 msg 1-3) that explains slow movement at sea: 7 = engaged in
    # fishing (trawling/drifting on grounds is slow by nature). Not 1 'at anchor' or 5 'moored': ship-to-ship
    # transfers are made at anchor or moored alongside (e.g. the Laconian Gulf and Skagen STS areas), so those
    # statuses are what a transfer looks like, not an explanation. Judged per fix over smooth_points (median).
    explained_nav_status: tuple[int, ...] = (7,)
    # Jump test at the ends of a slow stretch: the vessel's neighbouring fix (any track segment) must be reachable
    # at jump_speed_factor x max(its fastest reported SOG, jump_min_speed_kn) plus jump_noise_km; else one side
    # is not this ship (fake drift broadcast while the hull is elsewhere, or a second hull on the MMSI).
    jump_speed_factor: float = 1.25  # SOG is the speed over ground itself; 25 % for acceleration between fixes
    jump_min_speed_kn: float = 12.0  # a ship seen only slow may still steam at a merchant service speed
    jump_noise_km: float = 1.0  # = TrackParams.noise_km (GNSS error + reporting latency)
    jump_max_sog_kn: float = 50.0  # = TrackParams.max_speed_kn: faster SOG values are sensor errors, ignored


@dataclass(frozen=True)
class SpoofingParams:
    """Spoofing: off-track segments (implied speed beyond TrackParams.max_speed_kn) and one MMSI in two places."""

    min_points: int = 2  # single off-track fixes are counted in the run report, not made events (bit errors)
    # Off-track fixes within this of the vessel's own main-track fixes (at other times) are the ship's real
    # positions with a wrong timestamp (a feed with two clocks, duplicated/backward times), not spoofing:
    # TrackParams.noise_km plus ~3 min at 20 kn between consecutive fixes (ITU-R M.1371 Class A every 2-10 s
    # under way; receivers/aggregators thin to ~1-3 min).
    time_shift_km: float = 2.0
    time_shift_min_share: float = 0.8  # ...for at least this share of the segment's fixes (a stray may differ)
    # ...and only against main-track fixes at most this far apart in time: a second clock is off by a bounded
    # amount (exactEarth's downlink-arrival epoch runs up to ~1.5 h behind the $PGHP reception time; x4 slack).
    # A hull moored where the main track once was (an MMSI twin's victim at its berth) matches it hours to days
    # later: that is the same place at another time, not the same report with a wrong clock.
    time_shift_max_h: float = 6.0
    # Own-speed jumps: the main track is a chain reachable at TrackParams.max_speed_kn (50 kn), which under
    # satellite coverage (fixes 20-90 min apart) lets a jump to a fake position 80-100 km away pass. Within one
    # vessel's main track a step farther than noise_km + own_speed_factor x (its fastest reported SOG) +
    # own_speed_margin_kn (x time) is a jump too: the straight-line speed between two fixes cannot exceed the
    # speed sailed, and merchant service speed is ~85-90 % of the top speed (MCR), so 1.5 x + 5 kn is ample.
    own_speed_factor: float = 1.5
    own_speed_margin_kn: float = 5.0
    # ...with the fastest SOG taken as at least this (a slow-looking ship may sail at a tanker's ~12-15 kn
    # service speed between fixes: the cap is never below 1.5 x 10 + 5 = 20 kn).
    own_speed_floor_kn: float = 10.0
    # Tested only where the reported SOG can be trusted: at least this many reports with a SOG, this many of them
    # under way (>= IdentityParams.handover_underway_kn; a ship seen only at berths and anchor shows no speed
    # of its own), and at most own_speed_max_jumps such steps (an excursion has a jump out and one back; a vessel
    # whose SOG disagrees with its track everywhere has a broken or absent speed sensor, not a spoofed position).
    own_speed_min_sog_reports: int = 10
    own_speed_min_underway_reports: int = 3
    own_speed_max_jumps: int = 2


@dataclass(frozen=True)
class DestinationParams:
    """Declared destination vs the port actually reached next (or vessel going dark without arriving)."""

    min_resolve_confidence: float = 0.8  # geo.destinations confidence needed to compare a declaration
    same_port_km: float = 15.0  # a reached port this close to the declared one is the same harbour
    # Silent this long without arriving: 'went dark' - GapParams.min_gap_h (GFW pipe-gaps minimum), the silence a
    # gap reports; the en-route tests below (toward a sanctioned target, away from / no progress to the declared
    # place) carry the evidence, not the length (UN PoE tankers' dark approaches to DPRK last ~6-30 h).
    went_dark_h: float = 6.0
    # Country-level declarations ('VIETNAM', 'CN', 'HONG KONG') are compared with the reached port's country.
    compare_country_level: bool = True
    # Went dark en route: the last fixes before a silence >= went_dark_h (or the end of the data) head away from
    # the declared destination and toward a sanctioned area/port (UN Panel of Experts S/2019/171 and later
    # reports describe tankers switching AIS off on approach to DPRK after declaring a third country).
    en_route_tail_h: float = 6.0  # "last fixes": this long before the silence (~70-130 km at 6-12 kn)
    en_route_min_move_km: float = 10.0  # the tail must cover this much (under way, not a berth silence)
    en_route_toward_max_km: float = 150.0  # sanctioned target this close at the last fix (one night's sailing)
    en_route_min_closing: float = 0.5  # share of the distance sailed that closes on the target (a heading,
    # not a pass: ~60 deg off the bearing); the declared destination's distance must grow at the same time
    en_route_countries: tuple[str, ...] = ("KP",)  # gazetteer ports of these countries are sanctioned targets


@dataclass(frozen=True)
class IdentityParams:
    """Identity changes in static reports (same IMO new MMSI/name/flag/call sign; same MMSI new IMO/name)."""

    min_reports: int = 2  # a new value must be seen this often (a single garbled report is not a new identity)
    # Handover: one MMSI falls silent and another starts transmitting at the same spot right after (an
    # identity swapped at sea leaves no static-data link). Reporting intervals are <= 3 min (ITU-R M.1371
    # Class A at anchor), so 30 min and 2 km leave ample slack while staying rare by chance outside ports.
    handover_max_min: float = 30.0
    handover_max_km: float = 2.0  # see handover_max_min: same spot within GNSS error plus ~30 min of drift
    # ...or longer where the feed itself hears the hulls less often: the window is this many times the observed
    # revisit of the two MMSIs (the longest of the `handover_revisit_intervals` pass intervals next to the old
    # MMSI's last fix and the new one's first; intervals under handover_min_track_min are one pass's burst).
    # 2 = one missed pass (satellite AIS: 3-6 h between passes over a moored ship, 20-90 min at sea).
    handover_revisit_factor: float = 2.0
    handover_revisit_intervals: int = 3
    # ...up to this (2 x the 6 h in-port satellite revisit; half of TrackParams.max_silence_h, so a handover
    # never bridges a segment break).
    handover_max_window_h: float = 12.0
    # Both ends reporting themselves stopped (SOG < handover_underway_kn): the new first fix must be this close to
    # the old last one - a moored hull stays in its swinging circle at anchor (~0.3 km for a ship on ~100 m of
    # chain) plus GNSS error, so a berth neighbour a few hundred metres off does not count as the same hull.
    handover_moored_km: float = 0.5
    # Same-IMO links (IMO -> MMSI, MMSI -> IMO) count from a single report when the IMO passes its check digit
    # (IMO Res. A.1117(30)); every stored NMEA report passed its sentence checksum (ingest rejects the rest).
    single_report_valid_imo: bool = True
    # Handover candidates (bounded memory/time when an outage ends hundreds of tracks at once): each MMSI offers
    # only its first and last fix; ends and starts meet in (30 min bucket, cell) keys with a 2x3x3 neighbourhood.
    handover_cell_deg: float = 0.1  # >= handover_max_km in lon up to ~79 deg N, so +-1 cell covers the radius
    handover_max_candidates: int = 4  # nearest starts kept per end (issue 19: outage repro 5.4 GB -> bounded)
    handover_min_track_min: float = 5.0  # velocity needs two fixes this far apart on each side (else no evidence)
    handover_speed_tol_kn: float = 3.0  # speed before and after agree within this (same hull, same engine order)
    handover_course_tol_deg: float = 30.0  # courses agree within this when both under way
    handover_underway_kn: float = 2.0  # below this the course is noise (GFW: < 2 kn is drifting/loitering)
    handover_coverage_cell_deg: float = 0.5  # the feed received someone in 3x3 such cells a window before/after
    handover_density_cell_deg: float = 0.1  # track boundaries counted in 3x3 such cells (~30 km) ...
    handover_density_window_h: float = 2.0  # ... in this bucket and both neighbours (2-6 h around the switch)
    handover_max_nearby_boundaries: int = 1  # more other starts/ends nearby: a place where tracks start/stop
    # Round trip (identity borrowed for a voyage, then back): the old MMSI's silence and the other MMSI's piece
    # of track are bounded by silences this long - GapParams.min_gap_h, the silence a gap would report and
    # the round trip must explain; shorter swaps leave no gap to explain and stay unflagged.
    handover_return_min_silence_h: float = 6.0
    # ...and the hull was heard again this far from where it fell silent (it sailed under the other identity;
    # berth neighbours powering on and off in turn never move): 5 x handover_max_km, beyond the same spot.
    handover_return_min_move_km: float = 10.0


@dataclass(frozen=True)
class AreaParams:
    """Sanctioned areas: entry into configured areas (UNSCR 2397 (2017) para 7-9 concern DPRK ports/waters)."""

    area_ids: tuple[str, ...] = ("dprk_12nm",)  # DPRK territorial sea; dprk_24nm available too
    port_countries: tuple[str, ...] = ("KP",)  # port calls in these countries are flagged as sanctioned calls
    area_countries: tuple[str, ...] = ("dprk_12nm=KP", "dprk_24nm=KP")  # area_id=ISO country for the event


@dataclass(frozen=True)
class DetectParams:
    """All detector parameters together (what `sanctionwatch detect` runs with)."""

    track: TrackParams = field(default_factory=TrackParams)
    port_call: PortCallParams = field(default_factory=PortCallParams)
    gap: GapParams = field(default_factory=GapParams)
    encounter: EncounterParams = field(default_factory=EncounterParams)
    loitering: LoiteringParams = field(default_factory=LoiteringParams)
    spoofing: SpoofingParams = field(default_factory=SpoofingParams)
    destination: DestinationParams = field(default_factory=DestinationParams)
    identity: IdentityParams = field(default_factory=IdentityParams)
    area: AreaParams = field(default_factory=AreaParams)


DEFAULT = DetectParams()


def flat_defaults(params: DetectParams = DEFAULT) -> dict[str, object]:
    """`section.field -> value` for every threshold (drives docs and the CLI `--set` override)."""
    out: dict[str, object] = {}
    for sec in fields(params):
        obj = getattr(params, sec.name)
        for f in fields(obj):
            out[f"{sec.name}.{f.name}"] = getattr(obj, f.name)
    return out


def with_overrides(overrides: dict[str, str], params: DetectParams = DEFAULT) -> DetectParams:
    """A copy of `params` with `section.field=value` overrides (values parsed to the field's type)."""
    from dataclasses import replace

    sections: dict[str, dict[str, object]] = {}
    known = flat_defaults(params)
    for key, raw in overrides.items():
        if key not in known:
            raise ValueError(f"unknown detector parameter {key!r}; known: {', '.join(sorted(known))}")
        sec, name = key.split(".", 1)
        cur = known[key]
        if isinstance(cur, tuple):
            val: object = tuple(s.strip() for s in raw.split(",") if s.strip())
        elif isinstance(cur, bool):
            val = raw.lower() in ("1", "true", "yes")
        else:
            val = type(cur)(raw)
        sections.setdefault(sec, {})[name] = val
    return replace(params, **{s: replace(getattr(params, s), **kv) for s, kv in sections.items()})
