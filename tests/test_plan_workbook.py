"""The plan workbook through storage, on SQLite and PostgreSQL: the round trip keeps every
field, re-imports change nothing, bad rows are all reported and nothing is stored, and edits
are refused when the activity moved on since the version they were based on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from ssp_planner.errors import InputFileError, SSPError
from ssp_planner.ingest.errors import write_error_report
from ssp_planner.plan import Plan, Status
from ssp_planner.plan.sheets import SHEETS
from ssp_planner.services.plan import (
    StaleEditError,
    add_progress_update,
    edit_activity,
    export_plan,
    import_plan,
    load_plan,
    write_plan_workbook,
)
from ssp_planner.services.plan_demo import demo_plan, load_demo_plan
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch
from ssp_planner.store.models_plan import ActivityRecord, PlanRecord, UpdateRecord


def _workbook(tmp_path: Path, plan: Plan | None = None, name: str = "plan.xlsx") -> Path:
    return write_plan_workbook(plan or demo_plan(), tmp_path / name)


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_round_trip_keeps_every_field(engine: Engine, tmp_path: Path) -> None:
    original = demo_plan()
    assert import_plan(engine, _workbook(tmp_path, original)).written
    stored = load_plan(engine)
    assert stored.without_versions() == original.without_versions()
    assert {a.version for a in stored.activities} == {1}
    exported = export_plan(engine, original.code, tmp_path / "export.xlsx")
    again = load_plan(engine)
    assert again == stored
    # every sheet, every column, every row survives the file
    wb = load_workbook(exported, read_only=True)
    for sheet in SHEETS:
        header = next(wb[sheet.name].iter_rows(values_only=True))
        assert list(header) == [c.name for c in sheet.columns]
    assert wb["activities"].max_row == len(original.activities) + 1
    assert wb["updates"].max_row == len(original.updates) + 1


def test_reimport_of_the_same_file_writes_nothing(engine: Engine, tmp_path: Path) -> None:
    first = load_demo_plan(engine, tmp_path)
    assert first.written
    batches = _count(engine, ImportBatch)
    again = import_plan(engine, tmp_path / "demo-plan.xlsx", synthetic=True)
    assert not again.written and not again.errors and again.diff and again.diff.empty
    assert _count(engine, ImportBatch) == batches


def test_edits_in_excel_are_applied_in_place(engine: Engine, tmp_path: Path) -> None:
    import_plan(engine, _workbook(tmp_path))
    exported = export_plan(engine, None, tmp_path / "edit.xlsx")
    wb = load_workbook(exported)
    acts = wb["activities"]
    acts["B2"] = "Review the bursary scheme (renamed)"
    acts.delete_rows(acts.max_row)  # 5.4, with its one update
    updates = wb["updates"]
    last = [r for r in range(2, updates.max_row + 1) if updates.cell(r, 1).value == "5.4"]
    updates.delete_rows(last[0])
    wb.save(exported)
    result = import_plan(engine, exported)
    assert result.written and result.diff is not None, result.errors
    assert str(result.diff.sheets["activities"]) == "0 new, 1 changed, 1 removed"
    plan = load_plan(engine)
    assert plan.activity("1.1").title.endswith("(renamed)")  # type: ignore[union-attr]
    assert plan.activity("1.1").version == 2  # type: ignore[union-attr]
    assert plan.activity("5.4") is None and _count(engine, ActivityRecord) == 18


def _broken(tmp_path: Path) -> Path:
    """The demo workbook with one problem per kind, in four sheets."""
    path = _workbook(tmp_path)
    wb = load_workbook(path)
    wb["activities"]["F3"] = "finished-ish"  # status
    wb["activities"]["E4"] = "2020-01-01"  # due before start
    wb["activities"].append(["6.1", "Orphan", None, None, None, "on_track"])  # no workstream 6
    wb["updates"]["A2"] = "9.9"  # unknown activity
    wb["allocations"]["D2"] = 1  # maximum below minimum
    wb["allocations"]["E3"] = "lots"  # not a number
    del wb["lessons"]
    wb.save(path)
    return path


def test_broken_rows_are_all_reported_and_nothing_is_stored(engine: Engine, tmp_path: Path) -> None:
    result = import_plan(engine, _broken(tmp_path))
    assert not result.written
    found = {(e.file.split("'")[1], e.row, e.column): e for e in result.errors}
    assert ("lessons", 1, "") in found and "missing" in found[("lessons", 1, "")].problem
    assert _count(engine, PlanRecord) == 0 and _count(engine, ImportBatch) == 0
    # with the lessons sheet back, every row-level error is reported at once
    path = _broken(tmp_path)
    wb = load_workbook(path)
    wb.create_sheet("lessons").append(["date", "lesson", "workstream"])
    wb.save(path)
    result = import_plan(engine, path)
    got = {(e.file.split("'")[1], e.row, e.column) for e in result.errors}
    assert got == {
        ("activities", 3, "status"),
        ("activities", 4, "due_date"),
        ("activities", 21, "number"),
        ("updates", 2, "activity"),
        ("allocations", 2, "maximum"),
        ("allocations", 3, "spent"),
    }
    status = next(e for e in result.errors if e.column == "status")
    assert status.file == "plan.xlsx, sheet 'activities'" and status.value == "finished-ish"
    assert "on_track" in status.fix
    assert all(e.fix for e in result.errors)
    assert _count(engine, PlanRecord) == 0
    report = write_error_report(result.errors, tmp_path / "errors.csv").read_text("utf-8-sig")
    assert "'updates'\",2,activity,9.9,there is no activity 9.9 in sheet 'activities'" in report


def test_a_csv_or_non_workbook_is_refused_with_a_fix(sqlite_engine: Engine, tmp_path: Path) -> None:
    csv = tmp_path / "plan.csv"
    csv.write_text("code,title\nX,Y\n")
    with pytest.raises(InputFileError, match="ssp plan export"):
        import_plan(sqlite_engine, csv)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    with pytest.raises(InputFileError, match="not an Excel workbook"):
        import_plan(sqlite_engine, fake)


def test_stale_export_cannot_overwrite_newer_edits(engine: Engine, tmp_path: Path) -> None:
    import_plan(engine, _workbook(tmp_path))
    old = export_plan(engine, None, tmp_path / "old.xlsx")
    add_progress_update(engine, None, "4.4", note="Outline drafted", on=date(2026, 11, 20))
    result = import_plan(engine, old)
    assert [(e.row, e.column) for e in result.errors] == [(16, "version")]
    assert "export the plan again" in result.errors[0].fix
    assert _count(engine, UpdateRecord) == len(demo_plan().updates) + 1


def test_progress_update_sets_status_and_version(engine: Engine, tmp_path: Path) -> None:
    import_plan(engine, _workbook(tmp_path))
    act = add_progress_update(
        engine, None, "4.4", note="Started", on=date(2026, 10, 1), status=Status.ON_TRACK
    )
    assert (act.status, act.version) == (Status.ON_TRACK, 2)
    older = add_progress_update(
        engine, None, "4.4", note="Back-dated", on=date(2026, 5, 1), status=Status.DELAYED
    )
    assert older.status is Status.ON_TRACK  # an older update does not override the newest
    with pytest.raises(SSPError, match="already has this update"):
        add_progress_update(engine, None, "4.4", note="Started", on=date(2026, 10, 1))
    with pytest.raises(SSPError, match=r"no activity 9\.9"):
        add_progress_update(engine, None, "9.9", note="x")


def test_edit_activity_is_optimistically_locked(engine: Engine, tmp_path: Path) -> None:
    import_plan(engine, _workbook(tmp_path))
    edited = edit_activity(
        engine, None, "2.3", expected_version=1, changes={"owner": "DDG: Welfare"}
    )
    assert (edited.owner, edited.version) == ("DDG: Welfare", 2)
    with pytest.raises(StaleEditError, match="version 2"):
        edit_activity(engine, None, "2.3", expected_version=1, changes={"owner": "Someone"})
    with pytest.raises(SSPError, match="due before it starts"):
        edit_activity(
            engine, None, "2.3", expected_version=2, changes={"due_date": date(2020, 1, 1)}
        )
    with pytest.raises(SSPError, match="Cannot edit version"):
        edit_activity(engine, None, "2.3", expected_version=2, changes={"version": 9})
    assert load_plan(engine).activity("2.3").owner == "DDG: Welfare"  # type: ignore[union-attr]
