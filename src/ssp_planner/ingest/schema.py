"""Column specifications: how each column is recognised, parsed and explained to users.

The same `Column` list drives validation, the Excel template and docs, so the three never differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches

from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Cell, Table, cell_text, iter_cells


class CellError(ValueError):
    """Raised by a column parser: what is wrong with the value and how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    example: str
    parse: Callable[[Cell], object]
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = field(default=())
    sensitive: bool = False  # personal data: masked in error reports


def header_key(text: str) -> str:
    """'ID Number ' -> 'id_number': how headers are compared."""
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def match_header(table: Table, columns: list[Column]) -> tuple[dict[str, int], list[RowError]]:
    """Map each known column to its position; report unknown, duplicate and missing columns."""
    lookup = {header_key(a): c.name for c in columns for a in (c.name, *c.aliases)}
    found: dict[str, int] = {}
    errors: list[RowError] = []
    for idx, head in enumerate(table.header):
        name = lookup.get(header_key(head))
        if name is None:
            errors.append(_unknown_column(table.file, head, list(lookup)))
        elif name in found:
            errors.append(
                RowError(
                    table.file,
                    1,
                    head,
                    head,
                    "column appears twice",
                    "delete one of the two columns",
                )
            )
        else:
            found[name] = idx
    errors += [
        RowError(
            table.file,
            1,
            c.name,
            "",
            "required column is missing",
            f"add a column headed '{c.name}' ({c.description})",
        )
        for c in columns
        if c.required and c.name not in found
    ]
    return found, errors


def _unknown_column(file: str, head: str, known: list[str]) -> RowError:
    if not head:
        return RowError(
            file,
            1,
            "(blank header)",
            "",
            "a column has no header",
            "give the column a header or delete it",
        )
    close = get_close_matches(header_key(head), known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return RowError(
        file,
        1,
        head,
        head,
        "unknown column",
        f"{hint}rename it to one of the columns in the template, or delete it",
    )


def parse_rows(
    table: Table, columns: list[Column], positions: dict[str, int]
) -> tuple[list[tuple[int, dict[str, object]]], list[RowError]]:
    """Parse every cell of every row; collect all errors (never stop at the first).

    Every row comes back; a cell that failed to parse is None, so that checks across cells
    can still run on the rest of the row and report their errors too.
    """
    spec = {c.name: c for c in columns}
    parsed: list[tuple[int, dict[str, object]]] = []
    errors: list[RowError] = []
    for row_no, cells in iter_cells(table, positions):
        values: dict[str, object] = dict.fromkeys(spec)
        for name, raw in cells.items():
            col = spec[name]
            if cell_text(raw) == "":
                if col.required:
                    errors.append(
                        RowError(
                            table.file, row_no, name, "", "empty", f"fill in {col.description}"
                        )
                    )
                continue
            try:
                values[name] = col.parse(raw)
            except CellError as exc:
                errors.append(
                    RowError(table.file, row_no, name, shown_value(col, raw), exc.problem, exc.fix)
                )
        parsed.append((row_no, values))
    return parsed, errors


def shown_value(col: Column, raw: Cell) -> str:
    """The cell as it goes into a report: personal data masked to its last four characters."""
    text = cell_text(raw)
    if col.sensitive and len(text) > 4:
        return "*" * (len(text) - 4) + text[-4:]
    return text
