"""The planning brief for an executive committee: a few pages of what the data says now.

The brief is a list of sections. Each has a provider: a small function that returns the
section's blocks, or None when its data is absent, in which case the brief prints the
section's `missing` line ("Not yet computed: run `ssp needs`") and never a number of its own.
To add a section, write a provider that reads its stored results through its service (the
latest stored run; a provider never recomputes a run nor invents a number) and add one
`Section(...)` line to `SECTIONS`.

Every figure states its source and date; when any source is synthetic, every page says so.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from ssp_planner import __version__
from ssp_planner.allocation import format_rands
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import NotFoundError, SSPError
from ssp_planner.monitoring.framework import load_framework
from ssp_planner.monitoring.periods import (
    Period,
    PeriodError,
    PeriodType,
    months_of,
    parse_period,
    roll_up,
)
from ssp_planner.monitoring.targets import Status as MEStatus
from ssp_planner.plan import Status, long_date, short_date
from ssp_planner.plan.status import is_overdue, status_at
from ssp_planner.reports.charts import supply_demand_chart
from ssp_planner.reports.maps import choropleth_png
from ssp_planner.reports.render import (
    Block,
    Document,
    Figure,
    Format,
    Heading,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Table,
    render,
)
from ssp_planner.services import allocation as allocation_service
from ssp_planner.services import plan as plan_service
from ssp_planner.services.areas import area_ids_by_code, areas_frame, population_frame
from ssp_planner.services.boundaries import boundaries_frame, boundary_source
from ssp_planner.services.monitoring import indicator_table
from ssp_planner.services.needs import latest_needs_run
from ssp_planner.services.summary import inventory_summary, synthetic_sources
from ssp_planner.services.web_projection import ProjectionView, projection_view
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch, Practitioner
from ssp_planner.store.models_monitoring import DataValue
from ssp_planner.web.roles import NATIONAL
from ssp_planner.workforce.hierarchy import ancestor_at
from ssp_planner.workforce.summary import ALL

BANNER = "SYNTHETIC DEMO DATA: made-up figures for demonstration, not real people or counts"


@dataclass(frozen=True)
class BriefContext:
    engine: Engine
    scenario: str | None
    today: date


Provider = Callable[[BriefContext], list[Block] | None]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    provider: Provider
    missing: str  # shown instead of the section's content when the provider returns None


# --- providers ----------------------------------------------------------------------------------


def headline_numbers(ctx: BriefContext) -> list[Block] | None:
    """National head-count, SSPs per 100,000, posts filled and funded vacant, by category."""
    if not _has_inventory(ctx.engine):
        return None
    table = inventory_summary(ctx.engine, AreaLevel.COUNTRY)
    total = table[table["category"] == ALL].iloc[0]
    src = f"Source: {_inventory_source(ctx.engine)}; population {total['basis']}."
    figures = KeyFigures(
        (
            KeyFigure(f"{int(total['headcount']):,}", "social service professionals"),
            KeyFigure(_ratio(total["per_100k"]), "SSPs per 100,000 people"),
            KeyFigure(f"{int(total['posts_filled']):,}", "posts filled"),
            KeyFigure(f"{int(total['posts_vacant_funded']):,}", "funded posts vacant"),
            KeyFigure(_rate(total["vacancy_rate"]), "vacancy rate (funded posts)"),
        ),
        src,
    )
    rows = tuple(
        (
            Category(str(r["category"])).label if r["category"] != ALL else "All categories",
            f"{int(r['headcount']):,}",
            _ratio(r["per_100k"]),
            f"{int(r['posts_filled']):,}",
            f"{int(r['posts_vacant_funded']):,}",
            _rate(r["vacancy_rate"]),
        )
        for _i, r in table.iterrows()
    )
    by_category = Table(
        ("Category", "SSPs", "Per 100,000", "Posts filled", "Funded vacant", "Vacancy rate"),
        rows,
        src,
        numeric=frozenset({1, 2, 3, 4, 5}),
        totals=frozenset({len(rows) - 1}),
        widths=(36, 12, 13, 13, 13, 13),
        caption="South Africa, by category",
    )
    return [figures, by_category]


def coverage_map(ctx: BriefContext) -> list[Block] | None:
    """SSPs per 100,000 by district (or province, when only those boundaries are loaded)."""
    level = _boundary_level(ctx.engine, (AreaLevel.DISTRICT, AreaLevel.PROVINCE))
    if level is None or not _has_inventory(ctx.engine):
        return None
    table = inventory_summary(ctx.engine, level)
    values = table[table["category"] == ALL][
        ["code", "name", "headcount", "population", "per_100k", "basis"]
    ]
    src = (
        f"Source: {_inventory_source(ctx.engine)}; population {values['basis'].iloc[0]}; "
        f"boundaries: {boundary_source(ctx.engine, level)}."
    )
    spec = MapSpec(
        "per_100k", "Social service professionals per 100,000 people", "SSPs per 100,000"
    )
    blocks: list[Block] = [_map_figure(ctx, values, level, spec, src)]
    if level is AreaLevel.PROVINCE:
        rows = tuple(
            (
                f"{r.name} ({r.code})",
                f"{int(r.headcount):,}",
                _int(r.population),
                _ratio(r.per_100k),
            )
            for r in values.sort_values("per_100k").itertuples()
        )
        blocks.append(
            Table(
                ("Province", "SSPs", "Population", "Per 100,000"),
                rows,
                src,
                numeric=frozenset({1, 2, 3}),
                widths=(46, 18, 18, 18),
                caption="Provinces from lowest to highest coverage",
            )
        )
    return blocks


def _boundary_level(engine: Engine, levels: tuple[AreaLevel, ...]) -> AreaLevel | None:
    """The first of `levels` with boundaries loaded: maps draw the finest one there is."""
    return next((lv for lv in levels if len(boundaries_frame(engine, lv))), None)


@dataclass(frozen=True)
class MapSpec:
    value: str  # column of the values frame to shade by
    title: str
    legend: str
    diverging: bool = False  # gaps: shortage red, surplus blue, zero white


def _map_figure(
    ctx: BriefContext, values: pd.DataFrame, level: AreaLevel, spec: MapSpec, src: str
) -> Figure:
    """A choropleth PNG (maps.py) of `values` at `level`, with its source under it and inside."""
    shapes = boundaries_frame(ctx.engine, level)
    synthetic = "SYNTHETIC DEMO DATA. " if synthetic_sources(ctx.engine) else ""
    with tempfile.TemporaryDirectory() as tmp:
        path = choropleth_png(
            shapes,
            values[["code", spec.value]].astype({spec.value: "float64"}),
            value=spec.value,
            title=f"{spec.title}, by {level.value}",
            subtitle=f"All SSP categories · as stored on {long_date(ctx.today)}",
            legend=spec.legend,
            diverging=spec.diverging,
            footnote=synthetic + src,
            path=Path(tmp) / "map.png",
        )
        png = path.read_bytes()
    return Figure(
        png,
        f"{spec.title}, by {level.value}",
        src,
        alt=f"Map of South Africa's {level.value}s shaded by {spec.legend}",
    )


def needs_gap(ctx: BriefContext) -> list[Block] | None:
    """The latest stored needs run of the scenario: national need, supply and gap, by province."""
    scenario = ctx.scenario or "baseline"
    found = latest_needs_run(ctx.engine, scenario)
    if found is None:
        return None
    run, rows = found
    src = (
        f"Source: needs run {run.id} (scenario '{run.scenario_name}', norms {run.norms_version}), "
        f"computed {_day(run.created_at)} by SSP Planner {run.software_version}"
        + (" from synthetic data" if run.synthetic else "")
        + "; gap = required − filled (positive: shortage)."
    )
    nation = rows[rows["level"] == AreaLevel.COUNTRY.value].iloc[0]
    figures = KeyFigures(
        (
            KeyFigure(f"{nation['required']:,.0f}", "posts required by the norms"),
            KeyFigure(f"{nation['filled']:,.0f}", "filled"),
            KeyFigure(f"{nation['gap']:,.0f}", "net gap (posts)"),
            KeyFigure(_rate(nation["coverage"]), "coverage (filled ÷ required)"),
        ),
        src,
    )
    provinces = rows[rows["level"] == AreaLevel.PROVINCE.value].sort_values("coverage")
    table = Table(
        ("Province", "Required", "Filled", "Gap", "Coverage"),
        tuple(
            (
                f"{r.name} ({r.code})",
                f"{r.required:,.0f}",
                f"{r.filled:,.0f}",
                f"{r.gap:,.0f}",
                _rate(r.coverage),
            )
            for r in provinces.itertuples()
        ),
        src,
        numeric=frozenset({1, 2, 3, 4}),
        widths=(40, 15, 15, 15, 15),
        caption=f"All SSP categories, provinces from lowest coverage (scenario '{scenario}')",
    )
    blocks: list[Block] = [figures]
    if len(boundaries_frame(ctx.engine, AreaLevel.PROVINCE)):
        spec = MapSpec("gap", "Gap between posts required and filled", "Gap (posts)", True)
        blocks.append(_map_figure(ctx, provinces, AreaLevel.PROVINCE, spec, src))
    return [*blocks, table]


def plan_status(ctx: BriefContext) -> list[Block] | None:
    """Each stored implementation plan's activities by status and workstream, as of today."""
    codes = plan_service.plan_codes(ctx.engine)
    if not codes:
        return None
    blocks: list[Block] = []
    for code in codes:
        blocks += _plan_blocks(ctx, code)
    return blocks


