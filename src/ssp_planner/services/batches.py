"""Import batches: every import (or generated data set) is recorded with its file hash."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.store.models import ImportBatch


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def now() -> datetime:
    """Naive UTC: both backends store it the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def start_batch(
    session: Session, *, kind: str, file_name: str, sha256: str, synthetic: bool = False
) -> ImportBatch:
    batch = ImportBatch(
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        synthetic=synthetic,
        software_version=__version__,
        started_at=now(),
    )
    session.add(batch)
    session.flush()
    return batch
