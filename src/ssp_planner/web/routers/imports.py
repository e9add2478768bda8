"""Upload an inventory file: see every row error, download the report; nothing is stored
when any row is bad (the import is all-or-nothing)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated

from fastapi import File, Path, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from ssp_planner.services.web_import import error_report_file, import_and_record, report_name
from ssp_planner.web.auth import client_ip
from ssp_planner.web.config import WebSettings
from ssp_planner.web.deps import EngineDep, Importer, SettingsDep
from ssp_planner.web.feature import Feature, NavEntry
from ssp_planner.web.render import page
from ssp_planner.web.roles import Permission
from ssp_planner.web.schemas import ImportResultOut
from ssp_planner.web.uploads import received

feature = Feature("imports", nav=(NavEntry("Import", "/import", Permission.IMPORT_INVENTORY),))
Upload = Annotated[UploadFile, File(description="Inventory CSV or XLSX (docs/inventory-format.md)")]
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$")]
Fmt = Annotated[str, Path(pattern=r"^(csv|xlsx)$")]


def error_reports_dir(settings: WebSettings) -> FilePath:
    """Where upload error reports wait a day for their uploader (every upload page)."""
    return settings.data_dir / "web-error-reports"


@feature.pages.get("/import", response_class=HTMLResponse)
def import_form(request: Request, user: Importer, settings: SettingsDep) -> HTMLResponse:
    return page(request, "import.html", user, max_mb=settings.upload_max_mb)


@feature.pages.post("/import", response_class=HTMLResponse)
def import_page(
    request: Request, user: Importer, engine: EngineDep, settings: SettingsDep, file: Upload
) -> HTMLResponse:
    with received(file, settings.upload_max_mb, "inventory.csv") as path:
        result, token = import_and_record(
            engine, path, user, reports_dir=error_reports_dir(settings), ip=client_ip(request)
        )
    return page(
        request, "import_result.html", user, result=ImportResultOut.of(result, token), token=token
    )


@feature.pages.get("/import/reports/{token}.{fmt}")
def report_page(user: Importer, settings: SettingsDep, token: Token, fmt: Fmt) -> FileResponse:
    return _download(settings, user.user_id, token, fmt)


@feature.api.post(
    "/imports/inventory",
    tags=["imports"],
    responses={422: {"model": ImportResultOut, "description": "Row errors; nothing stored"}},
)
def import_api(
    request: Request, user: Importer, engine: EngineDep, settings: SettingsDep, file: Upload
) -> ImportResultOut:
    with received(file, settings.upload_max_mb, "inventory.csv") as path:
        result, token = import_and_record(
            engine, path, user, reports_dir=error_reports_dir(settings), ip=client_ip(request)
        )
    out = ImportResultOut.of(result, token)
    if result.errors and not result.written:
        return JSONResponse(out.model_dump(mode="json"), status_code=422)  # type: ignore[return-value]
    return out


@feature.api.get("/imports/reports/{token}.{fmt}", tags=["imports"], responses={404: {}})
def report_api(user: Importer, settings: SettingsDep, token: Token, fmt: Fmt) -> FileResponse:
    return _download(settings, user.user_id, token, fmt)


def _download(settings: WebSettings, owner: int, token: str, fmt: str) -> FileResponse:
    path = error_report_file(error_reports_dir(settings), token, owner, fmt)
    return FileResponse(path, filename=report_name("inventory", fmt))