def _plan_blocks(ctx: BriefContext, code: str) -> list[Block]:
    plan = plan_service.load_plan(ctx.engine, code)
    source = plan_service.plan_source(ctx.engine, code)
    statuses = (Status.DONE, Status.ON_TRACK, Status.DELAYED, Status.NOT_STARTED, Status.DROPPED)
    rows, late_total = [], 0
    for ws in plan.workstreams:
        acts = [a for a in plan.activities if a.number.split(".")[0] == str(ws.number)]
        now = [status_at(a, plan.updates, ctx.today) for a in acts]
        late = sum(is_overdue(a.due_date, s, ctx.today) for a, s in zip(acts, now, strict=True))
        late_total += late
        rows.append(
            (
                f"{ws.number}. {ws.name}",
                str(len(acts)),
                *(str(now.count(s)) for s in statuses),
                str(late),
            )
        )
    src = f"Source: {source.describe()}; status as of {long_date(ctx.today)}."
    table = Table(
        ("Workstream", "Activities", *(s.label for s in statuses), "Overdue"),
        tuple(rows),
        src,
        numeric=frozenset(range(1, 8)),
        flagged=frozenset(i for i, r in enumerate(rows) if r[-1] != "0"),
        widths=(37, 10, 8, 9, 9, 10, 9, 9),
        caption=plan.title,
    )
    text = (
        f"{len(plan.activities)} activities in {len(plan.workstreams)} workstreams; "
        f"{late_total} overdue on {long_date(ctx.today)}. "
        f"The progress report (`ssp report progress --plan {code} --period …`) gives the detail."
    )
    return [Paragraph(text), table]


