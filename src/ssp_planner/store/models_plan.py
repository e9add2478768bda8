"""ORM tables of the implementation plan (migration 0004). Children cascade from their plan.

Activities carry `version`, an optimistic lock: every edit bumps it, and an edit (or a
re-import of an exported workbook) that names an older version is refused, not applied.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ssp_planner.store.models import Base

_BATCH = "import_batch.id"


class PlanRecord(Base):
    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    objective: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    available_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    available_rands: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class WorkstreamRecord(Base):
    __tablename__ = "plan_workstream"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_workstream"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    lead: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)


class ActivityRecord(Base):
    __tablename__ = "plan_activity"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_activity"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    workstream_id: Mapped[int] = mapped_column(ForeignKey("plan_workstream.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class UpdateRecord(Base):
    __tablename__ = "plan_update"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("plan_activity.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    author: Mapped[str | None] = mapped_column(String(200), nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PriorityRecord(Base):
    __tablename__ = "plan_priority"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_plan_priority"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    workstream_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_workstream.id"), nullable=True
    )
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)


class AllocationRecord(Base):
    __tablename__ = "plan_allocation"
    __table_args__ = (UniqueConstraint("priority_id", "unit", name="uq_plan_allocation"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority_id: Mapped[int] = mapped_column(
        ForeignKey("plan_priority.id", ondelete="CASCADE"), index=True
    )
    unit: Mapped[str] = mapped_column(String(10))
    minimum: Mapped[int] = mapped_column(BigInteger)
    maximum: Mapped[int] = mapped_column(BigInteger)
    spent: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)


class LessonRecord(Base):
    __tablename__ = "plan_lesson"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date)
    lesson: Mapped[str] = mapped_column(Text)
    workstream_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_workstream.id"), nullable=True
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)


class ActionRecord(Base):
    __tablename__ = "plan_action"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    raised_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey(_BATCH), nullable=True)
