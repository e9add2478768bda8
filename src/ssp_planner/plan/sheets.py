"""The plan workbook: one sheet per table, its columns, and the rows an export writes.

The same `Column` specs (ingest/schema.py) drive the import's validation, the export's headers
and drop-down lists, and docs/plan-format.md, so the three never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ssp_planner.domain.dates import parse_date
from ssp_planner.ingest.reader import Cell, cell_text
from ssp_planner.ingest.schema import CellError, Column, header_key
from ssp_planner.plan.model import ActionStatus, Plan, Status, Unit
from ssp_planner.plan.numbering import NUMBER_HELP, check_number

# --- cell parsers -----------------------------------------------------------------------------

_STATUS_ALIASES = {
    "complete": Status.DONE,
    "completed": Status.DONE,
    "finished": Status.DONE,
    "cancelled": Status.DROPPED,
    "canceled": Status.DROPPED,
    "not_yet_started": Status.NOT_STARTED,
    "notstarted": Status.NOT_STARTED,
    "ontrack": Status.ON_TRACK,
    "in_progress": Status.ON_TRACK,
    "late": Status.DELAYED,
    "behind": Status.DELAYED,
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_MONEY_NOISE = re.compile(r"[\s,R]|days?$", re.IGNORECASE)


def parse_status(text: str) -> Status | None:
    """'On track', 'on-track', 'Completed' -> Status; None when it is no status we know."""
    key = header_key(text)
    try:
        return Status(key)
    except ValueError:
        return _STATUS_ALIASES.get(key)


def _status(raw: Cell) -> Status:
    got = parse_status(cell_text(raw))
    if got is None:
        raise CellError("unknown status", f"use one of: {', '.join(s.value for s in Status)}")
    return got


def _action_status(raw: Cell) -> ActionStatus:
    key = header_key(cell_text(raw))
    key = {"closed": "done", "completed": "done", "complete": "done"}.get(key, key)
    try:
        return ActionStatus(key)
    except ValueError:
        raise CellError("unknown action status", "use open or done") from None


def _unit(raw: Cell) -> Unit:
    key = header_key(cell_text(raw))
    key = {"day": "days", "rand": "rands", "r": "rands", "zar": "rands"}.get(key, key)
    try:
        return Unit(key)
    except ValueError:
        raise CellError("unknown unit", "use days or rands") from None


def _date(raw: Cell) -> date:
    got = parse_date(raw)
    if isinstance(got, str):
        raise CellError(got, "write the date as YYYY-MM-DD, e.g. 2025-09-30")
    return got


def _whole(raw: Cell) -> int:
    """A whole, non-negative number; 'R1 250 000' and '10 days' are read as 1250000 and 10."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        text = _MONEY_NOISE.sub("", cell_text(raw))
        try:
            value = float(text)
        except ValueError:
            raise CellError("not a number", "write a whole number, e.g. 10 or 250000") from None
    if not value.is_integer():
        raise CellError("not a whole number", "round it to whole days or whole rands")
    if value < 0:
        raise CellError("negative", "write zero or more")
    return int(value)


def _number(raw: Cell) -> int:
    got = _whole(raw)
    if got == 0:
        raise CellError("numbering starts at 1", "write 1 or more")
    return got


def _activity_number(raw: Cell) -> str:
    text = cell_text(raw)
    if problem := check_number(text):
        raise CellError(problem, NUMBER_HELP)
    return text


def _code(raw: Cell) -> str:
    text = cell_text(raw)
    if not _CODE.match(text):
        raise CellError(
            "a plan code is up to 40 letters, digits, dots, dashes or underscores",
            "write a short code such as SSP-2025",
        )
    return text


def _bool(raw: Cell) -> bool:
    key = cell_text(raw).lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError("not yes or no", "write yes or no")


def _text(limit: int, single_line: bool = True) -> Callable[[Cell], str]:
    def parse(raw: Cell) -> str:
        text = cell_text(raw)
        text = " ".join(text.split()) if single_line else text.replace("\r\n", "\n")
        if len(text) > limit:
            raise CellError(f"longer than {limit} characters", "shorten it")
        return text

    return parse


_NAME, _LONG = _text(200), _text(4000, single_line=False)
_STATUSES = tuple(s.value for s in Status)

# --- sheets ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    name: str
    purpose: str
    columns: list[Column]
    rows: Callable[[Plan], list[list[object]]]  # the export's data rows, in column order


