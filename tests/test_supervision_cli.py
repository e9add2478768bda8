"""`ssp supervision report` and `ssp supervision import-sessions` as a user runs them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from ssp_planner.cli import app
from ssp_planner.demo import generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.store import connect, migrate, session_scope
from ssp_planner.store.models import Practitioner


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small synthetic inventory in SQLite, and the ID number of one supervised person."""
    folder = tmp_path_factory.mktemp("demo")
    engine = connect(f"sqlite:///{folder / 'demo.db'}")
    migrate(engine)
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=300)
    import_inventory(engine, write_inventory_csv(data, folder / "inventory.csv"), synthetic=True)
    with session_scope(engine) as s:
        ident = s.scalar(
            select(Practitioner.id_number)
            .where(Practitioner.supervisor_id.is_not(None), Practitioner.start_date < "2025-01-01")
            .limit(1)
        )
    engine.dispose()
    return folder / "demo.db", str(ident)


@pytest.fixture
def ssp(demo_db: tuple[Path, str], tmp_path: Path) -> Callable[..., Result]:
    db = Path(shutil.copy(demo_db[0], tmp_path / "x.db"))

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(app, ["--db", f"sqlite:///{db}", *map(str, args)])

    return invoke


def flat(text: str) -> str:
    return " ".join(text.split())


def sessions_file(path: Path, rows: list[str]) -> Path:
    path.write_text(
        "supervisee_id_number,session_date,session_type,duration_minutes\n" + "\n".join(rows) + "\n"
    )
    return path


def test_import_then_report(ssp, demo_db: tuple[Path, str], tmp_path: Path) -> None:
    ident = demo_db[1]
    good = sessions_file(
        tmp_path / "s.csv", [f"{ident},2026-03-02,individual,60", f"{ident},2026-03-16,group,90"]
    )
    first = ssp("supervision", "import-sessions", good)
    assert first.exit_code == 0, first.output
    assert "2 new, 0 updated, 0 unchanged, 0 rejected (of 2 rows)" in flat(first.output)
    again = ssp("supervision", "import-sessions", good)
    assert again.exit_code == 0 and "Nothing changed" in flat(again.output)
    book = tmp_path / "sup.xlsx"
    report = ssp("supervision", "report", "--months", "3", "--xlsx", book)
    assert report.exit_code == 0, report.output
    out = flat(report.output)
    assert "sessions from 2025-12-17 to 2026-03-16" in out  # up to the latest recorded session
    assert "Supervision by province" in out and "Eastern Cape" in out
    assert "districts are above the norm of 1:10" in out and "without a supervisor" in out
    assert book.exists()


def test_a_broken_sessions_file_stores_nothing_and_exits_1(
    ssp, demo_db: tuple[Path, str], tmp_path: Path
) -> None:
    bad = sessions_file(
        tmp_path / "bad.csv", [f"{demo_db[1]},2026-03-02,coffee,60", "123,2026-03-02,individual,60"]
    )
    result = ssp("supervision", "import-sessions", bad)
    assert result.exit_code == 1
    out = flat(result.output)
    assert (
        "2 problems in bad.csv" in out
        and "unknown session type" in out
        and "Nothing was stored." in out
    )
    assert (tmp_path / "bad.errors.csv").exists()


def test_report_on_an_empty_database_says_how_to_fix(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'e.db'}", "supervision", "report"]
    )
    assert result.exit_code == 1 and "Fix: import the inventory" in flat(result.stderr)
