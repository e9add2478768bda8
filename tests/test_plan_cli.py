"""`ssp plan …` and `ssp report …` in-process, as a planner types them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from ssp_planner.cli import app
from ssp_planner.services.plan import write_plan_workbook
from ssp_planner.services.plan_demo import demo_plan


@pytest.fixture
def ssp(tmp_path: Path) -> Callable[..., Result]:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'x.db'}"

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, ["--db", url, *map(str, args)])

    return invoke


def flat(text: str) -> str:
    return " ".join(text.split())


def test_import_update_show_export_and_report(ssp: Callable[..., Result], tmp_path: Path) -> None:
    book = write_plan_workbook(demo_plan(), tmp_path / "plan.xlsx")
    first = ssp("plan", "import", book)
    assert first.exit_code == 0, first.output
    assert "Imported plan SSP-DEMO" in first.output and "activities: 19 new" in flat(first.output)
    again = ssp("plan", "import", book)
    assert again.exit_code == 0 and "Nothing changed" in again.output
    upd = ssp("plan", "update", "4.4", "--note", "Outline drafted", "--status", "on_track",
              "--date", "2026-11-20")  # fmt: skip
    assert upd.exit_code == 0 and "4.4 is on track (version 2)" in upd.output
    stale = ssp("plan", "update", "4.4", "--note", "Other", "--version", "1")
    assert stale.exit_code == 1 and "changed by someone else" in flat(stale.output)
    shown = ssp("plan", "show")
    assert shown.exit_code == 0 and "OVERDUE" in shown.output and "SYNTHETIC" in shown.output
    out = ssp("plan", "export", tmp_path / "back.xlsx")
    assert out.exit_code == 0 and (tmp_path / "back.xlsx").exists()
    md = ssp("report", "progress", "--period", "2026Q3", "--format", "md", "--out", tmp_path / "r")
    assert md.exit_code == 0, md.output
    assert "| 4.3 | Mentoring programme" in (tmp_path / "r.md").read_text("utf-8")
    brief = ssp("report", "brief", "--format", "html", "--out", tmp_path / "b.html")
    assert brief.exit_code == 0 and "Not yet computed" in (tmp_path / "b.html").read_text("utf-8")


def test_bad_workbook_and_bad_period_fail_with_fixes(
    ssp: Callable[..., Result], tmp_path: Path
) -> None:
    book = write_plan_workbook(demo_plan(), tmp_path / "plan.xlsx")
    wb = load_workbook(book)
    wb["allocations"]["C2"] = -5
    wb.save(book)
    bad = ssp("plan", "import", book)
    assert bad.exit_code == 1 and "Nothing was stored" in bad.output
    report = (tmp_path / "plan.errors.csv").read_text("utf-8-sig")
    assert "sheet 'allocations'\",2,minimum,-5,negative,write zero or more" in report
    nothing = ssp("report", "progress", "--period", "2026Q3")
    assert nothing.exit_code == 1 and "No plan is stored" in flat(nothing.output)
    good = write_plan_workbook(demo_plan(), tmp_path / "good.xlsx")
    assert ssp("plan", "import", good).exit_code == 0
    period = ssp("report", "progress", "--period", "Q3-2026")
    assert period.exit_code == 1 and "is not a DHIS2 period" in flat(period.output)
