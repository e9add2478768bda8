"""The M&E dashboard: indicator status, trend and map for the caller's scope; uploads of
indicator values and targets (with every row error) and the DHIS2 export for M&E officers."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import File, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from ssp_planner.services import web_monitoring as me
from ssp_planner.services.web_monitoring import MapView, MeQuery, StatusView, TrendView
from ssp_planner.services.web_monitoring_imports import (
    Kind,
    MeImportOut,
    export_file,
    upload_and_record,
)
from ssp_planner.web.auth import client_ip
from ssp_planner.web.config import WebSettings
from ssp_planner.web.deps import EngineDep, MonitoringManager, SettingsDep, Viewer
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission, Principal
from ssp_planner.web.uploads import (
    ReportFormat,
    ReportToken,
    error_report_download,
    error_reports_dir,
    received,
    refused_or,
    refused_responses,
)

feature = Feature("monitoring", nav=(NavEntry("M&E", "/me", Permission.VIEW),))
Q = Annotated[MeQuery, Query()]
Upload = Annotated[
    UploadFile, File(description="DHIS2 dataValueSets JSON or ADX (values), CSV/XLSX (targets)")
]
DEFAULT_NAME = {"values": "data-values.json", "targets": "targets.csv"}
REFUSED = refused_responses(MeImportOut)


@feature.pages.get("/me", response_class=HTMLResponse)
def me_page(request: Request, user: Viewer, engine: EngineDep, q: Q) -> HTMLResponse:
    found = me.me_page(engine, user.scope, indicator=q.indicator, period=q.period, level=q.level)
    return page(
        request, "me.html", user, me=found, can_manage=user.can(Permission.MANAGE_MONITORING)
    )


@feature.pages.post("/me/values", response_class=HTMLResponse)
def values_page(
    request: Request,
    user: MonitoringManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: Upload,
) -> HTMLResponse:
    return _result_page(request, user, _upload(request, user, engine, settings, file, "values"))


@feature.pages.post("/me/targets", response_class=HTMLResponse)
def targets_page(
    request: Request,
    user: MonitoringManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: Upload,
) -> HTMLResponse:
    return _result_page(request, user, _upload(request, user, engine, settings, file, "targets"))


@feature.pages.get("/me/reports/{token}.{fmt}")
def report_page(
    user: MonitoringManager, settings: SettingsDep, token: ReportToken, fmt: ReportFormat
) -> FileResponse:
    return error_report_download(settings, user.user_id, token, fmt, "upload")


@feature.pages.get("/me/export.json")
def export_page(user: MonitoringManager, engine: EngineDep) -> FileResponse:
    return _export(engine, user)


# --- API ----------------------------------------------------------------------------------------


@feature.api.get("/me/status", tags=["monitoring"], responses={404: {}})
def status_api(user: Viewer, engine: EngineDep, q: Q) -> StatusView:
    return me.status_view(engine, user.scope, period=me.latest_period(engine, q.period))


@feature.api.get("/me/trend", tags=["monitoring"], responses={404: {}})
def trend_api(user: Viewer, engine: EngineDep, q: Q) -> TrendView:
    return me.trend_view(
        engine,
        user.scope,
        indicator=q.indicator or me.DEFAULT_INDICATOR,
        period=me.latest_period(engine, q.period),
    )


@feature.api.get("/me/map", tags=["monitoring"], responses={404: {}})
def map_api(user: Viewer, engine: EngineDep, q: Q) -> MapView:
    return me.map_view(
        engine,
        user.scope,
        indicator=q.indicator or me.DEFAULT_INDICATOR,
        period=me.latest_period(engine, q.period),
        level=q.level or me.default_level(engine),
    )


@feature.api.post("/me/values", tags=["monitoring"], responses=REFUSED)
def values_api(
    request: Request,
    user: MonitoringManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: Upload,
) -> MeImportOut:
    return _answer(_upload(request, user, engine, settings, file, "values"))


@feature.api.post("/me/targets", tags=["monitoring"], responses=REFUSED)
def targets_api(
    request: Request,
    user: MonitoringManager,
    engine: EngineDep,
    settings: SettingsDep,
    file: Upload,
) -> MeImportOut:
    return _answer(_upload(request, user, engine, settings, file, "targets"))


@feature.api.get("/me/reports/{token}.{fmt}", tags=["monitoring"], responses={404: {}})
def report_api(
    user: MonitoringManager, settings: SettingsDep, token: ReportToken, fmt: ReportFormat
) -> FileResponse:
    return error_report_download(settings, user.user_id, token, fmt, "upload")


@feature.api.get("/me/export", tags=["monitoring"], response_class=FileResponse)
def export_api(user: MonitoringManager, engine: EngineDep) -> FileResponse:
    return _export(engine, user)


# --- shared by pages and API ----------------------------------------------------------------------


def _upload(
    request: Request,
    user: Principal,
    engine: EngineDep,
    settings: WebSettings,
    file: UploadFile,
    kind: Kind,
) -> MeImportOut:
    with received(file, settings.upload_max_mb, DEFAULT_NAME[kind]) as path:
        return upload_and_record(
            engine, kind, path, user, reports_dir=error_reports_dir(settings), ip=client_ip(request)
        )


def _result_page(request: Request, user: Principal, result: MeImportOut) -> HTMLResponse:
    return page(request, "me_import_result.html", user, result=result)


def _answer(result: MeImportOut) -> MeImportOut:
    return refused_or(result, bool(result.errors) and not result.stored)


def _export(engine: EngineDep, user: Principal) -> FileResponse:
    folder = Path(tempfile.mkdtemp(prefix="ssp-export-"))
    try:
        path = export_file(engine, user.scope, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    name = f"ssp-data-values-{user.scope.province or 'ZA'}.json"
    return FileResponse(
        path,
        filename=name,
        media_type="application/json",
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