# --- allocation, projection, monitoring: the latest stored results --------------------------------


def allocation_plan(ctx: BriefContext) -> list[Block] | None:
    """The latest stored post plan of the scenario: money, posts by category, the plan against
    the two rules of thumb, the areas given most, what R10 million more buys, and a map."""
    scenario = ctx.scenario or "baseline"
    runs = allocation_service.list_runs(ctx.engine)
    runs = runs[(runs["kind"] == "posts") & (runs["scenario"] == scenario)]
    if runs.empty:
        return None
    latest = runs.iloc[-1]  # list_runs is in run order
    run = allocation_service.reopen(ctx.engine, int(latest["run"]))
    src = (
        f"Source: allocation run {run.run_id} (needs scenario '{scenario}', fairness "
        f"'{run.method}'), computed {_day(latest['created_at'])} by SSP Planner "
        f"{run.software_version}"
        + (" from synthetic data" if run.synthetic else "")
        + f"; inputs sha256 {run.inputs_digest[:16]}."
    )
    blocks: list[Block] = [
        _allocation_figures(run.summary["summary"], src),
        Paragraph(_allocation_money(run.summary["summary"])),
        _posts_by_category(run.areas, src),
        _against_baselines(run.summary["baselines"], src),
        Paragraph(_marginal_text(run.summary["marginal"])),
        _top_areas(run.areas, src),
    ]
    spec = MapSpec("new_per_100k", "New posts funded per 100,000 people", "New posts per 100,000")
    level = _boundary_level(ctx.engine, (AreaLevel.DISTRICT, AreaLevel.PROVINCE))
    if level is not None:
        values = _posts_at(ctx.engine, run.areas, level)
        blocks.insert(2, _map_figure(ctx, values, level, spec, src))
    return blocks


