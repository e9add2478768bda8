"""Pipeline projection: stored runs, supply against demand per financial year with the gap
shaded, the yearly table, scenario comparison, and starting a run (national planners)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ssp_planner.services import web_projection as proj
from ssp_planner.services.web_projection import (
    ProjectionQuery,
    ProjectionRequest,
    ProjectionRunInfo,
    ProjectionView,
)
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import EngineDep, ProjectionRunner, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import flash, page
from ssp_planner.web.roles import Permission, Principal

feature = Feature("projection", nav=(NavEntry("Projection", "/projection", Permission.VIEW),))
Q = Annotated[ProjectionQuery, Query()]
RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@feature.pages.get("/projection", response_class=HTMLResponse)
def projection_page(request: Request, user: Viewer, engine: EngineDep, q: Q) -> HTMLResponse:
    found = proj.projection_page(
        engine,
        user.scope,
        run_id=q.run,
        scenario=q.scenario,
        category=q.category,
        province=q.province,
    )
    can_run = user.can(Permission.RUN_PROJECTION)
    return page(request, "projection.html", user, projection=found, can_run=can_run)


@feature.pages.post("/projection/run")
def run_page(
    request: Request,
    user: ProjectionRunner,
    engine: EngineDep,
    form: Annotated[ProjectionRequest, Form()],
) -> RedirectResponse:
    run = proj.start_projection(engine, user, form, client_ip(request))
    flash(
        request, f"Projection run {run.id} stored ({', '.join(run.scenarios)}; {run.years} years)."
    )
    return RedirectResponse(f"/projection?run={run.id}", status_code=303)


# --- API ----------------------------------------------------------------------------------------


@feature.api.get("/projection/runs", tags=["projection"])
def runs_api(user: Viewer, engine: EngineDep) -> list[ProjectionRunInfo]:
    return proj.recent_projection_runs(engine)


@feature.api.post("/projection/runs", tags=["projection"], status_code=201)
def run_api(
    request: Request, user: ProjectionRunner, engine: EngineDep, body: ProjectionRequest
) -> ProjectionRunInfo:
    return proj.start_projection(engine, user, body, client_ip(request))


@feature.api.get("/projection/runs/latest", tags=["projection"], responses={404: {}})
def latest_api(user: Viewer, engine: EngineDep, q: Q) -> ProjectionView:
    return _view(engine, user, None, q)


@feature.api.get("/projection/runs/{run_id}", tags=["projection"], responses={404: {}})
def run_view_api(user: Viewer, engine: EngineDep, run_id: RunId, q: Q) -> ProjectionView:
    return _view(engine, user, run_id, q)


def _view(
    engine: EngineDep, user: Principal, run_id: int | None, q: ProjectionQuery
) -> ProjectionView:
    return proj.projection_view(
        engine,
        user.scope,
        run_id=run_id,
        scenario=q.scenario,
        category=q.category,
        province=q.province,
    )
