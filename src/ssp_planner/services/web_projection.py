"""Pipeline projections for the web: stored runs read back by province (a page view never
recomputes), the supply and demand chart, scenario comparison, and starting a run.

Results are stored per province, so a province-scoped user gets their province's rows only;
the national total (the sum over provinces) is for national users.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import Engine, func, select

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.projection import parse_fy
from ssp_planner.projection.scenarios import BASELINE, bundled_scenarios, compare
from ssp_planner.services.projection import run_projection
from ssp_planner.services.web_cache import cached
from ssp_planner.services.web_charts import ChartData, series
from ssp_planner.services.web_queries import BlankIsNone, newest_first, run_or_newest
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area
from ssp_planner.store.models_people import ProjectionResultRow, ProjectionRun
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal, Scope

CATEGORIES = ("all", *(c.value for c in Category))
MONEY = ("post_cost", "scholarship_cost", "intervention_cost")
SUMMED = ("supply", "demand", "shortfall", "graduates", "hires", "leavers", "unemployed")
R = ProjectionResultRow


class ProjectionRunInfo(BaseModel):
    id: int
    start_period: str
    years: int
    scenarios: list[str]
    params_version: str
    demand_source: str
    balanced: bool
    max_residual: float
    synthetic: bool
    created_at: datetime
    inputs_digest: str


class ProjectionYear(BaseModel):
    """One financial year of one scenario, summed over the provinces and categories shown."""

    period: str  # as stored: "2026April"
    label: str  # as read: "2026/27"
    supply: float
    demand: float
    shortfall: float  # summed per province and category: a surplus never offsets a shortfall
    graduates: float | None  # None in the opening year (flows start with the first year)
    hires: float | None
    leavers: float | None  # attrition: resignation, emigration and retirement
    unemployed: float  # qualified graduates without a post
    cost: int | None  # posts + scholarships + interventions, whole rands


class ScenarioComparison(BaseModel):
    """A scenario against the baseline over the projected years: shortfall closed per rand."""

    scenario: str
    shortfall_final_year: float
    shortfall_post_years: float
    post_years_closed: float
    extra_cost_rands: int
    post_years_closed_per_r1m: float | None
    rands_per_post_year_closed: float | None
    unemployed_final_year: float


class Choice(BaseModel):
    code: str
    name: str


class ProjectionView(BaseModel):
    run: ProjectionRunInfo
    scenario: str
    category: str
    province: str | None  # None: the whole country (national users only)
    area_name: str
    years: list[ProjectionYear]
    chart: ChartData
    comparison: list[ScenarioComparison] | None  # when the run has several scenarios


class ProjectionPage(BaseModel):
    view: ProjectionView | None  # None before the first run
    runs: list[ProjectionRunInfo]
    provinces: list[Choice]  # national users may choose; a scoped user has theirs only
    scenarios: list[str]  # bundled scenarios a run may include


class ProjectionRequest(BaseModel):
    years: Annotated[int | None, BlankIsNone] = Field(
        default=None, ge=1, le=30, description="default: the parameters'"
    )
    scenario: str = Field(
        default=BASELINE, max_length=100, description="baseline, a bundled scenario, or all"
    )


def recent_projection_runs(engine: Engine, limit: int = 20) -> list[ProjectionRunInfo]:
    with session_scope(engine) as session:
        runs = session.scalars(newest_first(ProjectionRun, limit))
        return [_info(r) for r in runs]


def projection_view(
    engine: Engine,
    scope: Scope,
    *,
    run_id: int | None,
    scenario: str | None = None,
    category: str = "all",
    province: str | None = None,
) -> ProjectionView:
    """One stored run (default: the newest) for a scenario, category and province in scope."""
    if category not in CATEGORIES:
        raise SSPError(f"Unknown category '{category}'. Fix: use one of {', '.join(CATEGORIES)}.")
    run = _run(engine, run_id)
    chosen = scenario or run.scenarios[0]
    if chosen not in run.scenarios:
        raise SSPError(
            f"Projection run {run.id} has no scenario '{chosen}'. "
            f"Fix: use one of {', '.join(run.scenarios)}."
        )
    area = _province(engine, scope, province)
    key = ("projection", run.id, chosen, category, area.code if area else None)
    return cached(engine, key, lambda: _view(engine, run, chosen, category, area))


def projection_page(
    engine: Engine,
    scope: Scope,
    *,
    run_id: int | None,
    scenario: str | None,
    category: str,
    province: str | None,
) -> ProjectionPage:
    runs = recent_projection_runs(engine)
    view = None
    if runs:
        view = projection_view(
            engine, scope, run_id=run_id, scenario=scenario, category=category, province=province
        )
    return ProjectionPage(
        view=view,
        runs=runs,
        provinces=_provinces(engine, scope),
        scenarios=[s.name for s in bundled_scenarios()],
    )


def start_projection(
    engine: Engine, principal: Principal, request: ProjectionRequest, ip: str | None
) -> ProjectionRunInfo:
    """Project from today with the baseline and the chosen scenario(s); store and audit it."""
    chosen = [] if request.scenario == BASELINE else [request.scenario]
    report = run_projection(engine, years=request.years, scenarios=chosen)
    assert report.run_id is not None  # stored
    audit_now(
        engine,
        user=principal,
        action="projection.run",
        target=f"projection_run:{report.run_id}",
        after={
            "years": len(report.result.periods) - 1,
            "scenarios": report.result.names,
            "params": report.params.version,
            "balanced": report.result.balanced,
        },
        ip=ip,
    )
    return _run(engine, report.run_id)


# --- reading a run -----------------------------------------------------------------------------


def _run(engine: Engine, run_id: int | None) -> ProjectionRunInfo:
    with session_scope(engine) as session:
        run = session.scalar(run_or_newest(ProjectionRun, run_id))
        if run is None:
            raise NotFoundError(
                f"No projection run {run_id}."
                if run_id
                else "No projection run yet."
                " Fix: start one with 'Run projection' (or `ssp project`)."
            )
        return _info(run)


def _info(run: ProjectionRun) -> ProjectionRunInfo:
    return ProjectionRunInfo(
        id=run.id,
        start_period=run.start_period,
        years=run.years,
        scenarios=run.scenarios.split(","),
        params_version=run.params_version,
        demand_source=run.demand_source,
        balanced=run.balanced,
        max_residual=run.max_residual,
        synthetic=run.synthetic,
        created_at=run.created_at,
        inputs_digest=run.inputs_digest[:12],
    )


def _provinces(engine: Engine, scope: Scope) -> list[Choice]:
    query = select(Area.id, Area.code, Area.name).where(Area.level == AreaLevel.PROVINCE.value)
    with session_scope(engine) as session:
        rows = session.execute(query.order_by(Area.code)).all()
    return [Choice(code=r.code, name=r.name) for r in rows if scope.allows(r.id)]


def _province(engine: Engine, scope: Scope, code: str | None) -> Choice | None:
    """The province shown: a scoped user's own; for national users the one asked for, or None
    (the whole country). Another province answers 'not found', like one that does not exist."""
    code = code or scope.province
    if code is None:
        return None
    found = [p for p in _provinces(engine, scope) if p.code == code]
    if not found:
        raise NotFoundError(f"No province '{code}' among the areas you can see.")
    return found[0]


def _view(
    engine: Engine, run: ProjectionRunInfo, scenario: str, category: str, area: Choice | None
) -> ProjectionView:
    by_scenario = _years(engine, run, category, area)
    years = by_scenario[scenario]
    where = area.name if area else "South Africa"
    return ProjectionView(
        run=run,
        scenario=scenario,
        category=category,
        province=area.code if area else None,
        area_name=where,
        years=years,
        chart=_chart(by_scenario, scenario, category, where),
        comparison=_comparison(by_scenario) if len(by_scenario) > 1 else None,
    )


def _years(
    engine: Engine, run: ProjectionRunInfo, category: str, area: Choice | None
) -> dict[str, list[ProjectionYear]]:
    """Every scenario's years, summed over the provinces and categories asked for."""
    sums = [func.sum(getattr(R, c)).label(c) for c in (*SUMMED, *MONEY)]
    query = (
        select(R.scenario, R.period, *sums)
        .where(R.run_id == run.id)
        .group_by(R.scenario, R.period)
        .order_by(R.period)
    )
    if category != "all":
        query = query.where(R.category == category)
    if area is not None:
        query = query.join(Area, Area.id == R.area_id).where(Area.code == area.code)
    with session_scope(engine) as session:
        rows = session.execute(query).all()
    out: dict[str, list[ProjectionYear]] = {name: [] for name in run.scenarios}
    for r in rows:
        money = [getattr(r, m) for m in MONEY]
        out[r.scenario].append(
            ProjectionYear(
                period=r.period,
                label=_label(r.period),
                **{c: _number(getattr(r, c)) for c in SUMMED},
                cost=None if all(m is None for m in money) else int(sum(m or 0 for m in money)),
            )
        )
    return out


