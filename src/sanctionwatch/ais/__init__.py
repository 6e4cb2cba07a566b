"""AIS: NMEA framing and 6-bit decoding, decoded-export readers, and the ingest into the store."""
