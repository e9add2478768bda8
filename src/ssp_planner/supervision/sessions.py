"""Supervision sessions: how many each supervisee is due, how many they had, compliance per area.

For supervisee i over the months m of the period (a month counts when i was employed on its
15th; experience is whole years since first appointment on that day):

    due[i]      = ⌊ Σm per_month(experience[i, m]) ⌋     (norms.sessions.frequency bands)
    counted[i]  = sessions of a counted type lasting at least min_minutes
    compliant   = counted ≥ due

Per area: supervisees, sessions due and counted, compliant share, supervision hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.domain.vocabulary import Category
from ssp_planner.supervision.norms import SupervisionNorms
from ssp_planner.workforce.hierarchy import ancestor_at

ALL = "all"
SESSION_COLUMNS = ["supervisee_id", "session_date", "session_type", "duration_minutes"]
PERSON_COLUMNS = [
    "id",
    "category",
    "area_id",
    "experience_years",
    "per_month",
    "sessions_due",
    "sessions_held",
    "sessions_counted",
    "minutes",
    "compliant",
    "missing",
]


@dataclass(frozen=True)
class Period:
    """Inclusive date range a compliance report covers."""

    start: date
    end: date

    @classmethod
    def months_to(cls, end: date, months: int) -> Period:
        """The `months` months up to and including `end` (12: a year to the day)."""
        y, m = divmod(end.month - 1 - months, 12)
        first = _safe_date(end.year + y, m + 1, end.day)
        return cls(first + timedelta(days=1), end)

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def month_marks(self) -> list[date]:
        """The 15th of every month the period covers (the day a month's requirement is judged)."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(date(y, m, 15))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return [d for d in out if self.start <= d <= self.end]


def _safe_date(year: int, month: int, day: int) -> date:
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def whole_years(starts: pd.Series, days: list[date]) -> np.ndarray:
    """Completed years from each start to each day, [len(starts), len(days)], counted by
    anniversaries as `domain.dates.age_on` counts ages (never days ÷ 365.25, which puts an
    anniversary a day late)."""
    s = pd.to_datetime(starts)
    sy, sm, sd = (x.to_numpy(dtype=np.int64)[:, None] for x in (s.dt.year, s.dt.month, s.dt.day))
    dy, dm, dd = (
        np.array([getattr(d, f) for d in days], dtype=np.int64)[None, :]
        for f in ("year", "month", "day")
    )
    return dy - sy - ((dm < sm) | ((dm == sm) & (dd < sd)))


def sessions_due(
    starts: pd.Series, period: Period, norms: SupervisionNorms
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole sessions due, experience at the end and the current monthly rate, per person."""
    marks = period.month_marks()
    years = whole_years(starts, marks).astype(float)
    started = pd.to_datetime(starts).to_numpy(dtype="datetime64[D]")[:, None]
    days = (np.array(marks, dtype="datetime64[D]")[None, :] - started).astype(np.int64)
    bands = np.array([f.from_years for f in norms.sessions.frequency])
    rates = np.array([f.per_month.value for f in norms.sessions.frequency])
    per_month = rates[np.clip(np.searchsorted(bands, years, side="right") - 1, 0, None)]
    due = np.where(days >= 0, per_month, 0.0).sum(axis=1)
    return np.floor(due + 1e-9).astype(np.int64), years[:, -1], per_month[:, -1]


def session_compliance(
    people: pd.DataFrame, sessions: pd.DataFrame, period: Period, norms: SupervisionNorms
) -> pd.DataFrame:
    """One row per supervisee (PERSON_COLUMNS).

    people: id, category, area_id, start_date — the supervisees (a supervised rank).
    sessions: SESSION_COLUMNS; sessions outside the period are ignored.
    """
    due, years, rate = sessions_due(people["start_date"], period, norms)
    inside = sessions[
        (sessions["session_date"] >= period.start) & (sessions["session_date"] <= period.end)
    ]
    counts = _session_counts(inside, norms)
    out = people[["id", "category", "area_id"]].copy()
    out["experience_years"] = years.astype(np.int64)
    out["per_month"] = rate.round(2)
    out["sessions_due"] = due
    for col in ("sessions_held", "sessions_counted", "minutes"):
        out[col] = out["id"].map(counts[col]).fillna(0).astype("int64")
    out["compliant"] = out["sessions_counted"] >= out["sessions_due"]
    out["missing"] = (out["sessions_due"] - out["sessions_counted"]).clip(lower=0)
    return out[PERSON_COLUMNS].reset_index(drop=True)


def _session_counts(sessions: pd.DataFrame, norms: SupervisionNorms) -> pd.DataFrame:
    counted = sessions["session_type"].isin(norms.sessions.counted_types) & (
        sessions["duration_minutes"] >= norms.sessions.min_minutes.value
    )
    frame = pd.DataFrame(
        {
            "id": sessions["supervisee_id"].to_numpy(),
            "sessions_held": 1,
            "sessions_counted": counted.to_numpy(dtype=int),
            "minutes": np.where(counted, sessions["duration_minutes"], 0),
        }
    )
    return frame.groupby("id")[["sessions_held", "sessions_counted", "minutes"]].sum()


def compliance_by_area(
    per_person: pd.DataFrame, areas: pd.DataFrame, level: AreaLevel
) -> pd.DataFrame:
    """Per area at `level` and category (plus "all"): supervisees, sessions due and counted,
    compliant supervisees and their share, hours of counted supervision."""
    frame = per_person.assign(area=per_person["area_id"].map(ancestor_at(areas, level)).to_numpy())
    frame = frame.dropna(subset=["area"]).assign(
        supervisees=1, compliant=lambda f: f["compliant"].astype(int)
    )
    cols = ["supervisees", "sessions_due", "sessions_counted", "compliant", "minutes"]
    keys = pd.MultiIndex.from_product(
        [areas.loc[areas["level"] == level.value, "id"], [c.value for c in Category]],
        names=["area", "category"],
    )
    table = (
        frame.groupby(["area", "category"])[cols].sum().reindex(keys, fill_value=0).reset_index()
    )
    table = pd.concat(
        [table, table.groupby("area", as_index=False)[cols].sum().assign(category=ALL)]
    )
    table = table.join(areas.set_index("id")[["code", "name"]], on="area")
    table["compliance_rate"] = (
        table["compliant"] / table["supervisees"].where(table["supervisees"] > 0)
    ).round(3)
    table["hours"] = (table["minutes"] / 60).round(1)
    table["level"] = level.value
    order = [c.value for c in Category] + [ALL]
    table["category"] = pd.Categorical(table["category"], categories=order, ordered=True)
    out = [
        "level",
        "code",
        "name",
        "category",
        "supervisees",
        "sessions_due",
        "sessions_counted",
        "compliant",
        "compliance_rate",
        "hours",
    ]
    return table.sort_values(["code", "category"])[out].reset_index(drop=True)
