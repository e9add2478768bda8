"""SA ID numbers (birth date, sex, citizenship, Luhn), PERSAL and SACSSP numbers, masking."""

from __future__ import annotations

import doctest
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_planner.domain import identifiers
from ssp_planner.domain.identifiers import (
    IdNumber,
    check_council_number,
    check_id_number,
    check_persal,
    luhn_check_digit,
    make_id_number,
    mask_id_number,
    normalise_persal,
)
from ssp_planner.domain.vocabulary import Sex

TODAY = date(2026, 4, 1)
# Two-digit years resolve to the century that puts the birth in the past, so an ID can only
# round-trip for births in the last 99 years.
BORN = st.dates(min_value=date(TODAY.year - 99, 1, 1), max_value=TODAY)
SEXES = st.sampled_from(list(Sex))
SEQUENCES = st.integers(min_value=0, max_value=4999)


def luhn_valid(number: str) -> bool:
    return luhn_check_digit(number[:-1]) == int(number[-1])


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    return make_id_number(draw(BORN), draw(SEXES), draw(SEQUENCES), draw(st.booleans()))


def test_known_valid_id() -> None:
    got = check_id_number("8001015009087", TODAY)
    assert got == IdNumber("8001015009087", date(1980, 1, 1), Sex.MALE, citizen=True)


def test_luhn_check_digit_of_the_documented_example() -> None:
    assert luhn_check_digit("800101500908") == 7


def test_module_doctests_pass() -> None:
    result = doctest.testmod(identifiers)
    assert result.failed == 0


@given(BORN, SEXES, SEQUENCES, st.booleans())
def test_made_id_round_trips(born: date, sex: Sex, seq: int, citizen: bool) -> None:
    value = make_id_number(born, sex, seq, citizen)
    got = check_id_number(value, TODAY)
    assert isinstance(got, IdNumber), got
    assert (got.value, got.birth_date, got.sex, got.citizen) == (value, born, sex, citizen)
    assert len(value) == 13 and value.isascii() and value.isdigit()


@given(valid_ids(), st.integers(0, 12), st.integers(1, 9))
def test_every_single_digit_change_is_detected(value: str, pos: int, shift: int) -> None:
    wrong_digit = str((int(value[pos]) + shift) % 10)
    changed = value[:pos] + wrong_digit + value[pos + 1 :]
    assert not luhn_valid(changed), "Luhn must catch every single-digit error"
    assert isinstance(check_id_number(changed, TODAY), str)


@given(valid_ids(), st.integers(0, 11))
def test_adjacent_transpositions_are_detected_except_09(value: str, pos: int) -> None:
    a, b = value[pos], value[pos + 1]
    swapped = value[:pos] + b + a + value[pos + 2 :]
    if a == b or {a, b} == {"0", "9"}:  # the one swap Luhn cannot see
        return
    assert not luhn_valid(swapped)
    assert isinstance(check_id_number(swapped, TODAY), str)


def _with_check_digit(body12: str) -> str:
    return body12 + str(luhn_check_digit(body12))


@given(
    st.integers(0, 99),
    st.one_of(st.just(0), st.integers(13, 99)),
    st.integers(1, 28),
    st.integers(0, 9999),
)
def test_impossible_month_rejected(yy: int, mm: int, dd: int, serial: int) -> None:
    value = _with_check_digit(f"{yy:02d}{mm:02d}{dd:02d}{serial:04d}08")
    got = check_id_number(value, TODAY)
    assert isinstance(got, str) and "not a real date" in got


@pytest.mark.parametrize(
    "yymmdd", ["800230", "800431", "810229", "850631", "900000", "900132", "751131"]
)
def test_impossible_day_rejected(yymmdd: str) -> None:
    got = check_id_number(_with_check_digit(yymmdd + "500908"), TODAY)
    assert isinstance(got, str) and "not a real date" in got
    assert yymmdd not in got  # the message must not repeat the birth date (personal data)


def test_leap_day_accepted_in_leap_years_only() -> None:
    assert isinstance(check_id_number(_with_check_digit("8402295009" + "08"), TODAY), IdNumber)
    assert isinstance(check_id_number(_with_check_digit("0002290009" + "08"), TODAY), IdNumber)
    assert isinstance(check_id_number(_with_check_digit("8302295009" + "08"), TODAY), str)


def test_birth_date_in_the_future_rejected() -> None:
    got = check_id_number(_with_check_digit("2612015009" + "08"), TODAY)
    assert got == "the birth date in the first six digits is in the future"


def test_two_digit_year_takes_the_century_in_the_past() -> None:
    got = check_id_number(_with_check_digit("2603015009" + "08"), TODAY)
    assert isinstance(got, IdNumber) and got.birth_date == date(2026, 3, 1)
    got = check_id_number(_with_check_digit("2704015009" + "08"), TODAY)
    assert isinstance(got, IdNumber) and got.birth_date == date(1927, 4, 1)