def _allocation_figures(s: dict[str, Any], src: str) -> KeyFigures:
    budget, spent = sum(s["budgets"].values()), sum(s["spent"].values())
    status = "optimal" if s["optimal"] else "best found in the time limit"
    return KeyFigures(
        (
            KeyFigure(f"{int(s['posts']):,}", "new posts funded"),
            KeyFigure(format_rands(spent), f"a year, of a {format_rands(budget)} budget"),
            KeyFigure(
                f"{s['need_met']:,.0f}", f"posts of need met, of {s['shortage_before']:,.0f} short"
            ),
            KeyFigure(f"{float(s['mip_gap']):.2%}", f"optimality gap ({status})"),
        ),
        src,
    )


def _allocation_money(s: dict[str, Any]) -> str:
    channels = "; ".join(
        f"{name}: budget {format_rands(b)}, spent {format_rands(s['spent'][name])}"
        for name, b in s["budgets"].items()
    )
    return (
        f"Budgets a year: {channels}. The optimality gap is how far the plan can be from the "
        "best possible at most; 0% means it is the best."
    )


def _posts_by_category(areas: pd.DataFrame, src: str) -> Table:
    sums = areas.groupby("category")[["new_posts", "new_supervisors", "cost_rands"]].sum()
    sums = sums[sums["new_posts"] > 0].sort_values("new_posts", ascending=False)
    rows = [
        (
            Category(str(c)).label,
            f"{int(r.new_posts):,}",
            f"{int(r.new_supervisors):,}",
            format_rands(r.cost_rands),
        )
        for c, r in sums.iterrows()
    ]
    total = sums.sum()
    rows.append(
        (
            "All categories",
            f"{int(total['new_posts']):,}",
            f"{int(total['new_supervisors']):,}",
            format_rands(total["cost_rands"]),
        )
    )
    return Table(
        ("Category", "New posts", "Of which supervisors", "Cost a year"),
        tuple(rows),
        src,
        numeric=frozenset({1, 2, 3}),
        totals=frozenset({len(rows) - 1}),
        widths=(40, 18, 20, 22),
        caption="New posts funded, by category",
    )


def _against_baselines(baselines: list[dict[str, Any]], src: str) -> Table:
    rows = tuple(
        (
            str(b["plan"]).capitalize(),
            f"{int(b['posts']):,}",
            f"{b['need_met']:,.0f}",
            f"{b['shortage_left']:,.0f}",
            f"{int(b['pairs_below_half']):,}",
            f"{int(b['posts_beyond_need']):,}",
        )
        for b in baselines
    )
    return Table(
        ("Plan", "Posts", "Need met", "Shortage left", "Below half coverage", "Beyond need"),
        rows,
        src,
        numeric=frozenset(range(1, 6)),
        totals=frozenset({0}),
        widths=(34, 11, 13, 14, 15, 13),
        caption="The plan against the rules of thumb: the same posts per category (so the "
        "same money) shared by population, or equally per district. Need in posts; below half: "
        "area and category pairs under half the norm.",
    )


