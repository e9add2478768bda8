"""XLSX exports people open in Excel: formatted headers, frozen header row, number formats from
the column's type (whole numbers, ratios 0.0, rates 0.0%), fitted widths, a notes sheet."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from ssp_planner.errors import SSPError
from ssp_planner.reports.tables import INTEGER, RATE, RATIO, write_table

NOTES = ["SYNTHETIC DEMO DATA", "Source: test"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["GP", "WC"],
            "headcount": pd.array([12345, 678], dtype="Int64"),
            "per_100k": [45.83, 51.0],
            "vacancy_rate": [0.077, None],
            "as_of": pd.to_datetime(["2026-09-30", "2026-09-30"]),
            "estimated": [False, True],
        }
    )


def test_xlsx_is_formatted_for_people(tmp_path: Path) -> None:
    path = write_table(_frame(), tmp_path / "t.xlsx", sheet="summary", notes=NOTES)
    wb = load_workbook(path)
    assert wb.sheetnames == ["summary", "notes"]
    ws = wb["summary"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F3"
    assert [c.value for c in ws[1]] == list(_frame().columns)
    assert all(c.font.bold for c in ws[1])
    assert ws["B2"].value == 12345 and ws["B2"].number_format == INTEGER
    assert ws["C2"].number_format == RATIO and ws["D2"].number_format == RATE
    assert ws["D3"].value is None  # missing stays empty, never 0 or 'nan'
    assert ws["E2"].value.date() == date(2026, 9, 30) and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["F3"].value is True
    assert ws.column_dimensions["A"].width < ws.column_dimensions["D"].width
    assert [r[0].value for r in wb["notes"].iter_rows()] == ["notes", *NOTES]


def test_formats_can_be_overridden_and_csv_keeps_its_notes(tmp_path: Path) -> None:
    path = write_table(
        _frame(), tmp_path / "t.xlsx", sheet="s", notes=NOTES, formats={"per_100k": "0.00"}
    )
    assert load_workbook(path)["s"]["C2"].number_format == "0.00"
    csv = write_table(_frame(), tmp_path / "t.csv", sheet="s", notes=NOTES)
    assert csv.read_text("utf-8-sig").startswith("code,headcount")
    assert csv.with_suffix(".notes.txt").read_text("utf-8").splitlines() == NOTES
    with pytest.raises(SSPError, match=r"use \.csv or \.xlsx"):
        write_table(_frame(), tmp_path / "t.ods", sheet="s", notes=NOTES)
