"""Tests of the execution engines."""
