"""`ssp me …` in-process, as a user types it (`--db sqlite:///…` first)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from conftest import FIXTURES
from ssp_planner.cli import app

D = FIXTURES / "dhis2"


@pytest.fixture
def ssp(tmp_path: Path) -> Callable[..., Result]:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'x.db'}"

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, ["--db", url, *map(str, args)])

    return invoke


def flat(text: str) -> str:
    return " ".join(text.split())


def test_framework_lists_indicators_and_writes_xlsx(ssp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    res = ssp("me", "framework", "--xlsx", tmp_path / "fw.xlsx")
    assert res.exit_code == 0, res.output
    assert "sw_per_100k" in res.output and "ours" in res.output
    wb = load_workbook(tmp_path / "fw.xlsx")
    assert wb.sheetnames == ["framework", "notes"] and wb["framework"].max_row == 21


def test_import_export_dashboard(ssp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert ssp("areas", "load").exit_code == 0
    res = ssp("me", "import", D / "values.json")
    assert res.exit_code == 0, res.output
    assert "7 new" in flat(res.output)
    assert "Nothing changed" in ssp("me", "import", D / "values.adx.xml").output
    out = tmp_path / "x.xml"
    res = ssp("me", "export", "--format", "adx", "--out", out)
    assert res.exit_code == 0 and "Exported 7 values" in res.output and out.is_file()
    assert ssp("me", "targets", D / "targets.csv").exit_code == 0
    html, png = tmp_path / "d.html", tmp_path / "d.png"
    res = ssp(
        "me", "dashboard", "--period", "2024Q2", "--html", html, "--png", png, "--at-risk", "0.1"
    )
    assert res.exit_code == 0, res.output
    assert "Social workers per 100,000 population" in flat(res.output)
    page = html.read_text()
    assert page.count("plotly.js v") == 1  # once for all the trend charts; no map here
    assert "ssp areas import-boundaries" in page  # no boundaries loaded: says how, no fake map
    assert png.read_bytes()[:4] == b"\x89PNG"
    res = ssp("me", "performance", "--period", "2024Q2")
    assert res.exit_code == 0 and "Workload per SSP" in res.output


def test_bad_file_exits_1_with_a_report(ssp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ssp("areas", "load")
    bad = Path(shutil.copy(D / "bad_values.json", tmp_path / "bad.json"))
    res = ssp("me", "import", bad)
    assert res.exit_code == 1
    assert "Nothing was stored" in res.output and "12 problems" in flat(res.output)
    report = (tmp_path / "bad.errors.csv").read_text(encoding="utf-8-sig")
    assert report.splitlines()[0] == "file,row,column,value,problem,fix"
    res = ssp("me", "import", tmp_path / "nope.txt")
    assert res.exit_code == 1 and "cannot tell the format" in flat(res.output)
    res = ssp("me", "dashboard", "--period", "2024Q5")
    assert res.exit_code == 1 and "not a DHIS2 period" in flat(res.output)
