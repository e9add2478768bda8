"""The implementation plan for the web: the plan page, one activity with its history, and the
audited changes (activity edits under the optimistic lock, progress updates).

The plan is national: activities have no province, so every signed-in role may read it and
no query is filtered by scope; only EDIT_PLAN roles reach the changes (the routes gate them).
Status and the OVERDUE flag follow the progress report's rules (plan/status.py), as of today.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Engine, Select, select

from ssp_planner.errors import NotFoundError
from ssp_planner.plan import Activity, AllocationTotals, Plan, ProgressUpdate, Status
from ssp_planner.plan.allocation import allocation_totals
from ssp_planner.plan.numbering import workstream_of
from ssp_planner.plan.status import action_overdue, is_overdue, last_update_before, status_at
from ssp_planner.reports.progress import allocation_warnings
from ssp_planner.services import plan as plan_service
from ssp_planner.store import session_scope
from ssp_planner.store.models_plan import ActivityRecord, PlanRecord
from ssp_planner.web.audit import audit_now
from ssp_planner.web.roles import Principal

_ID_MAX = 2**31 - 1


class UpdateOut(BaseModel):
    date: dt.date
    note: str
    status: Status | None
    author: str | None


class ActivityOut(BaseModel):
    id: int
    number: str
    title: str
    owner: str | None
    start_date: dt.date | None
    due_date: dt.date | None
    status: Status  # today's, from the newest update that gives one (as the report judges it)
    recorded_status: Status  # the activity's own field, which the edit form changes
    description: str | None
    version: int
    overdue: bool
    latest: UpdateOut | None


class WorkstreamOut(BaseModel):
    number: int
    name: str
    lead: str | None
    activities: list[ActivityOut]


class AllocationLineOut(BaseModel):
    priority: int
    title: str
    minimum: int
    maximum: int
    spent: int | None
    over_maximum: bool


class AllocationOut(BaseModel):
    unit: str
    lines: list[AllocationLineOut]
    available: int | None
    minimum: int
    maximum: int
    spent: int
    remaining: int | None
    over_allocated: bool
    maximum_exceeds: bool
    overspent: bool
    warnings: list[str]  # the report's sentences for the flags


class PriorityOut(BaseModel):
    number: int
    title: str
    workstream: int | None
    workstream_name: str | None


class LessonOut(BaseModel):
    date: dt.date
    lesson: str
    workstream: int | None


class ActionOut(BaseModel):
    action: str
    owner: str
    due_date: dt.date | None
    status: str
    raised_on: dt.date | None
    overdue: bool


class PlanSummary(BaseModel):
    code: str
    title: str
    synthetic: bool
    activities: int


class PlanView(BaseModel):
    code: str
    title: str
    objective: str
    owner: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    synthetic: bool
    source: str
    as_of: dt.date
    counts: dict[str, int]  # activities by today's status, every status listed
    overdue: int
    workstreams: list[WorkstreamOut]
    priorities: list[PriorityOut]
    allocations: list[AllocationOut]
    lessons: list[LessonOut]
    actions: list[ActionOut]


class ActivityDetail(BaseModel):
    plan_code: str
    plan_title: str
    synthetic: bool
    workstream: str
    activity: ActivityOut
    updates: list[UpdateOut]  # newest first


class ActivityEdit(BaseModel):
    """An edit of an activity; `version` is the one the editor saw (the optimistic lock).
    Fields left out stay as they are; blank text and dates clear the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1, le=_ID_MAX)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    owner: str | None = Field(default=None, max_length=200)
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    status: Status | None = None
    description: str | None = Field(default=None, max_length=5000)

    @field_validator("owner", "description", "start_date", "due_date", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True, exclude={"version"})


