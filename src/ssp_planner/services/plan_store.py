"""The implementation plan's rows in storage: read a `Plan`, apply an imported one in place.

Keyed rows (workstreams by number, activities by number) are updated where they stand, so
their ids and activity versions survive an import; the other sheets are replaced whole when
they changed. Children are deleted before, and inserted after, the rows they point at.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ssp_planner.errors import NotFoundError
from ssp_planner.plan import (
    Action,
    Activity,
    Allocation,
    Lesson,
    Plan,
    Priority,
    ProgressUpdate,
    Workstream,
)
from ssp_planner.plan.diff import PlanDiff
from ssp_planner.plan.numbering import workstream_of
from ssp_planner.services.batches import now
from ssp_planner.store.models_plan import (
    ActionRecord,
    ActivityRecord,
    AllocationRecord,
    LessonRecord,
    PlanRecord,
    PriorityRecord,
    UpdateRecord,
    WorkstreamRecord,
)


def plan_record(session: Session, code: str) -> PlanRecord:
    rec = session.scalar(select(PlanRecord).where(PlanRecord.code == code))
    if rec is None:
        raise NotFoundError(
            f"No plan '{code}' is stored. Fix: import it with `ssp plan import FILE`."
        )
    return rec


def load(session: Session, code: str) -> Plan | None:
    rec = session.scalar(select(PlanRecord).where(PlanRecord.code == code))
    if rec is None:
        return None
    streams = session.scalars(
        select(WorkstreamRecord).where(WorkstreamRecord.plan_id == rec.id)
    ).all()
    ws_no = {w.id: w.number for w in streams}
    acts = session.scalars(select(ActivityRecord).where(ActivityRecord.plan_id == rec.id)).all()
    act_no = {a.id: a.number for a in acts}
    prios = session.scalars(select(PriorityRecord).where(PriorityRecord.plan_id == rec.id)).all()
    prio_no = {p.id: p.number for p in prios}
    return Plan(
        **fields(rec, PLAN_FIELDS),
        workstreams=tuple(
            Workstream(**fields(w, ("number", "name", "lead", "description"))) for w in streams
        ),
        activities=tuple(Activity(**fields(a, ACTIVITY_FIELDS), version=a.version) for a in acts),
        updates=tuple(
            ProgressUpdate(
                activity=act_no[u.activity_id], **fields(u, ("date", "note", "status", "author"))
            )
            for u in session.scalars(
                select(UpdateRecord).where(UpdateRecord.activity_id.in_(act_no))
            )
        ),
        priorities=tuple(
            Priority(
                workstream=ws_no.get(p.workstream_id or 0),
                **fields(p, ("number", "title", "description")),
            )
            for p in prios
        ),
        allocations=tuple(
            Allocation(
                priority=prio_no[x.priority_id],
                **fields(x, ("unit", "minimum", "maximum", "spent", "note")),
            )
            for x in session.scalars(
                select(AllocationRecord).where(AllocationRecord.priority_id.in_(prio_no))
            )
        ),
        lessons=tuple(
            Lesson(workstream=ws_no.get(x.workstream_id or 0), **fields(x, ("date", "lesson")))
            for x in session.scalars(select(LessonRecord).where(LessonRecord.plan_id == rec.id))
        ),
        actions=tuple(
            Action(**fields(x, ("action", "owner", "due_date", "status", "raised_on")))
            for x in session.scalars(select(ActionRecord).where(ActionRecord.plan_id == rec.id))
        ),
    )


PLAN_FIELDS = (
    "code",
    "title",
    "objective",
    "owner",
    "start_date",
    "end_date",
    "available_days",
    "available_rands",
    "synthetic",
)
ACTIVITY_FIELDS = ("number", "title", "owner", "start_date", "due_date", "status", "description")


def fields(obj: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names}


# --- applying an imported plan --------------------------------------------------------------------


def write(session: Session, plan: Plan, diff: PlanDiff, batch_id: int) -> None:
    """Apply `plan` over what is stored: keyed rows in place (ids and versions survive), the
    other sheets replaced whole when they changed. Children go before the rows they point at."""
    rec = session.scalar(select(PlanRecord).where(PlanRecord.code == plan.code))
    if rec is None:
        rec = PlanRecord(code=plan.code)
        session.add(rec)
    for name in PLAN_FIELDS:
        setattr(rec, name, getattr(plan, name))
    rec.batch_id, rec.updated_at = batch_id, now()
    session.flush()
    replace = {
        s for s in ("updates", "priorities", "allocations", "lessons", "actions") if diff.changed(s)
    }
    if "priorities" in replace:
        replace.add("allocations")  # they point at the priorities' rows
    _delete_sheets(session, rec.id, replace)
    ws_ids = _sync_workstreams(session, rec.id, plan.workstreams)
    act_ids = _sync_activities(session, rec.id, plan.activities, ws_ids, diff.touched, batch_id)
    session.execute(
        delete(WorkstreamRecord).where(
            WorkstreamRecord.plan_id == rec.id, WorkstreamRecord.number.not_in(list(ws_ids))
        )
    )
    _insert_sheets(session, rec.id, plan, replace, ws_ids, act_ids, batch_id)


def _delete_sheets(session: Session, plan_id: int, sheets: set[str]) -> None:
    acts = select(ActivityRecord.id).where(ActivityRecord.plan_id == plan_id)
    prios = select(PriorityRecord.id).where(PriorityRecord.plan_id == plan_id)
    statements = {
        "updates": delete(UpdateRecord).where(UpdateRecord.activity_id.in_(acts)),
        "allocations": delete(AllocationRecord).where(AllocationRecord.priority_id.in_(prios)),
        "priorities": delete(PriorityRecord).where(PriorityRecord.plan_id == plan_id),
        "lessons": delete(LessonRecord).where(LessonRecord.plan_id == plan_id),
        "actions": delete(ActionRecord).where(ActionRecord.plan_id == plan_id),
    }
    for name, statement in statements.items():  # in dependency order
        if name in sheets:
            session.execute(statement)


def _sync_workstreams(
    session: Session, plan_id: int, streams: tuple[Workstream, ...]
) -> dict[int, int]:
    """Update or insert by number; returns number -> id for the plan's workstreams."""
    stored = {
        w.number: w
        for w in session.scalars(
            select(WorkstreamRecord).where(WorkstreamRecord.plan_id == plan_id)
        )
    }
    for ws in streams:
        rec = stored.get(ws.number) or WorkstreamRecord(plan_id=plan_id, number=ws.number)
        rec.name, rec.lead, rec.description = ws.name, ws.lead, ws.description
        session.add(rec)
        stored[ws.number] = rec
    session.flush()
    keep = {w.number for w in streams}
    return {n: r.id for n, r in stored.items() if n in keep}


