"""docs/plan-format.md describes every sheet and column the plan workbook has."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssp_planner.plan.sheets import SHEETS

DOC = Path(__file__).resolve().parents[1] / "docs" / "plan-format.md"


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda s: s.name)
def test_every_sheet_and_column_is_documented(sheet) -> None:  # type: ignore[no-untyped-def]
    text = DOC.read_text("utf-8")
    part = text.split(f"### Sheet `{sheet.name}`", 1)
    assert len(part) == 2, f"sheet {sheet.name} is not documented"
    section = part[1].split("### Sheet", 1)[0]
    for column in sheet.columns:
        assert f"| `{column.name}` |" in section
