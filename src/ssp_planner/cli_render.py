"""Rich renderings for the CLI: tables, trees and error reports. No domain logic here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from ssp_planner.domain.vocabulary import Category
from ssp_planner.ingest.errors import write_error_report
from ssp_planner.services.inventory import ImportResult

if TYPE_CHECKING:
    from ssp_planner.services.demo import DemoReport
from ssp_planner.workforce.summary import ALL

SHORT = {
    Category.SOCIAL_WORKER: "SW",
    Category.SOCIAL_AUXILIARY_WORKER: "SAW",
    Category.CHILD_YOUTH_CARE_WORKER: "CYCW",
    Category.AUXILIARY_CHILD_YOUTH_CARE_WORKER: "ACYCW",
    Category.COMMUNITY_DEVELOPMENT_PRACTITIONER: "CDP",
}
MAX_ERRORS_SHOWN = 30


def fmt(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real) and float(value).is_integer():
        return f"{int(float(value)):,}"
    return f"{float(value):,.1f}" if isinstance(value, Real) else str(value)


def fmt_ratio(value: object) -> str:
    """Ratios keep one decimal, so 5.0 and 5 per 100k never look like different precision."""
    return "—" if value is None or pd.isna(value) else f"{float(value):,.1f}"  # type: ignore[arg-type]


def synthetic_banner(sources: list[str]) -> str | None:
    if not sources:
        return None
    return "SYNTHETIC DEMO DATA — not real people or real counts (" + "; ".join(sources) + ")"


def print_area_tree(console: Console, table: pd.DataFrame) -> None:
    """Areas as a tree; estimated populations carry '*' and a footnote with the method."""
    nodes: dict[int, Tree] = {}
    root = Tree("[bold]Areas[/]")
    for row in table.sort_values("level", key=lambda s: s.map(_depth), kind="stable").itertuples():
        mark = "*" if row.estimated else ""
        label = f"{row.name} [dim]{row.code}[/]  {fmt(row.population)}{mark}"
        parent = nodes.get(row.parent_id, root) if pd.notna(row.parent_id) else root
        nodes[row.id] = parent.add(label)
    console.print(root)
    notes = sorted(set(table.loc[table["estimated"], "basis"]))
    for note in notes:
        console.print(f"[dim]* population {note}[/]")
    missing = table["population"].isna().sum()
    if missing:
        console.print(f"[yellow]{missing} areas have no population figure (shown as —).[/]")


def _depth(level: object) -> int:
    from ssp_planner.domain.areas import AreaLevel

    return AreaLevel(str(level)).depth


def print_summary(console: Console, table: pd.DataFrame, banner: str | None) -> None:
    """Wide view: one line per area, head-count per category, total, per 100k, posts."""
    if banner:
        console.print(f"[bold yellow]{banner}[/]")
    wide = table.pivot_table(
        index=["code", "name"],
        columns="category",
        values="headcount",
        observed=True,
        aggfunc="sum",
    )
    totals = table[table["category"] == ALL].set_index(["code", "name"])
    out = Table(title=f"SSPs by {table['level'].iloc[0]}", show_footer=True)
    out.add_column("Area", footer="Total")
    for cat in Category:
        out.add_column(SHORT[cat], justify="right", footer=fmt(int(wide[cat.value].sum())))
    out.add_column("All", justify="right", footer=fmt(int(totals["headcount"].sum())))
    out.add_column("per 100k", justify="right")
    out.add_column("Filled", justify="right", footer=fmt(int(totals["posts_filled"].sum())))
    out.add_column("Vacant", justify="right", footer=fmt(int(totals["posts_vacant_funded"].sum())))
    for (code, name), row in totals.iterrows():
        est = "*" if row["estimated"] else ""
        out.add_row(
            f"{name} ({code})",
            *(fmt(int(wide.loc[(code, name), c.value])) for c in Category),
            fmt(int(row["headcount"])),
            fmt_ratio(row["per_100k"]) + est,
            fmt(int(row["posts_filled"])),
            fmt(int(row["posts_vacant_funded"])),
        )
    console.print(out)
    if totals["estimated"].any():
        console.print(
            "[dim]* per 100k on an estimated population: "
            f"{totals.loc[totals['estimated'], 'basis'].iloc[0]}[/]"
        )


def print_import_result(console: Console, result: ImportResult, report: Path) -> None:
    """Counts, then the errors as a table (first few) and the full report's path."""
    if result.errors:
        table = Table(title=f"{len(result.errors)} problems in {result.file}")
        for col in ("row", "column", "value", "problem", "fix"):
            table.add_column(col, overflow="fold")
        for e in result.errors[:MAX_ERRORS_SHOWN]:
            table.add_row(str(e.row), e.column, e.value, e.problem, e.fix)
        console.print(table)
        if len(result.errors) > MAX_ERRORS_SHOWN:
            console.print(f"… and {len(result.errors) - MAX_ERRORS_SHOWN} more.")
        console.print(f"Full error report: {write_error_report(result.errors, report)}")
    if result.written:
        console.print(
            f"[green]Imported {result.file}[/] as batch {result.batch_id}: "
            f"{result.inserted} new, {result.updated} updated, {result.unchanged} unchanged, "
            f"{result.rejected} rejected (of {result.rows_read} rows)."
        )
    elif result.errors:
        console.print(
            "[red]Nothing was stored.[/] Fix the rows above and import again, "
            "or use --skip-invalid to store the valid rows only."
        )
    else:
        console.print(
            f"Nothing changed: all {result.unchanged} rows of {result.file} are "
            "already stored as they are."
        )


@contextmanager
def step_progress(console: Console, total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over named steps; the callable advances it and shows the step's name."""
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("Starting", total=total)
        started = False

        def step(message: str) -> None:
            nonlocal started
            progress.update(task, description=message, advance=1 if started else 0)
            started = True

        yield step
        progress.update(task, description="Done", completed=total)


def print_demo_report(console: Console, report: DemoReport) -> None:
    inv = report.inventory
    console.print(
        f"Demo database ready (seed {report.seed}): {inv.inserted:,} synthetic SSPs imported "
        f"and validated, {report.posts:,} posts, {report.indicators:,} area indicator values."
    )
    for b in report.boundaries:
        console.print(f"Boundaries: {b.summary()}")
    if report.boundary_note:
        console.print(f"[yellow]{report.boundary_note}[/]")


def print_headline(console: Console, national: pd.DataFrame) -> None:
    """One sentence a planner can read out: the national head-count, ratio and vacancies."""
    row = national[national["category"] == ALL].iloc[0]
    console.print(
        f"[bold]{row['name']}: {fmt(row['headcount'])} SSPs[/], {fmt_ratio(row['per_100k'])} per "
        f"100,000 people (population {fmt(row['population'])}, {row['basis']}); posts: "
        f"{fmt(row['posts_filled'])} filled, {fmt(row['posts_vacant_funded'])} funded vacant "
        f"(vacancy rate {row['vacancy_rate']:.1%})."
    )


def print_demo_accounts(console: Console, accounts: list[tuple[str, str, str]]) -> None:
    """The demo's web accounts, one per role: shown once, here, so people can sign in."""
    table = Table("User", "Role", "Password", title="Demo web accounts (`ssp serve --dev`)")
    for username, role, password in accounts:
        table.add_row(username, role, password)
    console.print(table)
