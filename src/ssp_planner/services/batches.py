"""Import batches: every import (or generated data set) is recorded with its file hash."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

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


class _Counted(Protocol):
    @property
    def rows_read(self) -> int: ...
    @property
    def rejected(self) -> int: ...


R = TypeVar("R", bound=_Counted)


def finish_batch(batch: ImportBatch, base: R, *, rows: int, inserted: int, updated: int) -> R:
    """Record an import's counts on its batch and return the result dataclass `base` with them.

    `rows` is how many valid rows were compared; the rest of them were unchanged.
    """
    batch.rows_read, batch.rows_rejected = base.rows_read, base.rejected
    batch.rows_inserted, batch.rows_updated = inserted, updated
    batch.rows_unchanged = rows - inserted - updated
    batch.finished_at = now()
    counts: dict[str, Any] = {
        "inserted": inserted,
        "updated": updated,
        "unchanged": batch.rows_unchanged,
        "batch_id": batch.id,
    }
    return replace(base, **counts)  # type: ignore[type-var]
