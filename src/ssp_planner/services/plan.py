"""Implementation plans in storage: workbook import/export, progress updates, activity edits.

An import is one transaction: every sheet is validated first and nothing is written if any
row is bad; importing the same workbook again writes nothing. Edits carry the activity's
`version` (optimistic lock), so a stale browser tab or an old export cannot overwrite newer work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from ssp_planner import __version__
from ssp_planner.errors import InputFileError, NotFoundError, SSPError
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import XLSX_SUFFIXES, Cell, Table, read_table
from ssp_planner.ingest.schema import header_key
from ssp_planner.plan import (
    Activity,
    Plan,
    ProgressData,
    Status,
    build_progress,
    parse_period,
    plan_from_tables,
)
from ssp_planner.plan.diff import PlanDiff, diff_plans
from ssp_planner.plan.sheets import SHEETS, sheet_rows
from ssp_planner.reports.tables import DATE, TEXT, SheetSpec, write_sheets
from ssp_planner.services import plan_store as store
from ssp_planner.services.batches import now, sha256_of, start_batch
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch
from ssp_planner.store.models_plan import ActivityRecord, PlanRecord, UpdateRecord


class StaleEditError(SSPError):
    """Someone changed the activity since the version the edit was based on."""


@dataclass(frozen=True)
class PlanImportResult:
    file: str
    plan_code: str | None = None
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None  # None: nothing was written
    diff: PlanDiff | None = None

    @property
    def written(self) -> bool:
        return self.batch_id is not None


@dataclass(frozen=True)
class PlanSource:
    """Where a stored plan came from, for every report's source line."""

    code: str
    file: str | None
    imported_at: dt.datetime | None
    edited_at: dt.datetime
    synthetic: bool

    def describe(self) -> str:
        made = f"imported from {self.file} on {self.imported_at:%Y-%m-%d}" if self.file else ""
        edited = f"last changed {self.edited_at:%Y-%m-%d %H:%M} UTC"
        when = ", ".join(filter(None, [made, edited]))
        return f"Implementation plan {self.code} as stored in SSP Planner ({when})"


# --- import and export -------------------------------------------------------------------------


def import_plan(engine: Engine, path: Path, *, synthetic: bool | None = None) -> PlanImportResult:
    """Validate every sheet of `path`; store the plan only if every row is good.

    `synthetic` overrides the workbook's own 'synthetic' column (the demo passes True).
    """
    path = Path(path)
    tables, errors = _read_workbook(path)
    parsed = plan_from_tables(tables) if not errors else None
    if parsed is None or parsed.plan is None:
        return PlanImportResult(path.name, errors=errors + (parsed.errors if parsed else []))
    plan = parsed.plan
    if synthetic is not None:
        plan = plan.model_copy(update={"synthetic": synthetic})
    with session_scope(engine) as session:
        stored = store.load(session, plan.code)
        diff = diff_plans(stored, plan)
        label = tables["activities"].file
        if stored and (conflicts := _version_conflicts(diff, plan, stored, parsed.rows, label)):
            return PlanImportResult(path.name, plan.code, errors=conflicts)
        if diff.empty:
            return PlanImportResult(path.name, plan.code, diff=diff)
        batch = start_batch(
            session,
            kind="plan",
            file_name=path.name,
            sha256=sha256_of(path),
            synthetic=plan.synthetic,
        )
        store.write(session, plan, diff, batch.id)
        batch.rows_read = sum(len(t.rows) for t in tables.values())
        batch.rows_inserted = sum(c.added for c in diff.sheets.values())
        batch.rows_updated = sum(c.changed + c.removed for c in diff.sheets.values())
        batch.finished_at = now()
        return PlanImportResult(path.name, plan.code, batch_id=batch.id, diff=diff)


def export_plan(engine: Engine, code: str | None, path: Path) -> Path:
    """The whole plan as a workbook that `import_plan` reads back unchanged."""
    return write_plan_workbook(load_plan(engine, code), Path(path))


def write_plan_workbook(plan: Plan, path: Path) -> Path:
    """`plan` as the workbook people edit in Excel (docs/plan-format.md)."""
    return write_sheets(path, _workbook_sheets(plan), notes=_workbook_notes(plan))


def _read_workbook(path: Path) -> tuple[dict[str, Table], list[RowError]]:
    """One `Table` per plan sheet (its `file` names the sheet); a missing or empty sheet is
    an error, a sheet with only its header row means "none"."""
    if path.suffix.lower() not in XLSX_SUFFIXES:
        raise InputFileError(
            path.name,
            "a plan is imported from an Excel workbook (.xlsx), one sheet per table.",
            "export the plan with `ssp plan export FILE.xlsx`, edit it and import that file.",
        )
    read_table(path, sheet=SHEETS[0].name)  # file-level checks: exists, is a workbook, has 'plan'
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        names = {header_key(n): n for n in wb.sheetnames}
        found = {
            s.name: _sheet_table(wb[names[s.name]], path, s.name) for s in SHEETS if s.name in names
        }
    finally:
        wb.close()
    tables: dict[str, Table] = {}
    errors: list[RowError] = []
    for sheet in SHEETS:
        label = f"{path.name}, sheet '{sheet.name}'"
        header = ", ".join(c.name for c in sheet.columns)
        table = found.get(sheet.name)
        if table is None or not table.header:
            problem = "the sheet is missing" if table is None else "the sheet is empty"
            errors.append(
                RowError(label, 1, "", "", problem, f"add the sheet with the header row: {header}")
            )
            table = Table(label, [c.name for c in sheet.columns], [])
        tables[sheet.name] = table
    return tables, errors


