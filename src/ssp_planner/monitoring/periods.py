"""DHIS2 periods as typed values: parse, print, date ranges, roll-up, and ADX (ISO 8601) form.

DHIS2 names a period by a string (`2024`, `2024April`, `2024Q1`, `2024S1`, `202403`, `2024W5`);
ADX names it by its first day and a duration (`2024-01-01/P1M`). Both map to one `Period`, so
aggregation can compare dates instead of string patterns. South African government years run
April to March: `2024April` is 1 April 2024 to 31 March 2025, made of `2024Q2`…`2025Q1`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from ssp_planner.errors import SSPError

MIN_YEAR, MAX_YEAR = 1900, 2100
FORMS = "2024 (year), 2024April (April–March financial year), 2024S1, 2024Q1, 202403, 2024W5"


class PeriodType(StrEnum):
    """From the longest to the shortest; the value is the word used in files and options."""

    YEARLY = "yearly"
    FINANCIAL_APRIL = "financial_april"
    SIX_MONTHLY = "six_monthly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"
    WEEKLY = "weekly"

    @property
    def months(self) -> int | None:
        """Length in months (None for weeks, which do not nest in months)."""
        return _MONTHS.get(self)


_MONTHS = {
    PeriodType.YEARLY: 12,
    PeriodType.FINANCIAL_APRIL: 12,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.QUARTERLY: 3,
    PeriodType.MONTHLY: 1,
}
_PATTERNS: list[tuple[re.Pattern[str], PeriodType]] = [
    (re.compile(r"^(\d{4})$"), PeriodType.YEARLY),
    (re.compile(r"^(\d{4})April$"), PeriodType.FINANCIAL_APRIL),
    (re.compile(r"^(\d{4})S([12])$"), PeriodType.SIX_MONTHLY),
    (re.compile(r"^(\d{4})Q([1-4])$"), PeriodType.QUARTERLY),
    (re.compile(r"^(\d{4})(0[1-9]|1[0-2])$"), PeriodType.MONTHLY),
    (re.compile(r"^(\d{4})W([1-9]\d?)$"), PeriodType.WEEKLY),
]
_ADX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/(P\w+)$")
_ADX_DURATION = {
    "P1Y": (PeriodType.YEARLY, PeriodType.FINANCIAL_APRIL),
    "P6M": (PeriodType.SIX_MONTHLY,),
    "P3M": (PeriodType.QUARTERLY,),
    "P1M": (PeriodType.MONTHLY,),
    "P7D": (PeriodType.WEEKLY,),
    "P1W": (PeriodType.WEEKLY,),
}


class PeriodError(SSPError):
    """A period string that is not a DHIS2 (or ADX) period; the message gives the fix."""


@dataclass(frozen=True)
class Period:
    """One DHIS2 period. `index` is the month, quarter, half or ISO week (1 for years)."""

    type: PeriodType
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(f"year {self.year} is outside {MIN_YEAR}–{MAX_YEAR}.")
        top = {
            PeriodType.SIX_MONTHLY: 2,
            PeriodType.QUARTERLY: 4,
            PeriodType.MONTHLY: 12,
            PeriodType.WEEKLY: _iso_weeks(self.year),
        }.get(self.type, 1)
        if not 1 <= self.index <= top:
            raise PeriodError(
                f"{self.type.value} period {self.index} of {self.year} does not exist."
            )

    def __str__(self) -> str:
        return {
            PeriodType.YEARLY: f"{self.year}",
            PeriodType.FINANCIAL_APRIL: f"{self.year}April",
            PeriodType.SIX_MONTHLY: f"{self.year}S{self.index}",
            PeriodType.QUARTERLY: f"{self.year}Q{self.index}",
            PeriodType.MONTHLY: f"{self.year}{self.index:02d}",
            PeriodType.WEEKLY: f"{self.year}W{self.index}",
        }[self.type]

    @property
    def start(self) -> date:
        if self.type is PeriodType.WEEKLY:
            return date.fromisocalendar(self.year, self.index, 1)
        if self.type is PeriodType.FINANCIAL_APRIL:
            return date(self.year, 4, 1)
        months = self.type.months or 12
        return date(self.year, (self.index - 1) * months + 1, 1)

    @property
    def end(self) -> date:
        """The last day (inclusive)."""
        if self.type is PeriodType.WEEKLY:
            return self.start + timedelta(days=6)
        return _add_months(self.start, self.type.months or 12) - timedelta(days=1)

    @property
    def sort_key(self) -> tuple[date, date]:
        return (self.start, self.end)

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def to_adx(self) -> str:
        """ISO 8601 start and duration, as ADX writes periods: `2024-04-01/P1Y`."""
        duration = {PeriodType.FINANCIAL_APRIL: "P1Y", PeriodType.WEEKLY: "P7D"}.get(
            self.type, f"P{self.type.months}M" if self.type.months != 12 else "P1Y"
        )
        return f"{self.start.isoformat()}/{duration}"


@lru_cache(maxsize=8192)  # files repeat a few dozen periods over and over
def parse_period(text: str) -> Period:
    """The period named by a DHIS2 period string; `PeriodError` says which forms are accepted.

    >>> str(parse_period("2024April").end)
    '2025-03-31'
    """
    raw = str(text).strip()
    for pattern, ptype in _PATTERNS:
        if m := pattern.match(raw):
            index = int(m[2]) if m.lastindex and m.lastindex > 1 else 1
            try:
                return Period(ptype, int(m[1]), index)
            except PeriodError as exc:
                msg = f"'{raw}' is not a period: {exc} Fix: write one of {FORMS}."
                raise PeriodError(msg) from None
    hint = " (ADX form: use a dataValueSets period such as 202401)" if _ADX.match(raw) else ""
    raise PeriodError(f"'{raw}' is not a DHIS2 period{hint}. Fix: write one of {FORMS}.")


def parse_adx_period(text: str) -> Period:
    """The period named by an ADX `start/duration` string such as `2024-01-01/P1M`."""
    raw = str(text).strip()
    fix = "Fix: write the first day and a duration, e.g. 2024-01-01/P1M, 2024-04-01/P1Y."
    m = _ADX.match(raw)
    if not m or m[4] not in _ADX_DURATION:
        return _adx_fail(raw, fix)
    try:
        start = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return _adx_fail(raw, fix)
    for ptype in _ADX_DURATION[m[4]]:
        try:
            candidate = period_containing(start, ptype)
        except PeriodError:
            continue
        if candidate.start == start:
            return candidate
    return _adx_fail(raw, f"no {m[4]} period starts on {start.isoformat()}. {fix}")


def _adx_fail(raw: str, why: str) -> Period:
    raise PeriodError(f"'{raw}' is not an ADX period: {why}")


def period_containing(day: date, ptype: PeriodType) -> Period:
    """The period of type `ptype` that contains `day`."""
    if ptype is PeriodType.WEEKLY:
        iso = day.isocalendar()
        return Period(ptype, iso.year, iso.week)
    if ptype is PeriodType.FINANCIAL_APRIL:
        return Period(ptype, day.year if day.month >= 4 else day.year - 1)
    months = ptype.months or 12
    return Period(ptype, day.year, (day.month - 1) // months + 1)


def roll_up(period: Period, to: PeriodType) -> Period:
    """The `to` period that `period` belongs to (month → quarter → April year, …).

    A week belongs to the period holding its Thursday (the ISO rule for week-years), since
    weeks straddle months. Raises `PeriodError` when `period` does not fit inside one `to`
    period (a calendar year does not fit in a financial year, nor a quarter in a week).
    """
    anchor = period.start + timedelta(days=3) if period.type is PeriodType.WEEKLY else period.start
    target = period_containing(anchor, to)
    if period.type is not PeriodType.WEEKLY and not target.contains(period):
        raise PeriodError(
            f"{period} ({period.type.value}) does not fit inside one {to.value} period. "
            "Fix: choose a longer period type that contains it."
        )
    return target


def months_of(period: Period) -> list[Period]:
    """The monthly periods that make up `period` (not defined for weeks)."""
    if period.type is PeriodType.WEEKLY:
        raise PeriodError(f"{period} is a week; weeks are not made of months.")
    first, count = period.start, period.type.months or 12
    return [period_containing(_add_months(first, i), PeriodType.MONTHLY) for i in range(count)]


def periods_between(first: Period, last: Period) -> list[Period]:
    """Consecutive periods of `first`'s type from `first` up to and including `last`."""
    out, current = [], first
    while current.start <= last.start:
        out.append(current)
        current = period_containing(current.end + timedelta(days=1), first.type)
    return out


def trend_periods(names: Iterable[object], last: Period) -> list[Period]:
    """Periods of `last`'s type from the first one any of `names` falls in, up to `last`
    (names that are not periods, or do not fit that type, are skipped)."""
    starts = []
    for name in names:
        try:
            rolled = roll_up(parse_period(str(name)), last.type)
        except PeriodError:
            continue
        if rolled.start <= last.start:
            starts.append(rolled)
    first = min(starts, key=lambda p: p.start) if starts else last
    return periods_between(first, last)


def annualisation(period: Period) -> float:
    """Factor that turns a flow over `period` into a yearly rate (DHIS2 'annualized')."""
    months = period.type.months
    return 12 / months if months else 365.25 / 7


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    return date(day.year + total // 12, total % 12 + 1, 1)


def _iso_weeks(year: int) -> int:
    return date(year, 12, 28).isocalendar().week
