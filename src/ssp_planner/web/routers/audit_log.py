"""The audit trail for administrators: every change and sign-in, filtered."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from ssp_planner.web.audit import AuditFilters, list_audit
from ssp_planner.web.deps import Auditor, EngineDep
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission
from ssp_planner.web.schemas import AuditEntryOut, AuditPageOut

feature = Feature("audit", nav=(NavEntry("Audit trail", "/admin/audit", Permission.VIEW_AUDIT),))
Filters = Annotated[AuditFilters, Query()]


@feature.pages.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, user: Auditor, engine: EngineDep, filters: Filters
) -> HTMLResponse:
    return page(request, "audit.html", user, found=list_audit(engine, filters), filters=filters)


@feature.api.get("/audit", tags=["audit"])
def audit_api(user: Auditor, engine: EngineDep, filters: Filters) -> AuditPageOut:
    found = list_audit(engine, filters)
    return AuditPageOut(
        rows=[AuditEntryOut(**r.__dict__) for r in found.rows],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        actions=found.actions,
    )
