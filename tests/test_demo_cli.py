"""`ssp demo` end to end through the CLI, every stage, on a small synthetic population."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ssp_planner.cli import app


@pytest.mark.slow
def test_full_demo_writes_every_output(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(
        app, ["--db", db, "demo", "--size", "2600", "--months", "3"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"  # SSP_DATA_DIR is tmp_path (conftest)
    assert f"Demo outputs in {out.resolve()}" in result.output.replace("\n", "")
    for name in ("needs-baseline.xlsx", "needs-scenarios.xlsx", "demo-plan.xlsx"):
        assert (out / name).stat().st_size > 0
    assert any(out.glob("demo-linkage-seed*.png"))
    assert any(out.glob("*dashboard*.html"))
    assert "SYNTHETIC" in result.output
