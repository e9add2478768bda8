"""Needs and scenarios: stored results by level and category with the gap map, runs, the
scenario list and upload, and scenario comparisons."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from ssp_planner.services import web_needs
from ssp_planner.services.needs import list_scenarios
from ssp_planner.services.web_needs import Comparison, NeedsView, levels_for
from ssp_planner.services.web_needs_actions import (
    compare_and_record,
    run_and_record,
    save_scenario_and_record,
)
from ssp_planner.services.web_queries import RunInfo, recent_runs
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import EngineDep, NeedsRunner, ScenarioManager, SettingsDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import flash, page
from ssp_planner.web.roles import Permission
from ssp_planner.web.schemas import CompareRequest, NeedsQuery, RunRequest, ScenarioOut
from ssp_planner.web.uploads import received

feature = Feature(
    "needs",
    nav=(
        NavEntry("Needs", "/needs", Permission.VIEW),
        NavEntry("Scenarios", "/needs/scenarios", Permission.VIEW),
    ),
)
ScenarioFile = Annotated[UploadFile, File(description="Scenario TOML or JSON (docs/needs.md)")]


Q = Annotated[NeedsQuery, Query()]
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@feature.pages.get("/needs", response_class=HTMLResponse)
def needs_page(request: Request, user: Viewer, engine: EngineDep, q: Q) -> HTMLResponse:
    found = web_needs.needs_page(
        engine, user.scope, run_id=q.run, level=q.level, category=q.category, map_value=q.map
    )
    return page(request, "needs.html", user, needs=found, can_run=user.can(Permission.RUN_NEEDS))


@feature.pages.post("/needs/run")
def run_page(
    request: Request,
    user: NeedsRunner,
    engine: EngineDep,
    scenario: Annotated[str, Form(max_length=100)] = "baseline",
) -> RedirectResponse:
    run = run_and_record(engine, user, scenario, client_ip(request))
    flash(request, f"Needs run {run.id} stored (scenario '{run.scenario_name}').")
    return RedirectResponse(f"/needs?run={run.id}", status_code=303)


@feature.pages.get("/needs/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, user: Viewer, engine: EngineDep) -> HTMLResponse:
    return page(
        request,
        "scenarios.html",
        user,
        scenarios=[ScenarioOut.of(s) for s in list_scenarios(engine)],
        levels=levels_for(user.scope),
        can_manage=user.can(Permission.MANAGE_SCENARIOS),
        can_compare=user.can(Permission.RUN_NEEDS),
    )


@feature.pages.post("/needs/scenarios")
def add_scenario_page(
    request: Request,
    user: ScenarioManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: ScenarioFile,
) -> RedirectResponse:
    with received(file, settings.upload_max_mb, "scenario.toml") as path:
        scenario = save_scenario_and_record(engine, user, path, client_ip(request))
    flash(request, f"Scenario '{scenario.name}' stored ({len(scenario.modifiers)} modifiers).")
    return RedirectResponse("/needs/scenarios", status_code=303)


@feature.pages.post("/needs/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    user: NeedsRunner,
    engine: EngineDep,
    scenarios: Annotated[list[str], Form(min_length=2, max_length=6)],
    level: Annotated[str, Form(max_length=20)] = "province",
    category: Annotated[str, Form(max_length=40)] = "all",
) -> HTMLResponse:
    result = compare_and_record(
        engine, user, scenarios, level=level, category=category, ip=client_ip(request)
    )
    return page(request, "compare.html", user, comparison=result)


# --- API ----------------------------------------------------------------------------------------


@feature.api.get("/needs/runs", tags=["needs"])
def runs_api(user: Viewer, engine: EngineDep) -> list[RunInfo]:
    return recent_runs(engine)


@feature.api.post("/needs/runs", tags=["needs"], status_code=201, responses={404: {}})
def run_api(request: Request, user: NeedsRunner, engine: EngineDep, body: RunRequest) -> RunInfo:
    return run_and_record(engine, user, body.scenario, client_ip(request))


@feature.api.get("/needs/runs/latest", tags=["needs"], responses={404: {}})
def latest_api(user: Viewer, engine: EngineDep, q: Q) -> NeedsView:
    return _view(engine, user, q.model_copy(update={"run": None}))


@feature.api.get("/needs/runs/{run_id}", tags=["needs"], responses={404: {}})
def run_view_api(user: Viewer, engine: EngineDep, run_id: RunId, q: Q) -> NeedsView:
    return _view(engine, user, q.model_copy(update={"run": run_id}))


@feature.api.get("/scenarios", tags=["needs"])
def scenarios_api(user: Viewer, engine: EngineDep) -> list[ScenarioOut]:
    return [ScenarioOut.of(s) for s in list_scenarios(engine)]


@feature.api.post("/scenarios", tags=["needs"], status_code=201)
def add_scenario_api(
    request: Request,
    user: ScenarioManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: ScenarioFile,
) -> ScenarioOut:
    with received(file, settings.upload_max_mb, "scenario.toml") as path:
        return ScenarioOut.of(save_scenario_and_record(engine, user, path, client_ip(request)))


@feature.api.post("/needs/compare", tags=["needs"], responses={404: {}})
def compare_api(
    request: Request, user: NeedsRunner, engine: EngineDep, body: CompareRequest
) -> Comparison:
    return compare_and_record(
        engine,
        user,
        body.scenarios,
        level=body.level,
        category=body.category,
        ip=client_ip(request),
    )


def _view(engine: EngineDep, user: Viewer, q: NeedsQuery) -> NeedsView:
    return web_needs.needs_view(
        engine, user.scope, run_id=q.run, level=q.level, category=q.category, map_value=q.map
    )
