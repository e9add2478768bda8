"""Inventory upload from the web: the province check on top of the ordinary import, and the
row-level error report kept for its uploader to download.

A provincial planner may only add or change people in their own province. Rows naming an
area elsewhere, or a person recorded elsewhere, become row errors like any other, and — as
with every error — nothing at all is stored. The ordinary import (`import_inventory`) then
runs unchanged, so the web and the CLI validate and store exactly alike.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select

from ssp_planner.domain.identifiers import mask_id_number
from ssp_planner.errors import NotFoundError
from ssp_planner.ingest.errors import RowError, write_error_report
from ssp_planner.ingest.inventory import SHEET, StoredKeys, columns_for, validate_inventory
from ssp_planner.ingest.reader import Table, cell_text, iter_cells, read_table
from ssp_planner.ingest.schema import match_header
from ssp_planner.services.areas import area_ids_by_code
from ssp_planner.services.inventory import ImportResult, import_inventory
from ssp_planner.store import session_scope
from ssp_planner.store.models import Practitioner
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal, Scope

REPORT_FORMATS = ("csv", "xlsx")
REPORT_MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def import_upload(engine: Engine, path: Path, scope: Scope) -> ImportResult:
    """Import `path` as the CLI would; for a scoped user, first refuse out-of-province rows."""
    if scope.national:
        return import_inventory(engine, path)
    table = read_table(path, sheet=SHEET)
    with session_scope(engine) as session:
        codes = area_ids_by_code(session)
        stored = session.execute(
            select(
                Practitioner.id_number,
                Practitioner.area_id,
                Practitioner.persal_number,
                Practitioner.council_number,
            )
        ).all()
    outside = _outside_scope(table, codes, {r.id_number: r.area_id for r in stored}, scope)
    if not outside:
        return import_inventory(engine, path)
    keys = StoredKeys(
        persal={r.persal_number: r.id_number for r in stored if r.persal_number},
        council={r.council_number: r.id_number for r in stored if r.council_number},
        id_numbers=frozenset(r.id_number for r in stored),
    )
    checked = validate_inventory(table, frozenset(codes), keys, date.today())
    return refused_result(path.name, checked.rows_read, checked.errors + outside)


def refused_result(file: str, rows_read: int, errors: Iterable[RowError]) -> ImportResult:
    """An import that stored nothing: its row errors in file order, the bad rows counted as
    the ordinary import counts them (the header row is not a rejected row)."""
    ordered = sorted(errors, key=lambda e: (e.row, e.column))
    rejected = len({e.row for e in ordered if e.row > 1})
    return ImportResult(file, rows_read, errors=ordered, rejected=rejected)


def import_and_record(
    engine: Engine, path: Path, principal: Principal, *, reports_dir: Path, ip: str | None
) -> tuple[ImportResult, str | None]:
    """The web's one call for an upload: import, audit the outcome, keep any error report.

    Returns the result and the token of its error report (None when there were no errors).
    """
    result = import_upload(engine, path, principal.scope)
    action = "inventory.import" if result.written else "inventory.import_refused"
    return result, record_import(engine, principal, result, action, reports_dir=reports_dir, ip=ip)


def record_import(
    engine: Engine,
    principal: Principal,
    result: ImportResult,
    action: str,
    *,
    reports_dir: Path,
    ip: str | None,
) -> str | None:
    """Audit an upload's outcome under `action` and keep its error report for the uploader;
    returns the report's token (None when there were no errors)."""
    outcome = {
        "rows_read": result.rows_read,
        "inserted": result.inserted,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "rejected": result.rejected,
        "errors": len(result.errors),
        "batch_id": result.batch_id,
    }
    audit_now(engine, user=principal, action=action, target=result.file, after=outcome, ip=ip)
    return keep_error_report(result.errors, reports_dir, principal.user_id)


def _outside_scope(
    table: Table, codes: dict[str, int], stored: dict[str, int], scope: Scope
) -> list[RowError]:
    positions, _header_errors = match_header(table, columns_for(date.today()))
    wanted = {k: v for k, v in positions.items() if k in ("area_code", "id_number")}
    errors = []
    for row_no, cells in iter_cells(table, wanted):
        code = cell_text(cells.get("area_code")).upper()
        if code in codes and not scope.allows(codes[code]):
            errors.append(
                RowError(
                    table.file,
                    row_no,
                    "area_code",
                    code,
                    f"is outside your province ({scope.province})",
                    "remove the row: it belongs to another province's planner or a national "
                    "planner",
                )
            )
        id_number = cell_text(cells.get("id_number"))
        if id_number in stored and not scope.allows(stored[id_number]):
            errors.append(
                RowError(
                    table.file,
                    row_no,
                    "id_number",
                    mask_id_number(id_number),
                    f"this person is recorded in another province, not {scope.province}",
                    "remove the row; a national planner can move a person between provinces",
                )
            )
    return errors


def keep_error_report(errors: list[RowError], folder: Path, owner_id: int) -> str | None:
    """Write the errors as CSV and XLSX for their owner; returns the token naming both, or
    None (and writes nothing) when there are no errors.

    Reports older than a day are removed on the way, so the folder does not grow.
    """
    if not errors:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    token = secrets.token_urlsafe(24)
    for fmt in REPORT_FORMATS:
        write_error_report(errors, folder / f"{owner_id}-{token}.{fmt}")
    return token


def error_report_file(folder: Path, token: str, owner_id: int, fmt: str) -> Path:
    """The report file, only for the user who uploaded; anything else is 'not found'."""
    path = folder / f"{owner_id}-{token}.{fmt}"
    if fmt not in REPORT_FORMATS or not _TOKEN.match(token) or not path.is_file():
        raise NotFoundError(
            "This error report is not available (reports are kept for a day, for the person "
            "who uploaded the file). Fix: upload the file again to get a new report."
        )
    return path


def report_name(result_file: str, fmt: str) -> str:
    """Download name: 'inventory.errors.csv' for 'inventory.xlsx'."""
    return f"{Path(result_file).stem}.errors.{fmt}"


def _remove_old(folder: Path) -> None:
    limit = time.time() - REPORT_MAX_AGE_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


__all__ = [
    "ImportResult",
    "error_report_file",
    "import_and_record",
    "import_upload",
    "keep_error_report",
    "record_import",
    "refused_result",
]
