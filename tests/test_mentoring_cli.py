"""`ssp mentoring match` as a user runs it."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ssp_planner.cli import app
from ssp_planner.demo import generate_demo
from ssp_planner.domain.areas import bundled_areas
from ssp_planner.services.areas import load_areas
from ssp_planner.services.demo import write_inventory_csv
from ssp_planner.services.inventory import import_inventory
from ssp_planner.store import connect, migrate


def test_match_prints_pairs_with_reasons_and_writes_the_workbook(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = connect(url)
    migrate(engine)
    load_areas(engine)
    data = generate_demo(bundled_areas(), seed=7, size=300)
    import_inventory(engine, write_inventory_csv(data, tmp_path / "inventory.csv"), synthetic=True)
    engine.dispose()
    book = tmp_path / "m.xlsx"
    result = CliRunner().invoke(
        app, ["--db", url, "mentoring", "match", "--on", "2026-04-01", "--xlsx", book]
    )
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "newly appointed SSPs" in out and "matched" in out and "solver highs" in out
    assert "same category" in out and "the inventory has no language column" in out
    assert book.exists()
    wrong = CliRunner().invoke(app, ["--db", url, "mentoring", "match", "--solver", "guess"])
    assert (
        wrong.exit_code == 1
        and "Unknown solver 'guess'. Fix: use 'auto', 'highs' or 'lsa'." in wrong.stderr
    )
