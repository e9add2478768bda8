"""The supervision sessions file: one row per session. Columns, parsing and checks.

Pure, like the inventory's validator: the service hands in the people already stored (ID number
-> id and start date) and gets back clean records and every error (file, row, column, value,
problem, fix). Rows are judged one by one; nothing is written by this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from ssp_planner.domain.dates import parse_date
from ssp_planner.domain.identifiers import IdNumber, check_id_number, mask_id_number
from ssp_planner.errors import InputFileError
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Cell, Table, cell_text
from ssp_planner.ingest.schema import CellError, Column, match_header, parse_rows, shown_value

SHEET = "sessions"
MAX_MINUTES = 600  # a session longer than ten hours is a typing error


@dataclass(frozen=True)
class StoredPerson:
    id: int
    start_date: date


@dataclass(frozen=True)
class CheckedSessions:
    records: list[dict[str, object]]  # row, supervisee_id, supervisor_id, session_date, ...
    errors: list[RowError]
    rows_read: int


def _id_number(today: date) -> Callable[[Cell], str]:
    """Cached per import: a supervisee's ID repeats on every one of their sessions."""

    @lru_cache(maxsize=1 << 16)
    def checked(text: str) -> IdNumber | str:
        return check_id_number(text, today)

    def parse(raw: Cell) -> str:
        text = cell_text(raw)
        if isinstance(raw, int | float) and len(text) == 12:
            text = text.zfill(13)  # Excel dropped the leading 0 (born 2000-2009)
        got = checked(text)
        if isinstance(got, str):
            raise CellError(got, "copy the 13-digit ID number as stored in the inventory")
        return got.value

    return parse


def _date(raw: Cell) -> date:
    got = parse_date(raw)
    if isinstance(got, str):
        raise CellError(got, "write the date as YYYY-MM-DD, e.g. 2026-03-12")
    return got


def _type(types: tuple[str, ...]) -> Callable[[Cell], str]:
    def parse(raw: Cell) -> str:
        text = cell_text(raw).strip().lower()
        if text not in types:
            raise CellError("unknown session type", f"use one of: {', '.join(types)}")
        return text

    return parse


def _minutes(raw: Cell) -> int:
    text = cell_text(raw)
    try:
        value = float(text)
    except ValueError:
        raise CellError("is not a number of minutes", "write whole minutes, e.g. 60") from None
    if not value.is_integer() or not 1 <= value <= MAX_MINUTES:
        raise CellError(
            f"must be whole minutes from 1 to {MAX_MINUTES}", "write e.g. 60 for an hour"
        )
    return int(value)


def session_columns(types: tuple[str, ...], today: date) -> list[Column]:
    """The file's columns; the session types allowed come from the supervision norms."""
    ident = _id_number(today)
    return [
        Column(
            "supervisee_id_number",
            True,
            "the supervisee's 13-digit ID number, as in the inventory",
            "8001010009082",
            ident,
            ("supervisee", "id_number", "supervisee_id"),
            sensitive=True,
        ),
        Column(
            "supervisor_id_number",
            False,
            "the supervisor's ID number; blank: the supervisee's supervisor on that day",
            "",
            ident,
            ("supervisor", "supervisor_id"),
            sensitive=True,
        ),
        Column("session_date", True, "the date of the session", "2026-03-12", _date, ("date",)),
        Column(
            "session_type",
            True,
            f"the kind of session: {', '.join(types)}",
            types[0],
            _type(types),
            ("type",),
            allowed=types,
        ),
        Column(
            "duration_minutes",
            True,
            "how long the session lasted, in minutes",
            "60",
            _minutes,
            ("duration", "minutes"),
        ),
    ]


def validate_sessions(
    table: Table, types: tuple[str, ...], stored: Mapping[str, StoredPerson], today: date
) -> CheckedSessions:
    """Every check on every row; a row with any error is left out of the records."""
    columns = session_columns(types, today)
    spec = {c.name: c for c in columns}
    positions, errors = match_header(table, columns)
    if errors:
        return CheckedSessions([], errors, len(table.rows))
    parsed, errors = parse_rows(table, columns, positions)
    first: dict[tuple[object, ...], int] = {}
    records = []
    for row, v in parsed:
        problems = _row_checks(table.file, row, v, stored, today, spec)
        key = (v["supervisee_id_number"], v["session_date"], v["session_type"])
        if not problems and key in first:
            problems.append(
                _err(
                    spec,
                    table.file,
                    row,
                    "session_date",
                    v["session_date"],
                    f"same session as row {first[key]} (supervisee, date and type)",
                    "keep one row per session, or correct the date or type",
                )
            )
        errors += problems
        if not problems and all(
            v[c] is not None
            for c in ("supervisee_id_number", "session_date", "session_type", "duration_minutes")
        ):
            first[key] = row
            records.append(_record(row, v, stored))
    bad = {e.row for e in errors}
    order = list(spec)
    errors.sort(key=lambda e: (e.row, order.index(e.column) if e.column in order else -1))
    return CheckedSessions([r for r in records if r["row"] not in bad], errors, len(table.rows))


