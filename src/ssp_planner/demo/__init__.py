"""Deterministic synthetic demo data (inventory, posts, area indicators), marked synthetic."""

from ssp_planner.demo.generate import DEFAULT_SEED, REFERENCE_DATE, DemoData, generate_demo

__all__ = ["DEFAULT_SEED", "REFERENCE_DATE", "DemoData", "generate_demo"]