def _marginal_text(marginal: list[dict[str, Any]]) -> str:
    if not marginal:
        return "What more money would buy was not priced in this run (`--no-marginal`)."
    return " ".join(
        f"One more {format_rands(m['amount'])} a year for {m['channel']} would buy "
        f"{int(m['extra_posts']):,} more posts, meeting {m['extra_need_met']:,.1f} more posts "
        "of need."
        for m in marginal
    )


def _top_areas(areas: pd.DataFrame, src: str, n: int = 10) -> Table:
    sums = areas.groupby(["code", "name"])[["new_posts", "required", "supply"]].sum()
    top = sums[sums["new_posts"] > 0].sort_values("new_posts", ascending=False).head(n)
    rows = tuple(
        (
            f"{name} ({code})",
            f"{int(r.new_posts):,}",
            _rate(r.supply / r.required if r.required else None),
            _rate((r.supply + r.new_posts) / r.required if r.required else None),
        )
        for (code, name), r in top.iterrows()
    )
    return Table(
        ("Area", "New posts", "Coverage before", "Coverage after"),
        rows,
        src,
        numeric=frozenset({1, 2, 3}),
        widths=(46, 16, 19, 19),
        caption=f"The {len(rows)} areas given most posts (coverage: supply ÷ posts required)",
    )


def _posts_at(engine: Engine, areas: pd.DataFrame, level: AreaLevel) -> pd.DataFrame:
    """A plan's new posts summed to `level`, per 100,000 people (census, or estimated)."""
    with session_scope(engine) as session:
        tree = areas_frame(session)
        people = population_frame(session, tree).set_index("area_id")["population"]
        ids = area_ids_by_code(session)
    up = ancestor_at(tree, level)
    posts = areas.groupby(areas["code"].map(ids).map(up))["new_posts"].sum()
    population = pd.to_numeric(people.reindex(posts.index), errors="coerce")
    return pd.DataFrame(
        {
            "code": tree.set_index("id")["code"].reindex(posts.index).to_numpy(),
            "new_posts": posts.to_numpy(),
            "new_per_100k": (posts / population * 100_000).to_numpy(dtype=float),
        }
    )


def projection_outlook(ctx: BriefContext) -> list[Block] | None:
    """The latest stored projection run, national: supply against demand by year, the
    shortfall in its final year, and its scenarios against the baseline when it has several."""
    try:
        view = projection_view(ctx.engine, NATIONAL, run_id=None)
    except NotFoundError:
        return None
    run, years = view.run, view.years
    src = (
        f"Source: projection run {run.id} (parameters {run.params_version}, from "
        f"{run.start_period}), computed {_day(run.created_at)}"
        + (" from synthetic data" if run.synthetic else "")
        + f"; demand: {run.demand_source}; inputs sha256 {run.inputs_digest}. Shortfall is "
        "summed over provinces and categories: a surplus in one never offsets another."
    )
    last = years[-1]
    figures = KeyFigures(
        (
            KeyFigure(f"{last.supply:,.0f}", f"SSPs in supply in {last.label}"),
            KeyFigure(f"{last.demand:,.0f}", f"SSPs needed in {last.label}"),
            KeyFigure(f"{last.shortfall:,.0f}", f"shortfall in {last.label}"),
            KeyFigure(f"{last.unemployed:,.0f}", "qualified SSPs without a post"),
        ),
        src,
    )
    blocks: list[Block] = [figures, _projection_chart(ctx, view, src), _years_table(view, src)]
    if view.comparison:
        blocks.append(_scenario_table(view, src))
    return blocks