def _sheet_table(ws: Any, path: Path, name: str) -> Table:
    """Rows numbered as Excel shows them; blank rows skipped; the first filled row is the header."""
    rows = [
        (i, [_cell(v) for v in r]) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)
    ]
    filled = [(i, r) for i, r in rows if any(c is not None and str(c).strip() for c in r)]
    label = f"{path.name}, sheet '{name}'"
    if not filled:
        return Table(label, [], [])
    (_, header), *data = filled
    return Table(label, [str(h).strip() if h is not None else "" for h in header], data)


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | dt.date):
        return value
    return str(value)


_WRAP = frozenset({"objective", "description", "note", "lesson", "action"})


def _workbook_sheets(plan: Plan) -> list[SheetSpec]:
    """Every plan sheet with dates formatted, activity numbers as text (so 4.10 stays 4.10) and
    drop-downs for statuses and units; then a 'read me' sheet describing each column."""
    rows = sheet_rows(plan)
    specs = []
    for sheet in SHEETS:
        formats = {
            c.name: DATE
            for c in sheet.columns
            if c.name.endswith("date") or c.name in ("date", "raised_on")
        }
        if sheet.name in ("activities", "updates"):
            formats[sheet.columns[0].name] = TEXT
        choices = {c.name: c.allowed for c in sheet.columns if c.allowed}
        specs.append(SheetSpec(sheet.name, rows[sheet.name], formats, choices, _WRAP))
    help_rows: list[list[object]] = [["sheet", "column", "required", "what to write", "example"]]
    for sheet in SHEETS:
        help_rows += [
            [sheet.name, c.name, "yes" if c.required else "no", c.description, c.example]
            for c in sheet.columns
        ]
    specs.append(SheetSpec("read me", help_rows, wrap=frozenset({"what to write"})))
    return specs


def _workbook_notes(plan: Plan) -> list[str]:
    notes = [
        f"Implementation plan {plan.code}, exported by SSP Planner {__version__}.",
        "Edit the sheets and import the file again with `ssp plan import FILE`; "
        "rows you delete are deleted. Leave the 'version' column as exported.",
    ]
    if plan.synthetic:
        notes.insert(0, "SYNTHETIC DEMO DATA: this plan is made up for demonstration.")
    return notes


def _version_conflicts(
    diff: PlanDiff, plan: Plan, stored: Plan, rows: dict[tuple[str, str], int], label: str
) -> list[RowError]:
    """Activities the file would change although they changed in storage since its export."""
    current = {a.number: a.version for a in stored.activities}
    return [
        RowError(
            label,
            rows[("activities", a.number)],
            "version",
            str(a.version),
            f"activity {a.number} was changed in SSP Planner after this file was exported "
            f"(stored version {current[a.number]})",
            "export the plan again (ssp plan export), re-apply your edits there and import that "
            "file; or clear the version cell to overwrite the newer change",
        )
        for a in plan.activities
        if a.version is not None
        and a.number in current
        and current[a.number] != a.version
        and a.number in diff.touched
    ]


# --- reading plans ----------------------------------------------------------------------------


def plan_codes(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(PlanRecord.code).order_by(PlanRecord.code)))


def resolve_code(engine: Engine, code: str | None) -> str:
    """`code`, or the only stored plan's code when none is given."""
    codes = plan_codes(engine)
    if code is not None:
        if code not in codes:
            known = ", ".join(codes) or "none yet"
            raise NotFoundError(
                f"No plan '{code}' is stored (plans: {known}). "
                "Fix: check --plan, or import the plan with `ssp plan import FILE`."
            )
        return code
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise NotFoundError("No plan is stored. Fix: import one with `ssp plan import FILE`.")
    raise SSPError(f"Several plans are stored ({', '.join(codes)}). Fix: name one with --plan.")


def load_plan(engine: Engine, code: str | None = None) -> Plan:
    """The stored plan `code` (or the only one), with every sheet's rows."""
    code = resolve_code(engine, code)
    with session_scope(engine) as session:
        plan = store.load(session, code)
    assert plan is not None
    return plan


