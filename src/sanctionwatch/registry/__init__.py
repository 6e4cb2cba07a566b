"""Vessel registry imports: who owns, manages and operates a ship (Equasis-like / commercial registry exports)."""
