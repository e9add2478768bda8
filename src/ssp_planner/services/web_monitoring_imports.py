"""M&E uploads and the DHIS2 export from the web: the province check on top of the ordinary
imports, the audit record, and the row errors and their report kept like the inventory's.

A province-scoped M&E officer may only store values and targets of their own province. Rows
naming another province's org unit become row errors like any other, and then nothing at all is
stored; otherwise the CLI's import (`import_data_values`, `import_targets`) runs unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import Engine

from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import cell_text, iter_cells, read_table
from ssp_planner.ingest.schema import match_header
from ssp_planner.monitoring.dhis2 import read_exchange_file
from ssp_planner.monitoring.framework import load_framework
from ssp_planner.monitoring.mapping import Mapping
from ssp_planner.monitoring.target_file import COLUMNS as TARGET_COLUMNS
from ssp_planner.monitoring.target_file import SHEET as TARGET_SHEET
from ssp_planner.monitoring.target_file import validate_targets
from ssp_planner.monitoring.values import validate_values
from ssp_planner.services.areas import area_ids_by_code
from ssp_planner.services.monitoring import (
    ValueImportResult,
    export_data_values,
    import_data_values,
    import_targets,
)
from ssp_planner.services.web_import import keep_error_report
from ssp_planner.store import session_scope
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal, Scope
from ssp_planner.web.schemas import RowErrorOut

Kind = Literal["values", "targets"]
AUDIT_ACTION = {"values": "me.values_import", "targets": "me.targets_import"}


class MeImportOut(BaseModel):
    """What an upload did; `stored` is False when any row was refused (nothing was written)."""

    kind: str
    file: str
    format: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    batch_id: int | None
    stored: bool
    errors: list[RowErrorOut]
    report_token: str | None

    @classmethod
    def of(cls, kind: Kind, r: ValueImportResult, token: str | None) -> MeImportOut:
        return cls(
            kind=kind,
            file=r.file,
            format=r.format,
            rows_read=r.rows_read,
            inserted=r.inserted,
            updated=r.updated,
            unchanged=r.unchanged,
            batch_id=r.batch_id,
            stored=r.written,
            errors=[RowErrorOut.of(e) for e in r.errors],
            report_token=token,
        )


def upload(engine: Engine, kind: Kind, path: Path, scope: Scope) -> ValueImportResult:
    """Import values or targets as the CLI does; for a scoped user, refuse other provinces'."""
    outside = [] if scope.national else _outside(engine, kind, path, scope)
    if not outside:
        return (
            import_data_values(engine, path) if kind == "values" else import_targets(engine, path)
        )
    return _refused(engine, kind, path, outside)


def upload_and_record(
    engine: Engine,
    kind: Kind,
    path: Path,
    principal: Principal,
    *,
    reports_dir: Path,
    ip: str | None,
) -> MeImportOut:
    """The web's one call for an M&E upload: import, audit the outcome, keep any error report."""
    result = upload(engine, kind, path, principal.scope)
    audit_now(
        engine,
        user=principal,
        action=AUDIT_ACTION[kind],
        target=result.file,
        after={
            "stored": result.written,
            "rows_read": result.rows_read,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "errors": len(result.errors),
            "batch_id": result.batch_id,
        },
        ip=ip,
    )
    token = keep_error_report(result.errors, reports_dir, principal.user_id)
    return MeImportOut.of(kind, result, token)


def _outside(engine: Engine, kind: Kind, path: Path, scope: Scope) -> list[RowError]:
    """Row errors for org units of another province (unknown codes are the import's to report)."""
    if kind == "values":
        parsed = read_exchange_file(path)
        cells: Iterable[tuple[str, int, str, str]] = (
            (parsed.file, v.row, "orgUnit", v.org_unit) for v in parsed.values
        )
    else:
        table = read_table(path, sheet=TARGET_SHEET)
        positions, _problems = match_header(table, TARGET_COLUMNS)
        wanted = {k: v for k, v in positions.items() if k == "area"}
        cells = (
            (table.file, row, "area", cell_text(c.get("area")))
            for row, c in iter_cells(table, wanted)
        )
    with session_scope(engine) as session:
        codes = area_ids_by_code(session)
    return [
        RowError(
            file,
            row,
            column,
            code,
            f"is outside your province ({scope.province})",
            "remove the row: another province's M&E officer or a national one stores it",
        )
        for file, row, column, code in cells
        if code in codes and not scope.allows(codes[code])
    ]


def _refused(engine: Engine, kind: Kind, path: Path, outside: list[RowError]) -> ValueImportResult:
    """Nothing stored: the file's own problems (checked as the import would) plus `outside`."""
    fw = load_framework()
    with session_scope(engine) as session:
        codes = frozenset(area_ids_by_code(session))
    if kind == "values":
        parsed = read_exchange_file(path)
        _records, problems = validate_values(parsed, Mapping(), fw, codes)
        base = ValueImportResult(parsed.file, parsed.format, parsed.count)
        found = [*parsed.errors, *problems]
    else:
        table = read_table(path, sheet=TARGET_SHEET)
        base = ValueImportResult(table.file, "targets", len(table.rows))
        found = validate_targets(table, fw, codes)[1]
    return replace(base, errors=sorted([*found, *outside], key=lambda e: (e.row, e.column)))


def export_file(engine: Engine, scope: Scope, folder: Path) -> Path:
    """The stored values as DHIS2 dataValueSets JSON; a scoped user's own province only."""
    path = export_data_values(engine, folder / "ssp-data-values.json", fmt="dhis2-json").path
    if scope.national:
        return path
    with session_scope(engine) as session:
        codes = {c for c, i in area_ids_by_code(session).items() if scope.allows(i)}
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["dataValues"] = [v for v in doc.get("dataValues", []) if v.get("orgUnit") in codes]
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