def plan_source(engine: Engine, code: str) -> PlanSource:
    """The plan's last import and last change, so reports say where their figures came from."""
    with session_scope(engine) as session:
        rec = store.plan_record(session, code)
        batch = session.get(ImportBatch, rec.batch_id) if rec.batch_id else None
        edits = [
            rec.updated_at,
            session.scalar(
                select(func.max(ActivityRecord.updated_at)).where(ActivityRecord.plan_id == rec.id)
            ),
            session.scalar(
                select(func.max(UpdateRecord.created_at))
                .join(ActivityRecord)
                .where(ActivityRecord.plan_id == rec.id)
            ),
        ]
        return PlanSource(
            code=code,
            file=batch.file_name if batch else None,
            imported_at=batch.started_at if batch else None,
            edited_at=max(e for e in edits if e is not None),
            synthetic=rec.synthetic,
        )


def progress_data(
    engine: Engine, code: str | None, period: str, today: dt.date | None = None
) -> ProgressData:
    """What the progress report on `period` shows (core: plan/progress.py)."""
    return build_progress(load_plan(engine, code), parse_period(period), today or dt.date.today())


# --- edits -------------------------------------------------------------------------------------


def add_progress_update(
    engine: Engine,
    code: str | None,
    number: str,
    *,
    note: str,
    on: dt.date | None = None,
    status: Status | None = None,
    author: str | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Record a dated update; a status given with the newest update becomes the activity's.

    `expected_version` (from a form or an earlier read) makes the update refuse to apply on top
    of someone else's newer change. Returns the activity as stored afterwards.
    """
    if not note.strip():
        raise SSPError("A progress update needs a note. Fix: say what happened, e.g. --note '...'.")
    on = on or dt.date.today()
    with session_scope(engine) as session:
        rec = store.activity_record(session, resolve_code(engine, code), number)
        version = rec.version if expected_version is None else expected_version
        exists = session.scalar(
            select(func.count()).where(
                UpdateRecord.activity_id == rec.id,
                UpdateRecord.date == on,
                UpdateRecord.note == note.strip(),
            )
        )
        if exists:
            raise SSPError(f"Activity {number} already has this update on {on}. Nothing was added.")
        newest = session.scalar(
            select(func.max(UpdateRecord.date)).where(
                UpdateRecord.activity_id == rec.id, UpdateRecord.status.is_not(None)
            )
        )
        values: dict[str, Any] = {}
        if status is not None and (newest is None or on >= newest):
            values["status"] = status.value
        _bump(session, rec, version, values)
        session.add(
            UpdateRecord(
                activity_id=rec.id,
                date=on,
                note=note.strip(),
                status=status.value if status else None,
                author=author,
                created_at=now(),
            )
        )
        session.flush()
        session.refresh(rec)
        return Activity(**store.fields(rec, store.ACTIVITY_FIELDS), version=rec.version)


EDITABLE = ("title", "owner", "start_date", "due_date", "status", "description")


def edit_activity(
    engine: Engine,
    code: str | None,
    number: str,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Activity:
    """Change an activity's fields, refusing if it is no longer at `expected_version`."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise SSPError(
            f"Cannot edit {', '.join(sorted(unknown))}. Fix: edit only {', '.join(EDITABLE)}."
        )
    with session_scope(engine) as session:
        rec = store.activity_record(session, resolve_code(engine, code), number)
        current = Activity(**store.fields(rec, store.ACTIVITY_FIELDS))
        try:
            edited = Activity.model_validate({**current.model_dump(), **changes})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise SSPError(
                f"Activity {number}: {first['loc'][0]} {first['msg'].lower()}. "
                "Fix: correct the value."
            ) from None
        if edited.start_date and edited.due_date and edited.due_date < edited.start_date:
            raise SSPError(
                f"Activity {number} would be due before it starts. Fix: correct either date."
            )
        values = {k: getattr(edited, k) for k in EDITABLE}
        values["status"] = edited.status.value
        _bump(session, rec, expected_version, values)
        session.refresh(rec)
        return Activity(**store.fields(rec, store.ACTIVITY_FIELDS), version=rec.version)


def _bump(session: Session, rec: ActivityRecord, expected: int, values: dict[str, Any]) -> None:
    """Write `values` and version + 1 only if the row is still at `expected` (one UPDATE, so two
    concurrent editors cannot both win)."""
    done = session.execute(
        update(ActivityRecord)
        .where(ActivityRecord.id == rec.id, ActivityRecord.version == expected)
        .values(**values, version=expected + 1, updated_at=now())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        # Read again: in a race `rec` still holds the version both editors started from.
        stored = session.scalar(select(ActivityRecord.version).where(ActivityRecord.id == rec.id))
        raise StaleEditError(
            f"Activity {rec.number} was changed by someone else after you opened it (now version "
            f"{stored}, your edit was based on version {expected}), so your change was not saved "
            "and nothing was overwritten. Fix: reload it and apply your change again."
        )


__all__ = [
    "PlanImportResult",
    "PlanSource",
    "StaleEditError",
    "add_progress_update",
    "edit_activity",
    "export_plan",
    "import_plan",
    "load_plan",
    "plan_codes",
    "plan_source",
    "progress_data",
    "resolve_code",
    "write_plan_workbook",
]
