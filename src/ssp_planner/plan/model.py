"""The implementation plan as typed values: what the workbook, the database and the reports share.

Collections are tuples in one canonical order, so two plans with the same content compare
equal however their rows were ordered (that is how an import knows nothing changed).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator

from ssp_planner.plan.numbering import number_key


class Status(StrEnum):
    NOT_STARTED = "not_started"
    ON_TRACK = "on_track"
    DELAYED = "delayed"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def closed(self) -> bool:
        """Done or dropped: no longer expected to move, so never overdue."""
        return self in (Status.DONE, Status.DROPPED)


class Unit(StrEnum):
    """What a priority is allocated: support days or rands (whole numbers of either)."""

    DAYS = "days"
    RANDS = "rands"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Workstream(_Frozen):
    number: int
    name: str
    lead: str | None = None
    description: str | None = None


class Activity(_Frozen):
    number: str  # '4.1'; the first part is the workstream (numbering.py)
    title: str
    owner: str | None = None
    start_date: date | None = None
    due_date: date | None = None
    status: Status = Status.NOT_STARTED
    description: str | None = None
    version: int | None = None  # optimistic lock; None in a file means "do not check"


class ProgressUpdate(_Frozen):
    activity: str
    date: date
    note: str
    status: Status | None = None  # the status as of this update, when the author gave one
    author: str | None = None


class Priority(_Frozen):
    number: int
    title: str
    workstream: int | None = None
    description: str | None = None


class Allocation(_Frozen):
    """A range of days or rands set aside for one priority, and what was spent so far."""

    priority: int
    unit: Unit
    minimum: int
    maximum: int
    spent: int | None = None
    note: str | None = None


class Lesson(_Frozen):
    date: date
    lesson: str
    workstream: int | None = None


class Action(_Frozen):
    action: str
    owner: str
    due_date: date | None = None
    status: ActionStatus = ActionStatus.OPEN
    raised_on: date | None = None


class Plan(_Frozen):
    code: str
    title: str
    objective: str
    owner: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    available_days: int | None = None
    available_rands: int | None = None
    synthetic: bool = False
    workstreams: tuple[Workstream, ...] = ()
    activities: tuple[Activity, ...] = ()
    updates: tuple[ProgressUpdate, ...] = ()
    priorities: tuple[Priority, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    lessons: tuple[Lesson, ...] = ()
    actions: tuple[Action, ...] = ()

    @model_validator(mode="after")
    def _canonical_order(self) -> Self:
        """Sort every collection by its natural key (frozen, so set through __dict__)."""
        far = date.max
        orders = {
            "workstreams": lambda w: w.number,
            "activities": lambda a: number_key(a.number),
            "updates": lambda u: (number_key(u.activity), u.date, u.note),
            "priorities": lambda p: p.number,
            "allocations": lambda a: (a.priority, a.unit.value),
            "lessons": lambda x: (x.date, x.lesson),
            "actions": lambda x: (x.due_date or far, x.action, x.owner),
        }
        for name, key in orders.items():
            self.__dict__[name] = tuple(sorted(getattr(self, name), key=key))
        return self

    def available(self, unit: Unit) -> int | None:
        return self.available_days if unit is Unit.DAYS else self.available_rands

    def activity(self, number: str) -> Activity | None:
        return next((a for a in self.activities if a.number == number), None)

    def without_versions(self) -> Plan:
        """The plan with activity versions blanked: content only, for 'did anything change?'."""
        acts = tuple(a.model_copy(update={"version": None}) for a in self.activities)
        return self.model_copy(update={"activities": acts})
