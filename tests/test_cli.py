"""The `ssp` command in-process: what a user types and what they see (exit codes, messages,
files written). Every command gets `--db sqlite:///<tmp>/x.db` as its first option."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from conftest import FIXTURES
from ssp_planner.cli import app
from ssp_planner.domain.identifiers import IdNumber, check_id_number

INV = FIXTURES / "inventory"


@pytest.fixture
def ssp(tmp_path: Path) -> Callable[..., Result]:
    """Run `ssp --db sqlite:///tmp/x.db ARGS...` and return the result."""
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'x.db'}"

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, ["--db", url, *map(str, args)])

    return invoke


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone, for phrase matching."""
    return " ".join(text.split())


def copy(tmp_path: Path, name: str) -> Path:
    """A copy in tmp: the import writes FILE.errors.csv next to the file."""
    return Path(shutil.copy(INV / name, tmp_path / name))


def test_areas_load_then_province_tree(ssp) -> None:
    loaded = ssp("areas", "load")
    assert loaded.exit_code == 0, loaded.output
    assert "Loaded 275 areas." in loaded.output
    again = ssp("areas", "load")
    assert again.exit_code == 0 and "already loaded" in again.output
    tree = ssp("areas", "--level", "province")
    assert tree.exit_code == 0, tree.output
    assert "Gauteng" in tree.output and "15,099,422" in tree.output
    assert "Sarah Baartman" not in tree.output  # districts are below the province level


def test_areas_district_tree_marks_estimates(ssp) -> None:
    ssp("areas", "load")
    tree = ssp("areas", "--level", "district")
    assert tree.exit_code == 0, tree.output
    assert "Sarah Baartman" in tree.output
    assert "estimate" in flat(tree.output)


def test_areas_before_loading_says_how_to_fix(ssp) -> None:
    result = ssp("areas")
    assert result.exit_code == 1
    assert "Error:" in result.output and "ssp areas load" in flat(result.output)
    assert "Traceback" not in result.output


def test_template_has_a_valid_example_id(ssp, tmp_path: Path) -> None:
    out = tmp_path / "template.xlsx"
    result = ssp("template", "inventory", out)
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["inventory", "allowed values", "columns"]
    ws = wb["inventory"]
    header = [c.value for c in ws[1]]
    example = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert isinstance(example["id_number"], str)  # text, so Excel keeps all 13 digits
    assert isinstance(check_id_number(example["id_number"]), IdNumber)
    allowed = [c.value for c in wb["allowed values"][1]]
    assert "category" in allowed


def test_template_example_row_imports(ssp, tmp_path: Path) -> None:
    ssp("areas", "load")
    out = tmp_path / "template.xlsx"
    ssp("template", "inventory", out)
    result = ssp("import", "inventory", out)
    assert result.exit_code == 0, result.output  # sex, supervisor etc. agree with the example ID
    assert "1 new, 0 updated, 0 unchanged, 0 rejected (of 1 rows)" in flat(result.output)
    assert not (tmp_path / "template.errors.csv").exists()


def test_import_good_file_then_again(ssp, tmp_path: Path) -> None:
    ssp("areas", "load")
    path = copy(tmp_path, "good.csv")
    first = ssp("import", "inventory", path)
    assert first.exit_code == 0, first.output
    assert "Imported good.csv as batch" in flat(first.output)
    assert "10 new, 0 updated, 0 unchanged, 0 rejected (of 10 rows)" in flat(first.output)
    again = ssp("import", "inventory", path)
    assert again.exit_code == 0
    assert "Nothing changed: all 10 rows of good.csv are already stored" in flat(again.output)
    assert not (tmp_path / "good.errors.csv").exists()


