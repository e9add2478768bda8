"""Import the inventory file into storage: all-or-nothing, idempotent, recorded as a batch."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, and_, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.inventory import SHEET, StoredKeys, validate_inventory
from ssp_planner.ingest.reader import read_table
from ssp_planner.services.areas import area_ids_by_code
from ssp_planner.services.batches import finish_batch, sha256_of, start_batch
from ssp_planner.store import session_scope
from ssp_planner.store.models import Practitioner

# Columns compared to decide whether a stored person changed (the natural key is id_number).
FIELDS = (
    "surname",
    "first_names",
    "birth_date",
    "sex",
    "category",
    "rank",
    "sector",
    "employer",
    "area_id",
    "start_date",
    "persal_number",
    "council_number",
    "supervisor_id_number",
)


@dataclass(frozen=True)
class ImportResult:
    file: str
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None  # None: nothing was written

    @property
    def written(self) -> bool:
        return self.batch_id is not None


def import_inventory(
    engine: Engine,
    path: Path,
    *,
    skip_invalid: bool = False,
    today: date | None = None,
    synthetic: bool = False,
) -> ImportResult:
    """Validate every row; write nothing if any row is bad (unless `skip_invalid`).

    Re-importing the same data changes nothing and records no new batch.
    """
    table = read_table(path, sheet=SHEET)
    with session_scope(engine) as session:
        codes = area_ids_by_code(session)
        checked = validate_inventory(
            table, frozenset(codes), _stored_keys(session), today or date.today()
        )
        rejected = len({e.row for e in checked.errors if e.row > 1})
        base = ImportResult(path.name, checked.rows_read, errors=checked.errors, rejected=rejected)
        if (checked.errors and not skip_invalid) or not checked.records:
            return base
        rows = [
            {
                **{k: v for k, v in r.items() if k not in ("row", "area_code")},
                "area_id": codes[str(r["area_code"])],
            }
            for r in checked.records
        ]
        return _upsert(session, path, rows, base, synthetic)


def _stored_keys(session: Session) -> StoredKeys:
    rows = session.execute(
        select(Practitioner.id_number, Practitioner.persal_number, Practitioner.council_number)
    ).all()
    return StoredKeys(
        persal={p: i for i, p, _c in rows if p},
        council={c: i for i, _p, c in rows if c},
        id_numbers=frozenset(i for i, _p, _c in rows),
    )


def _upsert(
    session: Session, path: Path, rows: list[dict], base: ImportResult, synthetic: bool
) -> ImportResult:
    cols = [getattr(Practitioner, f) for f in FIELDS]
    stored = {
        r[0]: (r[1], tuple(r[2:]))
        for r in session.execute(select(Practitioner.id_number, Practitioner.id, *cols))
    }
    new = [r for r in rows if r["id_number"] not in stored]
    changed = [
        r
        for r in rows
        if r["id_number"] in stored and stored[r["id_number"]][1] != tuple(r[f] for f in FIELDS)
    ]
    if not new and not changed:
        session.rollback()
        return replace(base, unchanged=len(rows))
    batch = start_batch(
        session, kind="inventory", file_name=path.name, sha256=sha256_of(path), synthetic=synthetic
    )
    if new:
        session.connection().execute(  # Core executemany: the ORM bulk path is 3x slower here
            insert(Practitioner),
            [{**r, "batch_id": batch.id, "created_batch_id": batch.id} for r in new],
        )
    if changed:
        session.execute(
            update(Practitioner),
            [{**r, "id": stored[r["id_number"]][0], "batch_id": batch.id} for r in changed],
        )
    link_supervisors(session, batch.id)
    return finish_batch(batch, base, rows=len(rows), inserted=len(new), updated=len(changed))


def link_supervisors(session: Session, batch_id: int) -> None:
    """Point supervisor_id at the stored supervisor, for this batch's rows and any left dangling."""
    sup = aliased(Practitioner)
    lookup = (
        select(sup.id).where(sup.id_number == Practitioner.supervisor_id_number).scalar_subquery()
    )
    session.execute(
        update(Practitioner)
        .where(  # this batch's rows (a cleared supervisor unlinks), and links left dangling
            or_(
                Practitioner.batch_id == batch_id,
                and_(
                    Practitioner.supervisor_id.is_(None),
                    Practitioner.supervisor_id_number.is_not(None),
                ),
            )
        )
        .values(supervisor_id=lookup)
        .execution_options(synchronize_session=False)
    )
