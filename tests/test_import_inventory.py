"""Importing the inventory on SQLite and PostgreSQL with the real fixture files: all-or-nothing,
idempotent, every row in a recorded batch, every error reported with its row and column."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from conftest import FIXTURES
from ssp_planner.domain.identifiers import make_id_number
from ssp_planner.domain.vocabulary import Sex
from ssp_planner.errors import InputFileError
from ssp_planner.ingest.errors import REPORT_COLUMNS, write_error_report
from ssp_planner.ingest.inventory import SHEET, StoredKeys, validate_inventory
from ssp_planner.ingest.reader import read_table
from ssp_planner.services.areas import load_areas
from ssp_planner.services.inventory import ImportResult, import_inventory
from ssp_planner.store import session_scope
from ssp_planner.store.models import Area, ImportBatch, Practitioner

INV = FIXTURES / "inventory"
TODAY = date(2026, 4, 1)
COLUMNS = [c.name for c in Practitioner.__table__.columns]


@pytest.fixture
def db(engine: Engine) -> Engine:
    """Both backends, with the bundled South African areas loaded."""
    load_areas(engine)
    return engine


@pytest.fixture
def sqlite_db(sqlite_engine: Engine) -> Engine:
    load_areas(sqlite_engine)
    return sqlite_engine


def run(engine: Engine, path: Path, **kw: object) -> ImportResult:
    return import_inventory(engine, path, today=TODAY, **kw)  # type: ignore[arg-type]


def people(engine: Engine) -> dict[str, dict[str, object]]:
    """Every stored practitioner, all columns, keyed by ID number."""
    with session_scope(engine) as s:
        rows = s.execute(select(Practitioner.__table__)).mappings().all()
    return {str(r["id_number"]): dict(r) for r in rows}


def inventory_batches(engine: Engine) -> list[ImportBatch]:
    with session_scope(engine) as s:
        return list(
            s.scalars(select(ImportBatch).where(ImportBatch.kind == "inventory").order_by("id"))
        )


def count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count(Practitioner.id))) or 0)


def by_surname(engine: Engine) -> dict[str, dict[str, object]]:
    return {str(p["surname"]): p for p in people(engine).values()}


def pairs(result: ImportResult) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in result.errors}


def edit_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = (INV / name).read_text("utf-8")
    assert text.count(old) == 1, old
    out = tmp_path / name
    out.write_text(text.replace(old, new), "utf-8")
    return out


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


HEADER = [
    "id_number",
    "surname",
    "first_names",
    "category",
    "sector",
    "area_code",
    "start_date",
    "persal_number",
    "supervisor_id_number",
]


# --- a good file ---------------------------------------------------------------------------


def test_good_csv_imports_everyone(db: Engine) -> None:
    result = run(db, INV / "good.csv")
    assert (result.rows_read, result.inserted, result.updated, result.unchanged) == (10, 10, 0, 0)
    assert result.errors == [] and result.rejected == 0 and result.written

    [batch] = inventory_batches(db)
    assert batch.id == result.batch_id
    assert batch.file_name == "good.csv"
    assert batch.sha256 == hashlib.sha256((INV / "good.csv").read_bytes()).hexdigest()
    assert (batch.rows_read, batch.rows_inserted, batch.rows_updated) == (10, 10, 0)
    assert (batch.rows_unchanged, batch.rows_rejected) == (0, 0)
    assert batch.finished_at is not None and batch.started_at <= batch.finished_at
    assert batch.synthetic is False

    stored = people(db)
    assert len(stored) == 10
    assert all(p["batch_id"] == p["created_batch_id"] == batch.id for p in stored.values())

    # every stated supervisor is linked to the stored supervisor's row
    ids = {p["id"]: number for number, p in stored.items()}
    supervised = [p for p in stored.values() if p["supervisor_id_number"]]
    assert len(supervised) == 7
    for p in supervised:
        assert ids[p["supervisor_id"]] == p["supervisor_id_number"]
    assert all(p["supervisor_id"] is None for p in stored.values() if not p["supervisor_id_number"])

    # spellings became the canonical vocabulary
    assert Counter(str(p["category"]) for p in stored.values()) == {
        "social_worker": 5,
        "child_youth_care_worker": 2,
        "social_auxiliary_worker": 1,
        "community_development_practitioner": 1,
        "auxiliary_child_youth_care_worker": 1,
    }
    assert Counter(str(p["sector"]) for p in stored.values()) == {
        "government": 5,
        "npo": 4,
        "private": 1,
    }
    people_ = by_surname(db)
    assert people_["Dlamini"]["rank"] == "supervisor"
    assert people_["Mokoena"]["rank"] == "practitioner"  # empty rank: the default
    assert people_["Khumalo"]["persal_number"] == "01234567"  # leading zero put back
    assert people_["Mokoena"]["start_date"] == date(2012, 1, 15)  # 15/01/2012
    assert people_["Molefe"]["start_date"] == date(2019, 6, 1)  # Excel serial 43617
    assert people_["Botha"]["birth_date"] == date(1968, 8, 8)  # taken from the ID number
    assert people_["Botha"]["sex"] == "M"
    assert people_["Zulu"]["id_number"] == "0106150109085"  # leading zero kept in a CSV


def test_area_codes_resolve_to_the_most_specific_area(sqlite_db: Engine) -> None:
    db = sqlite_db
    run(db, INV / "good.csv")
    with session_scope(db) as s:
        area = {a.id: (a.code, a.level) for a in s.scalars(select(Area))}
    where = {k: area[int(str(v["area_id"]))] for k, v in by_surname(db).items()}
    assert where["Molefe"] == ("JHB", "municipality")  # a metro code means its municipality row
    assert where["Khumalo"] == ("DC10", "district")
    assert where["Botha"] == ("GP", "province")
    assert where["Dlamini"] == ("EC101", "municipality")


def test_reimport_changes_nothing(db: Engine) -> None:
    first = run(db, INV / "good.csv")
    before = people(db)
    again = run(db, INV / "good.csv")
    assert again.batch_id is None and not again.written
    assert (again.inserted, again.updated, again.unchanged, again.errors) == (0, 0, 10, [])
    assert people(db) == before
    assert [b.id for b in inventory_batches(db)] == [first.batch_id]


def test_xlsx_with_excel_dates_and_numeric_ids_holds_the_same_people(db: Engine) -> None:
    result = run(db, INV / "good.xlsx")
    assert (result.inserted, result.errors) == (10, [])
    from_xlsx = people(db)
    again = run(db, INV / "good.csv")  # the same people, typed as text
    assert (again.unchanged, again.inserted, again.updated, again.batch_id) == (10, 0, 0, None)
    assert people(db) == from_xlsx


def test_bom_crlf_and_semicolon_files_hold_the_same_rows(db: Engine) -> None:
    first = run(db, INV / "utf8_bom.csv")
    assert (first.inserted, first.errors) == (3, [])
    assert set(by_surname(db)) == {"Dlamini", "Mokoena", "Khumalo"}
    for name in ("windows_crlf.csv", "semicolon.csv"):
        again = run(db, INV / name)
        assert (again.unchanged, again.errors, again.batch_id) == (3, [], None), name


def test_cp1252_names_are_stored_with_their_accents(sqlite_db: Engine) -> None:
    db = sqlite_db
    result = run(db, INV / "cp1252.csv")
    assert (result.inserted, result.errors) == (2, [])
    stored = by_surname(db)
    assert stored["Müller"]["first_names"] == "Jürgen"
    assert stored["Esté"]["first_names"] == "Renée"
    assert stored["Esté"]["employer"] == "Ons Plek – Kaapstad"


def test_changed_row_is_updated_and_moves_to_the_new_batch(db: Engine, tmp_path: Path) -> None:
    first = run(db, INV / "good.csv")
    before = people(db)
    changed = edit_copy(
        tmp_path,
        "good.csv",
        "Mokoena,Thabo,1988-07-23,M,Social Worker,,Govt,DSD Eastern Cape,EC101",
        "Mokoena,Thabo,1988-07-23,M,Social Worker,,Govt,DSD Eastern Cape,EC102",
    )
    second = run(db, changed)
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 9)
    assert second.batch_id is not None and second.batch_id != first.batch_id
    after = people(db)
    moved = [k for k in after if after[k] != before[k]]
    assert [after[k]["surname"] for k in moved] == ["Mokoena"]
    thabo = after[moved[0]]
    assert thabo["batch_id"] == second.batch_id
    assert thabo["created_batch_id"] == first.batch_id
    assert thabo["id"] == before[moved[0]]["id"]
    assert all(p["batch_id"] == first.batch_id for k, p in after.items() if k not in moved)
    last = inventory_batches(db)[-1]
    assert (last.rows_inserted, last.rows_updated, last.rows_unchanged) == (0, 1, 9)
    assert last.sha256 == hashlib.sha256(changed.read_bytes()).hexdigest()


def test_new_person_supervised_by_a_stored_person(sqlite_db: Engine, tmp_path: Path) -> None:
    db = sqlite_db
    run(db, INV / "good.csv")
    supervisor = by_surname(db)["Dlamini"]
    newcomer = make_id_number(date(1996, 8, 9), Sex.FEMALE, 400)
    path = write_csv(
        tmp_path / "more.csv",
        [
            HEADER,
            [
                newcomer,
                "Nkosi",
                "Ayanda",
                "SW",
                "government",
                "EC101",
                "2021-04-01",
                "",
                str(supervisor["id_number"]),
            ],
        ],
    )
    result = run(db, path)
    assert (result.inserted, result.errors) == (1, [])
    assert people(db)[newcomer]["supervisor_id"] == supervisor["id"]


# --- broken files: nothing stored, every error reported ----------------------------------

BROKEN = [
    ("wrong_check_digit.csv", {(3, "id_number")}),
    ("unknown_area.csv", {(3, "area_code")}),
    ("impossible_date.csv", {(3, "start_date")}),
    ("duplicate_person.csv", {(4, "id_number")}),
    ("empty_mandatory.csv", {(3, "surname")}),
    ("unknown_column.csv", {(1, "favourite_colour")}),
    ("missing_column.csv", {(1, "area_code")}),
]


def test_broken_files_store_nothing(db: Engine) -> None:
    for name, expected in BROKEN:
        result = run(db, INV / name)
        assert pairs(result) == expected, name
        assert result.batch_id is None and not result.written, name
        assert result.inserted == result.updated == 0, name
        assert count(db) == 0, name
        assert inventory_batches(db) == [], name
        for err in result.errors:
            assert err.file == name and err.problem and err.fix, err


MANY_ERRORS = {
    (3, "id_number"),  # wrong check digit
    (4, "area_code"),  # unknown area
    (5, "start_date"),  # 31/02/2019
    (7, "id_number"),  # same person as row 6
    (8, "surname"),  # empty mandatory cell
    (9, "start_date"),  # in the future
    (10, "start_date"),  # 15 years old at the start
    (11, "category"),  # Plumber
    (12, "birth_date"),  # disagrees with the ID number
    (14, "persal_number"),  # not 8 digits ...
    (14, "sex"),  # ... and the sex disagrees with the ID: both reported
    (15, "supervisor_id_number"),  # in neither the file nor the database
}


def test_many_errors_all_reported_nothing_stored(db: Engine) -> None:
    result = run(db, INV / "many_errors.csv")
    assert pairs(result) == MANY_ERRORS
    assert len(result.errors) == len(MANY_ERRORS)
    assert result.rows_read == 14 and result.rejected == 11
    assert count(db) == 0 and inventory_batches(db) == []
    problems = {(e.row, e.column): e.problem for e in result.errors}
    assert "Luhn" in problems[(3, "id_number")]
    assert problems[(4, "area_code")] == "unknown area code"
    assert "not a real calendar date" in problems[(5, "start_date")]
    assert problems[(7, "id_number")] == "same person as row 6"
    assert problems[(8, "surname")] == "empty"
    assert problems[(9, "start_date")] == "is in the future"
    assert "15" in problems[(10, "start_date")] and "18–75" in problems[(10, "start_date")]
    assert problems[(11, "category")] == "unknown category"
    assert "does not agree with the birth date in the ID number" in problems[(12, "birth_date")]
    assert problems[(14, "persal_number")] == "must be 8 digits"
    assert "no such person" in problems[(15, "supervisor_id_number")]
    rows = [e.row for e in result.errors]
    assert rows == sorted(rows), "errors come in file order"


def test_skip_invalid_stores_only_the_valid_rows(db: Engine) -> None:
    result = run(db, INV / "many_errors.csv", skip_invalid=True)
    assert pairs(result) == MANY_ERRORS  # the rest is still reported
    assert (result.inserted, result.rejected, result.rows_read) == (3, 11, 14)
    stored = by_surname(db)
    assert set(stored) == {"Mahlangu", "Mabuza", "Radebe"}
    assert stored["Mabuza"]["first_names"] == "Thandiwe"  # the first of the duplicate rows
    assert stored["Radebe"]["supervisor_id"] == stored["Mahlangu"]["id"]
    [batch] = inventory_batches(db)
    assert (batch.rows_read, batch.rows_inserted, batch.rows_rejected) == (14, 3, 11)
    assert all(p["batch_id"] == batch.id for p in stored.values())


def test_skip_invalid_stores_the_good_row_of_a_broken_file(db: Engine) -> None:
    result = run(db, INV / "wrong_check_digit.csv", skip_invalid=True)
    assert result.inserted == 1 and pairs(result) == {(3, "id_number")}
    assert set(by_surname(db)) == {"Dlamini"}


def test_skip_invalid_cannot_skip_a_missing_column(sqlite_db: Engine) -> None:
    db = sqlite_db
    result = run(db, INV / "missing_column.csv", skip_invalid=True)
    assert pairs(result) == {(1, "area_code")}
    assert result.batch_id is None and count(db) == 0


def test_unreadable_files_raise_and_store_nothing(db: Engine) -> None:
    names = ["empty.csv", "not_a_spreadsheet.csv", "not_a_spreadsheet.xlsx", "wrong_sheet.xlsx"]
    for name in names:
        with pytest.raises(InputFileError, match=name):
            run(db, INV / name)
    assert count(db) == 0 and inventory_batches(db) == []


def test_persal_of_a_stored_person_is_refused(db: Engine, tmp_path: Path) -> None:
    run(db, INV / "good.csv")
    before = people(db)
    stranger = make_id_number(date(1991, 3, 3), Sex.MALE, 401)
    path = write_csv(
        tmp_path / "clash.csv",
        [
            HEADER,
            [stranger, "Zwane", "Musa", "SW", "govt", "EC101", "2020-01-01", "10000001", ""],
        ],
    )
    result = run(db, path)
    assert pairs(result) == {(2, "persal_number")}
    assert "another person in the database" in result.errors[0].problem
    assert people(db) == before


def test_persal_used_twice_in_one_file(sqlite_db: Engine, tmp_path: Path) -> None:
    db = sqlite_db
    a = make_id_number(date(1991, 3, 3), Sex.MALE, 402)
    b = make_id_number(date(1992, 4, 4), Sex.FEMALE, 403)
    path = write_csv(
        tmp_path / "twice.csv",
        [
            HEADER,
            [a, "Zwane", "Musa", "SW", "govt", "EC101", "2020-01-01", "20000001", ""],
            [b, "Zwane", "Lindi", "SW", "govt", "EC101", "2020-01-01", "20000001", ""],
        ],
    )
    result = run(db, path)
    assert pairs(result) == {(3, "persal_number")}
    assert count(db) == 0


def test_nobody_supervises_themselves(sqlite_db: Engine, tmp_path: Path) -> None:
    me = make_id_number(date(1980, 2, 2), Sex.FEMALE, 404)
    path = write_csv(
        tmp_path / "self.csv",
        [HEADER, [me, "Zwane", "Lindi", "SW", "govt", "EC101", "2020-01-01", "", me]],
    )
    result = run(sqlite_db, path)
    assert pairs(result) == {(2, "supervisor_id_number")}


# --- the error report -------------------------------------------------------------------


def _report_rows(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        wb = load_workbook(path, read_only=True)
        ws = wb["errors"]
        rows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
        return rows
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "BOM, so that Excel reads UTF-8"
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


def _ids_in(name: str) -> set[str]:
    with (INV / name).open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {r[c] for r in rows for c in ("id_number", "supervisor_id_number") if r[c]}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_error_report_file(sqlite_db: Engine, tmp_path: Path, suffix: str) -> None:
    result = run(sqlite_db, INV / "many_errors.csv")
    path = write_error_report(result.errors, tmp_path / "reports" / f"errors{suffix}")
    rows = _report_rows(path)
    assert rows[0] == REPORT_COLUMNS == ["file", "row", "column", "value", "problem", "fix"]
    body = rows[1:]
    assert len(body) == len(result.errors)
    assert {(int(r[1]), r[2]) for r in body} == MANY_ERRORS
    assert all(r[0] == "many_errors.csv" and r[4] and r[5] for r in body)
    text = "\n".join(",".join(r) for r in rows)
    for ident in _ids_in("many_errors.csv"):
        assert ident not in text, "a full ID number in the error report"
        assert ident[:6] not in text
    for r in body:
        if r[2] in ("id_number", "supervisor_id_number"):
            assert r[3].startswith("*********") and len(r[3]) == 13, r


def test_error_report_does_not_reveal_birth_dates(sqlite_db: Engine) -> None:
    result = run(sqlite_db, INV / "many_errors.csv")
    text = " ".join(f"{e.value} {e.problem} {e.fix}" for e in result.errors)
    assert "1985-03-12" not in text  # row 12: the birth date the ID number encodes
    assert "1985-12-03" not in text  # ... and the one typed in the birth_date column


# --- bugs found while writing these tests -------------------------------------------------


def test_xlsx_id_number_of_someone_born_in_2001_stored_as_number(sqlite_db: Engine) -> None:
    db = sqlite_db
    result = run(db, INV / "leading_zero_id_as_number.xlsx")
    assert result.errors == []
    assert "0106150109085" in people(db)


def test_removing_a_supervisor_unlinks_them(db: Engine, tmp_path: Path) -> None:
    run(db, INV / "good.csv")
    line = (
        "Mokoena,Thabo,1988-07-23,M,Social Worker,,Govt,DSD Eastern Cape,EC101,15/01/2012,"
        "10000002,10-100002,"
    )
    dlamini = str(by_surname(db)["Dlamini"]["id_number"])
    changed = edit_copy(tmp_path, "good.csv", line + dlamini, line)
    result = run(db, changed)
    assert result.updated == 1
    thabo = by_surname(db)["Mokoena"]
    assert thabo["supervisor_id_number"] is None
    assert thabo["supervisor_id"] is None


def test_skip_invalid_never_stores_a_dangling_supervisor(sqlite_db: Engine, tmp_path: Path) -> None:
    db = sqlite_db
    a = make_id_number(date(1990, 1, 1), Sex.FEMALE, 410)
    b = make_id_number(date(1980, 1, 1), Sex.MALE, 411)
    c = make_id_number(date(1970, 1, 1), Sex.MALE, 412)  # nobody has this ID
    path = write_csv(
        tmp_path / "chain.csv",
        [
            HEADER,
            [a, "Aa", "Ann", "SW", "govt", "EC101", "2015-01-01", "", b],
            [b, "Bb", "Ben", "SW", "govt", "EC101", "2010-01-01", "", c],
        ],
    )
    result = run(db, path, skip_invalid=True)
    assert (3, "supervisor_id_number") in pairs(result)
    for person in people(db).values():
        if person["supervisor_id_number"] is not None:
            assert person["supervisor_id"] is not None, person["surname"]


def test_validation_uses_the_given_today_for_id_numbers(tmp_path: Path) -> None:
    born_1921 = make_id_number(date(1921, 1, 1), Sex.FEMALE, 420)
    path = write_csv(
        tmp_path / "old.csv",
        [
            [*HEADER[:3], "birth_date", *HEADER[3:7]],
            [born_1921, "Old", "Ouma", "1921-01-01", "SW", "govt", "EC101", "1950-01-01"],
        ],
    )
    checked = validate_inventory(
        read_table(path, sheet=SHEET), frozenset({"EC101"}), StoredKeys(), date(2020, 1, 1)
    )
    assert checked.errors == []
