"""`ssp plan …` (the implementation plan workbook and its progress) and `ssp report …` (the
progress report and the planning brief). Each command parses, calls one function, prints."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ssp_planner.cli_common import ErrorsOption, console, engine_of, make_typer, settings_of
from ssp_planner.domain.dates import parse_date
from ssp_planner.errors import SSPError
from ssp_planner.ingest.errors import write_error_report
from ssp_planner.plan import Plan, Status, short_date
from ssp_planner.plan.status import is_overdue, status_at
from ssp_planner.reports.render import Format
from ssp_planner.services import plan as plan_service

plan_app = make_typer("The implementation plan: workbook import and export, progress updates.")
report_app = make_typer("Reports for executive committees: plan progress, planning brief.")

PlanOpt = Annotated[
    str | None, typer.Option("--plan", help="Plan code (default: the only stored plan).")
]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Output file (default: in SSP_DATA_DIR).")
]
MAX_ERRORS_SHOWN = 30


@report_app.command("progress")
def report_progress(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="DHIS2 period: 2025Q3, 2025, 202509, 2025April.")],
    plan: PlanOpt = None,
    fmt: FormatOpt = Format.DOCX,
    out: OutOpt = None,
) -> None:
    """Progress report on one period: summary, progress table, allocation, lessons, actions."""
    from ssp_planner.reports.progress import write_progress_report

    engine = engine_of(ctx)
    code = plan_service.resolve_code(engine, plan)
    path = out or settings_of(ctx).data_dir / f"progress-{code}-{period}.{fmt.value}"
    written = write_progress_report(engine, code, period, path, fmt=fmt)
    console.print(f"Progress report written to {written}")


@report_app.command("brief")
def report_brief(
    ctx: typer.Context,
    scenario: Annotated[
        str | None, typer.Option(help="Needs scenario (default: baseline).")
    ] = None,
    fmt: FormatOpt = Format.PDF,
    out: OutOpt = None,
) -> None:
    """Planning brief: headline numbers, maps, gap, allocation, projection, M&E, plan status."""
    from ssp_planner.reports.brief import write_brief

    path = out or settings_of(ctx).data_dir / f"planning-brief.{fmt.value}"
    written = write_brief(engine_of(ctx), path, fmt=fmt, scenario=scenario)
    console.print(f"Planning brief written to {written}")


@plan_app.command("import")
def plan_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Plan workbook (.xlsx, docs/plan-format.md).")],
    errors: ErrorsOption = None,
) -> None:
    """Validate every sheet and store the plan; nothing is stored if any row is bad."""
    result = plan_service.import_plan(engine_of(ctx), file)
    if result.errors:
        _print_errors(result, errors or file.with_name(file.stem + ".errors.csv"))
        raise typer.Exit(1)
    if not result.written or result.diff is None:
        console.print(f"Nothing changed: plan {result.plan_code} is stored as {file.name} has it.")
        return
    console.print(
        f"[green]Imported plan {result.plan_code}[/] from {file.name} (batch {result.batch_id})."
    )
    for sheet, change in result.diff.sheets.items():
        if change.any:
            console.print(f"  {sheet}: {change}")


def _print_errors(result: plan_service.PlanImportResult, report: Path) -> None:
    table = Table(title=f"{len(result.errors)} problems in {result.file}")
    for col in ("sheet", "row", "column", "value", "problem", "fix"):
        table.add_column(col, overflow="fold")
    for e in result.errors[:MAX_ERRORS_SHOWN]:
        sheet = e.file.split("sheet ", 1)[-1] if "sheet " in e.file else ""
        table.add_row(sheet, str(e.row), e.column, e.value, e.problem, e.fix)
    console.print(table)
    if len(result.errors) > MAX_ERRORS_SHOWN:
        console.print(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more.")
    console.print(f"Full error report: {write_error_report(result.errors, report)}")
    console.print("[red]Nothing was stored.[/] Fix the rows above and import the file again.")


@plan_app.command("export")
def plan_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the .xlsx workbook.")],
    plan: PlanOpt = None,
) -> None:
    """Write the whole plan as a workbook to edit in Excel and import again."""
    written = plan_service.export_plan(engine_of(ctx), plan, file)
    console.print(f"Plan written to {written}")


@plan_app.command("update")
def plan_update(
    ctx: typer.Context,
    activity: Annotated[str, typer.Argument(help="Activity number, e.g. 4.1.")],
    note: Annotated[str, typer.Option(help="What happened.")],
    status: Annotated[Status | None, typer.Option(help="Status as of this update.")] = None,
    on: Annotated[str | None, typer.Option("--date", help="Date (default today).")] = None,
    author: Annotated[str | None, typer.Option(help="Who reports it.")] = None,
    version: Annotated[
        int | None, typer.Option(help="Refuse if the activity is no longer at this version.")
    ] = None,
    plan: PlanOpt = None,
) -> None:
    """Add a dated progress update to an activity (its status follows the newest update)."""
    act = plan_service.add_progress_update(
        engine_of(ctx),
        plan,
        activity,
        note=note,
        on=_day(on),
        status=status,
        author=author,
        expected_version=version,
    )
    console.print(
        f"Added. Activity {act.number} is {act.status.label.lower()} (version {act.version})."
    )


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    got = parse_date(text)
    if isinstance(got, str):
        raise SSPError(f"--date: {got}. Fix: write the date as YYYY-MM-DD.")
    return got


@plan_app.command("show")
def plan_show(ctx: typer.Context, plan: PlanOpt = None) -> None:
    """The plan's activities with owner, due date, status today and version."""
    print_plan(plan_service.load_plan(engine_of(ctx), plan), date.today())


def print_plan(plan: Plan, today: date) -> None:
    if plan.synthetic:
        console.print("[bold yellow]SYNTHETIC DEMO DATA: a made-up plan for demonstration.[/]")
    table = Table(title=f"{plan.code}: {plan.title}")
    for col in ("No.", "Activity", "Owner", "Due", "Status", "Version", "Flag"):
        table.add_column(col, overflow="fold")
    streams = {w.number: w.name for w in plan.workstreams}
    current = None
    for a in plan.activities:
        stream = int(a.number.split(".")[0])
        if stream != current:
            current = stream
            table.add_row("", f"[bold]Workstream {stream}: {streams.get(stream, '')}[/]")
        status = status_at(a, plan.updates, today)
        flag = "[red]OVERDUE[/]" if is_overdue(a.due_date, status, today) else ""
        table.add_row(
            a.number,
            a.title,
            a.owner or "—",
            short_date(a.due_date),
            status.label,
            str(a.version),
            flag,
        )
    console.print(table)
