"""The audit trail: who changed what, when, and for edits the values before and after.

`record_audit` writes into the caller's session, so an edit and its audit entry commit (or
roll back) together. Values are stored as JSON with personal identifiers masked and secrets
dropped: the trail is read by administrators, and DESIGN.md keeps personal data out of logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ssp_planner.domain.identifiers import mask_id_number
from ssp_planner.services.batches import now
from ssp_planner.store import session_scope
from ssp_planner.store.models_web import AuditEntry
from ssp_planner.web.roles import Principal

MASKED_KEYS = frozenset({"id_number", "supervisor_id_number", "persal_number"})
HIDDEN_KEYS = frozenset({"birth_date"})
SECRET_MARKERS = ("password", "secret", "token", "hash")
_TARGET_MAX = 300


def record_audit(
    session: Session,
    *,
    user: Principal | str | None,
    action: str,
    target: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Add one audit entry to `session` (committed with the caller's change).

    user: the acting principal, a user name (e.g. one typed at a failed sign-in), or None for
    the system. action: dotted verb, e.g. "inventory.import", "plan.activity.edit".
    target: what was acted on, e.g. "plan_activity:12" or a file name.
    """
    entry = AuditEntry(
        at=now(),
        user_id=user.user_id if isinstance(user, Principal) else None,
        username=_username(user),
        action=action[:60],
        target=target[:_TARGET_MAX],
        before_json=_dump(before),
        after_json=_dump(after),
        ip=ip[:45] if ip else None,
    )
    session.add(entry)
    return entry


def audit_now(engine: Engine, **kw: Any) -> None:
    """`record_audit` in a transaction of its own, for events with no other change to join
    (sign-ins, and imports whose service commits by itself)."""
    with session_scope(engine) as session:
        record_audit(session, **kw)


class AuditFilters(BaseModel):
    """The audit page's filter form and the API's query; blanks (from forms) mean 'any'."""

    username: str | None = Field(default=None, max_length=80)
    action: str | None = Field(default=None, max_length=60)
    target: str | None = Field(default=None, max_length=100)
    since: date | None = None
    until: date | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)

    @field_validator("username", "action", "target", "since", "until", mode="before")
    @classmethod
    def _blank_is_any(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int
    page: int
    per_page: int
    actions: list[str]  # every action recorded, for the filter's choices


def list_audit(engine: Engine, filters: AuditFilters) -> AuditPage:
    """Newest first, filtered; user name and action match exactly, target by substring."""
    query = select(AuditEntry)
    if filters.username:
        query = query.where(AuditEntry.username == filters.username.strip().lower())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.target:
        query = query.where(AuditEntry.target.icontains(filters.target, autoescape=True))
    if filters.since:
        query = query.where(AuditEntry.at >= datetime.combine(filters.since, time.min))
    if filters.until:
        query = query.where(
            AuditEntry.at < datetime.combine(filters.until + timedelta(days=1), time.min)
        )
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        entries = session.scalars(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(filters.per_page)
            .offset((filters.page - 1) * filters.per_page)
        ).all()
        actions = sorted(session.scalars(select(AuditEntry.action).distinct()))
        rows = [_row(e) for e in entries]
    return AuditPage(rows, total, filters.page, filters.per_page, actions)


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(
        e.id,
        e.at,
        e.username,
        e.action,
        e.target,
        json.loads(e.before_json) if e.before_json else None,
        json.loads(e.after_json) if e.after_json else None,
        e.ip,
    )


def _username(user: Principal | str | None) -> str:
    if isinstance(user, Principal):
        return user.username
    return (user or "(system)").strip().lower()[:80] or "(blank)"


def _dump(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(_clean(values), default=str, sort_keys=True, ensure_ascii=False)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        lowered = key.lower()
        if any(marker in lowered for marker in SECRET_MARKERS):
            continue
        if lowered in MASKED_KEYS and value:
            out[key] = mask_id_number(str(value))
        elif lowered in HIDDEN_KEYS and value:
            out[key] = "(personal data, not recorded)"
        elif isinstance(value, dict):
            out[key] = _clean(value)
        else:
            out[key] = value
    return out
