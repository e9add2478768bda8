"""The people part of `ssp demo` on both backends: synthetic sessions (seeded, marked synthetic,
imported like a user's file), the projection with its chart and workbook, the reports."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from ssp_planner.demo import REFERENCE_DATE, generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.services.people_demo import run_people_demo, synthetic_sessions
from ssp_planner.services.supervision import people_on
from ssp_planner.store import session_scope
from ssp_planner.store.models import ImportBatch
from ssp_planner.supervision import load_norms


def test_people_demo_writes_its_files_and_marks_everything_synthetic(
    engine: Engine, tmp_path: Path
) -> None:
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=300)
    import_inventory(engine, write_inventory_csv(data, tmp_path / "inventory.csv"), synthetic=True)
    steps: list[str] = []
    report = run_people_demo(engine, seed=7, out_dir=tmp_path / "out", step=steps.append)
    assert len(steps) == 3
    assert report.sessions.inserted > 0 and not report.sessions.errors
    assert report.projection.result.balanced and len(report.projection.result.names) == 5
    assert report.supervision.headline()["practitioners"] > 0
    assert report.mentoring.mentees == len(report.mentoring.pairs) + len(report.mentoring.unmatched)
    names = sorted(p.name for p in report.files)
    assert names == sorted(
        [
            "demo-supervision-sessions-seed7.csv",
            "projection-supply-demand.png",
            "projection.xlsx",
            "supervision.xlsx",
            "mentoring.xlsx",
        ]
    )
    assert all(p.exists() and p.stat().st_size > 0 for p in report.files)
    with session_scope(engine) as s:
        batch = s.scalars(
            select(ImportBatch).where(ImportBatch.kind == "supervision_sessions")
        ).one()
        people = people_on(s, REFERENCE_DATE)
    assert batch.synthetic and batch.rows_inserted == report.sessions.inserted
    again = synthetic_sessions(people, load_norms(), REFERENCE_DATE, seed=7)
    assert again.to_csv(index=False) == report.files[0].read_text()  # same seed, same sessions
