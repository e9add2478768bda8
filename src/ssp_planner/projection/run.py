"""`project`: parameters + opening position + scenarios -> a checked projection."""

from __future__ import annotations

from collections.abc import Sequence

from ssp_planner.errors import SSPError
from ssp_planner.projection.inputs import CATEGORIES, Baseline, build_inputs
from ssp_planner.projection.params import ProjectionParams
from ssp_planner.projection.result import ProjectionResult
from ssp_planner.projection.scenarios import (
    BASELINE,
    BASELINE_SCENARIO,
    Context,
    Scenario,
    apply_scenarios,
)
from ssp_planner.projection.stockflow import balance_residuals, simulate


def project(
    params: ProjectionParams,
    baseline: Baseline,
    scenarios: Sequence[Scenario] = (),
    *,
    years: int | None = None,
) -> ProjectionResult:
    """Project the baseline and every scenario over `years` (default: params.horizon_years).

    The baseline always comes first, so that comparisons have something to compare with.
    Every result carries its stock balance check (`ProjectionResult.balanced`).
    """
    years = params.horizon_years if years is None else years
    if not 1 <= years <= 50:
        raise SSPError(f"--years {years} is out of range. Fix: project 1 to 50 years.")
    runs = (BASELINE_SCENARIO, *(s for s in scenarios if s.name != BASELINE))
    inputs = build_inputs(params, baseline, years, len(runs))
    ctx = Context(
        start_year=baseline.start_year,
        years=years,
        provinces=baseline.provinces,
        categories=CATEGORIES,
        sectors=tuple(params.sector_list),
        funded=inputs.structure.funded,
        rural_share=inputs.rural_share,
        province_share=inputs.province_share,
    )
    apply_scenarios(inputs.drivers, runs, ctx)
    traj = simulate(inputs.opening, inputs.structure, inputs.drivers)
    return ProjectionResult(
        scenarios=runs,
        start_year=baseline.start_year,
        provinces=baseline.provinces,
        categories=CATEGORIES,
        trajectory=traj,
        residuals=balance_residuals(traj),
        params_digest=params.digest(),
        demand_source=baseline.demand_source,
    )