def _err(
    spec: dict[str, Column], file: str, row: int, column: str, value: object, problem: str, fix: str
) -> RowError:
    raw = value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))
    return RowError(file, row, column, shown_value(spec[column], raw), problem, fix)


def _row_checks(
    file: str,
    row: int,
    v: dict[str, object],
    stored: Mapping[str, StoredPerson],
    today: date,
    spec: dict[str, Column],
) -> list[RowError]:
    """People must be in the inventory; the date must be real for them."""
    out: list[RowError] = []
    tee, tor, day = v["supervisee_id_number"], v["supervisor_id_number"], v["session_date"]
    for col, ident in (("supervisee_id_number", tee), ("supervisor_id_number", tor)):
        if ident is not None and ident not in stored:
            out.append(
                _err(
                    spec,
                    file,
                    row,
                    col,
                    ident,
                    "no such person in the inventory",
                    "import the inventory first, or correct the ID number",
                )
            )
    if tee is not None and tee == tor:
        out.append(
            _err(
                spec,
                file,
                row,
                "supervisor_id_number",
                tor,
                "a person cannot supervise themselves",
                "give the supervisor's ID number, or leave it blank",
            )
        )
    if isinstance(day, date) and day > today:
        out.append(
            _err(
                spec,
                file,
                row,
                "session_date",
                day,
                "is in the future",
                "record sessions after they happen",
            )
        )
    person = stored.get(str(tee)) if tee is not None else None
    if isinstance(day, date) and person and day < person.start_date:
        out.append(
            _err(
                spec,
                file,
                row,
                "session_date",
                day,
                f"is before the supervisee started ({person.start_date.isoformat()})",
                "check the date or the supervisee's ID number",
            )
        )
    return out


def _record(
    row: int, v: dict[str, object], stored: Mapping[str, StoredPerson]
) -> dict[str, object]:
    tor = v["supervisor_id_number"]
    return {
        "row": row,
        "supervisee_id": stored[str(v["supervisee_id_number"])].id,
        "supervisor_id": stored[str(tor)].id if tor is not None else None,
        "session_date": v["session_date"],
        "session_type": v["session_type"],
        "duration_minutes": v["duration_minutes"],
    }


# --- storing and the languages file ----------------------------------------------------------

SESSION_KEY = ("supervisee_id", "session_date", "session_type")  # one session per key
SESSION_VALUES = ("supervisor_id", "duration_minutes")


def diff_sessions(
    stored: Iterable[Sequence[Any]], records: pd.DataFrame
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """New rows and changed rows (with their id) of `records` against the `stored` rows
    (id, *SESSION_KEY, *SESSION_VALUES): what an idempotent import writes."""
    known = {tuple(r[1:4]): (r[0], tuple(r[4:])) for r in stored}
    new, changed = [], []
    for r in records.itertuples(index=False):
        row = {
            "supervisee_id": int(r.supervisee_id),
            "session_date": r.session_date,
            "session_type": r.session_type,
            "supervisor_id": None if pd.isna(r.supervisor_id) else int(r.supervisor_id),
            "duration_minutes": int(r.duration_minutes),
        }
        old = known.get(tuple(row[k] for k in SESSION_KEY))
        if old is None:
            new.append(row)
        elif old[1] != tuple(row[k] for k in SESSION_VALUES):
            changed.append({**row, "id": old[0]})
    return new, changed


def parse_languages(table: Table, known: set[str]) -> tuple[dict[str, list[str]], list[RowError]]:
    """ID number -> languages ("xh; en", the preferred first) from a table with columns
    id_number and languages; an error for every row naming nobody in `known`."""
    head = [h.strip().lower() for h in table.header]
    if "id_number" not in head or "languages" not in head:
        raise InputFileError(
            table.file,
            "needs columns id_number and languages.",
            "add them (languages like 'xh; en', the preferred first).",
        )
    i, j = head.index("id_number"), head.index("languages")
    out: dict[str, list[str]] = {}
    errors = []
    for row, cells in table.rows:
        ident = cell_text(cells[i] if i < len(cells) else None)
        raw = cell_text(cells[j] if j < len(cells) else None).replace(",", ";")
        langs = [x.strip().lower() for x in raw.split(";") if x.strip()]
        if ident not in known:
            errors.append(
                RowError(
                    table.file,
                    row,
                    "id_number",
                    mask_id_number(ident),
                    "no such person in post",
                    "correct the ID number or remove the row",
                )
            )
        elif langs:
            out[ident] = langs
    return out, errors
