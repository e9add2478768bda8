"""`ssp needs`: need, supply and gap per area under a scenario; scenarios; comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.markup import escape
from rich.table import Table

from ssp_planner.cli_common import console, engine_of, make_typer
from ssp_planner.cli_render import fmt, fmt_ratio, synthetic_banner
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.reports.tables import write_table
from ssp_planner.services import needs as needs_service

needs_app = make_typer(
    "Posts against population needs: norms, gaps, scenarios and maps.", no_args_is_help=False
)
scenario_app = make_typer("Stored needs scenarios (TOML or JSON files).")
needs_app.add_typer(scenario_app, name="scenario")

LevelOpt = Annotated[AreaLevel, typer.Option(help="Level to show.")]
NormsOpt = Annotated[Path | None, typer.Option("--norms", help="Your norms TOML (overrides).")]


@needs_app.callback(invoke_without_command=True)
def needs(
    ctx: typer.Context,
    level: LevelOpt = AreaLevel.DISTRICT,
    category: Annotated[str, typer.Option(help="SSP category, or 'all'.")] = "all",
    scenario: Annotated[str, typer.Option(help="Stored scenario name.")] = "baseline",
    norms: NormsOpt = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write all levels as XLSX.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Write all levels as CSV.")] = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="Map: .png or .html.")] = None,
    map_value: Annotated[str, typer.Option(help="gap, coverage or per_100k.")] = "gap",
) -> None:
    """Compute need, supply and gap for every area; show one level; export and map."""
    if ctx.invoked_subcommand is not None:
        return
    engine = engine_of(ctx)
    outcome = needs_service.run_needs(engine, scenario=scenario, norms_file=norms)
    rows = needs_service.level_rows(outcome.table, level, category)
    print_needs(rows, outcome, level, category)
    notes = needs_service.needs_notes(outcome)
    for path in (p for p in (xlsx, csv) if p):
        write_table(outcome.table, path, sheet="needs", notes=notes)
        console.print(f"Written {path}")
    if map_file:
        needs_service.write_need_map(
            engine, outcome, map_file, level=level, category=category, value=map_value
        )
        console.print(f"Map written to {map_file}")


def print_needs(
    rows: pd.DataFrame, outcome: needs_service.NeedsOutcome, level: AreaLevel, category: str
) -> None:
    if banner := synthetic_banner(outcome.synthetic):
        console.print(f"[bold yellow]{banner}[/]")
    title = (
        f"Need and supply by {level.value}: {category} · scenario '{outcome.scenario.name}' "
        f"· norms {outcome.norms.version} · run {outcome.run_id}"
    )
    table = Table(title=title)
    for col in ("Area", "Required", "Filled", "Vacant", "Gap", "Coverage", "per 100k", "WISN"):
        table.add_column(col, justify="left" if col == "Area" else "right")
    for r in rows.sort_values("gap", ascending=False).itertuples():
        gap = f"[red]{fmt_ratio(r.gap)}[/]" if r.gap > 0 else fmt_ratio(r.gap)
        table.add_row(
            f"{r.name} ({r.code})",
            fmt_ratio(r.required),
            fmt(r.filled),
            fmt(r.vacant_funded),
            gap,
            _pct(r.coverage),
            fmt_ratio(r.per_100k),
            fmt_ratio(r.wisn_ratio),
        )
    console.print(table)
    console.print(
        "[dim]Gap = required − filled (positive: shortage). Coverage = filled ÷ "
        "required. WISN = filled ÷ WISN-required staff (below 1: workload pressure).[/]"
    )


def _pct(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.0%}"  # type: ignore[arg-type]


@needs_app.command("compare")
def compare(
    ctx: typer.Context,
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenario names.")],
    level: LevelOpt = AreaLevel.PROVINCE,
    category: Annotated[str, typer.Option(help="SSP category, or 'all'.")] = "all",
    norms: NormsOpt = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write the comparison as XLSX.")] = None,
) -> None:
    """Required posts and gap per area under each scenario, with the change from the first."""
    wide = needs_service.compare_scenarios(engine_of(ctx), scenarios, level=level, norms_file=norms)
    shown = wide[wide["category"] == category]
    table = Table(
        title=f"Scenarios compared by {level.value} ({category}); reference: {scenarios[0]}"
    )
    cols = [c for c in shown.columns if c not in ("code", "category")]
    for col in cols:
        table.add_column(escape(col), justify="left" if col == "name" else "right")
    for _, r in shown.iterrows():
        table.add_row(*(str(r[c]) if c == "name" else fmt_ratio(r[c]) for c in cols))
    console.print(table)
    if xlsx:
        write_table(wide, xlsx, sheet="compare", notes=[f"Scenarios: {', '.join(scenarios)}"])
        console.print(f"Written {xlsx}")


@scenario_app.command("add")
def scenario_add(ctx: typer.Context, file: Annotated[Path, typer.Argument()]) -> None:
    """Store a scenario (replacing one of the same name)."""
    sc = needs_service.save_scenario(engine_of(ctx), file)
    console.print(
        f"Stored scenario '{sc.name}' ({len(sc.modifiers)} modifiers, digest {sc.digest()[:12]})."
    )


@scenario_app.command("list")
def scenario_list(ctx: typer.Context) -> None:
    """The stored scenarios."""
    table = Table("Name", "Year", "Modifiers", "Description", title="Scenarios")
    for sc in needs_service.list_scenarios(engine_of(ctx)):
        kinds = ", ".join(m.kind for m in sc.modifiers) or "—"
        table.add_row(sc.name, str(sc.year), kinds, sc.description)
    console.print(table)
