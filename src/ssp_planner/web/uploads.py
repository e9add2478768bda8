"""Receiving an uploaded file: streamed to a private temporary folder under a safe name,
refused past the size limit, removed when the request is done."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import HTTPException, UploadFile

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
CHUNK = 1 << 20


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
