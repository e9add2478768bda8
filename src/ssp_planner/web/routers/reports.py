"""Report downloads: the plan's progress report (DOCX, PDF, HTML, Markdown), the planning brief
(national users only: it shows every province's figures) and the plan workbook."""

from __future__ import annotations

import shutil
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from ssp_planner.reports.render import Format
from ssp_planner.services import web_reports
from ssp_planner.services.web_reports import BriefFormat, Download
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import EngineDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission, Principal

feature = Feature("reports", nav=(NavEntry("Reports", "/reports", Permission.VIEW),))
PlanCode = Annotated[str | None, Query(max_length=40)]
Period = Annotated[str | None, Query(max_length=20, description="e.g. 2026Q3; default: now")]
NATIONAL_ONLY = (
    "The planning brief shows national figures for every province, so it is available to "
    "national users only. Fix: ask a national planner for it, or use the progress report."
)


def national(user: Viewer) -> Principal:
    """A viewer without a province: the brief cannot be confined to one."""
    if not user.scope.national:
        raise HTTPException(status_code=403, detail=NATIONAL_ONLY)
    return user


NationalViewer = Annotated[Principal, Depends(national)]


@feature.pages.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, user: Viewer, engine: EngineDep) -> HTMLResponse:
    choices = web_reports.report_choices(engine, user)
    return page(request, "reports.html", user, choices=choices, national_only=NATIONAL_ONLY)


@feature.pages.get("/reports/progress", response_class=FileResponse)
@feature.api.get("/reports/progress", tags=["reports"], response_class=FileResponse)
def progress_report(
    request: Request,
    user: Viewer,
    engine: EngineDep,
    plan: PlanCode = None,
    period: Period = None,
    format: Format = Format.DOCX,
) -> FileResponse:
    found = web_reports.progress_download(
        engine, user, plan=plan, period=period, fmt=format, ip=client_ip(request)
    )
    return _send(found)


@feature.pages.get("/reports/brief", response_class=FileResponse)
@feature.api.get("/reports/brief", tags=["reports"], response_class=FileResponse)
def brief_report(
    request: Request,
    user: NationalViewer,
    engine: EngineDep,
    format: BriefFormat = BriefFormat.DOCX,
) -> FileResponse:
    return _send(web_reports.brief_download(engine, user, fmt=format, ip=client_ip(request)))


@feature.pages.get("/reports/plan-workbook", response_class=FileResponse)
@feature.api.get("/reports/plan-workbook", tags=["reports"], response_class=FileResponse)
def plan_workbook(
    request: Request, user: Viewer, engine: EngineDep, plan: PlanCode = None
) -> FileResponse:
    return _send(web_reports.workbook_download(engine, user, plan=plan, ip=client_ip(request)))


def _send(found: Download) -> FileResponse:
    """Streams the file, then removes its temporary folder."""
    return FileResponse(
        found.path,
        media_type=found.media_type,
        filename=found.filename,
        background=BackgroundTask(shutil.rmtree, found.folder, ignore_errors=True),
    )
