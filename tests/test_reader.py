"""Reading CSV/XLSX files: encodings, delimiters, line endings, sheets, and the files that are
not tables at all (each refused with a message naming the file and saying how to fix it)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import FIXTURES
from ssp_planner.errors import InputFileError, SSPError
from ssp_planner.ingest.reader import cell_text, read_table

INV = FIXTURES / "inventory"
SHEET = "inventory"


@pytest.mark.parametrize(
    ("name", "problem", "fix"),
    [
        ("empty.csv", "the file is empty (0 bytes)", "export the data again"),
        ("empty.xlsx", "the file is empty (0 bytes)", "export the data again"),
        (
            "not_a_spreadsheet.csv",
            "this is not a text CSV file",
            "save as 'CSV UTF-8'",
        ),
        (
            "not_a_spreadsheet.xlsx",
            "this is not an Excel workbook",
            "save as .xlsx, or export it as CSV",
        ),
        (
            "wrong_sheet.xlsx",
            "no sheet named 'inventory'; the sheets are: Sheet1, Staff list",
            "rename the sheet with the data to 'inventory'",
        ),
    ],
)
def test_fixture_files_that_are_not_tables(name: str, problem: str, fix: str) -> None:
    with pytest.raises(InputFileError) as info:
        read_table(INV / name, sheet=SHEET)
    exc = info.value
    assert isinstance(exc, SSPError)
    assert exc.path == name
    message = str(exc)
    assert message.startswith(f"{name}: ")
    assert problem in message
    assert f"Fix: {fix}" in message or fix in exc.fix
    assert fix in exc.fix
    assert "\n" not in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"^nowhere\.csv: file not found\. Fix: check the"):
        read_table(tmp_path / "nowhere.csv", sheet=SHEET)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "inventory.csv"
    folder.mkdir()
    with pytest.raises(InputFileError, match=r"inventory\.csv: file not found"):
        read_table(folder, sheet=SHEET)


@pytest.mark.parametrize("name", ["inventory.ods", "inventory.pdf", "inventory.xls", "inventory"])
def test_unsupported_file_types(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"id_number,surname\n")
    with pytest.raises(InputFileError) as info:
        read_table(path, sheet=SHEET)
    assert str(info.value).startswith(f"{name}: ")
    assert "not supported" in str(info.value)
    assert "save the table as .xlsx or .csv" in info.value.fix


def test_workbook_renamed_to_csv(tmp_path: Path) -> None:
    path = tmp_path / "inventory.csv"
    path.write_bytes((INV / "good.xlsx").read_bytes())
    with pytest.raises(InputFileError, match=r"inventory\.csv: this is not a text CSV file"):
        read_table(path, sheet=SHEET)


@pytest.mark.parametrize("content", [b"\n\n\n", b" , , \r\n,,\r\n", b";;;\n"])
def test_file_with_no_rows(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=r"blank.csv: the file has no rows\. Fix: add"):
        read_table(path, sheet=SHEET)


def test_workbook_with_only_empty_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "inventory"
    path = tmp_path / "blank.xlsx"
    wb.save(path)
    with pytest.raises(InputFileError, match=r"blank\.xlsx: the file has no rows"):
        read_table(path, sheet=SHEET)


# --- files that are tables ----------------------------------------------------------------


def _plain(name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    table = read_table(INV / name, sheet=SHEET)
    return table.header, [(n, [cell_text(c) for c in cells]) for n, cells in table.rows]


def test_bom_crlf_and_semicolon_files_read_the_same() -> None:
    reference = _plain("utf8_bom.csv")
    assert reference[0][0] == "id_number"  # the BOM is not part of the first header
    assert len(reference[1]) == 3
    assert _plain("windows_crlf.csv") == reference
    assert _plain("semicolon.csv") == reference


def test_crlf_file_really_has_crlf_and_no_cell_keeps_a_carriage_return() -> None:
    raw = (INV / "windows_crlf.csv").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == 4
    header, rows = _plain("windows_crlf.csv")
    assert not any("\r" in cell for _n, cells in rows for cell in [*header, *cells])


def test_bom_file_really_starts_with_a_bom() -> None:
    assert (INV / "utf8_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_cp1252_file_keeps_its_accents() -> None:
    raw = (INV / "cp1252.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    _header, rows = _plain("cp1252.csv")
    assert rows[0][1][1:3] == ["Müller", "Jürgen"]
    assert rows[1][1][1:3] == ["Esté", "Renée"]
    assert "Ons Plek – Kaapstad" in rows[1][1]


def test_rows_are_numbered_as_excel_shows_them() -> None:
    table = read_table(INV / "good.csv", sheet=SHEET)
    assert [n for n, _cells in table.rows] == [2, 3, 4, 5, 6, 7, 9, 10, 11, 12]
    assert table.header[:3] == ["ID Number", "Surname", "First Names"]


def test_xlsx_takes_the_inventory_sheet_with_excel_types() -> None:
    table = read_table(INV / "good.xlsx", sheet=SHEET)
    assert table.file == "good.xlsx"
    assert table.header[0] == "id_number"
    assert len(table.rows) == 10
    cells = [c for _n, row in table.rows for c in row]
    assert any(isinstance(c, datetime) for c in cells), "date cells"
    starts = [row[table.header.index("start_date")] for _n, row in table.rows]
    assert any(isinstance(c, int) for c in starts), "bare serial numbers"
    ids = [row[0] for _n, row in table.rows]
    assert any(isinstance(c, int) for c in ids), "ID numbers stored as numbers"
    assert any(isinstance(c, str) for c in ids), "the ID starting with 0 kept as text"
    assert all(len(cell_text(c)) == 13 for c in ids), [cell_text(c) for c in ids]


def test_sheet_name_matched_without_case_or_spaces(tmp_path: Path) -> None:
    wb = Workbook()
    first = wb.active
    assert first is not None
    first.title = "Notes"
    ws = wb.create_sheet(" Inventory ")
    ws.append(["id_number"])
    ws.append(["8001015009087"])
    wb.save(tmp_path / "x.xlsx")
    table = read_table(tmp_path / "x.xlsx", sheet=SHEET)
    assert table.rows == [(2, ["8001015009087"])]


def test_single_sheet_may_have_any_name(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sheet1"
    ws.append(["id_number", "surname"])
    ws.append([None, None])
    ws.append([8001015009087, "Dlamini"])
    wb.save(tmp_path / "x.xlsx")
    table = read_table(tmp_path / "x.xlsx", sheet=SHEET)
    assert table.rows == [(3, [8001015009087, "Dlamini"])]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (8001015009087, "8001015009087"),
        (8001015009087.0, "8001015009087"),
        (1234567.0, "1234567"),
        (2.5, "2.5"),
        (datetime(2019, 6, 1, 0, 0), "2019-06-01"),
        ("  Dlamini ", "Dlamini"),
    ],
)
def test_cell_text(cell: object, text: str) -> None:
    assert cell_text(cell) == text  # type: ignore[arg-type]


def test_runaway_cell_is_a_file_error_naming_the_row(tmp_path: Path) -> None:
    path = tmp_path / "runaway.csv"
    path.write_text('id_number,surname\n1,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    with pytest.raises(InputFileError, match=r"runaway\.csv: row 2 cannot be read as CSV"):
        read_table(path, sheet="inventory")
