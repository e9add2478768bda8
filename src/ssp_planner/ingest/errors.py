"""Row-level error reports: file, row, column, value, problem, fix — written as CSV or XLSX."""

from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from openpyxl import Workbook


@dataclass(frozen=True)
class RowError:
    """One problem in one cell (row 1 is the header row, as the user sees it in Excel)."""

    file: str
    row: int
    column: str
    value: str
    problem: str
    fix: str


REPORT_COLUMNS = [f.name for f in fields(RowError)]


def write_error_report(errors: list[RowError], path: Path) -> Path:
    """Write the report as XLSX when `path` ends in .xlsx, else CSV (UTF-8 with BOM for Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "errors"
        ws.append(REPORT_COLUMNS)
        for err in errors:
            ws.append(list(astuple(err)))
        ws.freeze_panes = "A2"
        wb.save(path)
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(REPORT_COLUMNS)
            writer.writerows(astuple(e) for e in errors)
    return path
