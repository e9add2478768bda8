"""The Excel template people fill in: headers, one example row, allowed values, column help."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ssp_planner.ingest.schema import Column


def write_template(path: Path, *, sheet: str, columns: list[Column]) -> Path:
    """Sheet `sheet` with the headers and an example row; 'allowed values' and 'columns' sheets."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    ws.append([c.name for c in columns])
    ws.append([c.example or None for c in columns])
    for i, col in enumerate(columns, start=1):
        ws.cell(1, i).font = Font(bold=True)
        ws.cell(2, i).number_format = "@"  # text: keep leading zeros and 13-digit IDs intact
        ws.column_dimensions[get_column_letter(i)].width = max(len(col.name), 14) + 2
    ws.freeze_panes = "A2"
    allowed = wb.create_sheet("allowed values")
    listed = [c for c in columns if c.allowed]
    allowed.append([c.name for c in listed])
    for r in range(max(len(c.allowed) for c in listed)):
        allowed.append([c.allowed[r] if r < len(c.allowed) else None for c in listed])
    help_ws = wb.create_sheet("columns")
    help_ws.append(["column", "required", "what to write", "example"])
    for c in columns:
        help_ws.append([c.name, "yes" if c.required else "no", c.description, c.example])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
