"""Core computations on the inventory: head-counts, coverage and posts per area (pure, no I/O)."""

from ssp_planner.workforce.population import population_with_estimates
from ssp_planner.workforce.summary import summarise_inventory

__all__ = ["population_with_estimates", "summarise_inventory"]
