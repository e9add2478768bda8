"""`ssp allocate`: fund new posts under a budget, choose service points, reopen and compare runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import pandas as pd
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ssp_planner.allocation import format_rands, parse_rands
from ssp_planner.cli_common import console, engine_of, make_typer
from ssp_planner.cli_render import fmt
from ssp_planner.reports.site_map import check_map_path
from ssp_planner.services import allocation as service

allocate_app = make_typer("Fund new posts under a budget; choose service points; explain why.")
T = TypeVar("T")
FileOpt = Annotated[Path | None, typer.Option(help="CSV or XLSX (docs/allocation.md).")]


@contextmanager
def _spinner(message: str) -> Iterator[None]:
    """A spinner with elapsed time: national solves take a few seconds."""
    columns = (SpinnerColumn(), TextColumn(message), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        progress.add_task(message, total=None)
        yield


def _run(message: str, fn: Callable[[], T]) -> T:
    with _spinner(message):
        return fn()


@allocate_app.command("posts")
def posts(
    ctx: typer.Context,
    budget: Annotated[str, typer.Option(help="Yearly budget for government posts, e.g. R500m.")],
    scenario: Annotated[
        str, typer.Option(help="Needs scenario (latest run is used).")
    ] = "baseline",
    fairness: Annotated[str, typer.Option(help="total (most need met) or maxmin.")] = "total",
    npo_budget: Annotated[str | None, typer.Option(help="Budget for NPO subsidies.")] = None,
    costs: Annotated[Path | None, typer.Option(help="Your costs TOML (overrides).")] = None,
    candidates: FileOpt = None,
    limits: FileOpt = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write plan + explanation as XLSX.")] = None,
    explanation: Annotated[Path | None, typer.Option(help="Write the explanation (.md).")] = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="Map: .png or .html.")] = None,
    marginal: Annotated[bool, typer.Option(help="Also price one more R10 million.")] = True,
    time_limit: Annotated[float, typer.Option(help="Solver time limit, seconds.")] = 120.0,
) -> None:
    """Decide where new posts go so that need is met as fairly as possible, and show why."""
    engine = engine_of(ctx)
    request = service.PostRequest(
        budget=parse_rands(budget),
        scenario=scenario,
        fairness=fairness,  # type: ignore[arg-type]
        npo_budget=parse_rands(npo_budget) if npo_budget else None,
        costs_file=costs,
        candidates_file=candidates,
        limits_file=limits,
        marginal=marginal,
        time_limit=time_limit,
    )
    result = _run("Solving the post allocation (HiGHS)", lambda: service.allocate(engine, request))
    _print_posts(result)
    for path, write in ((xlsx, service.write_plan), (explanation, service.write_explanation)):
        if path:
            console.print(f"Written {write(result, path)}")
    if map_file:
        console.print(f"Map written to {service.write_plan_map(engine, result, map_file)}")


@allocate_app.command("sites")
def sites(
    ctx: typer.Context,
    p: Annotated[int, typer.Option("--p", help="Number of sites to choose.")],
    demand: Annotated[Path, typer.Option(help="Demand points: demand_id, lat, lon, need.")],
    sites_file: Annotated[Path, typer.Option("--sites", help="Sites: site_id, name, lat, lon.")],
    radius_km: Annotated[float | None, typer.Option(help="Coverage radius / cut-off, km.")] = None,
    model: Annotated[str, typer.Option(help="mclp (cover most need) or pmedian.")] = "mclp",
    travel_times: FileOpt = None,
    radius_minutes: Annotated[float | None, typer.Option(help="With travel times.")] = None,
    xlsx: Annotated[Path | None, typer.Option(help="Write sites and demand as XLSX.")] = None,
    map_file: Annotated[Path | None, typer.Option("--map", help="Map: .png or .html.")] = None,
) -> None:
    """Choose p service points: most need within a radius (MCLP) or least distance (p-median)."""
    if map_file:
        check_map_path(map_file)  # before the solve, not after it
    engine = engine_of(ctx)
    request = service.SiteRequest(
        demand_file=demand,
        sites_file=sites_file,
        p=p,
        model=model,
        radius_km=radius_km,
        travel_times_file=travel_times,
        radius_minutes=radius_minutes,
    )
    result = _run("Choosing sites (HiGHS)", lambda: service.allocate_sites(engine, request))
    _print_sites(result)
    if xlsx:
        console.print(f"Written {service.write_sites(result, xlsx)}")
    if map_file:
        console.print(f"Map written to {service.write_sites_map(engine, result, map_file)}")


@allocate_app.command("runs")
def runs(ctx: typer.Context) -> None:
    """Stored allocation runs, with their inputs' hash."""
    frame = service.list_runs(engine_of(ctx))
    _print_frame(frame.assign(inputs_digest=frame["inputs_digest"].str[:12]), "Allocation runs")


