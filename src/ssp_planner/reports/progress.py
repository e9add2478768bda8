"""The implementation plan's progress report on one period, as the executive committee reads it:
Summary, Objective, Progress to date, Priorities, Allocation, Key lessons, Action needed.

Everything in it comes from the stored plan (plan/progress.py decides what; this module only
lays it out), and every table names its source and the date it was taken.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from ssp_planner import __version__
from ssp_planner.plan import (
    ActivityRow,
    AllocationTotals,
    ProgressData,
    Unit,
    amount,
    amount_range,
    compose_summary,
    long_date,
    short_date,
)
from ssp_planner.plan.numbering import depth_of
from ssp_planner.reports.render import (
    Block,
    Bullets,
    Document,
    Format,
    Heading,
    Paragraph,
    Table,
    render,
)
from ssp_planner.services.plan import PlanSource, plan_source, progress_data

SECTIONS = (
    "Summary",
    "Objective",
    "Progress to date",
    "Priorities",
    "Allocation",
    "Key lessons",
    "Action needed",
)
OVERDUE, OVER_MAX = "OVERDUE", "OVER MAXIMUM"
PROGRESS_COLUMNS = ("No.", "Activity", "Owner", "Due", "Status", "Progress in the period", "Flag")
SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA: made-up plan for demonstration, not real progress"


def write_progress_report(
    engine: Engine,
    plan: str | None,
    period: str,
    path: Path,
    *,
    fmt: Format | str | None = None,
    today: date | None = None,
) -> Path:
    """Write the progress report of `plan` (or the only plan) on `period` to `path`."""
    data = progress_data(engine, plan, period, today)
    doc = progress_document(data, plan_source(engine, data.plan.code), today or date.today())
    return render(doc, path, fmt)


def progress_document(data: ProgressData, source: PlanSource, generated: date) -> Document:
    """The report as a document model (no I/O): tests read its tables directly."""
    plan, period = data.plan, data.period
    src = f"Source: {source.describe()}; status as of {long_date(data.as_of)}."
    blocks: list[Block] = [
        Heading("Summary"),
        Paragraph(compose_summary(data)),
        Heading("Objective"),
        Paragraph(plan.objective),
        *_progress_section(data, src),
        *_priorities_section(data, src),
        *_allocation_section(data, src),
        *_lessons_section(data),
        *_actions_section(data, src),
    ]
    return Document(
        title=plan.title,
        subtitle=(
            f"Progress report {period.code} ({period.label}) · plan {plan.code}"
            + (f" · {plan.owner}" if plan.owner else "")
            + f" · status as of {long_date(data.as_of)}"
        ),
        blocks=tuple(blocks),
        banner=SYNTHETIC_BANNER if plan.synthetic else None,
        footer=f"SSP Planner {__version__} · plan {plan.code} · generated {long_date(generated)}",
        meta={"subject": f"Progress report {period.code}"},
    )


def _progress_section(data: ProgressData, src: str) -> list[Block]:
    rule = Paragraph(
        f"Each activity's latest update dated in the period; status and flags as of "
        f"{long_date(data.as_of)}. Activities completed or dropped before the period, and "
        "those starting after it, are not listed.",
        "note",
    )
    if not data.rows:
        return [Heading("Progress to date"), Paragraph("No activity is scheduled in the period.")]
    blocks: list[Block] = [Heading("Progress to date"), rule, progress_table(data, src)]
    blocks.append(Heading("Overdue activities", 2))
    late = data.overdue
    if not late:
        blocks.append(Paragraph(f"No activity is overdue on {long_date(data.as_of)}."))
        return blocks
    rows = tuple(
        (
            r.activity.number,
            r.activity.title,
            r.activity.owner or "—",
            short_date(r.activity.due_date),
            f"{(data.as_of - r.activity.due_date).days:,}" if r.activity.due_date else "—",
            r.status.label,
        )
        for r in late
    )
    blocks.append(
        Table(
            ("No.", "Activity", "Owner", "Due", "Days late", "Status"),
            rows,
            src,
            numeric=frozenset({4}),
            nowrap=frozenset({3}),
            widths=(6, 38, 22, 13, 9, 12),
        )
    )
    return blocks


def progress_table(data: ProgressData, src: str) -> Table:
    """One row per listed activity, under a heading row per workstream."""
    rows: list[tuple[str, ...]] = []
    groups, flagged = set(), set()
    current = None
    for r in data.rows:
        stream = r.workstream.number if r.workstream else None
        if stream != current:
            current = stream
            groups.add(len(rows))
            name = r.workstream.name if r.workstream else "(no workstream)"
            rows.append((f"Workstream {stream}: {name}",))
        if r.overdue:
            flagged.add(len(rows))
        rows.append(activity_cells(r))
    return Table(
        PROGRESS_COLUMNS,
        tuple(rows),
        src,
        nowrap=frozenset({3}),
        groups=frozenset(groups),
        flagged=frozenset(flagged),
        widths=(7, 25, 15, 12, 11, 36, 12),
    )


def activity_cells(r: ActivityRow) -> tuple[str, ...]:
    """The progress table's cells for one activity (tests compare them with stored values)."""
    a = r.activity
    indent = "  " * (depth_of(a.number) - 1)
    status = r.status.label
    if r.moved:
        status += f" (was {r.status_before.label.lower()})"
    if r.update:
        progress = f"{short_date(r.update.date)}: {r.update.note}"
    elif r.previous:
        progress = f"No update in the period (last: {short_date(r.previous.date)})"
    else:
        progress = "No update yet"
    return (
        indent + a.number,
        a.title,
        a.owner or "—",
        short_date(a.due_date),
        status,
        progress,
        OVERDUE if r.overdue else "",
    )


