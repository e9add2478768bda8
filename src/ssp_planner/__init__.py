"""SSP Planner."""

__version__ = "0.1.0"
