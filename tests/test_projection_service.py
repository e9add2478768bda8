"""`run_projection` on both backends: the opening position read from storage, demand from a
stored needs run, runs stored with their digests, workbook and chart written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from ssp_planner.demo import REFERENCE_DATE, generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.domain.dates import age_on
from ssp_planner.errors import SSPError
from ssp_planner.projection import ConfigError
from ssp_planner.services.areas import load_areas
from ssp_planner.services.batches import now
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.services.projection import (
    run_projection,
    write_projection_chart,
    write_projection_xlsx,
)
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, NeedsResult, NeedsRun, Practitioner
from ssp_planner.store.models_people import ProjectionResultRow, ProjectionRun

SIZE = 300


def demo(engine: Engine, tmp_path: Path) -> None:
    """Areas and a small synthetic inventory, imported as a user's file would be."""
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=SIZE)
    import_inventory(engine, write_inventory_csv(data, tmp_path / "inventory.csv"), synthetic=True)


def test_projection_is_stored_with_its_digests(engine: Engine, tmp_path: Path) -> None:
    demo(engine, tmp_path)
    dear = tmp_path / "dear.toml"  # a post bill above 2^31 rands must fit its column
    dear.write_text("[categories.social_worker]\ncost_per_post = 100000000\n")
    first, again = (
        run_projection(
            engine, on=REFERENCE_DATE, years=3, scenarios=["rural_retention"], params_file=dear
        )
        for _ in range(2)
    )
    assert first.result.balanced and first.run_id is not None
    with session_scope(engine) as s:
        runs = s.scalars(select(ProjectionRun).order_by(ProjectionRun.id)).all()
        rows = s.scalar(select(func.count()).where(ProjectionResultRow.run_id == first.run_id))
        cost = s.scalar(select(func.max(ProjectionResultRow.post_cost)))
    assert runs[0].inputs_digest == runs[1].inputs_digest and len(runs[0].inputs_digest) == 64
    assert runs[0].params_digest == runs[1].params_digest and runs[0].synthetic
    assert (runs[0].start_period, runs[0].years) == ("2026April", 3)
    assert runs[0].scenarios == "baseline,rural_retention"
    assert rows == 2 * 4 * 9 * 5  # scenarios × years × provinces × categories
    assert cost is not None and cost > 2**31
    assert again.run_id == first.run_id + 1
    assert first.notes[0].startswith("SYNTHETIC DEMO DATA")
    assert "Demand: parameters: demand.path (55,000 by 2030April)" in " ".join(first.notes)


def test_the_opening_position_is_the_inventory_on_the_day(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    engine = sqlite_engine
    demo(engine, tmp_path)
    on = date(2020, 4, 1)  # people who started later are not yet in post
    report = run_projection(engine, on=on, years=1, store=False)
    with session_scope(engine) as s:
        people = s.execute(
            select(Practitioner.birth_date).where(Practitioner.start_date <= on)
        ).all()
    nat = report.national
    assert nat["supply"].iloc[0] == len(people) < SIZE
    assert report.result.start_year == 2020 and report.result.periods == ["2020April", "2021April"]
    ages = sorted(age_on(b, on) for (b,) in people)
    assert ages[0] >= 18  # clipped into the stock's age range, counted all the same


def test_demand_comes_from_the_latest_baseline_needs_run(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    engine = sqlite_engine
    demo(engine, tmp_path)
    with session_scope(engine) as s:
        provinces = dict(
            s.execute(select(Area.code, Area.id).where(Area.level == "province")).all()
        )
        for name in ("baseline", "floods"):  # the later, non-baseline run is not the default
            run = NeedsRun(
                scenario_name=name,
                scenario_digest="x",
                norms_version="t",
                norms_digest="x",
                inputs_digest="x",
                software_version="t",
                created_at=now(),
            )
            s.add(run)
            s.flush()
            s.add(
                NeedsResult(
                    run_id=run.id,
                    area_id=provinces["EC"],
                    category="social_worker",
                    required=1000.0 if name == "baseline" else 9.0,
                    filled=0,
                    vacant_funded=0,
                    gap=0,
                    shortage=0,
                )
            )
    report = run_projection(engine, on=REFERENCE_DATE, years=2, store=False)
    cells = report.result.cells["demand"][0]
    ec = report.result.provinces.index("EC")
    assert cells[:, ec, 0].tolist() == pytest.approx([1000, 1013, 1000 * 1.013**2])
    assert cells.sum() == pytest.approx(cells[:, ec, 0].sum())  # nothing else is needed
    assert report.result.demand_source.startswith("needs run 1 ('baseline')")
    floods = run_projection(engine, on=REFERENCE_DATE, years=1, store=False, needs_run=2)
    assert floods.result.cells["demand"][0, 0].sum() == pytest.approx(9)
    with pytest.raises(SSPError, match="There is no needs run 99"):
        run_projection(engine, on=REFERENCE_DATE, needs_run=99, store=False)


def test_workbook_and_chart(sqlite_engine: Engine, tmp_path: Path) -> None:
    demo(sqlite_engine, tmp_path)
    report = run_projection(sqlite_engine, on=REFERENCE_DATE, scenarios=["npo_parity"], years=3)
    book = write_projection_xlsx(report, tmp_path / "out" / "projection.xlsx")
    wb = load_workbook(book, read_only=True)
    assert wb.sheetnames == ["summary", "comparison", "detail", "balance", "parameters", "notes"]
    header = [c.value for c in next(wb["parameters"].iter_rows(max_row=1))]
    assert header == ["key", "value", "source", "assumption", "note"]
    wb.close()
    png = write_projection_chart(report, tmp_path / "out" / "projection.png")
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 20_000


def test_problems_are_explained(sqlite_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(SSPError, match=r"No areas are loaded\. Fix: run `ssp demo`"):
        run_projection(sqlite_engine)
    demo(sqlite_engine, tmp_path)
    bad = tmp_path / "rural.toml"
    bad.write_text('[rural]\ndistricts = ["DC10", "XX99"]\n')
    with pytest.raises(
        ConfigError, match=r"rural.districts: lists XX99, which are not district codes"
    ):
        run_projection(sqlite_engine, params_file=bad)
    with pytest.raises(SSPError, match=r"--years 0 is out of range"):
        run_projection(sqlite_engine, years=0)
