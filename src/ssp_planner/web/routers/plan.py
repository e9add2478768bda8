"""The implementation plan: activities by workstream with status, OVERDUE flags and the latest
update, allocation and actions; an activity's history, its edit form (optimistic lock: a stale
version answers 409 and overwrites nothing) and the progress-update form."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ssp_planner.plan import Status, Unit, amount, amount_range, short_date
from ssp_planner.services import web_plan
from ssp_planner.services.web_plan import (
    ActivityDetail,
    ActivityEdit,
    ActivityEditForm,
    PlanSummary,
    PlanView,
    UpdateIn,
)
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import EngineDep, PlanEditor, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import flash, page
from ssp_planner.web.roles import Permission

feature = Feature("plan", nav=(NavEntry("Plan", "/plan", Permission.VIEW),))
# A string, so that a garbage id answers 404 like an unknown one (web_plan parses it).
ActivityId = Annotated[str, Path(max_length=20)]
PlanCode = Annotated[str | None, Query(max_length=40)]
HELPERS: dict[str, Any] = {
    "amount": lambda value, unit: amount(value, Unit(unit)),
    "amount_range": lambda low, high, unit: amount_range(low, high, Unit(unit)),
    "short_date": short_date,
    "statuses": list(Status),
}


@feature.pages.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request, user: Viewer, engine: EngineDep, plan: PlanCode = None
) -> HTMLResponse:
    plans = web_plan.list_plans(engine)
    code = plan or (plans[0].code if plans else None)
    view = web_plan.plan_view(engine, code) if code else None
    return page(request, "plan.html", user, plans=plans, view=view, **HELPERS)


@feature.pages.get("/plan/activities/{activity_id}", response_class=HTMLResponse)
def activity_page(
    request: Request, user: Viewer, engine: EngineDep, activity_id: ActivityId
) -> HTMLResponse:
    detail = web_plan.activity_detail(engine, activity_id)
    return page(
        request,
        "plan_activity.html",
        user,
        detail=detail,
        can_edit=user.can(Permission.EDIT_PLAN),
        today=date.today().isoformat(),
        **HELPERS,
    )


@feature.pages.post("/plan/activities/{activity_id}/edit")
def edit_page(
    request: Request,
    user: PlanEditor,
    engine: EngineDep,
    activity_id: ActivityId,
    edit: Annotated[ActivityEditForm, Form()],
) -> RedirectResponse:
    saved = web_plan.edit_and_record(engine, user, activity_id, edit, client_ip(request))
    if saved is None:
        flash(request, "Nothing to save: every field was as stored.")
    else:
        flash(request, f"Activity {saved.number} saved (version {saved.version}).", "ok")
    return RedirectResponse(f"/plan/activities/{activity_id}", status_code=303)


@feature.pages.post("/plan/activities/{activity_id}/updates")
def update_page(
    request: Request,
    user: PlanEditor,
    engine: EngineDep,
    activity_id: ActivityId,
    update: Annotated[UpdateIn, Form()],
) -> RedirectResponse:
    saved = web_plan.add_update_and_record(engine, user, activity_id, update, client_ip(request))
    flash(request, f"Progress update added to activity {saved.number}.", "ok")
    return RedirectResponse(f"/plan/activities/{activity_id}", status_code=303)


# --- API ----------------------------------------------------------------------------------------


@feature.api.get("/plans", tags=["plan"])
def plans_api(user: Viewer, engine: EngineDep) -> list[PlanSummary]:
    return web_plan.list_plans(engine)


@feature.api.get("/plans/{code}", tags=["plan"], responses={404: {}})
def plan_api(
    user: Viewer, engine: EngineDep, code: Annotated[str, Path(max_length=40)]
) -> PlanView:
    return web_plan.plan_view(engine, code)


@feature.api.get("/plan/activities/{activity_id}", tags=["plan"], responses={404: {}})
def activity_api(user: Viewer, engine: EngineDep, activity_id: ActivityId) -> ActivityDetail:
    return web_plan.activity_detail(engine, activity_id)


@feature.api.patch("/plan/activities/{activity_id}", tags=["plan"], responses={404: {}, 409: {}})
def edit_api(
    request: Request,
    user: PlanEditor,
    engine: EngineDep,
    activity_id: ActivityId,
    body: ActivityEdit,
) -> ActivityDetail:
    """Change the fields sent; `version` is the one read (409 when someone saved since)."""
    web_plan.edit_and_record(engine, user, activity_id, body, client_ip(request))
    return web_plan.activity_detail(engine, activity_id)


@feature.api.post(
    "/plan/activities/{activity_id}/updates", tags=["plan"], status_code=201, responses={404: {}}
)
def update_api(
    request: Request, user: PlanEditor, engine: EngineDep, activity_id: ActivityId, body: UpdateIn
) -> ActivityDetail:
    web_plan.add_update_and_record(engine, user, activity_id, body, client_ip(request))
    return web_plan.activity_detail(engine, activity_id)
