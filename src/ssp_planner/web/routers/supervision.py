"""Supervision and mentoring: ratios and session compliance against the norms for the
caller's province, people without a supervisor, supervisors over their limit, one person's
supervision, the sessions upload (all-or-nothing, with the error report) and mentor matches."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from ssp_planner.services import web_supervision as sup
from ssp_planner.services.web_supervision import (
    Audience,
    MentoringRequest,
    MentoringRunInfo,
    MentoringView,
    PersonSupervision,
    SupervisionQuery,
    SupervisionView,
)
from ssp_planner.web.auth import client_ip
from ssp_planner.web.deps import EngineDep, SettingsDep, SupervisionManager, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import flash, page
from ssp_planner.web.roles import Permission, Principal
from ssp_planner.web.schemas import ImportResultOut
from ssp_planner.web.uploads import (
    ReportFormat,
    ReportToken,
    error_report_download,
    error_reports_dir,
    received,
    refused_or,
    refused_responses,
)

feature = Feature(
    "supervision",
    nav=(
        NavEntry("Supervision", "/supervision", Permission.VIEW),
        NavEntry("Mentoring", "/mentoring", Permission.VIEW),
    ),
)
Q = Annotated[SupervisionQuery, Query()]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Upload = Annotated[UploadFile, File(description="Sessions CSV or XLSX (docs/supervision.md)")]
PAGE_REPORTS = "/supervision/reports"
API_REPORTS = "/api/v1/supervision/reports"


@feature.pages.get("/supervision", response_class=HTMLResponse)
def supervision_page(
    request: Request, user: Viewer, engine: EngineDep, settings: SettingsDep, q: Q
) -> HTMLResponse:
    return page(
        request,
        "supervision.html",
        user,
        report=_report(engine, user, q),
        query=q,
        can_manage=user.can(Permission.MANAGE_SUPERVISION),
        max_mb=settings.upload_max_mb,
    )


@feature.pages.get("/supervision/people/{person_id}", response_class=HTMLResponse)
def person_page(request: Request, user: Viewer, engine: EngineDep, person_id: Id) -> HTMLResponse:
    found = sup.person_supervision(engine, Audience.of(user), person_id)
    return page(request, "supervision_person.html", user, detail=found)


@feature.pages.post("/supervision/sessions", response_class=HTMLResponse)
def upload_page(
    request: Request,
    user: SupervisionManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: Upload,
) -> HTMLResponse:
    out, token = _upload(request, user, engine, settings, file, PAGE_REPORTS)
    again = [("/supervision", "Supervision"), ("/supervision#upload", "Upload another file")]
    return page(
        request,
        "import_result.html",
        user,
        result=out,
        token=token,
        reports=PAGE_REPORTS,
        again=again,
    )


@feature.pages.get("/supervision/reports/{token}.{fmt}")
def report_page(
    user: SupervisionManager, settings: SettingsDep, token: ReportToken, fmt: ReportFormat
) -> FileResponse:
    return error_report_download(settings, user.user_id, token, fmt, "sessions")


@feature.pages.get("/mentoring", response_class=HTMLResponse)
def mentoring_page(
    request: Request,
    user: Viewer,
    engine: EngineDep,
    run: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    found = sup.mentoring_page(engine, Audience.of(user), run)
    can_run = user.can(Permission.MANAGE_SUPERVISION)
    return page(request, "mentoring.html", user, mentoring=found, can_run=can_run)


@feature.pages.post("/mentoring/run")
def mentoring_run_page(
    request: Request,
    user: SupervisionManager,
    engine: EngineDep,
    form: Annotated[MentoringRequest, Form()],
) -> RedirectResponse:
    run = sup.start_mentoring(engine, user, form, client_ip(request))
    flash(request, f"Mentoring run {run.id} stored: {run.matched} matched, {run.unmatched} not.")
    return RedirectResponse(f"/mentoring?run={run.id}", status_code=303)


# --- API ----------------------------------------------------------------------------------------


@feature.api.get("/supervision", tags=["supervision"])
def supervision_api(user: Viewer, engine: EngineDep, q: Q) -> SupervisionView:
    return _report(engine, user, q)


@feature.api.get("/supervision/people/{person_id}", tags=["supervision"], responses={404: {}})
def person_api(user: Viewer, engine: EngineDep, person_id: Id) -> PersonSupervision:
    return sup.person_supervision(engine, Audience.of(user), person_id)


@feature.api.post(
    "/supervision/sessions", tags=["supervision"], responses=refused_responses(ImportResultOut)
)
def upload_api(
    request: Request,
    user: SupervisionManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: Upload,
) -> ImportResultOut:
    out, _token = _upload(request, user, engine, settings, file, API_REPORTS)
    return refused_or(out, bool(out.errors))


@feature.api.get("/supervision/reports/{token}.{fmt}", tags=["supervision"], responses={404: {}})
def report_api(
    user: SupervisionManager, settings: SettingsDep, token: ReportToken, fmt: ReportFormat
) -> FileResponse:
    return error_report_download(settings, user.user_id, token, fmt, "sessions")


@feature.api.get("/mentoring/runs", tags=["mentoring"])
def mentoring_runs_api(user: Viewer, engine: EngineDep) -> list[MentoringRunInfo]:
    return sup.recent_mentoring_runs(engine)


@feature.api.post("/mentoring/runs", tags=["mentoring"], status_code=201)
def mentoring_run_api(
    request: Request, user: SupervisionManager, engine: EngineDep, body: MentoringRequest
) -> MentoringRunInfo:
    return sup.start_mentoring(engine, user, body, client_ip(request))


@feature.api.get("/mentoring/runs/latest", tags=["mentoring"], responses={404: {}})
def mentoring_latest_api(user: Viewer, engine: EngineDep) -> MentoringView:
    return sup.mentoring_view(engine, Audience.of(user), None)


@feature.api.get("/mentoring/runs/{run_id}", tags=["mentoring"], responses={404: {}})
def mentoring_view_api(user: Viewer, engine: EngineDep, run_id: Id) -> MentoringView:
    return sup.mentoring_view(engine, Audience.of(user), run_id)


def _report(engine: EngineDep, user: Principal, q: SupervisionQuery) -> SupervisionView:
    return sup.supervision_view(
        engine, Audience.of(user), on=q.on, months=q.months, category=q.category
    )


def _upload(
    request: Request,
    user: Principal,
    engine: EngineDep,
    settings: SettingsDep,
    file: UploadFile,
    reports: str,
) -> tuple[ImportResultOut, str | None]:
    """Import the upload and describe the outcome, its error report links under `reports`."""
    with received(file, settings.upload_max_mb, "sessions.csv") as path:
        result, token = sup.sessions_import_and_record(
            engine, path, user, reports_dir=error_reports_dir(settings), ip=client_ip(request)
        )
    links = {
        f"error_report_{fmt}": f"{reports}/{token}.{fmt}" if token else None
        for fmt in ("csv", "xlsx")
    }
    return ImportResultOut.of(result, token).model_copy(update=links), token
