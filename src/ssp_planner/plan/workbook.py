"""Validate a plan workbook's sheets into a `Plan`, collecting every error (never the first only).

Pure: the service reads the file into one `Table` per sheet (its `file` names the sheet, so
each error says "plan.xlsx, sheet 'activities'", row, column, value, problem and fix).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Table
from ssp_planner.ingest.schema import match_header, parse_rows
from ssp_planner.plan.model import (
    Action,
    Activity,
    Allocation,
    Lesson,
    Plan,
    Priority,
    ProgressUpdate,
    Workstream,
)
from ssp_planner.plan.numbering import parent_of, workstream_of
from ssp_planner.plan.sheets import SHEETS, Sheet

MODELS: dict[str, type[BaseModel]] = {
    "plan": BaseModel,  # the plan row is assembled with its collections at the end
    "workstreams": Workstream,
    "activities": Activity,
    "updates": ProgressUpdate,
    "priorities": Priority,
    "allocations": Allocation,
    "lessons": Lesson,
    "actions": Action,
}
Rows = list[tuple[int, Any]]  # (row number as seen in Excel, model or plan-row dict)


@dataclass
class ParsedPlan:
    plan: Plan | None
    errors: list[RowError] = field(default_factory=list)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (sheet, key) -> row


@dataclass
class _Check:
    """Collects errors against the sheets' labels ("plan.xlsx, sheet 'activities'")."""

    files: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    numbers: dict[str, set[Any]] = field(default_factory=dict)  # sheet -> numbers in it

    def add(self, sheet: str, row: int, column: str, value: object, problem: str, fix: str) -> None:
        shown = "" if value is None else str(value)
        self.errors.append(RowError(self.files[sheet], row, column, shown, problem, fix))


def plan_from_tables(tables: Mapping[str, Table]) -> ParsedPlan:
    """The plan in `tables` (one per sheet of `SHEETS`), or every error found in them."""
    check = _Check({s.name: tables[s.name].file for s in SHEETS})
    parsed = {s.name: _parse_sheet(s, tables[s.name], check) for s in SHEETS}
    plan_rows = parsed["plan"]
    _check_plan_row(plan_rows, check)
    _check_keys(parsed, check)
    _check_references(parsed, check)
    _check_ranges(parsed, check)
    if check.errors or not plan_rows:
        return ParsedPlan(None, check.errors)
    row_no, head = plan_rows[0]
    plan = Plan(
        **head, **{name: tuple(m for _r, m in parsed[name]) for name in MODELS if name != "plan"}
    )
    rows = {("plan", plan.code): row_no}
    rows |= {("activities", a.number): r for r, a in parsed["activities"]}
    return ParsedPlan(plan, [], rows)


def _parse_sheet(sheet: Sheet, table: Table, check: _Check) -> Rows:
    """Rows of one sheet as models; rows with any bad cell are left out (and reported)."""
    positions, header_errors = match_header(table, sheet.columns)
    values, cell_errors = parse_rows(table, sheet.columns, positions)
    check.errors += header_errors + cell_errors
    if any(e.problem == "required column is missing" for e in header_errors):
        return []
    bad = {e.row for e in cell_errors}
    # Numbers of rows that failed on another cell still count as present, so that a bad
    # status in activity 1.2 is not also reported as "no activity 1.2" on every update.
    check.numbers[sheet.name] = {v["number"] for _r, v in values if v.get("number") is not None}
    out: Rows = []
    for row_no, cells in values:
        if row_no in bad:
            continue
        given = {k: v for k, v in cells.items() if v is not None}
        out.append((row_no, given if sheet.name == "plan" else MODELS[sheet.name](**given)))
    return out


def _check_plan_row(rows: Rows, check: _Check) -> None:
    if not rows and not any(e.file == check.files["plan"] for e in check.errors):
        check.add("plan", 2, "code", None, "the sheet has no plan row", "fill in row 2")
    for row_no, extra in rows[1:]:
        check.add(
            "plan",
            row_no,
            "code",
            extra.get("code"),
            "a workbook holds one plan",
            "delete this row, or put each plan in its own workbook",
        )


