"""Source lists: the loose format of payroll exports, council registers and NPO staff lists.

Unlike the inventory file, a source list is evidence, not a clean record: only a surname is
required. A missing ID number is data, not an error; a malformed cell is a warning kept in the
report and the row is still kept. `check_source` reports; `link_records` turns rows into the
normalised records the linkage model compares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from ssp_planner.domain.dates import parse_date
from ssp_planner.domain.identifiers import (
    IdNumber,
    check_council_number,
    check_id_number,
    check_persal,
    mask_id_number,
    normalise_persal,
)
from ssp_planner.domain.vocabulary import parse_category, parse_rank, parse_sector, parse_sex
from ssp_planner.ingest.errors import RowError
from ssp_planner.ingest.reader import Cell, Table, cell_text
from ssp_planner.ingest.schema import CellError, Column, match_header, parse_rows
from ssp_planner.linkage.names import (
    fold,
    initials_of,
    is_initials,
    name_aliases,
    phonetic_key,
)

SHEET = "source"
NOT_FATAL = ("unknown column", "a column has no header")  # header problems that keep the file


def _text(raw: Cell) -> str:
    return " ".join(cell_text(raw).split())[:200]


def _digits(raw: Cell) -> str:
    """ID numbers as digits; Excel may have dropped the leading zero of someone born 2000-09."""
    text = cell_text(raw).replace(" ", "").removesuffix(".0")
    return text.zfill(13) if isinstance(raw, int | float) and len(text) == 12 else text


def _lenient(check: Callable[[str], str | None], fix: str) -> Callable[[Cell], str]:
    def parse(raw: Cell) -> str:
        if problem := check(cell_text(raw)):
            raise CellError(problem, fix)
        return cell_text(raw)

    return parse


def _vocab(parser: Callable[[str], object], what: str) -> Callable[[Cell], str]:
    cached = lru_cache(maxsize=256)(parser)

    def parse(raw: Cell) -> str:
        got = cached(cell_text(raw))
        if got is None:
            raise CellError(
                f"unknown {what}; left out of the golden record", f"write a known {what}"
            )
        return str(got)

    return parse


def _date(raw: Cell) -> str:
    got = _parsed_date(raw) if isinstance(raw, str) else parse_date(raw)
    if isinstance(got, str):
        raise CellError(got, "write the date as YYYY-MM-DD; the row is kept without it")
    return got.isoformat()


@lru_cache(maxsize=1 << 16)
def _parsed_date(text: str) -> date | str:
    return parse_date(text)


def _council(raw: Cell) -> str:
    return _lenient(check_council_number, "copy the SACSSP number, e.g. 10-123456")(raw).upper()


def _persal(raw: Cell) -> str:
    return normalise_persal(_lenient(check_persal, "copy the 8-digit PERSAL number")(raw))


COLUMNS: list[Column] = [
    Column("record_id", False, "the list's own key for the row", "EMP-0042", _text,
           ("staff_number", "employee_number", "row_id")),
    Column("id_number", False, "the 13-digit SA ID number, if known", "8001010009082", _digits,
           ("id", "id_no", "sa_id", "identity_number"), sensitive=True),
    Column("surname", True, "the surname", "Dlamini", _text, ("last_name", "family_name")),
    Column("first_names", False, "first names or initials", "Nomvula Grace", _text,
           ("first_name", "names", "given_names", "initials", "name")),
    Column("birth_date", False, "birth date", "1980-01-01", _date, ("date_of_birth", "dob"),
           sensitive=True),
    Column("sex", False, "F or M", "F", _vocab(parse_sex, "sex"), ("gender",)),
    Column("persal_number", False, "PERSAL number", "12345678", _persal, ("persal", "persal_no")),
    Column("council_number", False, "SACSSP registration number", "10-123456", _council,
           ("sacssp_number", "registration_number", "sacssp_no", "council_registration")),
    Column("category", False, "SSP category", "social_worker", _vocab(parse_category, "category"),
           ("occupation", "ssp_category")),
    Column("rank", False, "practitioner, supervisor or manager", "practitioner",
           _vocab(parse_rank, "rank"), ("level", "post_level")),
    Column("sector", False, "employer's sector", "npo", _vocab(parse_sector, "sector"),
           ("employer_sector",)),
    Column("employer", False, "employer's name", "Child Welfare Durban", _text,
           ("organisation", "organization", "npo_name")),
    Column("area_code", False, "MDB code of the area worked in", "ETH", lambda c: _text(c).upper(),
           ("area", "municipality_code", "district_code", "mdb_code")),
    Column("start_date", False, "date started in the job", "2015-04-01", _date,
           ("date_started", "appointment_date", "start")),
]  # fmt: skip
FIELDS = [c.name for c in COLUMNS]


@dataclass(frozen=True)
class SourceCheck:
    """Every row of a source list (kept even when incomplete) and the problems found."""

    rows: list[tuple[int, dict[str, object]]]  # (row number, parsed values)
    issues: list[RowError]
    fatal: bool  # the file cannot be read as a source list (e.g. no surname column)


def raw_cells(table: Table) -> list[tuple[int, dict[str, str]]]:
    """The rows as the user typed them: header -> cell text, nothing cleaned."""
    return [
        (row_no, {h: cell_text(cells[i]) if i < len(cells) else "" for i, h in _heads(table)})
        for row_no, cells in table.rows
    ]


def _heads(table: Table) -> list[tuple[int, str]]:
    return [(i, h or f"column_{i + 1}") for i, h in enumerate(table.header)]


def check_source(table: Table, area_codes: frozenset[str], today: date) -> SourceCheck:
    """Parse every row; report all problems; keep every row that has a surname for linkage."""
    positions, header_issues = match_header(table, COLUMNS)
    fatal = any(i.problem not in NOT_FATAL for i in header_issues)
    if fatal:
        return SourceCheck([], header_issues, True)
    parsed, issues = parse_rows(table, COLUMNS, positions)
    issues = header_issues + issues
    for row_no, values in parsed:
        issues += _row_checks(table.file, row_no, values, area_codes, today)
    issues.sort(key=lambda e: (e.row, FIELDS.index(e.column) if e.column in FIELDS else -1))
    return SourceCheck(parsed, issues, False)


def _row_checks(
    file: str, row: int, v: dict[str, object], area_codes: frozenset[str], today: date
) -> list[RowError]:
    out = []
    if v["id_number"]:
        got = check_id_number(str(v["id_number"]), today)
        if isinstance(got, str):
            fix = "check the ID number; the row is linked on its other fields"
            shown = mask_id_number(str(v["id_number"]))
            out.append(RowError(file, row, "id_number", shown, got, fix))
    if v["area_code"] and v["area_code"] not in area_codes:
        fix = "use a code listed by `ssp areas`; the row is kept without it"
        out.append(RowError(file, row, "area_code", str(v["area_code"]), "unknown area code", fix))
    return out


@dataclass(frozen=True)
class AreaLineage:
    """District and province of each area code, so 'moved within the district' can be scored."""

    parents: Mapping[str, tuple[str, str]]  # area code -> (district code, province code)

    def of(self, code: str | None) -> tuple[str | None, str | None]:
        district, province = self.parents.get(code, ("", "")) if code else ("", "")
        return district or None, province or None


def link_record(
    uid: int, source: str, v: Mapping[str, object], areas: AreaLineage
) -> dict[str, Any]:
    """One normalised record for the model; `v` holds the parsed values of one row."""
    ident = _valid_id(v.get("id_number"))
    given = str(v.get("first_names") or "")
    first = fold(given).split(" ")[0] if fold(given) else None
    surname = fold(str(v.get("surname") or "")) or None
    birth = v.get("birth_date") or (ident.birth_date.isoformat() if ident else None)
    district, province = areas.of(_str(v.get("area_code")))
    rec: dict[str, Any] = {
        "unique_id": uid,
        "source": source,
        "surname": surname,
        "first_name": first,
        "initials": initials_of(given) or None,
        "initials_only": is_initials(given),
        "first_aliases": list(name_aliases(first)) if first else None,
        "surname_tokens": surname.split(" ") if surname else None,
        "surname_key": phonetic_key(surname) if surname else None,
        "first_key": phonetic_key(first) if first and len(first) > 1 else None,
        "birth_date": birth,
        "sex": ident.sex.value if ident else _str(v.get("sex")),
        "id_number": _str(v.get("id_number")),
        "id_valid": ident is not None,
        "persal_number": _str(v.get("persal_number")),
        "council_number": _str(v.get("council_number")),
        "area_code": _str(v.get("area_code")),
        "district_code": district,
        "province_code": province,
        "category": _str(v.get("category")),
    }
    rec["name_key"] = "|".join(sorted([rec["surname_key"] or "", rec["first_key"] or ""]))
    rec["evidence"] = sum(1 << i for i, k in enumerate(IDENTIFYING) if rec[k])
    rec["name_only"] = rec["evidence"] == 0
    return rec


# Fields that identify a person beyond a name; `evidence` holds one bit per field present. Two
# records that share none of them can only be compared on names.
IDENTIFYING = ("id_number", "birth_date", "persal_number", "council_number")


def _str(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _valid_id(value: object) -> IdNumber | None:
    if not value:
        return None
    got = _checked_id(str(value))
    return got if isinstance(got, IdNumber) else None


@lru_cache(maxsize=1 << 17)
def _checked_id(text: str) -> IdNumber | str:
    return check_id_number(text)


def could_be_same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Could these two records be one person, names and birth dates allowing for slips?

    The guard on the deterministic ID rule: a shared ID with unrelated names, or with stated
    birth dates far apart, is an ID copied from someone else and goes to review instead.
    """
    return _births_compatible(a["birth_date"], b["birth_date"]) and names_compatible(a, b)