def _projection_chart(ctx: BriefContext, view: ProjectionView, src: str) -> Figure:
    supply, demand, *others = view.chart.series
    synthetic = "SYNTHETIC DEMO DATA. " if synthetic_sources(ctx.engine) else ""
    title = f"Supply and demand, South Africa, {view.years[0].label}–{view.years[-1].label}"
    with tempfile.TemporaryDirectory() as tmp:
        path = supply_demand_chart(
            [str(x) for x in supply.x],
            [y or 0.0 for y in supply.y],
            [y or 0.0 for y in demand.y],
            title=title,
            subtitle=f"All SSP categories; scenario '{view.scenario}'; shaded: the gap.",
            footnote=synthetic + src,
            other_supply={s.name.removeprefix("supply: "): [y or 0.0 for y in s.y] for s in others},
            supply_label=supply.name,
            path=Path(tmp) / "projection.png",
        )
        png = path.read_bytes()
    return Figure(png, title, src, alt="Line chart of SSP supply against demand by year")


def _years_table(view: ProjectionView, src: str) -> Table:
    rows = tuple(
        (
            y.label,
            f"{y.supply:,.0f}",
            f"{y.demand:,.0f}",
            f"{y.shortfall:,.0f}",
            _int(y.graduates),
            _int(y.leavers),
            f"{y.unemployed:,.0f}",
        )
        for y in view.years
    )
    return Table(
        ("Year", "Supply", "Demand", "Shortfall", "Graduates", "Leavers", "Unemployed"),
        rows,
        src,
        numeric=frozenset(range(1, 7)),
        nowrap=frozenset({0}),
        widths=(13, 15, 15, 15, 14, 14, 14),
        caption=f"South Africa, all SSP categories, scenario '{view.scenario}' "
        "(unemployed: qualified graduates without a post)",
    )


def _scenario_table(view: ProjectionView, src: str) -> Table:
    final = view.years[-1].label
    rows = tuple(
        (
            c.scenario,
            f"{c.shortfall_final_year:,.0f}",
            f"{c.post_years_closed:,.0f}",
            format_rands(c.extra_cost_rands),
            "—" if c.post_years_closed_per_r1m is None else f"{c.post_years_closed_per_r1m:.2f}",
        )
        for c in view.comparison or []
    )
    return Table(
        ("Scenario", f"Shortfall {final}", "Post-years closed", "Extra cost", "Per R1 million"),
        rows,
        src,
        numeric=frozenset({1, 2, 3, 4}),
        widths=(30, 17, 17, 20, 16),
        caption="Scenarios against the baseline over the projected years (post-years closed: "
        "shortfall avoided, summed over the years; per R1 million of extra cost)",
    )


def monitoring_status(ctx: BriefContext) -> list[Block] | None:
    """Every indicator, national, for the latest quarter with stored data values: baseline,
    target, actual and status (the dashboard's computation, at national level only)."""
    found = _latest_quarter(ctx.engine)
    if found is None:
        return None
    quarter, complete = found
    framework = load_framework()
    table = indicator_table(
        ctx.engine, level=AreaLevel.COUNTRY, periods=[quarter], framework=framework
    )
    frame = table.frame[table.frame["period"] == str(quarter)]
    limits = framework.status
    values = _latest_batch(ctx.engine, "data_values")
    src = (
        f"Source: {_batch_text(values, 'data values')}; indicators computed {short_date(ctx.today)}"
        f" from their sums for South Africa, {quarter}"
        + ("" if complete else " (not every month of the quarter is stored yet)")
        + f"; baselines and default targets from framework {framework.version}, stored targets "
        f"first. On track: at most {limits.at_risk:.0%} short of target; at risk: up to "
        f"{limits.off_track:.0%}; off track: further."
    )
    counts = frame["status"].value_counts()
    figures = KeyFigures(
        tuple(
            KeyFigure(str(int(counts.get(status.value, 0))), f"indicators {label}")
            for status, label in STATUS_LABELS.items()
        ),
        src,
    )
    baselines = [framework.indicators[c].baseline for c in frame["indicator"]]
    return [figures, _status_table(frame, baselines, src, f"South Africa, {quarter}")]


