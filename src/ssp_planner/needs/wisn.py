"""WHO Workload Indicators of Staffing Need (WISN) arithmetic, as small vectorised functions.

The names follow WHO's *Workload indicators of staffing need: user's manual* (2010) so that a
planner can check each figure against the manual's worksheets:

- AWT  available working time: hours one staff member can work in a year;
- SW   standard workload: how many cases of one service a staff member can do in a year;
- CAS  category allowance standard: % of time all staff of a category spend on support work;
- CAF  category allowance factor: the multiplier those support activities imply;
- IAS  individual allowance standard: hours a year some staff spend on extra duties;
- IAF  individual allowance factor: the whole staff those extra duties take.

Every function accepts scalars or numpy arrays (one value per area) and broadcasts.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

ArrayLike = float | npt.NDArray[np.float64]
MINUTES_PER_HOUR = 60.0


def available_working_time(
    working_days: float,
    public_holidays: float,
    annual_leave: float,
    sick_leave: float,
    other_leave: float,
    hours_per_day: float,
) -> float:
    """AWT = [A − (B + C + D + E)] × h, in hours a year.

    A working days in the year, B public holidays, C annual leave, D sick leave, E other leave
    (all in days), h working hours a day.
    """
    days = working_days - (public_holidays + annual_leave + sick_leave + other_leave)
    return float(days * hours_per_day)


def standard_workload(awt_hours: float, minutes_per_case: ArrayLike) -> ArrayLike:
    """SW = AWT ÷ unit time: cases of one service a staff member can complete in a year.

    AWT is in hours and the unit time (activity standard) in minutes per case, as planners
    usually state them, so the hours are converted to minutes first.
    """
    return awt_hours * MINUTES_PER_HOUR / np.asarray(minutes_per_case, dtype=float)


def category_allowance_factor(cas_percents: Iterable[float]) -> float:
    """CAF = 1 ÷ (1 − ΣCAS% ÷ 100).

    Support activities (meetings, reports, training) take a share of every staff member's time,
    so only (1 − share) of the time is left for the services; CAF scales staff up accordingly.
    """
    total = float(sum(cas_percents))
    if not 0 <= total < 100:
        raise ValueError(f"category allowances add up to {total}%; they must be 0% to <100%")
    return 1.0 / (1.0 - total / 100.0)


def individual_allowance_factor(
    ias_hours: Iterable[float], staff: Iterable[ArrayLike], awt_hours: float
) -> ArrayLike:
    """IAF = Σ(IAS × number of staff doing it) ÷ AWT, in whole staff.

    Individual allowances are duties only some staff perform (a court liaison, a supervisor's
    reports): their total hours are converted into staff by dividing by one person's AWT.
    """
    total = sum(
        (
            np.asarray(h, dtype=float) * np.asarray(n, dtype=float)
            for h, n in zip(ias_hours, staff, strict=True)
        ),
        start=np.asarray(0.0),
    )
    return total / awt_hours


def required_staff(
    workloads: Iterable[ArrayLike],
    standard_workloads: Iterable[ArrayLike],
    caf: float,
    iaf: ArrayLike = 0.0,
) -> ArrayLike:
    """Required staff = Σ(annual workload ÷ SW) × CAF + IAF.

    The annual workload of each service (cases a year) divided by its standard workload gives the
    staff that service needs; their sum, inflated for support work (CAF), plus the staff taken by
    individual duties (IAF), is the staff requirement.
    """
    base = sum(
        (
            np.asarray(w, dtype=float) / np.asarray(s, dtype=float)
            for w, s in zip(workloads, standard_workloads, strict=True)
        ),
        start=np.asarray(0.0),
    )
    return base * caf + np.asarray(iaf, dtype=float)


def wisn_difference(existing: ArrayLike, required: ArrayLike) -> ArrayLike:
    """WISN difference = existing − required staff: negative means a shortage."""
    return np.asarray(existing, dtype=float) - np.asarray(required, dtype=float)


def wisn_ratio(existing: ArrayLike, required: ArrayLike) -> ArrayLike:
    """WISN ratio = existing ÷ required staff: below 1 means the staff cannot meet the workload.

    Where nothing is required the ratio is undefined (NaN) rather than infinite.
    """
    need = np.asarray(required, dtype=float)
    have = np.asarray(existing, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(need > 0, have / np.where(need > 0, need, 1.0), np.nan)
