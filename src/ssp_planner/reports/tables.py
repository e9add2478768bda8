"""Write tables as CSV or formatted XLSX, with a note on where their figures came from.

XLSX is what planners open: bold headers on a fill, frozen header row, filters, number formats
by column (whole numbers with thousands separators, ratios to one decimal, rates as 0.0%,
dates as YYYY-MM-DD), widths fitted to the content, and a 'notes' sheet of sources.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ssp_planner.errors import SSPError

INTEGER = "#,##0"
RATIO = "#,##0.0"
RATE = "0.0%"
DATE = "yyyy-mm-dd"
TEXT = "@"
NOTES_SHEET = "notes"
# Columns holding shares of 1 (0.125 shown as 12.5%), recognised by name.
_RATE_NAME = re.compile(r"(rate|share|coverage|pct|percent|proportion)", re.IGNORECASE)
_HEADER_FILL = PatternFill("solid", start_color="1F3864", end_color="1F3864")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
MAX_WIDTH, WRAP_WIDTH = 60, 60


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: header row then data rows, with per-column number formats and drop-downs."""

    name: str
    rows: Sequence[Sequence[object]]
    formats: dict[str, str] = field(default_factory=dict)  # column -> Excel number format
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # column -> allowed values
    wrap: frozenset[str] = frozenset()  # long-text columns: fixed width, wrapped


def write_table(
    frame: pd.DataFrame,
    path: Path,
    *,
    sheet: str,
    notes: list[str],
    formats: dict[str, str] | None = None,
) -> Path:
    """CSV (UTF-8 with BOM, so Excel shows accents) or formatted XLSX by the file's suffix.

    `notes` (sources, 'synthetic data' warnings) go to a 'notes' sheet in XLSX, and to a
    sibling '<name>.notes.txt' for CSV, so the figures never travel without their provenance.
    `formats` overrides the number format chosen from a column's dtype and name.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
        path.with_suffix(".notes.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
        return path
    if suffix == ".xlsx":
        spec = SheetSpec(sheet, frame_rows(frame), {**column_formats(frame), **(formats or {})})
        return write_sheets(path, [spec], notes=notes)
    raise SSPError(f"{path.name}: cannot write '{suffix}' files. Fix: use .csv or .xlsx.")


def column_formats(frame: pd.DataFrame) -> dict[str, str]:
    """Number format per column from its dtype: integers, ratios (floats) or rates (by name)."""
    out: dict[str, str] = {}
    for col in frame.columns:
        dtype = frame[col].dtype
        if pd.api.types.is_bool_dtype(dtype):
            continue
        if pd.api.types.is_integer_dtype(dtype):
            out[str(col)] = INTEGER
        elif pd.api.types.is_float_dtype(dtype):
            out[str(col)] = RATE if _RATE_NAME.search(str(col)) else RATIO
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[str(col)] = DATE
    return out


def frame_rows(frame: pd.DataFrame) -> list[list[object]]:
    """Header and rows with plain Python values (NaN and NA as empty cells)."""
    rows: list[list[object]] = [[str(c) for c in frame.columns]]
    for record in frame.itertuples(index=False, name=None):
        rows.append([_plain(v) for v in record])
    return rows


def _plain(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def write_sheets(path: Path, sheets: Sequence[SheetSpec], *, notes: list[str]) -> Path:
    """A workbook of formatted sheets plus the 'notes' sheet (skipped when `notes` is empty)."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for spec in sheets:
        _write_sheet(wb, spec)
    if notes:
        ws = wb.create_sheet(NOTES_SHEET)
        ws.append(["notes"])
        ws.cell(1, 1).font = Font(bold=True)
        for note in notes:
            ws.append([note])
        ws.column_dimensions["A"].width = 120
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _write_sheet(wb: Workbook, spec: SheetSpec) -> None:
    ws = wb.create_sheet(spec.name)
    header = [str(h) for h in spec.rows[0]] if spec.rows else []
    for row in spec.rows:
        ws.append(list(row))
    for i, name in enumerate(header, start=1):
        cell = ws.cell(1, i)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        _format_column(ws, i, name, spec)
    ws.freeze_panes = "A2"
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(spec.rows), 1)}"
    _add_choices(ws, header, spec)


def _format_column(ws: Worksheet, index: int, name: str, spec: SheetSpec) -> None:
    letter = get_column_letter(index)
    number_format = spec.formats.get(name)
    wrap = name in spec.wrap
    width = len(name)
    for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
        value = cell.value
        if number_format:
            cell.number_format = number_format
        elif isinstance(value, datetime | date):
            cell.number_format = DATE
        if wrap:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        width = max(width, _shown_width(value, number_format))
    ws.column_dimensions[letter].width = WRAP_WIDTH if wrap else min(width + 2, MAX_WIDTH)


def _shown_width(value: object, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime | date):
        return 10
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:,.1f}" if number_format in (RATIO, RATE) else f"{value:,}"
        return len(shown) + (1 if number_format == RATE else 0)
    return max((len(line) for line in str(value).splitlines()), default=0)


def _add_choices(ws: Worksheet, header: list[str], spec: SheetSpec) -> None:
    """Drop-down lists for columns with a fixed vocabulary (typing anything else is refused)."""
    for col, allowed in spec.choices.items():
        if col not in header:
            continue
        letter = get_column_letter(header.index(col) + 1)
        check = DataValidation(
            type="list",
            formula1='"' + ",".join(allowed) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=f"{col}: unknown value",
            error=f"Use one of: {', '.join(allowed)}",
        )
        ws.add_data_validation(check)
        check.add(f"{letter}2:{letter}1048576")


__all__ = [
    "DATE",
    "INTEGER",
    "RATE",
    "RATIO",
    "TEXT",
    "SheetSpec",
    "column_formats",
    "frame_rows",
    "write_sheets",
    "write_table",
]
