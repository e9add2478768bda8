"""South African ID numbers, PERSAL numbers and SACSSP registration numbers.

ID number layout (FACTS.md): YYMMDD SSSS C A Z — birth date; SSSS 0000–4999 female, 5000–9999
male; C 0 citizen, 1 permanent resident; A usually 8 (formerly 9); Z the Luhn check digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ssp_planner.domain.vocabulary import Sex

_DIGITS_13 = re.compile(r"^[0-9]{13}$")
_PERSAL = re.compile(r"^[0-9]{8}$")
_COUNCIL = re.compile(r"^([0-9]{2})-([0-9]{1,6})$")


def luhn_check_digit(digits: str) -> int:
    """The digit that makes `digits + digit` pass the Luhn check.

    >>> luhn_check_digit("800101500908")
    7
    """
    # The rightmost payload digit is doubled, since the check digit will follow it.
    doubled = sum(map(_LUHN_DOUBLE.__getitem__, digits[-1::-2]))
    plain = sum(map(_DIGIT_VALUE.__getitem__, digits[-2::-2]))
    return (10 - (doubled + plain) % 10) % 10


_DIGIT_VALUE = {str(d): d for d in range(10)}
_LUHN_DOUBLE = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}


@dataclass(frozen=True)
class IdNumber:
    """A valid SA ID number and what it encodes."""

    value: str
    birth_date: date
    sex: Sex
    citizen: bool


def century_for(yy: int, today: date) -> int:
    """IDs carry two-digit years: pick the century that puts the birth date in the past."""
    return 2000 if 2000 + yy <= today.year else 1900


def check_id_number(text: str, today: date | None = None) -> IdNumber | str:
    """Return the parsed ID number, or a message saying what is wrong with it."""
    today = today or date.today()
    value = text.strip().replace(" ", "")
    if value.endswith(".0") and value[:-2].isdigit():  # Excel turned the ID into a float
        value = value[:-2]
    if not _DIGITS_13.match(value):
        return f"must be 13 digits, got {len(value)} characters"
    yy, mm, dd = int(value[0:2]), int(value[2:4]), int(value[4:6])
    try:
        born = date(century_for(yy, today) + yy, mm, dd)
    except ValueError:
        return "the first six digits are not a real date (YYMMDD)"
    if born > today:
        return "the birth date in the first six digits is in the future"
    if value[10] not in "01":
        return f"11th digit must be 0 (citizen) or 1 (permanent resident), got {value[10]}"
    expected = luhn_check_digit(value[:12])
    if int(value[12]) != expected:
        return f"check digit is {value[12]} but should be {expected} (Luhn): a digit is mistyped"
    sex = Sex.FEMALE if int(value[6:10]) < 5000 else Sex.MALE
    return IdNumber(value=value, birth_date=born, sex=sex, citizen=value[10] == "0")


def make_id_number(born: date, sex: Sex, sequence: int, citizen: bool = True) -> str:
    """Build a valid ID number (for demo data and tests); `sequence` is 0..4999."""
    if not 0 <= sequence < 5000:
        raise ValueError("sequence must be in 0..4999")
    serial = sequence + (5000 if sex is Sex.MALE else 0)
    body = f"{born:%y%m%d}{serial:04d}{0 if citizen else 1}8"
    return body + str(luhn_check_digit(body))


def mask_id_number(value: str) -> str:
    """Show only the last four digits: enough to find a row, not enough to identify a person."""
    value = value.strip()
    return "*" * max(len(value) - 4, 0) + value[-4:]


def normalise_persal(text: str) -> str:
    """Excel drops leading zeros from PERSAL numbers and may add '.0'; undo both."""
    value = text.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value.zfill(8) if value.isascii() and value.isdigit() and len(value) <= 8 else value


def check_persal(text: str) -> str | None:
    """None if `text` is an 8-digit PERSAL number (after `normalise_persal`), else the problem."""
    return None if _PERSAL.match(normalise_persal(text)) else "must be 8 digits"


def check_council_number(text: str) -> str | None:
    """None if `text` looks like a SACSSP registration number ('10-12345'), else the problem."""
    if _COUNCIL.match(text.strip()):
        return None
    return "must be a two-digit category prefix, a dash and the number, e.g. 10-12345"
