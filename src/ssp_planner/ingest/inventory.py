"""The inventory file: one row per social service professional. Columns, parsing and checks.

`validate_inventory` is pure: the service layer hands it the area codes and the identifiers
already stored, and gets back clean records plus every error found (docs/inventory-format.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import lru_cache

from ssp_planner.domain.dates import age_on, parse_date
from ssp_planner.domain.identifiers import (
    IdNumber,
    check_council_number,
    check_id_number,
    check_persal,
    normalise_persal,
)
from ssp_planner.domain.vocabulary import (
    Category,
    Rank,
    Sector,
    Sex,
    allowed_spellings,
    parse_category,
    parse_rank,
    parse_sector,
    parse_sex,
)
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Cell, Table, cell_text
from ssp_planner.ingest.schema import CellError, Column, match_header, parse_rows, shown_value

SHEET = "inventory"
_DIGIT = re.compile(r"\d")
MIN_AGE_AT_START, MAX_AGE_AT_START = 18, 75


def _id_parser(today: date) -> Callable[[Cell], IdNumber]:
    """ID numbers are judged against `today` (century, future birth dates); cached per import
    because supervisors' IDs repeat on every supervisee's row."""

    @lru_cache(maxsize=1 << 16)
    def checked(text: str) -> IdNumber | str:
        return check_id_number(text, today)

    def parse(raw: Cell) -> IdNumber:
        text = cell_text(raw)
        if isinstance(raw, int | float) and len(text) == 12:
            text = text.zfill(13)  # Excel dropped the leading 0 of someone born 2000–2009
        got = checked(text)
        if isinstance(got, str):
            raise CellError(got, "copy the 13-digit ID number exactly from the ID document")
        return got

    return parse


def _text(limit: int) -> Callable[[Cell], object]:
    def parse(raw: Cell) -> str:
        text = " ".join(cell_text(raw).split())
        if len(text) > limit:
            raise CellError(f"longer than {limit} characters", "shorten it")
        if _DIGIT.search(text):
            raise CellError("contains digits", "write the name only, without numbers")
        return text

    return parse


def _vocab(
    parser: Callable[[str], StrEnum | None], enum: type[StrEnum]
) -> Callable[[Cell], object]:
    cached = lru_cache(maxsize=256)(parser)

    def parse(raw: Cell) -> StrEnum:
        got = cached(cell_text(raw))
        if got is None:
            shown = ", ".join(m.value for m in enum)
            raise CellError(f"unknown {enum.__name__.lower()}", f"use one of: {shown}")
        return got

    return parse


def _date(raw: Cell) -> date:
    got = parse_date(raw)
    if isinstance(got, str):
        raise CellError(got, "write the date as YYYY-MM-DD, e.g. 2019-04-01")
    return got


def _persal(raw: Cell) -> str:
    if problem := check_persal(cell_text(raw)):
        raise CellError(problem, "copy the 8-digit PERSAL number from the payroll")
    return normalise_persal(cell_text(raw))


def _council(raw: Cell) -> str:
    if problem := check_council_number(cell_text(raw)):
        raise CellError(problem, "copy the SACSSP registration number from the certificate")
    return cell_text(raw).strip()


def _code(raw: Cell) -> str:
    return cell_text(raw).upper()


def _optional_text(raw: Cell) -> str:
    return " ".join(cell_text(raw).split())[:200]


COLUMNS: list[Column] = [
    Column(
        "id_number",
        True,
        "the 13-digit South African ID number",
        "8001010009082",
        _id_parser(date.today()),
        ("id", "id_no", "sa_id", "identity_number", "id_number_sa"),
        sensitive=True,
    ),
    Column("surname", True, "the surname", "Dlamini", _text(120), ("last_name", "family_name")),
    Column(
        "first_names",
        True,
        "the first names",
        "Nomvula Grace",
        _text(200),
        ("first_name", "names", "given_names", "name"),
    ),
    Column(
        "birth_date",
        False,
        "birth date; must agree with the ID number",
        "1980-01-01",
        _date,
        ("date_of_birth", "dob"),
        sensitive=True,
    ),
    Column(
        "sex",
        False,
        "F or M; must agree with the ID number",
        "F",
        _vocab(parse_sex, Sex),
        ("gender",),
        tuple(allowed_spellings(Sex)),
    ),
    Column(
        "category",
        True,
        "the SSP category",
        "social_worker",
        _vocab(parse_category, Category),
        ("occupation", "ssp_category"),
        tuple(allowed_spellings(Category)),
    ),
    Column(
        "rank",
        False,
        "practitioner, supervisor or manager (default practitioner)",
        "practitioner",
        _vocab(parse_rank, Rank),
        ("level", "post_level"),
        tuple(allowed_spellings(Rank)),
    ),
    Column(
        "sector",
        True,
        "the employer's sector",
        "government",
        _vocab(parse_sector, Sector),
        ("employer_sector",),
        tuple(allowed_spellings(Sector)),
    ),
    Column(
        "employer",
        False,
        "the employer's name",
        "DSD Eastern Cape",
        _optional_text,
        ("organisation", "organization", "npo_name"),
    ),
    Column(
        "area_code",
        True,
        "the MDB code of the municipality, district or province worked in",
        "EC101",
        _code,
        ("area", "municipality_code", "district_code", "mdb_code"),
    ),
    Column(
        "start_date",
        True,
        "the date the person started in this job",
        "2015-04-01",
        _date,
        ("date_started", "appointment_date", "start"),
    ),
    Column(
        "persal_number",
        False,
        "the 8-digit PERSAL number (government employees)",
        "12345678",
        _persal,
        ("persal", "persal_no"),
    ),
    Column(
        "council_number",
        False,
        "the SACSSP registration number",
        "10-123456",
        _council,
        ("sacssp_number", "registration_number", "sacssp_no", "council_registration"),
    ),
    Column(
        "supervisor_id_number",
        False,
        "the supervisor's ID number (in this file or stored)",
        "",
        _id_parser(date.today()),
        ("supervisor_id", "supervisor"),
        sensitive=True,
    ),
]
SPEC = {c.name: c for c in COLUMNS}
ID_COLUMNS = ("id_number", "supervisor_id_number")


def columns_for(today: date) -> list[Column]:
    """The columns with ID numbers checked against `today` rather than the clock at import."""
    parse = _id_parser(today)
    return [replace(c, parse=parse) if c.name in ID_COLUMNS else c for c in COLUMNS]


@dataclass(frozen=True)
class StoredKeys:
    """Identifiers already in the database, to catch a duplicate person across imports."""

    persal: Mapping[str, str] = field(default_factory=dict)  # PERSAL -> ID number
    council: Mapping[str, str] = field(default_factory=dict)  # council number -> ID number
    id_numbers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Validated:
    records: list[dict[str, object]]  # clean rows, in file order, with 'row' and 'area_code'
    errors: list[RowError]
    rows_read: int


def validate_inventory(
    table: Table, area_codes: frozenset[str], stored: StoredKeys, today: date
) -> Validated:
    """Every check on every row; a row with any error is left out of `records`."""
    columns = columns_for(today)
    positions, errors = match_header(table, columns)
    if errors:
        return Validated([], errors, len(table.rows))
    parsed, errors = parse_rows(table, columns, positions)
    for row_no, values in parsed:
        errors += _row_checks(table.file, row_no, values, area_codes, today)
    bad_rows = {e.row for e in errors}
    good = [_record(row_no, values) for row_no, values in parsed if row_no not in bad_rows]
    file_rows = {
        v["id_number"].value: row_no for row_no, v in parsed if isinstance(v["id_number"], IdNumber)
    }
    kept, dup_errors = _cross_row_checks(table.file, good, stored, file_rows)
    order = list(SPEC)
    errors = sorted(
        errors + dup_errors,
        key=lambda e: (e.row, order.index(e.column) if e.column in order else -1),
    )
    return Validated(kept, errors, len(table.rows))


def _err(file: str, row: int, column: str, value: object, problem: str, fix: str) -> RowError:
    raw = value if isinstance(value, str) else ("" if value is None else str(value))
    return RowError(file, row, column, shown_value(SPEC[column], raw), problem, fix)


def _row_checks(
    file: str, row: int, v: dict[str, object], area_codes: frozenset[str], today: date
) -> list[RowError]:
    """Checks across cells of one row; a cell that failed to parse (None) is skipped here."""
    out: list[RowError] = []
    if v["area_code"] is not None and v["area_code"] not in area_codes:
        out.append(
            _err(
                file,
                row,
                "area_code",
                v["area_code"],
                "unknown area code",
                "use a code listed by `ssp areas`, e.g. EC101 or DC10",
            )
        )
    start = v["start_date"]
    if isinstance(start, date) and start > today:
        out.append(
            _err(
                file,
                row,
                "start_date",
                str(start),
                "is in the future",
                "give the date the person actually started",
            )
        )
    ident = v["id_number"]
    if isinstance(ident, IdNumber):
        out += _checks_against_id(file, row, v, ident)
    return out


def _checks_against_id(
    file: str, row: int, v: dict[str, object], ident: IdNumber
) -> list[RowError]:
    """Birth date, sex and age at start must agree with what the ID number encodes."""
    out: list[RowError] = []
    if v["birth_date"] is not None and v["birth_date"] != ident.birth_date:
        out.append(
            _err(
                file,
                row,
                "birth_date",
                str(v["birth_date"]),
                "does not agree with the birth date in the ID number",
                "correct the birth date or the ID number",
            )
        )
    if v["sex"] is not None and v["sex"] != ident.sex:
        out.append(
            _err(
                file,
                row,
                "sex",
                str(v["sex"]),
                "does not agree with the ID number",
                "correct the sex or the ID number",
            )
        )
    start = v["start_date"]
    if isinstance(start, date):
        age = age_on(ident.birth_date, start)
        if not MIN_AGE_AT_START <= age <= MAX_AGE_AT_START:
            out.append(
                _err(
                    file,
                    row,
                    "start_date",
                    str(start),
                    f"person would be {age} at the start "
                    f"(allowed {MIN_AGE_AT_START}–{MAX_AGE_AT_START})",
                    "check the start date and the ID number",
                )
            )
    sup = v["supervisor_id_number"]
    if isinstance(sup, IdNumber) and sup.value == ident.value:
        out.append(
            _err(
                file,
                row,
                "supervisor_id_number",
                sup.value,
                "a person cannot supervise themselves",
                "give the supervisor's ID number",
            )
        )
    return out


def _record(row: int, v: dict[str, object]) -> dict[str, object]:
    ident = v["id_number"]
    sup = v["supervisor_id_number"]
    assert isinstance(ident, IdNumber)
    return {
        "row": row,
        "id_number": ident.value,
        "surname": v["surname"],
        "first_names": v["first_names"],
        "birth_date": ident.birth_date,
        "sex": ident.sex.value,
        "category": str(v["category"]),
        "rank": str(v["rank"] or Rank.PRACTITIONER),
        "sector": str(v["sector"]),
        "employer": v["employer"],
        "area_code": v["area_code"],
        "start_date": v["start_date"],
        "persal_number": v["persal_number"],
        "council_number": v["council_number"],
        "supervisor_id_number": sup.value if isinstance(sup, IdNumber) else None,
    }


def _cross_row_checks(
    file: str, records: list[dict[str, object]], stored: StoredKeys, file_rows: dict[str, int]
) -> tuple[list[dict[str, object]], list[RowError]]:
    """Duplicate people inside the file and against the database; supervisors must exist."""
    errors: list[RowError] = []
    first_row: dict[str, int] = {}
    owners: dict[str, dict[str, str]] = {"persal_number": {}, "council_number": {}}
    kept = []
    for rec in records:
        row, ident = int(str(rec["row"])), str(rec["id_number"])
        rec_errors = []
        if ident in first_row:
            rec_errors.append(
                _err(
                    file,
                    row,
                    "id_number",
                    ident,
                    f"same person as row {first_row[ident]}",
                    "keep one row per person; merge the two rows",
                )
            )
        for col, known in (("persal_number", stored.persal), ("council_number", stored.council)):
            rec_errors += _owner_conflict(file, row, col, rec, known, owners[col])
        errors += rec_errors
        if not rec_errors:
            first_row[ident] = row
            kept.append(rec)
    errors += _supervisor_checks(file, kept, stored.id_numbers, file_rows)
    bad_rows = {e.row for e in errors}
    return [r for r in kept if r["row"] not in bad_rows], errors


def _supervisor_checks(
    file: str, kept: list[dict[str, object]], stored: frozenset[str], file_rows: dict[str, int]
) -> list[RowError]:
    """A supervisor must be stored or kept from this file; repeated until nothing changes,
    since rejecting a supervisor can leave their own supervisees without one."""
    errors: list[RowError] = []
    remaining = kept
    while True:
        present = stored | {str(r["id_number"]) for r in remaining}
        new = [
            _missing_supervisor(file, rec, file_rows.get(str(rec["supervisor_id_number"])))
            for rec in remaining
            if rec["supervisor_id_number"] is not None
            and rec["supervisor_id_number"] not in present
        ]
        if not new:
            return errors
        errors += new
        bad = {e.row for e in new}
        remaining = [r for r in remaining if r["row"] not in bad]


def _missing_supervisor(file: str, rec: dict[str, object], sup_row: int | None) -> RowError:
    problem, fix = (
        (
            "no such person in this file or in the database",
            "add the supervisor's own row, or correct the ID number",
        )
        if sup_row is None
        else (f"the supervisor's own row ({sup_row}) has errors", f"fix row {sup_row} first")
    )
    return _err(
        file,
        int(str(rec["row"])),
        "supervisor_id_number",
        str(rec["supervisor_id_number"]),
        problem,
        fix,
    )


def _owner_conflict(
    file: str,
    row: int,
    col: str,
    rec: dict[str, object],
    stored: Mapping[str, str],
    seen: dict[str, str],
) -> list[RowError]:
    """A PERSAL or council number may belong to one person only."""
    value, ident = rec[col], str(rec["id_number"])
    if value is None:
        return []
    key = str(value)
    if key in seen and seen[key] != ident:
        return [
            _err(
                file,
                row,
                col,
                key,
                "already used by another person earlier in this file",
                "check which person this number belongs to",
            )
        ]
    if stored.get(key, ident) != ident:
        return [
            _err(
                file,
                row,
                col,
                key,
                "already belongs to another person in the database",
                "check the number; if the stored person is wrong, correct that record first",
            )
        ]
    seen[key] = ident
    return []
