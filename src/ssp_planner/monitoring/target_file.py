"""The targets file: one target per indicator, area and period (CSV or XLSX, sheet 'targets').

Columns: `indicator` (a framework code), `area` (our area code), `period` (DHIS2 period),
`target` (a number in the indicator's unit) and `source` (who set it; optional).
"""

from __future__ import annotations

from dataclasses import dataclass

from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Cell, Table, cell_text
from ssp_planner.ingest.schema import CellError, Column, match_header, parse_rows
from ssp_planner.monitoring.framework import Framework
from ssp_planner.monitoring.periods import PeriodError, parse_period

SHEET = "targets"


def _period(cell: Cell) -> str:
    try:
        return str(parse_period(cell_text(cell)))
    except PeriodError as exc:
        why, _, fix = str(exc).partition(" Fix: ")
        raise CellError(why, fix) from None


def _number(cell: Cell) -> float:
    try:
        return float(cell_text(cell))
    except ValueError:
        raise CellError("is not a number", "write the target as a plain number, e.g. 20") from None


COLUMNS = [
    Column(
        "indicator", True, "the indicator code from `ssp me framework`", "sw_per_100k", cell_text
    ),
    Column(
        "area",
        True,
        "our area code (province, district or municipality)",
        "DC44",
        cell_text,
        aliases=("area_code", "org_unit"),
    ),
    Column("period", True, "a DHIS2 period: 2025April, 2025Q1, 202503", "2025April", _period),
    Column("target", True, "the target value in the indicator's unit", "20", _number),
    Column("source", False, "who set the target, and where", "APP 2025/26", cell_text),
]


@dataclass(frozen=True)
class TargetRecord:
    row: int
    indicator: str
    area_code: str
    period: str
    value: float
    source: str


def validate_targets(
    table: Table, framework: Framework, area_codes: frozenset[str]
) -> tuple[list[TargetRecord], list[RowError]]:
    """Every row checked; the records of the good rows and all problems."""
    positions, errors = match_header(table, COLUMNS)
    if errors:
        return [], errors
    parsed, errors = parse_rows(table, COLUMNS, positions)
    records: list[TargetRecord] = []
    seen: dict[tuple[str, str, str], int] = {}
    for row, cells in parsed:
        ind, area = str(cells["indicator"] or ""), str(cells["area"] or "")
        if ind and ind not in framework.indicators:
            errors.append(
                RowError(
                    table.file,
                    row,
                    "indicator",
                    ind,
                    "is not in the framework",
                    f"use one of: {', '.join(framework.indicators)}",
                )
            )
        if area and area not in area_codes:
            errors.append(
                RowError(
                    table.file,
                    row,
                    "area",
                    area,
                    "is not a stored area code",
                    "use our area codes (ssp areas --level municipality)",
                )
            )
        if any(cells[c] is None for c in ("indicator", "area", "period", "target")):
            continue
        key = (ind, area, str(cells["period"]))
        if key in seen:
            errors.append(
                RowError(
                    table.file,
                    row,
                    "period",
                    key[2],
                    f"a second target for {ind} in {area} (first at row {seen[key]})",
                    "keep one row per indicator, area and period",
                )
            )
        seen.setdefault(key, row)
        source = str(cells["source"] or "") or f"{table.file} row {row}"
        records.append(TargetRecord(row, ind, area, key[2], float(str(cells["target"])), source))
    return (records if not errors else []), errors