def _check_keys(parsed: dict[str, Rows], check: _Check) -> None:
    """Each row's natural key appears once per sheet."""
    keys: dict[str, tuple[str, Callable[[Any], Hashable]]] = {
        "workstreams": ("number", lambda m: m.number),
        "activities": ("number", lambda m: m.number),
        "updates": ("note", lambda m: (m.activity, m.date, m.note)),
        "priorities": ("number", lambda m: m.number),
        "allocations": ("unit", lambda m: (m.priority, m.unit)),
        "lessons": ("lesson", lambda m: (m.date, m.lesson)),
        "actions": ("action", lambda m: (m.action, m.owner, m.due_date)),
    }
    for sheet, (column, key) in keys.items():
        counts = Counter(key(m) for _r, m in parsed[sheet])
        seen: set[Hashable] = set()
        for row_no, model in parsed[sheet]:
            k = key(model)
            if counts[k] > 1 and k in seen:
                check.add(
                    sheet,
                    row_no,
                    column,
                    getattr(model, column),
                    "appears twice in this sheet",
                    "delete one of the two rows, or correct the number (format the column as "
                    "Text if Excel turned 4.10 into 4.1)"
                    if sheet == "activities"
                    else "delete one of the two rows",
                )
            seen.add(k)


def _check_references(parsed: dict[str, Rows], check: _Check) -> None:
    """Activities, updates, priorities, allocations and lessons point at rows that exist."""
    streams = check.numbers.get("workstreams", set())
    acts = check.numbers.get("activities", set())
    prios = check.numbers.get("priorities", set())
    for row_no, a in parsed["activities"]:
        if workstream_of(a.number) not in streams:
            check.add(
                "activities",
                row_no,
                "number",
                a.number,
                f"there is no workstream {workstream_of(a.number)} in sheet 'workstreams'",
                "add that workstream, or correct the activity number",
            )
        if (parent := parent_of(a.number)) and parent not in acts:
            check.add(
                "activities",
                row_no,
                "number",
                a.number,
                f"its parent activity {parent} is not in the sheet",
                f"add activity {parent}, or renumber this one",
            )
    _refs(parsed, check, "updates", "activity", acts, "activity", "sheet 'activities'")
    _refs(parsed, check, "priorities", "workstream", streams, "workstream", "sheet 'workstreams'")
    _refs(parsed, check, "allocations", "priority", prios, "priority", "sheet 'priorities'")
    _refs(parsed, check, "lessons", "workstream", streams, "workstream", "sheet 'workstreams'")


def _refs(
    parsed: dict[str, Rows],
    check: _Check,
    sheet: str,
    column: str,
    known: set[Any],
    what: str,
    where: str,
) -> None:
    for row_no, model in parsed[sheet]:
        value = getattr(model, column)
        if value is not None and value not in known:
            check.add(
                sheet,
                row_no,
                column,
                value,
                f"there is no {what} {value} in {where}",
                f"use a {what} listed in {where}, or add it there",
            )


def _check_ranges(parsed: dict[str, Rows], check: _Check) -> None:
    """Dates and amounts in the right order: start before due, minimum at most maximum."""
    for row_no, head in parsed["plan"]:
        start, end = head.get("start_date"), head.get("end_date")
        if start and end and end < start:
            check.add(
                "plan", row_no, "end_date", end, "ends before it starts", "correct either date"
            )
    for row_no, a in parsed["activities"]:
        if a.start_date and a.due_date and a.due_date < a.start_date:
            check.add(
                "activities",
                row_no,
                "due_date",
                a.due_date,
                f"due before it starts ({a.start_date})",
                "correct the start or the due date",
            )
    for row_no, x in parsed["allocations"]:
        if x.minimum > x.maximum:
            check.add(
                "allocations",
                row_no,
                "maximum",
                x.maximum,
                f"smaller than the minimum ({x.minimum})",
                "swap the two, or correct either",
            )
