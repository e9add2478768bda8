"""Areas: the tree (country → provinces → districts) and a page per province and district."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request
from fastapi.responses import HTMLResponse

from ssp_planner.services.web_queries import AreaDetail, AreaTree, area_detail, area_tree
from ssp_planner.web.deps import EngineDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission

feature = Feature("areas", nav=(NavEntry("Areas", "/areas", Permission.VIEW),))
AreaCode = Annotated[str, Path(max_length=20, pattern=r"^[A-Za-z0-9]+$")]


@feature.pages.get("/areas", response_class=HTMLResponse)
def tree_page(request: Request, user: Viewer, engine: EngineDep) -> HTMLResponse:
    return page(request, "areas.html", user, tree=area_tree(engine, user.scope))


@feature.pages.get("/areas/{code}", response_class=HTMLResponse)
def area_page(request: Request, user: Viewer, engine: EngineDep, code: AreaCode) -> HTMLResponse:
    return page(request, "area.html", user, detail=area_detail(engine, user.scope, code.upper()))


@feature.api.get("/areas", tags=["areas"])
def tree_api(user: Viewer, engine: EngineDep) -> AreaTree:
    return area_tree(engine, user.scope)


@feature.api.get("/areas/{code}", tags=["areas"], responses={404: {}})
def area_api(user: Viewer, engine: EngineDep, code: AreaCode) -> AreaDetail:
    return area_detail(engine, user.scope, code.upper())