def _sync_activities(
    session: Session,
    plan_id: int,
    acts: tuple[Activity, ...],
    ws_ids: dict[int, int],
    touched: frozenset[str],
    batch_id: int,
) -> dict[str, int]:
    """Insert new activities; update those whose row or updates changed (version + 1, as an
    edit would); delete those no longer in the plan."""
    stored = {
        a.number: a
        for a in session.scalars(select(ActivityRecord).where(ActivityRecord.plan_id == plan_id))
    }
    for act in acts:
        rec = stored.get(act.number)
        values = {
            **fields(act, ACTIVITY_FIELDS),
            "workstream_id": ws_ids[workstream_of(act.number)],
        }
        if rec is None:
            rec = ActivityRecord(plan_id=plan_id, version=act.version or 1, **values)
        elif act.number in touched:
            for k, v in values.items():
                setattr(rec, k, v)
            rec.version += 1
        else:
            continue
        rec.batch_id, rec.updated_at = batch_id, now()
        session.add(rec)
        stored[act.number] = rec
    gone = [r.id for n, r in stored.items() if n not in {a.number for a in acts}]
    if gone:
        session.execute(delete(ActivityRecord).where(ActivityRecord.id.in_(gone)))
    session.flush()
    return {n: r.id for n, r in stored.items() if r.id not in gone}


def _insert_sheets(
    session: Session,
    plan_id: int,
    plan: Plan,
    sheets: set[str],
    ws_ids: dict[int, int],
    act_ids: dict[str, int],
    batch_id: int,
) -> None:
    """Insert the replaced sheets' rows; priorities first (allocations point at them)."""
    stamp = {"batch_id": batch_id}
    if "priorities" in sheets:
        session.add_all(
            PriorityRecord(
                plan_id=plan_id,
                workstream_id=ws_ids.get(p.workstream or 0),
                **fields(p, ("number", "title", "description")),
                **stamp,
            )
            for p in plan.priorities
        )
        session.flush()
    query = select(PriorityRecord.number, PriorityRecord.id)
    prio_ids = {n: i for n, i in session.execute(query.where(PriorityRecord.plan_id == plan_id))}
    rows: dict[str, list[Any]] = {
        "allocations": [
            AllocationRecord(
                priority_id=prio_ids[a.priority],
                **fields(a, ("unit", "minimum", "maximum", "spent", "note")),
                **stamp,
            )
            for a in plan.allocations
        ],
        "updates": [
            UpdateRecord(
                activity_id=act_ids[u.activity],
                created_at=now(),
                **fields(u, ("date", "note", "status", "author")),
                **stamp,
            )
            for u in plan.updates
        ],
        "lessons": [
            LessonRecord(
                plan_id=plan_id,
                workstream_id=ws_ids.get(x.workstream or 0),
                **fields(x, ("date", "lesson")),
                **stamp,
            )
            for x in plan.lessons
        ],
        "actions": [
            ActionRecord(
                plan_id=plan_id,
                **fields(x, ("action", "owner", "due_date", "status", "raised_on")),
                **stamp,
            )
            for x in plan.actions
        ],
    }
    for name, records in rows.items():
        if name in sheets:
            session.add_all(records)
    session.flush()


def activity_record(session: Session, code: str, number: str) -> ActivityRecord:
    plan = plan_record(session, code)
    rec = session.scalar(
        select(ActivityRecord).where(
            ActivityRecord.plan_id == plan.id, ActivityRecord.number == number
        )
    )
    if rec is None:
        known = session.scalars(
            select(ActivityRecord.number).where(ActivityRecord.plan_id == plan.id)
        ).all()
        raise NotFoundError(
            f"Plan {code} has no activity {number}. "
            f"Fix: use one of {', '.join(sorted(known)) or '(none)'}."
        )
    return rec
