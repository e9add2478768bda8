"""`ssp project` as a user runs it: tables, the balance line, files written, errors in one line."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ssp_planner.cli import app
from ssp_planner.demo import generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.store import connect, migrate


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic inventory in a SQLite file, built once and copied by each test."""
    folder = tmp_path_factory.mktemp("demo")
    engine = connect(f"sqlite:///{folder / 'demo.db'}")
    migrate(engine)
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=300)
    import_inventory(engine, write_inventory_csv(data, folder / "inventory.csv"), synthetic=True)
    engine.dispose()
    return folder / "demo.db"


@pytest.fixture
def ssp(demo_db: Path, tmp_path: Path) -> Callable[..., Result]:
    db = Path(shutil.copy(demo_db, tmp_path / "x.db"))

    def invoke(*args: str | Path) -> Result:
        return CliRunner().invoke(app, ["--db", f"sqlite:///{db}", *map(str, args)])

    return invoke


def flat(text: str) -> str:
    return " ".join(text.split())


def test_project_prints_years_scenarios_and_the_balance(ssp, tmp_path: Path) -> None:
    xlsx, png = tmp_path / "out" / "p.xlsx", tmp_path / "out" / "p.png"
    result = ssp(
        "project",
        "--on",
        "2026-04-01",
        "--years",
        "3",
        "-s",
        "npo_parity",
        "--xlsx",
        xlsx,
        "--chart",
        png,
    )
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "SYNTHETIC DEMO DATA" in out
    assert "Pipeline projection, South Africa (baseline)" in out and "2029April" in out
    assert "shortfall closed per rand" in out and "npo_parity" in out
    assert "Stocks balance every year" in out and "Stored as projection run 1" in out
    assert xlsx.exists() and png.read_bytes()[:4] == b"\x89PNG"


def test_a_bad_parameters_file_is_one_red_error_naming_the_key(ssp, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[hiring]\nfill_rate = 2\n")
    result = ssp("project", "--params", bad)
    assert result.exit_code == 1 and "Traceback" not in result.output
    err = flat(result.stderr)
    assert err.startswith(f"Error: {bad}: 1 problem in the projection parameters:")
    assert "hiring.fill_rate: is 2 but must be at least 0 and at most 1. Fix:" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "nope"], "Unknown scenario 'nope'. Fix:"),
        (["--years", "0"], "--years 0 is out of range. Fix: project 1 to 50 years."),
        (["--xlsx", "p.ods"], "p.ods: this report is written as .xlsx. Fix:"),
    ],
)
def test_other_mistakes_exit_1_with_the_fix(ssp, args: list[str], message: str) -> None:
    result = ssp("project", *args)
    assert result.exit_code == 1 and message in flat(result.stderr)