@allocate_app.command("show")
def show(ctx: typer.Context, run: Annotated[int, typer.Argument(help="Run number.")]) -> None:
    """Reopen a stored run: its parameters and results as computed."""
    stored = service.reopen(engine_of(ctx), run)
    console.print(
        f"Run {stored.run_id} ({stored.kind}, {stored.method}), {stored.created}, "
        f"SSP Planner {stored.software_version}, inputs {stored.inputs_digest[:16]}"
    )
    console.print(f"Parameters: {stored.parameters}")
    rows = stored.areas
    shown = rows[rows["new_posts"] > 0] if "new_posts" in rows else rows[rows["chosen"]]
    _print_frame(shown.head(40), f"Run {run}: {len(shown)} rows with posts or chosen sites")


@allocate_app.command("compare")
def compare_cmd(
    ctx: typer.Context,
    first: Annotated[int, typer.Argument(help="First run.")],
    second: Annotated[int, typer.Argument(help="Second run.")],
) -> None:
    """Posts per area and category in two post plans, and the difference."""
    frame = service.compare(engine_of(ctx), first, second)
    _print_frame(
        frame.head(60), f"Runs {first} and {second}: {len(frame)} areas differ or get posts"
    )


def _print_posts(result: service.PostAllocation) -> None:
    for note in result.notes:
        style = "bold yellow" if note.startswith(("SYNTHETIC", "ASSUMED")) else "dim"
        console.print(f"[{style}]{note}[/]")
    s = result.explanation.summary
    spent = sum(result.plan.spent().values())
    console.print(
        f"Run {result.run_id}: {s['posts']:,} new posts for {format_rands(spent)} a year "
        f"(budget {format_rands(result.plan.problem.budget)}); need met {s['need_met']:,.1f} of "
        f"{s['shortage_before']:,.1f} posts short; optimality gap {result.plan.mip_gap:.3%}."
    )
    areas = result.explanation.areas
    by_cat = areas.groupby("category", observed=True)[["shortage", "new_posts", "cost_rands"]].sum()
    _print_frame(by_cat.reset_index(), "New posts by category")
    _print_frame(result.explanation.baselines.round(2), "This plan against the rules of thumb")
    for m in result.explanation.marginal:
        console.print(
            f"One more {format_rands(m.amount)} ({m.channel}) buys "
            f"{int(m.extra['extra_posts'].sum())} posts, +{m.extra_need_met:,.1f} need met."
        )


def _print_sites(result: service.SiteAllocation) -> None:
    r = result.result
    for note in result.notes:
        console.print(f"[dim]{note}[/]")
    what = (
        f"{r.covered_need:,.1f} of {r.total_need:,.1f} need covered "
        f"({r.covered_need / max(r.total_need, 1e-9):.1%})"
        if r.kind == "mclp"
        else f"need-weighted distance {r.objective:,.1f} {r.unit}"
    )
    console.print(
        f"Run {result.run_id}: {len(r.chosen)} sites chosen; {what}; gap {r.mip_gap:.3%}."
    )
    chosen = r.sites[r.sites["chosen"]].merge(result.sites[["site_id", "name"]], on="site_id")
    _print_frame(chosen, "Chosen sites")


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(
            str(col), justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left"
        )
    for row in frame.itertuples(index=False):
        table.add_row(*(fmt(v) for v in row))
    console.print(table)
