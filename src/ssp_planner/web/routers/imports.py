"""Upload an inventory file: see every row error, download the report; nothing is stored
when any row is bad (the import is all-or-nothing)."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse
from sqlalchemy import Engine

from ssp_planner.services.web_import import ImportResult, import_and_record
from ssp_planner.web.auth import client_ip
from ssp_planner.web.config import WebSettings
from ssp_planner.web.deps import EngineDep, Importer, SettingsDep
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
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

feature = Feature("imports", nav=(NavEntry("Import", "/import", Permission.IMPORT_INVENTORY),))
Upload = Annotated[UploadFile, File(description="Inventory CSV or XLSX (docs/inventory-format.md)")]


@feature.pages.get("/import", response_class=HTMLResponse)
def import_form(request: Request, user: Importer, settings: SettingsDep) -> HTMLResponse:
    return page(request, "import.html", user, max_mb=settings.upload_max_mb)


@feature.pages.post("/import", response_class=HTMLResponse)
def import_page(
    request: Request, user: Importer, engine: EngineDep, settings: SettingsDep, file: Upload
) -> HTMLResponse:
    result, token = _import(request, user, engine, settings, file)
    return page(
        request, "import_result.html", user, result=ImportResultOut.of(result, token), token=token
    )


@feature.pages.get("/import/reports/{token}.{fmt}")
def report_page(
    user: Importer, settings: SettingsDep, token: ReportToken, fmt: ReportFormat
) -> FileResponse:
    return error_report_download(settings, user.user_id, token, fmt, "inventory")


@feature.api.post(
    "/imports/inventory", tags=["imports"], responses=refused_responses(ImportResultOut)
)
def import_api(
    request: Request, user: Importer, engine: EngineDep, settings: SettingsDep, file: Upload
) -> ImportResultOut:
    result, token = _import(request, user, engine, settings, file)
    return refused_or(ImportResultOut.of(result, token), bool(result.errors) and not result.written)


@feature.api.get("/imports/reports/{token}.{fmt}", tags=["imports"], responses={404: {}})
def report_api(
    user: Importer, settings: SettingsDep, token: ReportToken, fmt: ReportFormat
) -> FileResponse:
    return error_report_download(settings, user.user_id, token, fmt, "inventory")


def _import(
    request: Request, user: Principal, engine: Engine, settings: WebSettings, file: UploadFile
) -> tuple[ImportResult, str | None]:
    with received(file, settings.upload_max_mb, "inventory.csv") as path:
        return import_and_record(
            engine, path, user, reports_dir=error_reports_dir(settings), ip=client_ip(request)
        )