def _chart(
    by_scenario: dict[str, list[ProjectionYear]], scenario: str, category: str, where: str
) -> ChartData:
    """Supply and demand of the chosen scenario with the gap shaded; the other scenarios'
    supply dashed, so the effect of each intervention shows against the same demand."""
    years = by_scenario[scenario]
    x = [y.label for y in years]
    lines = [
        series(f"supply: {scenario}", x, [y.supply for y in years]),
        series("demand", x, [y.demand for y in years]),
    ]
    lines += [
        series(f"supply: {name}", x, [y.supply for y in other], dash=True)
        for name, other in by_scenario.items()
        if name != scenario
    ]
    what = "all SSP categories" if category == "all" else Category(category).label.lower() + "s"
    return ChartData(
        title=f"Supply and demand, {what}, {where}, {x[0]}–{x[-1]} (shaded: the gap)",
        x_label="financial year",
        y_label="SSPs",
        series=lines,
        fill_gap=(0, 1),
    )


def _comparison(by_scenario: dict[str, list[ProjectionYear]]) -> list[ScenarioComparison]:
    """The engine's own comparison (projection.scenarios.compare) over the years shown."""
    names = list(by_scenario)

    def matrix(field: str) -> np.ndarray:
        return np.array(
            [[getattr(y, field) or 0.0 for y in by_scenario[n][1:]] for n in names], dtype=float
        )

    table = compare(names, matrix("shortfall"), matrix("cost"), matrix("unemployed"))
    return [
        ScenarioComparison(
            scenario=str(row["scenario"]),
            **{k: _number(v) for k, v in row.items() if k != "scenario"},
        )
        for row in table.to_dict("records")
    ]


def _number(x: object) -> float | None:
    if x is None:
        return None
    value = float(x)  # type: ignore[arg-type]
    return None if np.isnan(value) else value


def _label(period: str) -> str:
    """'2026April' -> '2026/27', the way the department writes its financial years."""
    year = parse_fy(period)
    return f"{year}/{(year + 1) % 100:02d}"


class ProjectionQuery(BaseModel):
    """The page's filters and the API's query; a blank (from the form) means the default."""

    run: Annotated[int | None, BlankIsNone] = Field(default=None, ge=1, le=2**31 - 1)
    scenario: Annotated[str | None, BlankIsNone] = Field(default=None, max_length=100)
    category: str = Field(default="all", max_length=40)
    province: Annotated[str | None, BlankIsNone] = Field(default=None, max_length=10)
