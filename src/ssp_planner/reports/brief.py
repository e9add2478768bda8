"""The planning brief for an executive committee: a few pages of what the data says now.

The brief is a list of sections. Each has a provider: a small function that returns the
section's blocks, or None when its data is absent, in which case the brief prints the
section's `missing` line ("Not yet computed: run `ssp needs`") and never a number of its own.
To add a section (gap, allocation, projection, M&E as they land), write a provider that reads
its stored results through its service and add one `Section(...)` line to `SECTIONS`.

Every figure states its source and date; when any source is synthetic, every page says so.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

from ssp_planner import __version__
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.errors import SSPError
from ssp_planner.plan import Status, long_date, short_date
from ssp_planner.plan.status import is_overdue, status_at
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
from ssp_planner.services import plan as plan_service
from ssp_planner.services.boundaries import boundaries_frame, boundary_source
from ssp_planner.services.needs import latest_needs_run
from ssp_planner.services.summary import inventory_summary, synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch, Practitioner
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


def _pending(_ctx: BriefContext) -> list[Block] | None:
    """For sections whose results are not stored by any module yet."""
    return None


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
    level = next(
        (
            lv
            for lv in (AreaLevel.DISTRICT, AreaLevel.PROVINCE)
            if len(boundaries_frame(ctx.engine, lv))
        ),
        None,
    )
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
        _pending,
        "Not yet computed: run the post allocation (`ssp allocate`) once it is available.",
    ),
    Section(
        "projection",
        "Projection of supply and shortfall",
        _pending,
        "Not yet computed: run the workforce projection (`ssp project`) once it is available.",
    ),
    Section(
        "monitoring",
        "Monitoring and evaluation dashboard",
        _pending,
        "Not yet in this brief: build the M&E dashboard with `ssp me dashboard`.",
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
    with session_scope(engine) as session:
        batch = session.scalars(
            select(ImportBatch)
            .where(ImportBatch.kind == "inventory")
            .order_by(ImportBatch.started_at.desc())
        ).first()
    if batch is None:
        return "the stored inventory"
    marked = " (synthetic)" if batch.synthetic else ""
    return f"inventory imported from {batch.file_name}{marked} on {_day(batch.started_at)}"


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
