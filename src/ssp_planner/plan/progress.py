"""What a progress report on one period says, computed from the plan alone (no I/O, no prose).

Rules (stated in the report and tested):
- An activity is listed when it had started by the end of the period (or has no start date)
  and no update before the period closed it (done or dropped).
- Its progress is its latest update dated within the period.
- Its status, and whether it is overdue, are judged on the report day: the period's last day,
  or today when the period has not ended yet.
- It "moved" when an update in the period set a status different from the last status
  reported before the period (not started, when none was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ssp_planner.plan.allocation import AllocationTotals, allocation_totals
from ssp_planner.plan.model import (
    Action,
    ActionStatus,
    Activity,
    Lesson,
    Plan,
    ProgressUpdate,
    Status,
    Workstream,
)
from ssp_planner.plan.numbering import workstream_of
from ssp_planner.plan.periods import PeriodRange
from ssp_planner.plan.status import (
    action_overdue,
    closed_before,
    is_overdue,
    last_update_before,
    latest_update,
    status_at,
)


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    workstream: Workstream | None
    status: Status  # on the report day
    status_before: Status  # last reported before the period
    update: ProgressUpdate | None  # latest within the period
    previous: ProgressUpdate | None  # latest before the period, shown when there is no update
    overdue: bool

    @property
    def moved(self) -> bool:
        return self.update is not None and self.status != self.status_before


@dataclass(frozen=True)
class ActionRow:
    action: Action
    overdue: bool


@dataclass(frozen=True)
class ProgressData:
    plan: Plan
    period: PeriodRange
    as_of: date
    rows: tuple[ActivityRow, ...]
    allocations: tuple[AllocationTotals, ...]
    lessons: tuple[Lesson, ...]
    actions: tuple[ActionRow, ...]

    @property
    def overdue(self) -> list[ActivityRow]:
        return [r for r in self.rows if r.overdue]

    @property
    def updated(self) -> list[ActivityRow]:
        return [r for r in self.rows if r.update is not None]

    @property
    def moved(self) -> list[ActivityRow]:
        return [r for r in self.rows if r.moved]


def build_progress(plan: Plan, period: PeriodRange, today: date) -> ProgressData:
    """Everything the progress report for `period` shows, judged as of min(period end, today)."""
    as_of = min(period.end, today)
    rows = tuple(
        _row(plan, a, period, as_of)
        for a in plan.activities
        if (a.start_date is None or a.start_date <= period.end)
        and not closed_before(a, plan.updates, period.start)
    )
    return ProgressData(
        plan=plan,
        period=period,
        as_of=as_of,
        rows=rows,
        allocations=tuple(allocation_totals(plan)),
        lessons=tuple(x for x in plan.lessons if period.contains(x.date)),
        actions=tuple(
            ActionRow(x, action_overdue(x, as_of))
            for x in plan.actions
            if x.status is ActionStatus.OPEN and (x.raised_on is None or x.raised_on <= period.end)
        ),
    )


def _row(plan: Plan, activity: Activity, period: PeriodRange, as_of: date) -> ActivityRow:
    streams = {w.number: w for w in plan.workstreams}
    status = status_at(activity, plan.updates, as_of)
    before = [
        u
        for u in plan.updates
        if u.activity == activity.number and u.status and u.date < period.start
    ]
    update = latest_update(activity, plan.updates, period.start, as_of)
    return ActivityRow(
        activity=activity,
        workstream=streams.get(workstream_of(activity.number)),
        status=status,
        status_before=status_at(activity, before, period.start - timedelta(days=1))
        if before
        else Status.NOT_STARTED,
        update=update,
        previous=None if update else last_update_before(activity, plan.updates, period.start),
        overdue=is_overdue(activity.due_date, status, as_of),
    )
