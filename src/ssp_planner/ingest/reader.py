"""Read a CSV or XLSX table into raw rows, refusing files that are not tables with a clear fix.

Rows are numbered as the user sees them in Excel: the header is row 1. Blank rows are skipped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from ssp_planner.errors import InputFileError

Cell = str | int | float | date | datetime | None
CSV_SUFFIXES = {".csv", ".txt"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class Table:
    file: str
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (row number as seen in Excel, cells)


def read_table(path: Path, *, sheet: str) -> Table:
    """Read `path` (CSV or XLSX); for XLSX take the sheet named `sheet`."""
    name = path.name
    if not path.is_file():
        raise InputFileError(name, "file not found.", "check the path and the file name.")
    if path.stat().st_size == 0:
        raise InputFileError(name, "the file is empty (0 bytes).", "export the data again.")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise InputFileError(
        name,
        f"'{suffix or 'no extension'}' files are not supported.",
        "save the table as .xlsx or .csv (Excel: File > Save As).",
    )


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192] or raw[:2] == b"PK":
        raise InputFileError(
            path.name,
            "this is not a text CSV file (it looks like a binary or Excel file).",
            "open it in Excel and save as 'CSV UTF-8', or rename it to .xlsx if it is a workbook.",
        )
    text = _decode(raw)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(i, list[Cell](r)) for i, r in enumerate(reader, start=1)]
    except csv.Error as exc:  # e.g. a cell over the csv module's 131,072-character limit
        raise InputFileError(
            path.name,
            f"row {reader.line_num} cannot be read as CSV ({exc}).",
            "check that row for a stray quote mark or a runaway cell, then export again.",
        ) from exc
    return _table(path.name, rows)


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; Excel's 'CSV' on Windows writes cp1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_xlsx(path: Path, sheet: str) -> Table:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputFileError(
            path.name,
            f"this is not an Excel workbook ({type(exc).__name__}).",
            "open it in Excel and save as .xlsx, or export it as CSV.",
        ) from exc
    try:
        ws = wb[_pick_sheet(path.name, wb.sheetnames, sheet)]
        rows = [
            (i, [_cell(v) for v in r])
            for i, r in enumerate(ws.iter_rows(values_only=True), start=1)
        ]
    finally:
        wb.close()
    return _table(path.name, rows)


def _pick_sheet(name: str, sheetnames: list[str], wanted: str) -> str:
    """The sheet called `wanted` (any case); a workbook with a single sheet may call it anything."""
    for s in sheetnames:
        if s.strip().lower() == wanted.lower():
            return s
    if len(sheetnames) == 1:
        return sheetnames[0]
    raise InputFileError(
        name,
        f"no sheet named '{wanted}'; the sheets are: {', '.join(sheetnames)}.",
        f"rename the sheet with the data to '{wanted}'.",
    )


def _table(name: str, rows: list[tuple[int, list[Cell]]]) -> Table:
    filled = [(i, r) for i, r in rows if any(_present(c) for c in r)]
    if not filled:
        raise InputFileError(name, "the file has no rows.", "add the header row and data rows.")
    (_, header), *data = filled
    if not data:
        raise InputFileError(
            name, "the file has a header row but no data rows.", "add one row per record."
        )
    return Table(name, [str(h).strip() if h is not None else "" for h in header], data)


def _cell(value: object) -> Cell:
    """Keep the cell types the parsers understand; anything else (rich text, Decimal) as text."""
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def _present(cell: Cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def cell_text(cell: Cell) -> str:
    """A cell as the text the user typed: whole floats lose '.0' (Excel stores IDs as numbers)."""
    if type(cell) is str:  # the common case (every CSV cell): keep it fast
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


def iter_cells(table: Table, columns: dict[str, int]) -> Iterator[tuple[int, dict[str, Cell]]]:
    """Rows as {column name: cell}, for the columns found in the header."""
    for row_no, cells in table.rows:
        yield (
            row_no,
            {col: cells[idx] if idx < len(cells) else None for col, idx in columns.items()},
        )
