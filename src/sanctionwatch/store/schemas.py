"""Canonical table schemas: the single source of truth for stored column names, types and units.

Each table is a list of `Column` specs; the Arrow schema, the DuckDB empty views and
`docs/schemas.md` are all derived from them (a test checks the doc is current).
Times are UTC, intervals half-open `[start, end)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True)
class Column:
    """One stored column: name, Arrow type, unit and meaning."""

    name: str
    type: pa.DataType
    unit: str
    doc: str
    nullable: bool = True

    def field(self) -> pa.Field:
        return pa.field(self.name, self.type, nullable=self.nullable)


_PROVENANCE = [
    Column("source", pa.dictionary(pa.int32(), pa.string()), "", "Input file name (or `-` for stdin)."),
    Column("src_line", pa.int64(), "", "1-based line of the (last) sentence in the input file: the evidence trail."),
    Column("station", pa.dictionary(pa.int32(), pa.string()), "", "Receiving station from tag block `s:` / PGHP, if any."),
    Column("n_receivers", pa.int16(), "count", "How many receptions of this payload within the dedup window were folded."),
    Column(
        "ts_source",
        pa.dictionary(pa.int8(), pa.string()),
        "",
        "Where ts came from: tag, pghp, trailing, leading, csv, snapshot (export file time), assumed (--assume-time), "
        "inferred (carried from the nearest stamped line, or the last `$PGHP` time of a stream on the `$PGHP` clock).",
    ),
    Column("rx_time", TS, "UTC", "Receiver's own UTC time (NMEA receiver suffix `t hhmmss.ss`, USCG NAIS style), "
           "placed on the day nearest ts; null when the line has none. ts stays the logger's clock."),
    Column("signal_dbm", pa.int16(), "dBm", "Received signal strength (receiver suffix `d-107`); null when absent."),
]

POSITIONS: list[Column] = [
    Column("ts", TS, "UTC", "Reception (or report) time.", nullable=False),
    Column("mmsi", pa.int32(), "", "Maritime Mobile Service Identity.", nullable=False),
    Column("lat", pa.float64(), "deg", "Latitude WGS84; null when not available (91)."),
    Column("lon", pa.float64(), "deg", "Longitude WGS84; null when not available (181)."),
    Column("sog", pa.float32(), "kn", "Speed over ground; null when not available (102.3)."),
    Column("cog", pa.float32(), "deg", "Course over ground; null when not available (360)."),
    Column("heading", pa.int16(), "deg", "True heading; null when not available (511)."),
    Column("nav_status", pa.int8(), "", "Navigational status 0-15 (Class A only); null when 15 or absent."),
    Column("rot", pa.float32(), "deg/min", "Rate of turn (types 1-3); null when not available (-128) or when "
           "turning without a rate (+-127: see rot_direction)."),
    Column("rot_direction", pa.int8(), "", "Sign of the rate of turn (types 1-3): 1 turning right (starboard), -1 "
           "left (port), 0 not turning; kept for +-127 (turning, no rate available); null when not available."),
    Column("accuracy", pa.bool_(), "", "Position accuracy flag (1 = high, < 10 m)."),
    Column("msg_type", pa.int8(), "", "AIS message type (1, 2, 3, 18, 19, 27; 4 for base stations).", nullable=False),
    *_PROVENANCE,
]

VESSEL_REPORTS: list[Column] = [
    Column("ts", TS, "UTC", "Reception time.", nullable=False),
    Column("mmsi", pa.int32(), "", "Maritime Mobile Service Identity.", nullable=False),
    Column("msg_type", pa.int8(), "", "5 (Class A static/voyage), 19 (Class B extended), 24 (Class B static).", nullable=False),
    Column("part", pa.int8(), "", "Type 24 part number (0 = A: name, 1 = B: type/callsign/dims); null otherwise."),
    Column("imo", pa.int32(), "", "IMO number; null when 0 or absent."),
    Column("name", pa.string(), "", "Vessel name, trailing `@` and spaces stripped; null when empty."),
    Column("callsign", pa.string(), "", "Call sign, stripped; null when empty."),
    Column("ship_type", pa.int16(), "", "ITU ship and cargo type 0-99; null when 0."),
    Column("to_bow", pa.int16(), "m", "Dimension A (reference point to bow)."),
    Column("to_stern", pa.int16(), "m", "Dimension B."),
    Column("to_port", pa.int16(), "m", "Dimension C."),
    Column("to_starboard", pa.int16(), "m", "Dimension D."),
    Column("draught", pa.float32(), "m", "Maximum present static draught; null when 0."),
    Column("destination", pa.string(), "", "Declared destination free text, stripped; null when empty."),
    Column("eta", TS, "UTC", "ETA resolved to the next occurrence after ts of (month, day, hour, minute); null if n/a."),
    *_PROVENANCE,
]

EVENTS: list[Column] = [
    Column("event_id", pa.string(), "", "Content-derived id: hash of (type, mmsi, other_mmsi, start).", nullable=False),
    Column("type", pa.string(), "", "port_call, gap, encounter, loitering, destination_mismatch, identity_change, "
           "spoofing, sanctioned_area, routing_change, trade_anomaly.", nullable=False),
    Column("mmsi", pa.int32(), "", "Vessel (null for non-maritime events)."),
    Column("other_mmsi", pa.int32(), "", "Second vessel (encounters, shared-MMSI spoofing)."),
    Column("start", TS, "UTC", "Start of the half-open interval [start, end).", nullable=False),
    Column("end", TS, "UTC", "End of the interval.", nullable=False),
    Column("lat", pa.float64(), "deg", "Representative position."),
    Column("lon", pa.float64(), "deg", "Representative position."),
    Column("port", pa.string(), "", "Port name, if any."),
    Column("locode", pa.string(), "", "UN/LOCODE of the port, if any."),
    Column("country", pa.string(), "", "ISO 3166 alpha-2 of the port/area/network."),
    Column("confidence", pa.float32(), "0-1", "Detector confidence."),
    Column("evidence", pa.string(), "", "JSON: the positions/reports (file:line) and thresholds behind the event."),
    Column("subject", pa.string(), "", "Non-vessel subject (ASN, reporter-partner pair), if any."),
]

TRADE_FLOWS: list[Column] = [
    Column("reporter_code", pa.int32(), "", "Comtrade/M49 area code of the reporter.", nullable=False),
    Column("reporter", pa.string(), "", "Reporter name."),
    Column("reporter_iso", pa.string(), "", "Reporter ISO3."),
    Column("partner_code", pa.int32(), "", "Partner area code (0 = World).", nullable=False),
    Column("partner", pa.string(), "", "Partner name."),
    Column("partner_iso", pa.string(), "", "Partner ISO3."),
    Column("flow", pa.string(), "", "import, export, re-export, re-import.", nullable=False),
    Column("period", pa.string(), "", "`YYYY` (annual) or `YYYY-MM` (monthly).", nullable=False),
    Column("year", pa.int16(), "", "Year of the period.", nullable=False),
    Column("month", pa.int8(), "", "Month 1-12, null for annual data."),
    Column("classification", pa.string(), "", "HS, H0-H6, S1-S4 as reported.", nullable=False),
    Column("commodity_code", pa.string(), "", "Commodity code (`TOTAL` for all).", nullable=False),
    Column("commodity_level", pa.int8(), "", "Digits of the code (2 chapter, 4 heading, 6 subheading; 0 total)."),
    Column("commodity", pa.string(), "", "Commodity description."),
    Column("value_usd", pa.float64(), "USD", "Trade value (primary value)."),
    Column("net_weight_kg", pa.float64(), "kg", "Net weight."),
    Column("qty", pa.float64(), "", "Quantity in qty_unit."),
    Column("qty_unit", pa.string(), "", "Quantity unit."),
    Column("source", pa.string(), "", "File or API call the row came from (and `constructed` fixtures say so)."),
    Column("src_line", pa.int64(), "", "1-based line (CSV) or record number (JSON) in the source file."),
]

TRACKS: list[Column] = [
    Column("mmsi", pa.int32(), "", "Vessel; files are sorted by (mmsi, ts) in small row groups, so one vessel's "
           "track is read without scanning the others.", nullable=False),
    Column("ts", TS, "UTC", "Report time.", nullable=False),
    Column("lat", pa.float64(), "deg", "Latitude."),
    Column("lon", pa.float64(), "deg", "Longitude."),
    Column("sog", pa.float32(), "kn", "Speed over ground."),
    Column("source", pa.string(), "", "Input file name."),
    Column("src_line", pa.int64(), "", "Line in the input file."),
]

TABLES: dict[str, list[Column]] = {
    "positions": POSITIONS,
    "vessel_reports": VESSEL_REPORTS,
    "events": EVENTS,
    "trade_flows": TRADE_FLOWS,
    "tracks": TRACKS,
}


def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of a canonical table."""
    return pa.schema([c.field() for c in TABLES[table]])


def column_names(table: str) -> list[str]:
    return [c.name for c in TABLES[table]]


def conform(table: pa.Table, name: str) -> pa.Table:
    """Cast/reorder `table` to the canonical schema of `name`; missing nullable columns become null."""
    schema = arrow_schema(name)
    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            if not col.type.equals(f.type):
                col = col.cast(f.type)
        else:
            if not f.nullable:
                raise ValueError(f"{name}: required column {f.name!r} missing")
            col = pa.nulls(table.num_rows, type=f.type)
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=schema)


def markdown() -> str:
    """The schemas as Markdown, for docs/schemas.md."""
    out = ["# Stored tables", "", "Generated from `sanctionwatch.store.schemas` "
           "(`python -m sanctionwatch.store.schemas > docs/schemas.md`). Times are UTC; intervals are "
           "half-open `[start, end)`.", ""]
    for tname, cols in TABLES.items():
        out += [f"## `{tname}`", "", "| column | type | unit | nullable | meaning |", "|---|---|---|---|---|"]
        for c in cols:
            out.append(f"| `{c.name}` | {c.type} | {c.unit} | {'yes' if c.nullable else 'no'} | {c.doc} |")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(markdown())