STATUS_LABELS = {
    MEStatus.ON_TRACK: "on track",
    MEStatus.AT_RISK: "at risk",
    MEStatus.OFF_TRACK: "off track",
    MEStatus.NO_TARGET: "without a target",
}


def _status_table(frame: pd.DataFrame, baselines: list[Any], src: str, where: str) -> Table:
    """Indicator, baseline (when the framework sets any), target, actual and status."""
    with_baseline = any(b is not None for b in baselines)
    rows = tuple(
        (
            r.indicator_name
            + ("" if str(r.unit).lower() in r.indicator_name.lower() else f" ({r.unit})"),
            *((_baseline(b),) if with_baseline else ()),
            _value(r.target),
            _value(r.value),
            str(r.status),
        )
        for r, b in zip(frame.itertuples(), baselines, strict=True)
    )
    first = ("Indicator", "Baseline") if with_baseline else ("Indicator",)
    return Table(
        (*first, "Target", "Actual", "Status"),
        rows,
        src,
        numeric=frozenset(range(1, len(first) + 2)),
        flagged=frozenset(i for i, r in enumerate(rows) if r[-1] == MEStatus.OFF_TRACK.value),
        widths=(46, 15, 11, 13, 15) if with_baseline else (58, 13, 14, 15),
        caption=f"{where}: every indicator of the framework"
        + ("" if with_baseline else " (it sets no baselines yet: `ssp me framework`)"),
    )


def _latest_quarter(engine: Engine) -> tuple[Period, bool] | None:
    """The latest quarter every month of which has stored values (True), else the latest
    quarter with any (False); None when no data values are stored."""
    with session_scope(engine) as session:
        names = session.scalars(select(DataValue.period).distinct()).all()
    stored: set[Period] = set()
    for name in names:
        try:
            stored.add(parse_period(name))
        except PeriodError:
            continue
    quarters = {roll_up(p, PeriodType.QUARTERLY) for p in stored if _fits_quarter(p)}
    if not quarters:
        return None
    full = [q for q in quarters if q in stored or set(months_of(q)) <= stored]
    if full:
        return max(full, key=lambda q: q.start), True
    return max(quarters, key=lambda q: q.start), False


def _fits_quarter(period: Period) -> bool:
    try:
        roll_up(period, PeriodType.QUARTERLY)
    except PeriodError:
        return False
    return True


def _baseline(figure: Any) -> str:
    if figure is None:
        return "—"
    return _value(figure.value) + (f" ({figure.period})" if figure.period else "")


def _value(value: object) -> str:
    if value is None or pd.isna(value):
        return "—"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:,.1f}"


SECTIONS: tuple[Section, ...] = (
    Section(
        "headline",
        "Headline numbers",
        headline_numbers,
        "No inventory is loaded. Fix: import one with `ssp import inventory FILE` "
        "(or run `ssp demo`).",
    ),
    Section(
        "coverage_map",
        "Where the workforce is",
        coverage_map,
        "No map: no province or district boundaries are loaded (or no inventory). Fix: "
        "`ssp areas import-boundaries FILE --level province` with the Municipal Demarcation "
        "Board's boundaries (https://www.demarcation.org.za, 'Spatial data').",
    ),
    Section(
        "gap",
        "Gap between need and supply",
        needs_gap,
        "Not yet computed for this scenario: run `ssp needs` (add `--scenario NAME` for a "
        "stored scenario).",
    ),
    Section(
        "allocation",
        "Allocation of posts and its explanation",
        allocation_plan,
        "Not yet computed for this scenario: fund posts with `ssp allocate posts --budget R500m` "
        "(add `--scenario NAME` for a stored needs scenario).",
    ),
    Section(
        "projection",
        "Projection of supply and shortfall",
        projection_outlook,
        "Not yet computed: project supply and demand with `ssp project` (add `--scenario all` "
        "to compare the bundled scenarios).",
    ),
    Section(
        "monitoring",
        "Monitoring and evaluation dashboard",
        monitoring_status,
        "No M&E data values are stored. Fix: import them with `ssp me import FILE` (DHIS2 "
        "dataValueSets JSON or ADX), and targets with `ssp me targets FILE`.",
    ),
    Section(
        "plan",
        "Implementation plan",
        plan_status,
        "No implementation plan is stored. Fix: `ssp plan import FILE.xlsx` (docs/plan-format.md).",
    ),
)


