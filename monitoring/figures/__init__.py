"""Figures of the monitors, one module per monitor, each a pure selector."""
