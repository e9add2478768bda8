"""The inventory: search with filters and pages, and one page per person; personal data
masked unless the role may see it (`schemas.present`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request
from fastapi.responses import HTMLResponse

from ssp_planner.services.web_inventory import (
    InventoryFilters,
    practitioner_detail,
    search_inventory,
)
from ssp_planner.web.deps import EngineDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission
from ssp_planner.web.schemas import (
    InventoryPageOut,
    PractitionerDetailOut,
    present_detail,
    present_page,
)

feature = Feature("inventory", nav=(NavEntry("Inventory", "/inventory", Permission.VIEW),))
Filters = Annotated[InventoryFilters, Query()]
PersonId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@feature.pages.get("/inventory", response_class=HTMLResponse)
def inventory_page(
    request: Request, user: Viewer, engine: EngineDep, filters: Filters
) -> HTMLResponse:
    found = search_inventory(engine, user.scope, filters, personal=user.sees_personal_data)
    return page(
        request,
        "inventory.html",
        user,
        result=present_page(found, user),
        filters=filters,
        area_choices=found.area_choices,
    )


@feature.pages.get("/inventory/{person_id}", response_class=HTMLResponse)
def person_page(
    request: Request, user: Viewer, engine: EngineDep, person_id: PersonId
) -> HTMLResponse:
    record = practitioner_detail(engine, user.scope, person_id)
    return page(request, "practitioner.html", user, detail=present_detail(record, user))


@feature.api.get("/inventory", tags=["inventory"])
def inventory_api(user: Viewer, engine: EngineDep, filters: Filters) -> InventoryPageOut:
    found = search_inventory(engine, user.scope, filters, personal=user.sees_personal_data)
    return present_page(found, user)


@feature.api.get("/inventory/{person_id}", tags=["inventory"], responses={404: {}})
def person_api(user: Viewer, engine: EngineDep, person_id: PersonId) -> PractitionerDetailOut:
    return present_detail(practitioner_detail(engine, user.scope, person_id), user)