def _priorities_section(data: ProgressData, src: str) -> list[Block]:
    plan = data.plan
    if not plan.priorities:
        return [Heading("Priorities"), Paragraph("The plan lists no priorities.")]
    names = {w.number: w.name for w in plan.workstreams}
    rows = tuple(
        (
            str(p.number),
            p.title,
            f"{p.workstream}: {names.get(p.workstream, '')}" if p.workstream else "—",
        )
        for p in plan.priorities
    )
    table = Table(("No.", "Priority", "Workstream served"), rows, src, widths=(6, 55, 39))
    return [Heading("Priorities"), table]


def _allocation_section(data: ProgressData, src: str) -> list[Block]:
    blocks: list[Block] = [Heading("Allocation")]
    if not data.allocations:
        return [*blocks, Paragraph("The plan records no allocation of days or budget.")]
    for totals in data.allocations:
        blocks += allocation_blocks(totals, src)
    return blocks


def allocation_blocks(t: AllocationTotals, src: str) -> list[Block]:
    """The table for one unit (a total row, an available row) and its flags in words."""
    unit = t.unit
    rows: list[tuple[str, ...]] = [
        (
            f"{x.allocation.priority}. {x.priority_title}",
            amount_range(x.allocation.minimum, x.allocation.maximum, unit),
            amount(x.allocation.spent, unit),
            OVER_MAX if x.over_maximum else "",
        )
        for x in t.lines
    ]
    flagged = {i for i, x in enumerate(t.lines) if x.over_maximum}
    total_at = len(rows)
    rows.append(("Total", amount_range(t.minimum, t.maximum, unit), amount(t.spent, unit), ""))
    if t.available is not None:
        rows.append(("Available", amount(t.available, unit), _left(t), _flag(t)))
        if t.over_allocated or t.overspent:
            flagged.add(len(rows) - 1)
    title = "Support days" if unit is Unit.DAYS else "Budget (rands)"
    blocks: list[Block] = [
        Heading(title, 2),
        Table(
            ("Priority", "Allocated (min–max)", "Spent", "Flag"),
            tuple(rows),
            src,
            numeric=frozenset({1, 2}),
            flagged=frozenset(flagged),
            totals=frozenset({total_at}),
            widths=(48, 22, 16, 14),
        ),
    ]
    return blocks + [Paragraph(w, "warning") for w in allocation_warnings(t)]


def _left(t: AllocationTotals) -> str:
    left = t.remaining
    return "—" if left is None else f"{amount(left, t.unit)} left"


def _flag(t: AllocationTotals) -> str:
    if t.over_allocated:
        return "OVER-ALLOCATED"
    return "OVERSPENT" if t.overspent else ""


def allocation_warnings(t: AllocationTotals) -> list[str]:
    """The flags in words, with the numbers (no flag, no sentence)."""
    out = []
    available = t.available or 0
    if t.over_allocated:
        out.append(
            f"Over-allocated: the minimum allocations ({amount(t.minimum, t.unit)}) exceed "
            f"the {amount(available, t.unit)} available by {amount(t.minimum - available, t.unit)}."
        )
    elif t.maximum_exceeds:
        out.append(
            f"The upper ends of the ranges ({amount(t.maximum, t.unit)}) exceed the "
            f"{amount(available, t.unit)} available by {amount(t.maximum - available, t.unit)}: "
            "not every priority can receive its maximum."
        )
    if t.overspent:
        out.append(
            f"Overspent: {amount(t.spent, t.unit)} spent against "
            f"{amount(available, t.unit)} available."
        )
    over = [x for x in t.lines if x.over_maximum]
    if over:
        names = ", ".join(f"priority {x.allocation.priority}" for x in over)
        out.append(f"Spent more than the maximum allocated: {names}.")
    return out


def _lessons_section(data: ProgressData) -> list[Block]:
    if not data.lessons:
        return [Heading("Key lessons"), Paragraph("No lesson was recorded in the period.")]
    names = {w.number: w.name for w in data.plan.workstreams}
    items = tuple(
        f"{x.lesson} ({short_date(x.date)}"
        + (f"; workstream {x.workstream}: {names.get(x.workstream, '')}" if x.workstream else "")
        + ")"
        for x in data.lessons
    )
    return [Heading("Key lessons"), Bullets(items)]


def _actions_section(data: ProgressData, src: str) -> list[Block]:
    if not data.actions:
        return [Heading("Action needed"), Paragraph("No action is open.")]
    rows = tuple(
        (
            x.action.action,
            x.action.owner,
            short_date(x.action.due_date),
            OVERDUE if x.overdue else "",
        )
        for x in data.actions
    )
    flagged = frozenset(i for i, x in enumerate(data.actions) if x.overdue)
    table = Table(
        ("Action", "Owner", "Due", "Flag"),
        rows,
        src,
        flagged=flagged,
        nowrap=frozenset({2}),
        widths=(50, 26, 13, 11),
    )
    return [Heading("Action needed"), table]