class ActivityEditForm(ActivityEdit):
    """The page's form also carries the CSRF token, so other fields are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class UpdateIn(BaseModel):
    """A progress update: what happened, on which day (default today), and the status then."""

    model_config = ConfigDict(str_strip_whitespace=True)

    note: str = Field(min_length=1, max_length=2000)
    date: dt.date | None = None
    status: Status | None = None

    @field_validator("date", "status", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


# --- reading ----------------------------------------------------------------------------------


def list_plans(engine: Engine) -> list[PlanSummary]:
    plans = [plan_service.load_plan(engine, code) for code in plan_service.plan_codes(engine)]
    return [
        PlanSummary(code=p.code, title=p.title, synthetic=p.synthetic, activities=len(p.activities))
        for p in plans
    ]


def plan_view(engine: Engine, code: str, today: dt.date | None = None) -> PlanView:
    """Everything the plan page shows about plan `code`, judged as of `today`."""
    today = today or dt.date.today()
    plan = plan_service.load_plan(engine, code)
    ids = _activity_ids(engine, plan.code)
    acts = [_activity_out(plan, a, ids[a.number], today) for a in plan.activities]
    names = {w.number: w.name for w in plan.workstreams}
    return PlanView(
        **plan.model_dump(
            include={"code", "title", "objective", "owner", "start_date", "end_date", "synthetic"}
        ),
        source=plan_service.plan_source(engine, plan.code).describe(),
        as_of=today,
        counts={s.value: sum(a.status is s for a in acts) for s in Status},
        overdue=sum(a.overdue for a in acts),
        workstreams=[
            WorkstreamOut(
                number=w.number,
                name=w.name,
                lead=w.lead,
                activities=[a for a in acts if workstream_of(a.number) == w.number],
            )
            for w in plan.workstreams
        ],
        priorities=[
            PriorityOut(
                number=p.number,
                title=p.title,
                workstream=p.workstream,
                workstream_name=names.get(p.workstream or 0),
            )
            for p in plan.priorities
        ],
        allocations=[_allocation_out(t) for t in allocation_totals(plan)],
        lessons=[LessonOut(**x.model_dump()) for x in plan.lessons],
        actions=[
            ActionOut(**x.model_dump(), overdue=action_overdue(x, today)) for x in plan.actions
        ],
    )


def activity_detail(
    engine: Engine, activity_id: str, today: dt.date | None = None
) -> ActivityDetail:
    """One activity and every progress update of it, newest first; 404 for unknown ids."""
    code, number, key = _locate(engine, activity_id)
    plan = plan_service.load_plan(engine, code)
    activity = plan.activity(number)
    assert activity is not None  # just located
    stream = next((w for w in plan.workstreams if w.number == workstream_of(number)), None)
    return ActivityDetail(
        plan_code=plan.code,
        plan_title=plan.title,
        synthetic=plan.synthetic,
        workstream=f"{stream.number}. {stream.name}" if stream else "—",
        activity=_activity_out(plan, activity, key, today or dt.date.today()),
        updates=[_update_out(u) for u in reversed(_updates_of(plan, number))],
    )


def _locate(engine: Engine, activity_id: str) -> tuple[str, str, int]:
    """(plan code, activity number, id) of an activity id from a URL; anything else is 404."""
    key = int(activity_id) if activity_id.isdigit() and len(activity_id) <= 10 else 0
    found = None
    if 0 < key <= _ID_MAX:
        with session_scope(engine) as session:
            found = session.execute(
                _with_plan(PlanRecord.code, ActivityRecord.number).where(ActivityRecord.id == key)
            ).first()
    if found is None:
        raise NotFoundError(
            f"No plan activity has the id '{activity_id[:20]}'. Fix: open it from the Plan page."
        )
    return found.code, found.number, key


def _activity_ids(engine: Engine, code: str) -> dict[str, int]:
    with session_scope(engine) as session:
        rows = session.execute(
            _with_plan(ActivityRecord.number, ActivityRecord.id).where(PlanRecord.code == code)
        ).all()
    return {number: key for number, key in rows}


def _with_plan(*columns: Any) -> Select[Any]:
    """`columns` of stored activities joined to their plan (for lookups by plan or by id)."""
    return select(*columns).join(PlanRecord, PlanRecord.id == ActivityRecord.plan_id)


def _updates_of(plan: Plan, number: str) -> list[ProgressUpdate]:
    """In the plan's order: by date, and the report's 'latest' is the last of them."""
    return [u for u in plan.updates if u.activity == number]


def _update_out(u: ProgressUpdate) -> UpdateOut:
    return UpdateOut(date=u.date, note=u.note, status=u.status, author=u.author)


def _activity_out(plan: Plan, a: Activity, key: int, today: dt.date) -> ActivityOut:
    status = status_at(a, plan.updates, today)
    latest = last_update_before(a, plan.updates, dt.date.max)
    return ActivityOut(
        **a.model_dump(exclude={"status", "version"}),
        id=key,
        status=status,
        recorded_status=a.status,
        version=a.version or 1,
        overdue=is_overdue(a.due_date, status, today),
        latest=_update_out(latest) if latest else None,
    )


def _allocation_out(t: AllocationTotals) -> AllocationOut:
    return AllocationOut(
        unit=t.unit.value,
        lines=[
            AllocationLineOut(
                priority=x.allocation.priority,
                title=x.priority_title,
                minimum=x.allocation.minimum,
                maximum=x.allocation.maximum,
                spent=x.allocation.spent,
                over_maximum=x.over_maximum,
            )
            for x in t.lines
        ],
        available=t.available,
        minimum=t.minimum,
        maximum=t.maximum,
        spent=t.spent,
        remaining=t.remaining,
        over_allocated=t.over_allocated,
        maximum_exceeds=t.maximum_exceeds,
        overspent=t.overspent,
        warnings=allocation_warnings(t),
    )


# --- changes, each recorded in the audit trail --------------------------------------------------


def edit_and_record(
    engine: Engine, principal: Principal, activity_id: str, edit: ActivityEdit, ip: str | None
) -> Activity | None:
    """Save `edit` unless someone saved the activity since `edit.version` (StaleEditError, 409:
    nothing is overwritten). None when nothing differs from what is stored."""
    code, number, key = _locate(engine, activity_id)
    current = plan_service.load_plan(engine, code).activity(number)
    assert current is not None
    changes = edit.changes()
    changed = [k for k, v in changes.items() if getattr(current, k) != v]
    if not changed and current.version == edit.version:
        return None
    saved = plan_service.edit_activity(
        engine, code, number, expected_version=edit.version, changes=changes
    )
    audit_now(
        engine,
        user=principal,
        action="plan.activity.edit",
        target=f"plan_activity:{key}",
        before={"version": edit.version, **{k: getattr(current, k) for k in changed}},
        after={"version": saved.version, **{k: getattr(saved, k) for k in changed}},
        ip=ip,
    )
    return saved


def add_update_and_record(
    engine: Engine, principal: Principal, activity_id: str, update: UpdateIn, ip: str | None
) -> Activity:
    """Add a dated progress update by the signed-in user (a status given with the newest
    update becomes the activity's)."""
    code, number, key = _locate(engine, activity_id)
    author = principal.full_name or principal.username
    day = update.date or dt.date.today()
    saved = plan_service.add_progress_update(
        engine, code, number, note=update.note, on=day, status=update.status, author=author
    )
    audit_now(
        engine,
        user=principal,
        action="plan.progress.add",
        target=f"plan_activity:{key}",
        after={"date": day, "status": update.status, "note": update.note, "author": author},
        ip=ip,
    )
    return saved
