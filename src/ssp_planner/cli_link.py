"""`ssp link`: import source lists, link them into persons, report, review uncertain pairs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.prompt import Prompt
from rich.table import Table

from ssp_planner.cli_common import console, engine_of, make_typer
from ssp_planner.ingest.errors import write_error_report
from ssp_planner.linkage import Band, GoldenRules, LinkOptions
from ssp_planner.services import linkage as service

link_app = make_typer("Record linkage: many source lists into one set of persons, with review.")

ShowPersonal = Annotated[
    bool, typer.Option("--show-personal", help="Show ID numbers in full (masked by default).")
]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"'{text}' is not a date: write YYYY-MM-DD") from exc


@link_app.command("import-source")
def import_source_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Source list, CSV or XLSX (docs/linkage.md).")],
    source: Annotated[str, typer.Option(help="Name of the source, e.g. payroll, register.")],
    date_: Annotated[str, typer.Option("--date", help="Date of the list (YYYY-MM-DD).")],
    errors: Annotated[
        Path | None, typer.Option(help="Validation report (.csv/.xlsx); default FILE.issues.csv.")
    ] = None,
) -> None:
    """Store a source list as read; incomplete rows are kept and listed in the report."""
    result = service.import_source(engine_of(ctx), file, source=source, source_date=_day(date_))
    report = errors or file.with_name(file.stem + ".issues.csv")
    if result.issues:
        write_error_report(result.issues, report)
    if result.already_imported:
        console.print(f"{file.name}: already imported as {source} {result.source_date}.")
    elif result.batch_id is None:
        console.print(f"[red]{file.name}: not a source list; see {report}.[/]")
        raise typer.Exit(1)
    else:
        console.print(
            f"{file.name}: {result.rows_read:,} rows stored as source '{source}' "
            f"({result.source_date}); {result.rows_with_issues:,} rows with warnings"
            + (f", listed in {report}." if result.issues else ".")
        )


@link_app.command("run")
def run_cmd(
    ctx: typer.Context,
    threshold: Annotated[
        float, typer.Option(help="Link pairs at this probability or more.")
    ] = 0.95,
    review_low: Annotated[float, typer.Option(help="Review pairs from here to threshold.")] = 0.5,
    priority: Annotated[
        str | None, typer.Option(help="Sources most trusted first, e.g. register,payroll,npo.")
    ] = None,
) -> None:
    """Link the newest list of every source into persons with golden records."""
    try:
        options = LinkOptions(band=Band(threshold, review_low))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    rules = GoldenRules(priority=tuple(priority.split(","))) if priority else GoldenRules()
    with console.status("Linking (training the model, scoring pairs)..."):
        run = service.run_linkage(engine_of(ctx), options=options, rules=rules)
    console.print(
        f"Run {run.run_id}: {run.records:,} records -> {run.persons:,} persons "
        f"({run.multi_source_persons:,} in more than one source); "
        f"{run.review_pairs:,} pairs to review, {run.persons_with_conflicts:,} persons with "
        "conflicts. Next: `ssp link report`, `ssp link review`."
    )


@link_app.command("report")
def report_cmd(
    ctx: typer.Context,
    chart: Annotated[
        Path | None, typer.Option(help="Write the match-weight histogram (PNG).")
    ] = None,
    show_personal: ShowPersonal = False,
    conflicts: Annotated[int, typer.Option(help="Conflicts to list.")] = 20,
) -> None:
    """Persons, sources per person, conflicts and the match-weight chart of the latest run."""
    report = service.linkage_report(engine_of(ctx), show_personal=show_personal)
    if report.synthetic:
        console.print("[bold yellow]SYNTHETIC DEMO DATA — not real people.[/]")
    console.print(
        f"Run {report.run_id} ({report.created_at}): {report.records:,} records, "
        f"{report.persons:,} persons; link at p ≥ {report.threshold}, "
        f"review from {report.review_low}; {report.review_pending:,} pairs await review."
    )
    console.print(_sources_table(report))
    spread = ", ".join(f"{n} source(s): {c:,}" for n, c in report.sources_per_person.items())
    console.print(f"Persons by number of sources: {spread}")
    if report.conflicts:
        console.print(_conflicts_table(report, conflicts))
    else:
        console.print("No conflicts: no person's records disagree on an identifying field.")
    if chart:
        console.print(f"Chart written to {service.write_report_chart(report, chart)}")


def _sources_table(report: service.LinkReport) -> Table:
    table = Table(title="Sources")
    for head in ("source", "records", "persons"):
        table.add_column(head, justify="left" if head == "source" else "right")
    for name, records in report.sources.items():
        table.add_row(name, f"{records:,}", f"{report.persons_per_source[name]:,}")
    return table


def _conflicts_table(report: service.LinkReport, limit: int) -> Table:
    table = Table(title=f"Conflicts ({len(report.conflicts):,} in all, first {limit} shown)")
    for head in ("person", "field", "values"):
        table.add_column(head)
    for c in report.conflicts[:limit]:
        table.add_row(str(c.person_id), c.field, " | ".join(c.values))
    return table


@link_app.command("review")
def review_cmd(
    ctx: typer.Context,
    show_personal: ShowPersonal = False,
    limit: Annotated[int | None, typer.Option(help="Pairs to show at most.")] = None,
) -> None:
    """Show uncertain pairs side by side: [a]ccept, [r]eject, [s]kip, [q]uit."""
    engine = engine_of(ctx)
    items = service.pending_reviews(engine, show_personal=show_personal, limit=limit)
    if not items:
        console.print("Nothing to review.")
        return
    done = 0
    for n, item in enumerate(items, start=1):
        console.print(_pair_table(item, n, len(items)))
        answer = Prompt.ask(escape("[a]ccept / [r]eject / [s]kip / [q]uit"), choices=list("arsq"))
        if answer == "q":
            break
        if answer in "ar":
            service.decide(engine, item.pair_id, accept=answer == "a")
            done += 1
    console.print(f"{done} decision(s) stored; they apply on the next `ssp link run`.")


def _pair_table(item: service.ReviewItem, n: int, total: int) -> Table:
    prob = "—" if item.probability is None else f"{item.probability:.3f}"
    table = Table(title=f"Pair {n} of {total}: {item.reason} (match probability {prob})")
    table.add_column("field")
    for view in (item.left, item.right):
        table.add_column(f"{view.source} ({view.source_date}) row {view.row}")
    for name in service.REVIEW_FIELDS:
        left, right = item.left.cells[name], item.right.cells[name]
        style = "" if left == right or not (left and right) else "bold yellow"
        table.add_row(name, left, right, style=style)
    return table