PLAN = Sheet(
    "plan",
    "One row: the plan itself and what is available to allocate.",
    [
        Column("code", True, "a short unique code for the plan", "SSP-2025", _code),
        Column("title", True, "the plan's title", "SSP workforce strategy plan", _NAME),
        Column("objective", True, "the objective, as the report states it", "Adequate SSPs", _LONG),
        Column("owner", False, "who is accountable for the plan", "Chief Director", _NAME),
        Column("start_date", False, "when the plan starts", "2025-04-01", _date),
        Column("end_date", False, "when the plan ends", "2027-03-31", _date),
        Column("available_days", False, "support days available to allocate", "60", _whole),
        Column(
            "available_rands", False, "budget available to allocate, in rands", "2500000", _whole
        ),
        Column("synthetic", False, "yes for made-up demo data (marked on every page)", "no", _bool),
    ],
    lambda p: [
        [
            p.code,
            p.title,
            p.objective,
            p.owner,
            p.start_date,
            p.end_date,
            p.available_days,
            p.available_rands,
            "yes" if p.synthetic else "no",
        ]
    ],
)
WORKSTREAMS = Sheet(
    "workstreams",
    "The strategy's workstreams; activity numbers start with the workstream's number.",
    [
        Column("number", True, "the workstream number", "4", _number),
        Column("name", True, "the workstream's name", "Supervision & mentoring", _NAME),
        Column("lead", False, "who leads the workstream", "Director: Supervision", _NAME),
        Column("description", False, "what the workstream is for", "", _LONG),
    ],
    lambda p: [[w.number, w.name, w.lead, w.description] for w in p.workstreams],
)
ACTIVITIES = Sheet(
    "activities",
    "Numbered activities (4.1, 4.2, 4.1.1 …) with owner, dates and current status.",
    [
        Column("number", True, "the activity number, e.g. 4.1", "4.1", _activity_number),
        Column("title", True, "what the activity is", "National supervision workshop", _text(300)),
        Column("owner", False, "who is responsible", "Chief Director: Social Work", _NAME),
        Column("start_date", False, "when it starts", "2025-07-01", _date),
        Column("due_date", False, "when it is due", "2025-09-30", _date),
        Column("status", True, "its current status", "on_track", _status, allowed=_STATUSES),
        Column("description", False, "more detail", "", _LONG),
        Column(
            "version",
            False,
            "leave as exported: it stops an import from overwriting newer edits",
            "1",
            _number,
        ),
    ],
    lambda p: [
        [
            a.number,
            a.title,
            a.owner,
            a.start_date,
            a.due_date,
            a.status.value,
            a.description,
            a.version,
        ]
        for a in p.activities
    ],
)
UPDATES = Sheet(
    "updates",
    "Dated progress updates, one row each; the report shows the latest in its period.",
    [
        Column("activity", True, "the activity number", "4.1", _activity_number),
        Column("date", True, "the date of the update", "2025-08-15", _date),
        Column(
            "status",
            False,
            "the activity's status as of this update",
            "on_track",
            _status,
            allowed=_STATUSES,
        ),
        Column("note", True, "what happened", "Workshop held with 9 provinces", _LONG),
        Column("author", False, "who reported it", "M. Nkosi", _NAME),
    ],
    lambda p: [
        [u.activity, u.date, u.status.value if u.status else None, u.note, u.author]
        for u in p.updates
    ],
)
PRIORITIES = Sheet(
    "priorities",
    "Numbered priorities and the workstream each serves.",
    [
        Column("number", True, "the priority number", "1", _number),
        Column("title", True, "the priority", "Norms for supervision ratios", _text(300)),
        Column("workstream", False, "the workstream it serves", "4", _number),
        Column("description", False, "more detail", "", _LONG),
    ],
    lambda p: [[x.number, x.title, x.workstream, x.description] for x in p.priorities],
)
ALLOCATIONS = Sheet(
    "allocations",
    "Days or rands per priority: a minimum–maximum range and what was spent.",
    [
        Column("priority", True, "the priority number", "1", _number),
        Column("unit", True, "days or rands", "days", _unit, allowed=tuple(u.value for u in Unit)),
        Column("minimum", True, "the least to set aside", "5", _whole),
        Column("maximum", True, "the most to set aside", "10", _whole),
        Column("spent", False, "spent so far", "3", _whole),
        Column("note", False, "why this range", "", _LONG),
    ],
    lambda p: [
        [a.priority, a.unit.value, a.minimum, a.maximum, a.spent, a.note] for a in p.allocations
    ],
)
LESSONS = Sheet(
    "lessons",
    "Key lessons, dated; a report shows those of its period.",
    [
        Column("date", True, "when the lesson was recorded", "2025-09-30", _date),
        Column("lesson", True, "the lesson", "Provinces need data before workshops", _LONG),
        Column("workstream", False, "the workstream it concerns", "3", _number),
    ],
    lambda p: [[x.date, x.lesson, x.workstream] for x in p.lessons],
)
ACTIONS = Sheet(
    "actions",
    "Actions needed, with owner and due date; open ones appear in the report.",
    [
        Column("action", True, "what needs doing", "Approve supervision norms", _LONG),
        Column("owner", True, "who must do it", "DDG: Welfare Services", _NAME),
        Column("due_date", False, "when it is due", "2025-10-31", _date),
        Column(
            "status",
            False,
            "open or done (blank: open)",
            "open",
            _action_status,
            allowed=("open", "done"),
        ),
        Column("raised_on", False, "when it was raised", "2025-09-30", _date),
    ],
    lambda p: [[x.action, x.owner, x.due_date, x.status.value, x.raised_on] for x in p.actions],
)
SHEETS: tuple[Sheet, ...] = (
    PLAN,
    WORKSTREAMS,
    ACTIVITIES,
    UPDATES,
    PRIORITIES,
    ALLOCATIONS,
    LESSONS,
    ACTIONS,
)


def sheet_rows(plan: Plan) -> dict[str, list[list[object]]]:
    """Header and data rows of every sheet, as an export writes them."""
    return {s.name: [[c.name for c in s.columns], *s.rows(plan)] for s in SHEETS}
