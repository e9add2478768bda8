"""Supervision ratios, sessions due by experience and compliance, on people counted by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ssp_planner.domain.areas import AreaLevel
from ssp_planner.supervision import (
    Period,
    compliance_by_area,
    load_norms,
    session_compliance,
    supervision_ratios,
    supervisors_over_limit,
    unsupervised_people,
)
from ssp_planner.supervision.sessions import sessions_due

# ZA > EC > DC10 > EC101; ZA > GP > JHB (district) > JHB (municipality)
AREAS = pd.DataFrame(
    [
        (1, "ZA", "country", None),
        (2, "EC", "province", 1),
        (3, "GP", "province", 1),
        (4, "DC10", "district", 2),
        (5, "JHB", "district", 3),
        (6, "EC101", "municipality", 4),
        (7, "JHB", "municipality", 5),
    ],
    columns=["id", "code", "level", "parent_id"],
).assign(name=lambda f: f["code"])
SW, SAW = "social_worker", "social_auxiliary_worker"
NORMS = load_norms()


def people() -> pd.DataFrame:
    """EC: one supervisor (id 100) with 14 supervisees and 2 unsupervised practitioners.
    GP: one supervisor (id 200) with 4 supervisees, one of them an auxiliary worker."""
    rows = [(100, SW, "supervisor", 6, pd.NA), (200, SW, "supervisor", 7, pd.NA)]
    rows += [(101 + i, SW, "practitioner", 6, 100) for i in range(14)]
    rows += [(120, SW, "practitioner", 6, pd.NA), (121, SAW, "practitioner", 6, pd.NA)]
    rows += [(201 + i, SW, "practitioner", 7, 200) for i in range(3)] + [
        (210, SAW, "practitioner", 7, 200)
    ]
    return pd.DataFrame(
        rows, columns=["id", "category", "rank", "area_id", "supervisor_id"]
    ).astype({"supervisor_id": "Int64"})


def row(table: pd.DataFrame, code: str, category: str) -> pd.Series:
    return table[(table["code"] == code) & (table["category"] == category)].iloc[0]


def test_ratio_per_province_against_the_norm() -> None:
    table = supervision_ratios(people(), AREAS, NORMS, AreaLevel.PROVINCE)
    ec = row(table, "EC", "all")
    assert (ec["practitioners"], ec["supervisors"], ec["ratio"]) == (16, 1, 16.0)
    assert not ec["meets_norm"] and ec["norm"] == 10
    assert (ec["supervisors_needed"], ec["supervisor_shortfall"]) == (2, 1)
    assert (ec["unsupervised"], ec["over_limit"]) == (2, 1)  # 14 supervisees > limit 13
    gp = row(table, "GP", "all")
    assert (gp["practitioners"], gp["supervisors"], gp["ratio"], gp["meets_norm"]) == (
        4,
        1,
        4.0,
        True,
    )
    saw = row(table, "GP", SAW)  # the auxiliary worker's supervisor is a social worker
    assert (saw["practitioners"], saw["supervisors"], pd.isna(saw["ratio"]), saw["meets_norm"]) == (
        1,
        0,
        True,
        False,
    )
    assert len(table) == 2 * 6  # every province × (5 categories + all)


def test_districts_roll_up_from_municipalities() -> None:
    table = supervision_ratios(people(), AREAS, NORMS, AreaLevel.DISTRICT)
    assert row(table, "DC10", "all")["practitioners"] == 16
    assert row(table, "JHB", "all")["practitioners"] == 4


def test_lists_of_the_unsupervised_and_the_overloaded() -> None:
    assert unsupervised_people(people(), NORMS)["id"].tolist() == [120, 121]
    over = supervisors_over_limit(people(), NORMS)
    assert over[["id", "supervisees", "limit", "excess"]].values.tolist() == [[100, 14, 13, 1]]


def test_sessions_due_fall_with_experience() -> None:
    period = Period(date(2026, 1, 1), date(2026, 3, 31))  # three months
    starts = pd.Series(
        [date(2025, 6, 1), date(2023, 1, 1), date(2019, 1, 1), date(2010, 1, 1), date(2026, 2, 20)]
    )
    due, years, rate = sessions_due(starts, period, NORMS)
    # 2 a month (<2 years), 1 (2-5), 0.5 (5-10), 1/3 (10+); the last started after 15 February.
    assert due.tolist() == [6, 3, 1, 1, 2]
    assert years.tolist() == [0, 3, 7, 16, 0]
    assert rate.round(2).tolist() == [2, 1, 0.5, 0.33, 2]


def test_a_year_up_to_a_day_covers_twelve_months() -> None:
    period = Period.months_to(date(2026, 4, 1), 12)
    assert (period.start, period.end) == (date(2025, 4, 2), date(2026, 4, 1))
    assert len(period.month_marks()) == 12
    assert Period.months_to(date(2026, 3, 31), 1).start == date(2026, 3, 1)


def test_compliance_counts_only_full_sessions_of_counted_types() -> None:
    period = Period(date(2026, 1, 1), date(2026, 3, 31))
    tees = pd.DataFrame(
        [(1, SW, 6, date(2020, 1, 1)), (2, SW, 6, date(2020, 1, 1)), (3, SW, 7, date(2025, 1, 1))],
        columns=["id", "category", "area_id", "start_date"],
    )
    sessions = pd.DataFrame(
        [
            (1, date(2026, 1, 10), "individual", 60),
            (1, date(2026, 2, 10), "group", 90),
            (2, date(2026, 1, 10), "peer", 60),  # peer sessions do not count
            (2, date(2026, 2, 10), "individual", 20),  # too short
            (2, date(2025, 12, 10), "individual", 60),  # before the period
            (3, date(2026, 1, 5), "individual", 60),
        ],
        columns=["supervisee_id", "session_date", "session_type", "duration_minutes"],
    )
    out = session_compliance(tees, sessions, period, NORMS).set_index("id")
    assert out.loc[1, ["sessions_due", "sessions_counted", "compliant"]].tolist() == [1, 2, True]
    assert out.loc[2, ["sessions_held", "sessions_counted", "compliant", "missing"]].tolist() == [
        2,
        0,
        False,
        1,
    ]
    # Person 3 is in their second year: twice a month, 6 due.
    assert out.loc[3, ["sessions_due", "sessions_counted", "missing"]].tolist() == [6, 1, 5]
    area = compliance_by_area(out.reset_index(), AREAS, AreaLevel.PROVINCE)
    ec = row(area, "EC", "all")
    assert (ec["supervisees"], ec["compliant"], ec["compliance_rate"]) == (2, 1, 0.5)
    assert row(area, "GP", "all")["hours"] == pytest.approx(1.0)
