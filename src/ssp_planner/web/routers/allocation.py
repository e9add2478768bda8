"""Allocation runs: the list and the form to start a post allocation, one run's result with
its explanation and map, and two runs side by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ssp_planner.allocation import format_rands
from ssp_planner.errors import SSPError
from ssp_planner.services import web_allocation
from ssp_planner.services.web_allocation import (
    AllocationComparison,
    AllocationRunInfo,
    AllocationView,
    ResultFilters,
)
from ssp_planner.services.web_allocation_actions import Fairness, start_and_record
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import AllocationRunner, EngineDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import flash, page
from ssp_planner.web.roles import Permission

feature = Feature("allocation", nav=(NavEntry("Allocation", "/allocation", Permission.VIEW),))

RunId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OtherRun = Annotated[int, Query(ge=1, le=2**31 - 1)]
Filters = Annotated[ResultFilters, Query()]
PageNo = Annotated[int, Query(alias="page", ge=1, le=100_000)]


class StartRequest(BaseModel):
    """A post allocation to start: the yearly budget as typed ('R500m') or in whole rands."""

    budget: str = Field(min_length=1, max_length=40, examples=["R500m"])
    npo_budget: str = Field(default="", max_length=40, examples=["R100m"])
    fairness: Fairness = "total"
    scenario: str = Field(default="baseline", max_length=100)


@feature.pages.get("/allocation", response_class=HTMLResponse)
def allocation_page(request: Request, user: Viewer, engine: EngineDep) -> HTMLResponse:
    return _list_page(request, user, engine)


def _list_page(
    request: Request,
    user: Viewer,
    engine: EngineDep,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    """The run list and the start form (refilled, with the reason, after a refused start)."""
    return page(
        request,
        "allocation.html",
        user,
        status_code=200 if error is None else 400,
        alloc=web_allocation.allocation_page(engine, user.scope),
        can_run=user.can(Permission.RUN_ALLOCATION),
        error=error,
        form=form or {},
    )


@feature.pages.post("/allocation/run")
def start_page(
    request: Request,
    user: AllocationRunner,
    engine: EngineDep,
    budget: Annotated[str, Form(min_length=1, max_length=40)],
    npo_budget: Annotated[str, Form(max_length=40)] = "",
    fairness: Annotated[Fairness, Form()] = "total",
    scenario: Annotated[str, Form(max_length=100)] = "baseline",
    level: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        run = start_and_record(
            engine,
            user,
            budget=budget,
            npo_budget=npo_budget,
            fairness=fairness,
            scenario=scenario,
            ip=client_ip(request),
        )
    except SSPError as exc:  # nonsense budget, no needs run, infeasible: the engine's reason
        typed = {
            "budget": budget,
            "npo_budget": npo_budget,
            "fairness": fairness,
            "scenario": scenario,
            "level": level,
        }
        return _list_page(request, user, engine, error=str(exc), form=typed)
    flash(
        request,
        f"Allocation run {run.id} stored: {run.posts:,} new posts for "
        f"{format_rands(run.spent_rands)} a year (fairness '{run.method}', "
        f"scenario '{run.scenario}').",
        "ok",
    )
    suffix = f"?level={level}" if level in web_allocation.TABLE_LEVELS else ""
    return RedirectResponse(f"/allocation/{run.id}{suffix}", status_code=303)


@feature.pages.get("/allocation/compare", response_class=HTMLResponse)
def compare_page(
    request: Request, user: Viewer, engine: EngineDep, a: OtherRun, b: OtherRun, page_no: PageNo = 1
) -> HTMLResponse:
    found = web_allocation.comparison(engine, user.scope, a, b, page=page_no)
    return page(request, "allocation_compare.html", user, cmp=found)


@feature.pages.get("/allocation/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request, user: Viewer, engine: EngineDep, run_id: RunId, q: Filters
) -> HTMLResponse:
    view = web_allocation.allocation_view(engine, user.scope, run_id, q)
    return page(request, "allocation_run.html", user, view=view)


# --- API ----------------------------------------------------------------------------------------


@feature.api.get("/allocation/runs", tags=["allocation"])
def runs_api(user: Viewer, engine: EngineDep) -> list[AllocationRunInfo]:
    return web_allocation.list_runs(engine, user.scope)


@feature.api.post("/allocation/runs", tags=["allocation"], status_code=201, responses={404: {}})
def start_api(
    request: Request, user: AllocationRunner, engine: EngineDep, body: StartRequest
) -> AllocationRunInfo:
    return start_and_record(
        engine,
        user,
        budget=body.budget,
        npo_budget=body.npo_budget,
        fairness=body.fairness,
        scenario=body.scenario,
        ip=client_ip(request),
    )


@feature.api.get("/allocation/compare", tags=["allocation"], responses={404: {}})
def compare_api(
    user: Viewer, engine: EngineDep, a: OtherRun, b: OtherRun, page_no: PageNo = 1
) -> AllocationComparison:
    return web_allocation.comparison(engine, user.scope, a, b, page=page_no)


@feature.api.get("/allocation/runs/{run_id}", tags=["allocation"], responses={404: {}})
def run_api(user: Viewer, engine: EngineDep, run_id: RunId, q: Filters) -> AllocationView:
    return web_allocation.allocation_view(engine, user.scope, run_id, q)
