"""The report's one-paragraph summary, composed only from counts and lists in the data.

Every clause is a fact the tables below it show: how many activities were updated, which
moved, which are late, how the allocation stands, how many actions are open. No adjectives.
"""

from __future__ import annotations

from collections.abc import Callable

from ssp_planner.plan.allocation import AllocationTotals, amount, amount_range
from ssp_planner.plan.model import Status, Unit
from ssp_planner.plan.periods import long_date, short_date
from ssp_planner.plan.progress import ActivityRow, ProgressData

# How a change of status reads, checked in this order: (test on the row, singular, plural).
_MOVES: list[tuple[Callable[[ActivityRow], bool], str, str]] = [
    (lambda r: r.status is Status.DONE, "was completed", "were completed"),
    (lambda r: r.status is Status.DROPPED, "was dropped", "were dropped"),
    (
        lambda r: r.status is Status.ON_TRACK and r.status_before is Status.NOT_STARTED,
        "started",
        "started",
    ),
    (
        lambda r: r.status is Status.ON_TRACK and r.status_before is Status.DELAYED,
        "is back on track",
        "are back on track",
    ),
    (lambda r: r.status is Status.ON_TRACK, "is now on track", "are now on track"),
    (lambda r: r.status is Status.DELAYED, "is now delayed", "are now delayed"),
    (lambda r: r.status is Status.NOT_STARTED, "is back to not started", "are back to not started"),
]
_UNIT_NAME = {Unit.DAYS: "Support days", Unit.RANDS: "Budget"}
MAX_LISTED = 6


def compose_summary(data: ProgressData) -> str:
    """One paragraph: updates, moves, overdue activities, allocation, open actions."""
    parts = [_updates(data), _moves(data), _overdue(data)]
    parts += [_allocation(t) for t in data.allocations]
    parts.append(_actions(data))
    return " ".join(p for p in parts if p)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


def _numbers(rows: list[ActivityRow], detail: bool = False) -> str:
    shown = [
        f"{r.activity.number} (due {short_date(r.activity.due_date)})"
        if detail
        else r.activity.number
        for r in rows[:MAX_LISTED]
    ]
    more = f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    return ", ".join(shown) + more


def _updates(data: ProgressData) -> str:
    period = data.period
    to_date = f" (to {long_date(data.as_of)})" if data.as_of < period.end else ""
    listed = len(data.rows)
    return (
        f"In {period.code} ({period.label}{to_date}), {len(data.updated)} of "
        f"the {plural(listed, 'activity', 'activities')} scheduled in the period received a "
        "progress update."
    )


def _moves(data: ProgressData) -> str:
    left = data.moved
    if not left:
        return "No activity changed status."
    clauses = []
    for test, one, many in _MOVES:
        rows = [r for r in left if test(r)]
        left = [r for r in left if not test(r)]
        if rows:
            clauses.append(f"{len(rows)} {one if len(rows) == 1 else many} ({_numbers(rows)})")
    return "; ".join(clauses) + "."


def _overdue(data: ProgressData) -> str:
    late = data.overdue
    day = long_date(data.as_of)
    if not late:
        return f"No activity is overdue on {day}."
    verb = "is" if len(late) == 1 else "are"
    return (
        f"{plural(len(late), 'activity', 'activities')} {verb} overdue on {day}: "
        f"{_numbers(late, detail=True)}."
    )


def _allocation(t: AllocationTotals) -> str:
    unit = t.unit
    allocated = amount_range(t.minimum, t.maximum, unit)
    if t.available is None:
        head = f"{_UNIT_NAME[unit]}: {allocated} allocated (the plan states no amount available)"
    else:
        head = f"{_UNIT_NAME[unit]}: {allocated} allocated of {amount(t.available, unit)} available"
    text = f"{head}; {amount(t.spent, unit)} spent."
    if t.over_allocated:
        excess = amount(t.minimum - (t.available or 0), unit)
        text += f" Over-allocated: the minimum allocations exceed the amount available by {excess}."
    elif t.maximum_exceeds:
        excess = amount(t.maximum - (t.available or 0), unit)
        text += f" The upper ends of the ranges exceed the amount available by {excess}."
    if t.overspent:
        text += f" Spending exceeds the amount available by {amount(-(t.remaining or 0), unit)}."
    return text


def _actions(data: ProgressData) -> str:
    if not data.actions:
        return "No action is open."
    late = sum(1 for a in data.actions if a.overdue)
    verb = "is" if len(data.actions) == 1 else "are"
    text = f"{plural(len(data.actions), 'action')} {verb} open"
    their = "its" if late == 1 else "their"
    return text + (f", {late} past {their} due date." if late else ".")
