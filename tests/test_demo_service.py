"""`ssp demo` end to end on both backends: areas, boundaries, synthetic inventory, posts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from conftest import SHARED_AREAS
from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.identifiers import make_id_number
from ssp_planner.domain.vocabulary import Sex
from ssp_planner.errors import SSPError
from ssp_planner.services.demo import BOUNDARY_HELP, run_demo
from ssp_planner.services.inventory import import_inventory
from ssp_planner.services.summary import inventory_summary, synthetic_sources
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, ImportBatch, Post, Practitioner


def _demo(engine: Engine, tmp_path: Path, boundaries: Path | None = None):  # type: ignore[no-untyped-def]
    return run_demo(engine, work_dir=tmp_path, boundaries_dir=boundaries, seed=7, size=3000)


def test_demo_builds_a_marked_synthetic_inventory(engine: Engine, tmp_path: Path) -> None:
    report = _demo(engine, tmp_path)
    assert report.inventory.inserted == 3000 and not report.inventory.errors
    assert report.boundary_note == BOUNDARY_HELP
    with session_scope(engine) as s:
        assert s.scalar(select(func.count(Practitioner.id))) == 3000
        linked = s.scalar(
            select(func.count(Practitioner.id)).where(Practitioner.supervisor_id.is_not(None))
        )
        assert linked and linked > 2000
        assert s.scalar(select(func.count(Post.id)).where(Post.holder_id.is_(None))) > 0
        kinds = set(s.scalars(select(ImportBatch.kind).where(ImportBatch.synthetic.is_(True))))
    assert kinds == {"inventory", "demo"}
    assert len(synthetic_sources(engine)) == 2
    national = inventory_summary(engine, AreaLevel.COUNTRY)
    total = national[national["category"] == "all"].iloc[0]
    assert total["headcount"] == 3000
    assert total["per_100k"] == pytest.approx(3000 / 62_027_503 * 100_000, abs=0.05)


def test_demo_is_reproducible_and_resets(engine: Engine, tmp_path: Path) -> None:
    first = _demo(engine, tmp_path)
    with session_scope(engine) as s:
        ids_first = sorted(s.scalars(select(Practitioner.id_number)))
    second = _demo(engine, tmp_path)
    with session_scope(engine) as s:
        ids_second = sorted(s.scalars(select(Practitioner.id_number)))
    assert ids_first == ids_second and first.posts == second.posts


def test_demo_refuses_to_erase_real_imports(engine: Engine, tmp_path: Path) -> None:
    _demo(engine, tmp_path)
    real = tmp_path / "real.csv"
    person = make_id_number(date(1961, 2, 3), Sex.FEMALE, 4321)
    real.write_text(
        "id_number,surname,first_names,category,sector,area_code,start_date\n"
        f"{person},Mokoena,Palesa,SW,government,EC101,1990-04-01\n"
    )
    assert import_inventory(engine, real).written
    with pytest.raises(SSPError, match=r"real imported data \(real\.csv\).*--db"):
        _demo(engine, tmp_path)


@pytest.mark.skipif(not SHARED_AREAS.is_dir(), reason="../shared/data/areas not present")
def test_demo_imports_shared_boundaries(sqlite_engine: Engine, tmp_path: Path) -> None:
    report = _demo(sqlite_engine, tmp_path, SHARED_AREAS)
    assert report.boundary_note is None
    assert sum(b.matched for b in report.boundaries) == 9
    with session_scope(sqlite_engine) as s:
        shaped = s.scalar(select(func.count(Area.id)).where(Area.boundary_geojson.is_not(None)))
    assert shaped == 9