def test_import_broken_file_exits_1_and_stores_nothing(ssp, tmp_path: Path) -> None:
    ssp("areas", "load")
    path = copy(tmp_path, "many_errors.csv")
    result = ssp("import", "inventory", path)
    assert result.exit_code == 1
    out = flat(result.output)
    assert "12 problems in many_errors.csv" in out
    assert "Nothing was stored." in out and "--skip-invalid" in out
    assert "unknown area code" in out and "Plumber" in out
    report = tmp_path / "many_errors.errors.csv"
    assert f"Full error report: {report}" in result.output.replace("\n", "")
    with report.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12
    summary = ssp("inventory", "summary")
    assert summary.exit_code == 0
    assert "Total" in summary.output


def test_import_skip_invalid_and_xlsx_report(ssp, tmp_path: Path) -> None:
    ssp("areas", "load")
    path = copy(tmp_path, "many_errors.csv")
    report = tmp_path / "out" / "report.xlsx"
    result = ssp("import", "inventory", path, "--skip-invalid", "--errors", report)
    assert result.exit_code == 0, result.output
    assert "3 new, 0 updated, 0 unchanged, 11 rejected (of 14 rows)" in flat(result.output)
    wb = load_workbook(report, read_only=True)
    rows = list(wb["errors"].iter_rows(values_only=True))
    wb.close()
    assert rows[0] == ("file", "row", "column", "value", "problem", "fix")
    assert len(rows) == 13


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "nowhere.csv",
            "Error: nowhere.csv: file not found. Fix: check the path and the file name.",
        ),
        ("empty.csv", "Error: empty.csv: the file is empty (0 bytes). Fix: export the data again."),
    ],
)
def test_unreadable_file_one_line_error(ssp, tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name
    if (INV / name).exists():
        copy(tmp_path, name)
    result = ssp("import", "inventory", path)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr.strip() == message
    assert result.stdout.strip() == ""


@pytest.mark.parametrize(
    "name", ["not_a_spreadsheet.csv", "not_a_spreadsheet.xlsx", "wrong_sheet.xlsx"]
)
def test_not_a_spreadsheet_is_an_error_not_a_crash(ssp, tmp_path: Path, name: str) -> None:
    result = ssp("import", "inventory", copy(tmp_path, name))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    text = flat(result.stderr)
    assert text.startswith(f"Error: {name}: ") and "Fix:" in text


def test_inventory_summary_writes_csv_and_xlsx(ssp, tmp_path: Path) -> None:
    ssp("areas", "load")
    assert ssp("import", "inventory", copy(tmp_path, "good.csv")).exit_code == 0
    out_csv, out_xlsx = tmp_path / "s" / "summary.csv", tmp_path / "s" / "summary.xlsx"
    result = ssp(
        "inventory", "summary", "--level", "district", "--csv", out_csv, "--xlsx", out_xlsx
    )
    assert result.exit_code == 0, result.output
    assert f"Written {out_csv}" in result.output.replace("\n", "")
    assert "SSPs by district" in result.output

    with out_csv.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {"code", "category", "headcount", "per_100k", "population", "basis"} <= set(rows[0])
    all_rows = [r for r in rows if r["category"] == "all"]
    assert {r["level"] for r in rows} == {"district"}
    assert sum(int(r["headcount"]) for r in all_rows) == 9  # Botha works at province level
    jhb = next(r for r in all_rows if r["code"] == "JHB")
    assert int(jhb["headcount"]) == 3
    assert out_csv.with_suffix(".notes.txt").read_text(encoding="utf-8").strip()

    wb = load_workbook(out_xlsx, read_only=True)
    assert "notes" in wb.sheetnames and "summary" in wb.sheetnames
    notes = [r[0] for r in wb["notes"].iter_rows(values_only=True)]
    wb.close()
    assert notes[0] == "notes" and len(notes) > 1
    assert any("estimate" in str(n) for n in notes)


def test_summary_refuses_an_unknown_file_type(ssp, tmp_path: Path) -> None:
    ssp("areas", "load")
    result = ssp("inventory", "summary", "--csv", tmp_path / "summary.ods")
    assert result.exit_code == 1
    assert "Error:" in result.stderr and "use .csv or .xlsx" in flat(result.stderr)
    assert "Traceback" not in result.output
