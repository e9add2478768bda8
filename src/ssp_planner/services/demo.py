"""`ssp demo`: a fresh database with real areas and a synthetic, seeded national inventory.

The synthetic inventory goes in through the same import as a user's file (written to CSV, then
validated row by row), so the demo also proves the import path end to end.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, select

from ssp_planner.demo import DemoData, generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.errors import SSPError
from ssp_planner.ingest.inventory import COLUMNS
from ssp_planner.services.areas import area_ids_by_code, load_areas
from ssp_planner.services.batches import now, start_batch
from ssp_planner.services.boundaries import (
    BoundaryImportResult,
    find_boundary_files,
    import_boundaries,
)
from ssp_planner.services.inventory import ImportResult, import_inventory
from ssp_planner.store import migrate, session_scope
from ssp_planner.store.db import reset
from ssp_planner.store.models import Area, AreaIndicator, ImportBatch, Post, Practitioner

BOUNDARY_HELP = (
    "No boundary files found, so maps stay empty. Download the Municipal Demarcation Board's "
    "boundaries (https://www.demarcation.org.za, 'Spatial data': provinces, districts, local "
    "municipalities) and run `ssp areas import-boundaries FILE`."
)
Step = Callable[[str], None]


@dataclass(frozen=True)
class DemoReport:
    seed: int
    inventory: ImportResult
    posts: int
    indicators: int
    boundaries: list[BoundaryImportResult]
    boundary_note: str | None


def run_demo(
    engine: Engine,
    *,
    work_dir: Path,
    boundaries_dir: Path | None,
    seed: int,
    size: int,
    step: Step = lambda _msg: None,
) -> DemoReport:
    """Reset the database, load areas and boundaries, generate and import the inventory."""
    step("Preparing a fresh database")
    _refuse_real_data(engine)
    reset(engine)
    migrate(engine)
    load_areas(engine)
    step("Importing boundaries")
    files = find_boundary_files(boundaries_dir) if boundaries_dir else []
    bounds = [import_boundaries(engine, f, source="../shared/data/areas") for f in files]
    step(f"Generating {size:,} synthetic SSPs (seed {seed})")
    data = generate_demo(bundled_areas(), seed=seed, size=size)
    step("Importing the synthetic inventory (validated like any file)")
    result = import_inventory(
        engine,
        write_inventory_csv(data, work_dir / f"demo-inventory-seed{seed}.csv"),
        synthetic=True,
    )
    if result.errors:
        raise SSPError(f"demo data failed validation: {result.errors[0]}")
    step("Storing posts and area indicators")
    posts, indicators = _store_posts_and_indicators(engine, data)
    return DemoReport(seed, result, posts, indicators, bounds, None if files else BOUNDARY_HELP)


@dataclass(frozen=True)
class DemoContext:
    """What every demo stage gets: the database, where to write, and the demo's seed and size."""

    engine: Engine
    out_dir: Path
    seed: int
    size: int
    months: int = 24  # of monthly M&E data values


StageResult = tuple[list[str], list[Path]]  # report lines, files written


def demo_stages() -> list[tuple[str, Callable[[DemoContext], StageResult]]]:
    """What the demo computes on top of its data, in order."""
    return [
        ("Linking overlapping source lists", _linkage_stage),
        ("Generating monthly M&E data values and the dashboard", _monitoring_stage),
        ("Computing needs and scenarios", _needs_stage),
        ("Allocating the demo budget and choosing service points", _allocation_stage),
        ("Projection, supervision and mentoring", _people_stage),  # demand from the needs run
        ("Loading the demo plan and writing its reports", _plan_stage),  # after needs: the brief
    ]


def run_demo_stages(ctx: DemoContext, step: Step = lambda _msg: None) -> StageResult:
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    files: list[Path] = []
    for title, stage in demo_stages():
        step(title)
        more_lines, more_files = stage(ctx)
        lines += more_lines
        files += more_files
    return lines, files


def _needs_stage(ctx: DemoContext) -> StageResult:
    from ssp_planner.services.needs import needs_demo

    return needs_demo(ctx.engine, ctx.out_dir)


