"""Dates as typed in spreadsheets: ISO, dd/mm/yyyy (never month first), Excel serial numbers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_planner.domain.dates import age_on, parse_date, to_excel_serial

DATES = st.dates(min_value=date(1930, 1, 1), max_value=date(2100, 12, 31))


@given(DATES)
def test_iso_round_trip(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f" {day.isoformat()} ") == day
    assert parse_date(f"{day.isoformat()} 00:00:00") == day  # a datetime exported as text


@given(DATES)
def test_day_month_year_round_trip(day: date) -> None:
    assert parse_date(f"{day:%d/%m/%Y}") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}") == day  # without leading zeros
    assert parse_date(f"{day:%d.%m.%Y}") == day
    assert parse_date(f"{day:%d-%m-%Y}") == day


@given(DATES)
def test_excel_serial_round_trip(day: date) -> None:
    serial = to_excel_serial(day)
    assert parse_date(serial) == day
    assert parse_date(float(serial)) == day
    assert parse_date(str(serial)) == day
    assert parse_date(f"{serial}.0") == day


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2100, 12, 31)), st.times())
def test_date_and_datetime_cells(day: date, time: object) -> None:
    assert parse_date(day) == day
    assert parse_date(datetime.combine(day, time)) == day  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("serial", "day"),
    [(61, date(1900, 3, 1)), (45383, date(2024, 4, 1)), (43617, date(2019, 6, 1))],
)
def test_known_excel_serials(serial: int, day: date) -> None:
    assert to_excel_serial(day) == serial


def test_day_comes_first_always() -> None:
    assert parse_date("01/02/2019") == date(2019, 2, 1)
    assert parse_date("12/11/2019") == date(2019, 11, 12)
    assert isinstance(parse_date("11/25/2019"), str)  # month-first US dates are refused


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2019",
        "29/02/2019",
        "2019-02-29",
        "2019-13-01",
        "00/01/2019",
        "2019-04-31",
        "0000-01-01",
    ],
)
def test_impossible_dates_rejected(text: str) -> None:
    got = parse_date(text)
    assert isinstance(got, str) and "not a real calendar date" in got and text in got


def test_leap_days() -> None:
    assert parse_date("29/02/2020") == date(2020, 2, 29)
    assert parse_date("2000-02-29") == date(2000, 2, 29)


@pytest.mark.parametrize("value", [5000, 99999, 45383.5, -1, 0, "123", "45383.25"])
def test_numbers_that_are_not_serials(value: object) -> None:
    assert isinstance(parse_date(value), str)


@pytest.mark.parametrize(
    "value", ["", "yesterday", "2019/02/01x", "1 April 2019", None, True, "19-04-01", "2019-4"]
)
def test_non_dates_give_a_message(value: object) -> None:
    got = parse_date(value)
    assert isinstance(got, str) and got


@given(
    st.one_of(
        st.text(max_size=30),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.none(),
        st.from_regex(r"\A\d{1,2}/\d{1,2}/\d{4}\Z"),
        st.from_regex(r"\A\d{4}-\d{1,2}-\d{1,2}\Z"),
        st.from_regex(r"\A\d{4,5}(\.0+)?\Z"),
    )
)
def test_garbage_never_raises(value: object) -> None:
    got = parse_date(value)
    assert isinstance(got, date | str)
    if isinstance(got, str):
        assert got


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2000, 5, 5), date(2015, 6, 1), 15),
        (date(1980, 1, 1), date(1998, 1, 1), 18),
        (date(1980, 1, 2), date(1998, 1, 1), 17),
        (date(2000, 2, 29), date(2018, 2, 28), 17),
        (date(2000, 2, 29), date(2018, 3, 1), 18),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


@given(DATES, st.integers(0, 80))
def test_age_on_birthdays(born: date, years: int) -> None:
    if born.month == 2 and born.day == 29:
        born = born.replace(day=28)
    assert age_on(born, born.replace(year=born.year + years)) == years