def _births_compatible(a: object, b: object) -> bool:
    """Equal, missing, one digit apart, or day and month swapped."""
    if not a or not b or a == b:
        return True
    x, y = str(a), str(b)
    if sum(c != d for c, d in zip(x, y, strict=False)) <= 1:
        return True
    return x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]


def names_compatible(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Could these names be one person's (typo, nickname, swap, married surname, initials)?"""
    if a["surname_key"] == b["surname_key"]:
        return True
    if a["first_key"] and a["first_key"] == b["first_key"]:
        return True
    if a["name_key"] == b["name_key"]:  # surname and first name swapped
        return True
    if a["surname"] == b["first_name"] or a["first_name"] == b["surname"]:  # swapped, initials
        return True
    aliases_a, aliases_b = set(a["first_aliases"] or ()), set(b["first_aliases"] or ())
    if aliases_a & aliases_b:
        return True
    tokens_a, tokens_b = set(a["surname_tokens"] or ()), set(b["surname_tokens"] or ())
    return bool(tokens_a & tokens_b) and bool(a["initials"]) and a["initials"] == b["initials"]


def lineage_from(areas: Iterable[tuple[str, str, str | None]]) -> AreaLineage:
    """(code, level, parent code) rows -> district and province of every code."""
    rows = list(areas)
    province_of = {c: p for c, lv, p in rows if lv == "district" and p}
    parents: dict[str, tuple[str, str]] = {}
    for code, level, parent in rows:
        if level == "province":
            parents.setdefault(code, ("", code))
        elif level == "district" and parent:
            parents[code] = (code, parent)
        elif level == "municipality" and parent and parent in province_of:
            parents.setdefault(code, (parent, province_of[parent]))
    return AreaLineage(parents)


def canonical_cells(header: list[str], cells: list[str]) -> dict[str, str]:
    """One stored row's cells by column name ('Last Name' -> 'surname'), for showing it."""
    positions, _issues = match_header(Table("", header, [(2, list(cells))]), COLUMNS)
    return {name: str(cells[i]) for name, i in positions.items() if i < len(cells)}
