"""Report periods: which days a report on '2025Q3' covers, and how dates read in a report.

DHIS2 period strings are parsed by the monitoring module (monitoring/periods.py), so that a
plan report and an indicator report mean the same days by the same '2025April'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ssp_planner.monitoring.periods import FORMS, PeriodError
from ssp_planner.monitoring.periods import parse_period as parse_dhis2_period

PERIOD_HELP = FORMS
__all__ = ["PERIOD_HELP", "PeriodError", "PeriodRange", "long_date", "parse_period", "short_date"]


@dataclass(frozen=True)
class PeriodRange:
    """A named, inclusive range of days."""

    code: str
    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        """'1 July – 30 September 2025': how the period reads in a report."""
        if self.start.year == self.end.year:
            return f"{self.start.day} {self.start:%B} – {long_date(self.end)}"
        return f"{long_date(self.start)} – {long_date(self.end)}"


def parse_period(text: str) -> PeriodRange:
    """The days covered by a DHIS2 period string (`PeriodError` names the accepted forms).

    >>> parse_period("2025Q3").end
    datetime.date(2025, 9, 30)
    >>> parse_period("2025April").start, parse_period("2025April").end
    (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31))
    """
    period = parse_dhis2_period(text)
    return PeriodRange(str(period), period.start, period.end)


def long_date(day: date) -> str:
    """'30 September 2025' (no leading zero), the way South African reports write dates."""
    return f"{day.day} {day:%B %Y}"


def short_date(day: date | None) -> str:
    """'30 Sep 2025' for table cells; '—' when there is no date."""
    return "—" if day is None else f"{day.day} {day:%b %Y}"