def _monitoring_stage(ctx: DemoContext) -> StageResult:
    from ssp_planner.services.monitoring_demo import seed_monitoring_demo

    me = seed_monitoring_demo(ctx.engine, seed=ctx.seed, months=ctx.months, out_dir=ctx.out_dir)
    line = (
        f"M&E: {me.values.inserted:,} synthetic data values {me.first}–{me.last}; "
        f"dashboard {me.dashboard.name}."
    )
    return [line], [me.values_file, me.dashboard, me.chart]


def _allocation_stage(ctx: DemoContext) -> StageResult:
    from ssp_planner.services.allocation_demo import run_allocation_demo

    report = run_allocation_demo(ctx.engine, out_dir=ctx.out_dir, seed=ctx.seed)
    return report.lines, report.files


def _people_stage(ctx: DemoContext) -> StageResult:
    from ssp_planner.services.people_demo import run_people_demo, summary_lines

    report = run_people_demo(ctx.engine, seed=ctx.seed, out_dir=ctx.out_dir)
    return summary_lines(report), list(report.files)


def _plan_stage(ctx: DemoContext) -> StageResult:
    from ssp_planner.services.plan_demo import plan_demo_stage

    return plan_demo_stage(ctx.engine, ctx.out_dir)


def _linkage_stage(ctx: DemoContext) -> StageResult:
    from ssp_planner.services.linkage_demo import run_linkage_demo

    report = run_linkage_demo(ctx.engine, seed=ctx.seed, out_dir=ctx.out_dir, size=ctx.size)
    run = report.run
    line = (
        f"Linkage: {run.records:,} records from {len(report.imports)} synthetic source lists → "
        f"{run.persons:,} persons ({run.multi_source_persons:,} in several lists, "
        f"{run.persons_with_conflicts:,} with conflicts); {run.review_pairs:,} pairs to review "
        "(`ssp link review`)."
    )
    return [line], [report.chart]


def _refuse_real_data(engine: Engine) -> None:
    """Never wipe a database that holds imports of real files."""
    migrate(engine)
    with session_scope(engine) as session:
        real = session.scalars(
            select(ImportBatch.file_name).where(
                ImportBatch.synthetic.is_(False), ImportBatch.kind != "areas"
            )
        ).first()
    if real:
        raise SSPError(
            f"the database holds real imported data ({real}); the demo would erase it. "
            "Fix: point the demo at another database with --db sqlite:///demo.db."
        )


def write_inventory_csv(data: DemoData, path: Path) -> Path:
    """The generated people as an inventory file in the documented format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [c.name for c in COLUMNS]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(data.practitioners)
    return path


def _store_posts_and_indicators(engine: Engine, data: DemoData) -> tuple[int, int]:
    source = f"synthetic demo (seed {data.seed})"
    with session_scope(engine) as session:
        batch = start_batch(session, kind="demo", file_name=source, sha256="-", synthetic=True)
        codes = area_ids_by_code(session)
        by_level = {
            (lv, c): i for i, lv, c in session.execute(select(Area.id, Area.level, Area.code))
        }
        people = dict(session.execute(select(Practitioner.id_number, Practitioner.id)).all())
        session.execute(
            insert(Post),
            [
                {
                    **{k: p[k] for k in ("post_number", "category", "rank", "sector", "funded")},
                    "area_id": codes[p["area_code"]],
                    "batch_id": batch.id,
                    "holder_id": people.get(p["holder_id_number"])
                    if p["holder_id_number"]
                    else None,
                }
                for p in data.posts
            ],
        )
        session.execute(
            insert(AreaIndicator),
            [
                {
                    "area_id": by_level[(i["area_level"], i["area_code"])],
                    "indicator": i["indicator"],
                    "period": i["period"],
                    "value": i["value"],
                    "source": i["source"],
                    "synthetic": True,
                    "batch_id": batch.id,
                }
                for i in data.indicators
            ],
        )
        batch.rows_read = batch.rows_inserted = len(data.posts) + len(data.indicators)
        batch.finished_at = now()
    return len(data.posts), len(data.indicators)
