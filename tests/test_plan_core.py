"""The plan core without storage: periods, numbering, status on a day, period filtering,
overdue and over-allocation flags, and the summary composed from the data."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssp_planner.plan import (
    Activity,
    Allocation,
    PeriodError,
    Plan,
    Priority,
    ProgressUpdate,
    Status,
    Unit,
    Workstream,
    allocation_totals,
    build_progress,
    compose_summary,
    parse_period,
)
from ssp_planner.plan.diff import diff_plans
from ssp_planner.plan.numbering import check_number, number_key, parent_of, workstream_of
from ssp_planner.services.plan_demo import demo_plan

D = date.fromisoformat


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2025Q3", "2025-07-01", "2025-09-30"),
        ("2025", "2025-01-01", "2025-12-31"),
        ("202502", "2025-02-01", "2025-02-28"),
        ("2024April", "2024-04-01", "2025-03-31"),
    ],
)
def test_periods_cover_the_right_days(code: str, start: str, end: str) -> None:
    period = parse_period(code)
    assert (period.start, period.end) == (D(start), D(end))
    assert period.code == code


def test_a_bad_period_names_the_forms() -> None:
    with pytest.raises(PeriodError, match="2024Q1"):
        parse_period("Q3 2025")


@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 30)), min_size=2, max_size=8))
def test_numbers_sort_as_numbers(pairs: list[tuple[int, int]]) -> None:
    numbers = [f"{a}.{b}" for a, b in pairs]
    ordered = sorted(numbers, key=number_key)
    assert [tuple(map(int, n.split("."))) for n in ordered] == sorted(
        tuple(map(int, n.split("."))) for n in numbers
    )


def test_numbering_helpers() -> None:
    assert check_number("4.1") is None and check_number("4.1.2") is None
    assert check_number("4") and check_number("4.0") and check_number("four.1")
    assert workstream_of("4.10") == 4 and parent_of("4.1.2") == "4.1" and parent_of("4.1") is None
    assert number_key("4.2") < number_key("4.10")


def _plan(**extra: object) -> Plan:
    """Workstream 1 with three activities: one closed before Q3, one updated in Q3, one late."""
    return Plan(
        code="T",
        title="Test plan",
        objective="Test",
        workstreams=(Workstream(number=1, name="Recruit"),),
        activities=(
            Activity(
                number="1.1", title="Closed early", status=Status.DONE, due_date=D("2025-05-31")
            ),
            Activity(number="1.2", title="Moving", status=Status.DONE, due_date=D("2025-12-31")),
            Activity(number="1.3", title="Late", status=Status.DELAYED, due_date=D("2025-08-31")),
            Activity(number="1.4", title="Later", start_date=D("2025-10-01")),
        ),
        updates=(
            ProgressUpdate(activity="1.1", date=D("2025-05-20"), note="done", status=Status.DONE),
            ProgressUpdate(activity="1.2", date=D("2025-06-10"), note="go", status=Status.ON_TRACK),
            ProgressUpdate(
                activity="1.2", date=D("2025-07-15"), note="first", status=Status.ON_TRACK
            ),
            ProgressUpdate(
                activity="1.2", date=D("2025-09-02"), note="finished", status=Status.DONE
            ),
            ProgressUpdate(activity="1.2", date=D("2025-10-02"), note="after Q3"),
            ProgressUpdate(
                activity="1.3", date=D("2025-06-01"), note="slow", status=Status.DELAYED
            ),
        ),
        **extra,  # type: ignore[arg-type]
    )


def test_period_filters_activities_and_picks_the_latest_update_in_it() -> None:
    data = build_progress(_plan(), parse_period("2025Q3"), today=D("2026-01-01"))
    rows = {r.activity.number: r for r in data.rows}
    assert set(rows) == {"1.2", "1.3"}  # 1.1 closed before Q3; 1.4 starts after it
    assert rows["1.2"].update is not None and rows["1.2"].update.note == "finished"
    assert rows["1.2"].status is Status.DONE and rows["1.2"].moved
    assert rows["1.3"].update is None and rows["1.3"].previous is not None
    assert rows["1.3"].previous.note == "slow"


def test_overdue_is_judged_on_the_report_day() -> None:
    q3 = parse_period("2025Q3")
    late = build_progress(_plan(), q3, today=D("2026-01-01"))
    assert [r.activity.number for r in late.overdue] == ["1.3"]  # 1.2 is done, never overdue
    early = build_progress(_plan(), q3, today=D("2025-08-15"))  # period not over: as of today
    assert early.as_of == D("2025-08-15") and not early.overdue
    assert "(to 15 August 2025)" in compose_summary(early)


def test_due_on_the_report_day_is_not_overdue() -> None:
    plan = Plan(
        code="T",
        title="T",
        objective="T",
        workstreams=(Workstream(number=1, name="W"),),
        activities=(Activity(number="1.1", title="A", due_date=D("2025-09-30")),),
    )
    data = build_progress(plan, parse_period("2025Q3"), today=D("2026-01-01"))
    assert not data.overdue


def _allocations(available: int | None, *ranges: tuple[int, int, int]) -> Plan:
    return _plan(
        available_days=available,
        priorities=tuple(Priority(number=i, title=f"P{i}") for i in range(1, len(ranges) + 1)),
        allocations=tuple(
            Allocation(priority=i, unit=Unit.DAYS, minimum=lo, maximum=hi, spent=sp)
            for i, (lo, hi, sp) in enumerate(ranges, start=1)
        ),
    )


def test_over_allocation_flags() -> None:
    (fits,) = allocation_totals(_allocations(60, (10, 20, 5), (20, 30, 10)))
    assert (fits.minimum, fits.maximum, fits.spent, fits.remaining) == (30, 50, 15, 45)
    assert not (fits.over_allocated or fits.maximum_exceeds or fits.overspent)
    (upper,) = allocation_totals(_allocations(40, (10, 20, 5), (20, 30, 10)))
    assert upper.maximum_exceeds and not upper.over_allocated
    (over,) = allocation_totals(_allocations(25, (10, 20, 5), (20, 30, 31)))
    assert over.over_allocated and over.overspent
    assert [line.over_maximum for line in over.lines] == [False, True]
    (unknown,) = allocation_totals(_allocations(None, (10, 20, 5)))
    assert not unknown.over_allocated and unknown.remaining is None


def test_summary_states_counts_moves_lateness_and_allocation() -> None:
    plan = _allocations(25, (10, 20, 5), (20, 30, 31))
    text = compose_summary(build_progress(plan, parse_period("2025Q3"), today=D("2026-01-01")))
    assert "1 of the 2 activities scheduled in the period received a progress update" in text
    assert "1 was completed (1.2)" in text
    assert "1 activity is overdue on 30 September 2025: 1.3 (due 31 Aug 2025)" in text
    assert "30–50 days allocated of 25 days available; 36 days spent" in text
    assert "Over-allocated: the minimum allocations exceed the amount available by 5 days" in text
    assert "Spending exceeds the amount available by 11 days" in text


def test_diff_ignores_order_and_versions() -> None:
    plan = demo_plan()
    shuffled = Plan.model_validate(
        {
            **plan.model_dump(),
            "activities": [a.model_dump() | {"version": 7} for a in reversed(plan.activities)],
        }
    )
    assert shuffled == plan.model_copy(
        update={"activities": tuple(a.model_copy(update={"version": 7}) for a in plan.activities)}
    )
    assert diff_plans(plan, shuffled).empty
    edited = plan.model_copy(update={"objective": "Another"})
    assert diff_plans(plan, edited).plan_changed


def test_demo_plan_covers_the_five_workstreams() -> None:
    plan = demo_plan()
    assert [w.number for w in plan.workstreams] == [1, 2, 3, 4, 5]
    assert plan.synthetic and {a.number.split(".")[0] for a in plan.activities} == set("12345")
