"""Indicator results made readable: area and indicator labels, and the provenance notes that
must travel with every table, chart and page (synthetic sources first)."""

from __future__ import annotations

import pandas as pd

from ssp_planner import __version__
from ssp_planner.monitoring.framework import Framework

SYNTHETIC_NOTE = "SYNTHETIC DEMO DATA — not real counts"


def label_results(results: pd.DataFrame, areas: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Adds code, name, level of the area and indicator_name, unit, result_level, direction."""
    out = results.join(areas.set_index("id")[["code", "name", "level"]], on="area_id")
    inds = framework.indicators
    out["indicator_name"] = out["indicator"].map({c: i.name for c, i in inds.items()})
    out["unit"] = out["indicator"].map({c: i.unit for c, i in inds.items()})
    out["result_level"] = out["indicator"].map({c: i.level.value for c, i in inds.items()})
    out["direction"] = out["indicator"].map({c: i.direction.value for c, i in inds.items()})
    return out


def provenance_notes(
    framework: Framework, synthetic: list[str], estimate_method: str | None
) -> list[str]:
    """Software and framework version, the synthetic sources, and how missing population
    figures were estimated (when any were)."""
    notes = [
        f"SSP Planner {__version__}; framework {framework.version} ({framework.title}); "
        "ratios are computed from sums at every level, never averaged."
    ]
    if synthetic:
        notes.insert(0, f"{SYNTHETIC_NOTE}: " + "; ".join(synthetic))
    if estimate_method:
        notes.append(f"population: Census 2022 where published, else {estimate_method}")
    return notes
