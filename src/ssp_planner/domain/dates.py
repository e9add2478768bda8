"""Dates as people type them in spreadsheets: ISO, dd/mm/yyyy, and Excel serial numbers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
# Serials 10000..80000 are the years 1927..2119: anything else typed as a bare number is not a date.
_SERIAL_RANGE = (10_000, 80_000)


def parse_date(value: object) -> date | str:
    """Return the date, or a message saying why `value` is not one.

    Accepts `date`/`datetime` cells, 'YYYY-MM-DD', 'DD/MM/YYYY' (South African order, never
    month first) and Excel serial numbers such as 45383.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = str(value).strip()
    if m := _ISO.match(text):
        return _build(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _DMY.match(text):
        return _build(int(m[3]), int(m[2]), int(m[1]), text)
    if _SERIAL.match(text):
        return _from_serial(float(text))
    return f"'{text}' is not a date: write YYYY-MM-DD or DD/MM/YYYY"


def _build(year: int, month: int, day: int, text: str) -> date | str:
    try:
        return date(year, month, day)
    except ValueError:
        return f"'{text}' is not a real calendar date"


def _from_serial(serial: float) -> date | str:
    low, high = _SERIAL_RANGE
    if not low <= serial < high or serial != int(serial):
        return f"{serial:g} is not an Excel date serial (expected a whole number {low}–{high})"
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def to_excel_serial(day: date) -> int:
    """Inverse of the serial branch of `parse_date` (used by tests and templates)."""
    return (day - _EXCEL_EPOCH).days


def age_on(born: date, on: date) -> int:
    """Whole years between `born` and `on`."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