# --- document -----------------------------------------------------------------------------------


def brief_document(
    engine: Engine,
    *,
    scenario: str | None = None,
    today: date | None = None,
    sections: tuple[Section, ...] = SECTIONS,
) -> Document:
    """Run every section's provider and assemble the brief."""
    ctx = BriefContext(engine, scenario, today or date.today())
    blocks: list[Block] = []
    for section in sections:
        blocks.append(Heading(section.title))
        content = section.provider(ctx)
        blocks += content if content is not None else [Paragraph(section.missing, "note")]
    synthetic = synthetic_sources(engine)
    blocks += [Heading("Sources"), *(Paragraph(s, "source") for s in _sources(engine, synthetic))]
    scenario_text = f" · scenario: {scenario}" if scenario else ""
    return Document(
        title="Social service workforce: planning brief",
        subtitle=f"Prepared {long_date(ctx.today)}{scenario_text} · SSP Planner {__version__}",
        blocks=tuple(blocks),
        banner=BANNER if synthetic else None,
        footer=f"SSP Planner {__version__} · planning brief · {long_date(ctx.today)}",
        meta={"subject": "Planning brief"},
    )


def write_brief(
    engine: Engine,
    path: Path,
    *,
    fmt: Format | str | None = None,
    scenario: str | None = None,
    today: date | None = None,
) -> Path:
    """Write the planning brief as DOCX, PDF, HTML (or Markdown) to `path`."""
    if scenario is not None and not scenario.strip():
        raise SSPError("The scenario name is empty. Fix: pass --scenario NAME, or leave it out.")
    return render(brief_document(engine, scenario=scenario, today=today), path, fmt)


# --- sources and formatting ---------------------------------------------------------------------
# Reads import batches directly: a small read that belongs in the service layer once another
# face needs it too.


def _has_inventory(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return session.scalar(select(Practitioner.id).limit(1)) is not None


def _inventory_source(engine: Engine) -> str:
    return _batch_text(_latest_batch(engine, "inventory"), "inventory")


def _latest_batch(engine: Engine, kind: str) -> ImportBatch | None:
    with session_scope(engine) as session:
        batch = session.scalars(
            select(ImportBatch)
            .where(ImportBatch.kind == kind)
            .order_by(ImportBatch.started_at.desc())
        ).first()
        if batch is not None:
            session.expunge(batch)
        return batch


def _batch_text(batch: ImportBatch | None, what: str) -> str:
    if batch is None:
        return f"the stored {what}"
    marked = " (synthetic)" if batch.synthetic else ""
    return f"{what} imported from {batch.file_name}{marked} on {_day(batch.started_at)}"


def _sources(engine: Engine, synthetic: list[str]) -> list[str]:
    with session_scope(engine) as session:
        batches = session.scalars(select(ImportBatch).order_by(ImportBatch.started_at)).all()
        lines = [
            f"{b.kind}: {b.file_name}, imported {_day(b.started_at)}"
            + (" — SYNTHETIC" if b.synthetic else "")
            for b in batches
        ]
    if synthetic:
        lines.insert(0, "Synthetic demo data in this database: " + "; ".join(synthetic) + ".")
    return lines or ["No data has been imported."]


def _day(moment: datetime) -> str:
    return short_date(moment.date())


def _ratio(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):,.1f}"  # type: ignore[arg-type]


def _rate(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.1%}"  # type: ignore[arg-type]


def _int(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"  # type: ignore[call-overload]
