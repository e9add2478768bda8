"""The dashboard: headline numbers for the user's country or province, and the gap map."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from ssp_planner.services.web_queries import Dashboard, dashboard
from ssp_planner.web.deps import EngineDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission

feature = Feature("dashboard", nav=(NavEntry("Dashboard", "/", Permission.VIEW),))


@feature.pages.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, user: Viewer, engine: EngineDep) -> HTMLResponse:
    return page(request, "dashboard.html", user, board=dashboard(engine, user.scope))


@feature.api.get("/dashboard", tags=["dashboard"])
def dashboard_api(user: Viewer, engine: EngineDep) -> Dashboard:
    return dashboard(engine, user.scope)
