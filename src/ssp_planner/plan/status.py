"""Status on a given day, overdue activities and actions: the rules a report states, not guesses.

An activity's status on a day is the status of its latest update on or before that day that
gives one; without such an update it is the activity's recorded status. It is overdue when its
due date has passed and that status is neither done nor dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ssp_planner.plan.model import Action, ActionStatus, Activity, ProgressUpdate, Status


def status_at(activity: Activity, updates: Iterable[ProgressUpdate], day: date) -> Status:
    """The activity's status on `day` (see the module docstring for the rule)."""
    dated = [u for u in updates if u.activity == activity.number and u.status and u.date <= day]
    if not dated:
        return activity.status
    latest = _last(dated)
    assert latest.status is not None
    return latest.status


def closed_before(activity: Activity, updates: Iterable[ProgressUpdate], day: date) -> bool:
    """True only on evidence: an update dated before `day` said done or dropped."""
    dated = [u for u in updates if u.activity == activity.number and u.status and u.date < day]
    if not dated:
        return False
    latest = _last(dated)
    return bool(latest.status and latest.status.closed)


def is_overdue(due: date | None, status: Status, as_of: date) -> bool:
    return due is not None and due < as_of and not status.closed


def action_overdue(action: Action, as_of: date) -> bool:
    return (
        action.status is ActionStatus.OPEN
        and action.due_date is not None
        and action.due_date < as_of
    )


def latest_update(
    activity: Activity, updates: Iterable[ProgressUpdate], start: date, end: date
) -> ProgressUpdate | None:
    """The last update of `activity` dated within [start, end] (ties: last in canonical order)."""
    inside = [u for u in updates if u.activity == activity.number and start <= u.date <= end]
    return _last(inside) if inside else None


def last_update_before(
    activity: Activity, updates: Iterable[ProgressUpdate], day: date
) -> ProgressUpdate | None:
    earlier = [u for u in updates if u.activity == activity.number and u.date < day]
    return _last(earlier) if earlier else None


def _last(updates: list[ProgressUpdate]) -> ProgressUpdate:
    """The latest by date; of several on one day, the last in the plan's canonical order."""
    return sorted(updates, key=lambda u: u.date)[-1]