@pytest.mark.parametrize("digit", "23456789")
def test_citizenship_digit_must_be_0_or_1(digit: str) -> None:
    got = check_id_number(_with_check_digit(f"8001015009{digit}8"), TODAY)
    assert isinstance(got, str) and "11th digit" in got


def test_sex_and_citizenship_decoded() -> None:
    female = check_id_number(make_id_number(date(1990, 5, 5), Sex.FEMALE, 4999, False), TODAY)
    male = check_id_number(make_id_number(date(1990, 5, 5), Sex.MALE, 0, True), TODAY)
    assert isinstance(female, IdNumber) and isinstance(male, IdNumber)
    assert (female.sex, female.citizen) == (Sex.FEMALE, False)
    assert (male.sex, male.citizen) == (Sex.MALE, True)
    assert female.value[6:10] == "4999" and male.value[6:10] == "5000"


@pytest.mark.parametrize(
    "text", ["8001015009087", " 8001015009087 ", "800101 5009 087", "8001015009087.0"]
)
def test_spreadsheet_spellings_of_a_valid_id(text: str) -> None:
    got = check_id_number(text, TODAY)
    assert isinstance(got, IdNumber) and got.value == "8001015009087"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "13 digits, got 0"),
        ("800101500908", "13 digits, got 12"),
        ("80010150090870", "13 digits, got 14"),
        ("8.00101E+12", "13 digits"),
        ("800101500908X", "13 digits"),
        ("8001015009088", "check digit is 8 but should be 7"),
    ],
)
def test_wrong_id_numbers_say_what_is_wrong(text: str, fragment: str) -> None:
    got = check_id_number(text, TODAY)
    assert isinstance(got, str) and fragment in got


@given(st.text(max_size=20))
def test_garbage_never_raises(text: str) -> None:
    got = check_id_number(text, TODAY)
    assert isinstance(got, str | IdNumber)
    if isinstance(got, IdNumber):
        assert re.fullmatch(r"[0-9]{13}", got.value)


@given(st.text(alphabet="0123456789 .-", max_size=16))
def test_digit_soup_never_raises(text: str) -> None:
    assert isinstance(check_id_number(text, TODAY), str | IdNumber)


@pytest.mark.parametrize(
    "text",
    [
        "８００１０１５００９０８７",  # fullwidth digits throughout
        "８００１０１５００９0８７",  # fullwidth, but an ASCII 0 as the citizenship digit
        "٨٠٠١٠١٥٠٠٩٠٨٧",  # Arabic-Indic digits
    ],
)
def test_non_ascii_digits_are_a_message_not_a_crash(text: str) -> None:
    got = check_id_number(text, TODAY)
    assert isinstance(got, str)


# --- masking -------------------------------------------------------------------------------


@given(valid_ids())
def test_mask_keeps_only_the_last_four(value: str) -> None:
    masked = mask_id_number(value)
    assert masked == "*" * 9 + value[-4:]


@given(st.text(max_size=30))
def test_mask_never_reveals_more_than_four_digits(text: str) -> None:
    masked = mask_id_number(text)
    assert sum(ch.isdigit() for ch in masked) <= 4
    assert sum(ch != "*" for ch in masked) <= 4


# --- PERSAL and SACSSP numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345678", "12345678"),
        ("1234567", "01234567"),  # Excel dropped the leading zero
        ("1234567.0", "01234567"),  # ... and made it a float
        (" 00000042 ", "00000042"),
        ("42", "00000042"),
    ],
)
def test_persal_normalised(text: str, expected: str) -> None:
    assert normalise_persal(text) == expected
    assert check_persal(text) is None


@pytest.mark.parametrize("text", ["123456789", "12AB", "1234-5678", "", "P1234567"])
def test_bad_persal(text: str) -> None:
    assert check_persal(text) == "must be 8 digits"


@given(st.text(max_size=12))
def test_persal_check_never_raises(text: str) -> None:
    assert check_persal(text) in (None, "must be 8 digits")


@pytest.mark.parametrize("text", ["10-123456", "10-1", " 30-000123 "])
def test_council_number_ok(text: str) -> None:
    assert check_council_number(text) is None


@pytest.mark.parametrize("text", ["10123456", "1-123", "10-", "10-1234567", "SW-12345", ""])
def test_council_number_bad(text: str) -> None:
    got = check_council_number(text)
    assert got is not None and "10-12345" in got


def test_make_id_number_rejects_out_of_range_sequence() -> None:
    with pytest.raises(ValueError, match=r"0\.\.4999"):
        make_id_number(date(1980, 1, 1), Sex.FEMALE, 5000)
