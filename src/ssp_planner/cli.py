"""The `ssp` command: each command parses, calls one service function, prints the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssp_planner.cli_allocate import allocate_app
from ssp_planner.cli_common import (
    ErrorsOption,
    SkipInvalidOption,
    console,
    engine_of,
    make_typer,
    settings_of,
)
from ssp_planner.cli_link import link_app
from ssp_planner.cli_me import me_app
from ssp_planner.cli_needs import needs_app
from ssp_planner.cli_people import mentoring_app, project_cmd, supervision_app
from ssp_planner.cli_render import (
    print_area_tree,
    print_demo_accounts,
    print_demo_report,
    print_headline,
    print_import_result,
    print_summary,
    step_progress,
    synthetic_banner,
)
from ssp_planner.cli_report import plan_app, report_app
from ssp_planner.cli_web import serve_cmd, users_app
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.ingest.inventory import COLUMNS as INVENTORY_COLUMNS
from ssp_planner.ingest.inventory import SHEET as INVENTORY_SHEET
from ssp_planner.reports.tables import write_table
from ssp_planner.reports.template import write_template
from ssp_planner.services import areas as area_service
from ssp_planner.services import summary as summary_service
from ssp_planner.services.inventory import import_inventory
from ssp_planner.settings import Settings
from ssp_planner.store import connect

app = make_typer("SSP Planner: plan, deploy and monitor the social service workforce.")
areas_app = make_typer("South African areas: tree, populations, boundaries.", no_args_is_help=False)
import_app = make_typer("Import data files (CSV or XLSX); nothing is stored if any row is bad.")
template_app = make_typer("Write Excel templates to fill in.")
inventory_app = make_typer("The inventory of social service professionals.")
app.add_typer(areas_app, name="areas")
app.add_typer(import_app, name="import")
app.add_typer(template_app, name="template")
app.add_typer(inventory_app, name="inventory")
app.add_typer(needs_app, name="needs")
app.add_typer(me_app, name="me")
app.add_typer(plan_app, name="plan")
app.add_typer(report_app, name="report")
app.add_typer(link_app, name="link")
app.add_typer(users_app, name="users")
app.command("project")(project_cmd)
app.add_typer(supervision_app, name="supervision")
app.add_typer(mentoring_app, name="mentoring")
app.add_typer(allocate_app, name="allocate")
app.command("serve")(serve_cmd)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: SSP_DATABASE_URL, else sqlite:///ssp.db)."),
]


@app.callback()
def main(ctx: typer.Context, db: DbOption = None) -> None:
    settings = Settings() if db is None else Settings(database_url=db)
    ctx.obj = settings


@app.command()
def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 20261125,
    size: Annotated[int, typer.Option(help="Number of synthetic SSPs.")] = 30_000,
    months: Annotated[int, typer.Option(help="Months of synthetic M&E data values.")] = 24,
) -> None:
    """Build a fresh demo database: real areas and boundaries, a synthetic inventory; summarise."""
    from ssp_planner.services.accounts import create_demo_users
    from ssp_planner.services.demo import DemoContext, demo_stages, run_demo, run_demo_stages

    settings = settings_of(ctx)
    engine = connect(settings.database_url)
    out_dir = settings.data_dir / "out"
    with step_progress(console, total=5 + len(demo_stages())) as step:
        report = run_demo(
            engine,
            work_dir=out_dir,
            boundaries_dir=settings.boundaries_dir(),
            seed=seed,
            size=size,
            step=step,
        )
        lines, files = run_demo_stages(DemoContext(engine, out_dir, seed, size, months), step)
    print_demo_report(console, report)
    banner = synthetic_banner(summary_service.synthetic_sources(engine))
    print_headline(console, summary_service.inventory_summary(engine, AreaLevel.COUNTRY))
    print_summary(console, summary_service.inventory_summary(engine, AreaLevel.PROVINCE), banner)
    for line in lines:
        console.print(line)
    print_demo_accounts(console, create_demo_users(engine))
    console.print(
        f"[bold]Demo outputs in {out_dir.resolve()}:[/] " + ", ".join(f.name for f in files)
    )


@areas_app.callback(invoke_without_command=True)
def areas_tree(
    ctx: typer.Context,
    level: Annotated[AreaLevel, typer.Option(help="Deepest level to show.")] = AreaLevel.DISTRICT,
) -> None:
    """Print the area tree with populations (estimates marked)."""
    if ctx.invoked_subcommand is None:
        print_area_tree(console, area_service.area_table(engine_of(ctx), level))


@areas_app.command("load")
def areas_load(ctx: typer.Context) -> None:
    """Load the bundled South African areas (a no-op when already loaded)."""
    count = area_service.load_areas(engine_of(ctx))
    console.print(f"Loaded {count} areas." if count else "Areas were already loaded.")


@areas_app.command("import-boundaries")
def areas_import_boundaries(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="GeoJSON, shapefile (.shp) or zipped shapefile.")],
    level: Annotated[AreaLevel | None, typer.Option(help="Level of the features.")] = None,
    code_field: Annotated[str | None, typer.Option(help="Property holding the area code.")] = None,
) -> None:
    """Attach boundaries to stored areas, matching features on area code."""
    from ssp_planner.services.boundaries import import_boundaries

    result = import_boundaries(
        engine_of(ctx), file, level=level.value if level else None, code_field=code_field
    )
    console.print(result.summary())


@import_app.command("inventory")
def import_inventory_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Inventory CSV or XLSX (docs/inventory-format.md).")],
    skip_invalid: SkipInvalidOption = False,
    errors: ErrorsOption = None,
) -> None:
    """Validate and import an inventory file; every error is reported with its fix."""
    result = import_inventory(engine_of(ctx), file, skip_invalid=skip_invalid)
    report = errors or file.with_name(file.stem + ".errors.csv")
    print_import_result(console, result, report)
    if result.errors and not result.written and not skip_invalid:
        raise typer.Exit(1)


@template_app.command("inventory")
def template_inventory(
    out: Annotated[Path, typer.Argument(help="Where to write the .xlsx template.")],
) -> None:
    """Write the inventory template: headers, an example row, allowed values, column help."""
    write_template(out, sheet=INVENTORY_SHEET, columns=INVENTORY_COLUMNS)
    console.print(f"Template written to {out}")


@inventory_app.command("summary")
def inventory_summary(
    ctx: typer.Context,
    level: Annotated[AreaLevel, typer.Option(help="Level to summarise at.")] = AreaLevel.PROVINCE,
    csv: Annotated[Path | None, typer.Option(help="Also write the table as CSV.")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Also write the table as XLSX.")] = None,
) -> None:
    """Head-count by category and area, SSPs per 100,000 people, posts filled and vacant."""
    engine = engine_of(ctx)
    table = summary_service.inventory_summary(engine, level)
    banner = synthetic_banner(summary_service.synthetic_sources(engine))
    print_summary(console, table, banner)
    notes = summary_service.provenance_notes(engine, table)
    for path, sheet in ((csv, "summary"), (xlsx, "summary")):
        if path:
            write_table(table, path, sheet=sheet, notes=notes)
            console.print(f"Written {path}")
