"""Receiving an uploaded file: streamed to a private temporary folder under a safe name,
refused past the size limit, removed when the request is done; and what every upload page
shares: its error reports' folder, their download, and the 422 answer when nothing was stored."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import HTTPException, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel

from ssp_planner.services.web_import import error_report_file, report_name
from ssp_planner.web.config import WebSettings

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
CHUNK = 1 << 20
ReportToken = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{20,64}$")]
ReportFormat = Annotated[str, PathParam(pattern=r"^(csv|xlsx)$")]
Out = TypeVar("Out", bound=BaseModel)


def safe_name(name: str | None, default: str) -> str:
    """The client's file name without folders or odd characters (it appears in reports)."""
    base = Path((name or "").replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .")[:100]
    return cleaned or default


@contextmanager
def received(upload: UploadFile, max_mb: int, default_name: str) -> Iterator[Path]:
    """The upload as a file on disk, for services that read paths; 413 past `max_mb`."""
    limit = max_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="ssp-upload-") as folder:
        path = Path(folder) / safe_name(upload.filename, default_name)
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise HTTPException(
                        status_code=413,
                        detail=f"The file is larger than {max_mb} MB. Fix: split it into "
                        "smaller files, or ask the administrator to raise SSP_UPLOAD_MAX_MB.",
                    )
                out.write(chunk)
        yield path


def error_reports_dir(settings: WebSettings) -> Path:
    """Where upload error reports wait a day for their uploader (every upload page)."""
    return settings.data_dir / "web-error-reports"


def error_report_download(
    settings: WebSettings, owner: int, token: str, fmt: str, stem: str
) -> FileResponse:
    """The owner's error report as a download named '<stem>.errors.<fmt>'; 404 for anyone else."""
    path = error_report_file(error_reports_dir(settings), token, owner, fmt)
    return FileResponse(path, filename=report_name(stem, fmt))


def refused_responses(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI note for an upload API that answers 422 with its row errors."""
    return {422: {"model": model, "description": "Row errors; nothing stored"}}


def refused_or(out: Out, refused: bool) -> Out:
    """The upload's outcome as the API answers it: 422 when the file was refused (nothing
    stored), so scripts can tell failure by the status alone."""
    if refused:
        return JSONResponse(out.model_dump(mode="json"), status_code=422)  # type: ignore[return-value]
    return out
