"""Scenario simulator with ground truth: AIS traffic as NMEA + DMA CSV, and labels of every injected behaviour."""

from sanctionwatch.simulate.run import run

__all__ = ["run"]
