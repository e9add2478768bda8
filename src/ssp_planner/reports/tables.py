"""Write a table as CSV or XLSX, with a note on where its figures came from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from ssp_planner.errors import SSPError


def write_table(frame: pd.DataFrame, path: Path, *, sheet: str, notes: list[str]) -> Path:
    """CSV (UTF-8 with BOM, so Excel shows accents) or XLSX by the file's suffix.

    `notes` (sources, 'synthetic data' warnings) go to a 'notes' sheet in XLSX, and to a
    sibling '<name>.notes.txt' for CSV, so the figures never travel without their provenance.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8-sig")
        path.with_suffix(".notes.txt").write_text("\n".join(notes) + "\n", encoding="utf-8")
    elif suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name=sheet, index=False, freeze_panes=(1, 0))
            pd.DataFrame({"notes": notes}).to_excel(writer, sheet_name="notes", index=False)
            _fit_columns(writer.sheets[sheet], frame)
    else:
        raise SSPError(f"{path.name}: cannot write '{suffix}' files. Fix: use .csv or .xlsx.")
    return path


def _fit_columns(ws: object, frame: pd.DataFrame) -> None:
    for i, col in enumerate(frame.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(width, 60)  # type: ignore[attr-defined]
