"""Tables of the people pipeline: projection runs, supervision links and sessions, mentoring.

Money is whole rands in BigInteger columns (a province's post bill passes 2^31 rands).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ssp_planner.store.models import Base


class ProjectionRun(Base):
    """One run of the pipeline projection: its inputs' digests, version and balance check."""

    __tablename__ = "projection_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    start_period: Mapped[str] = mapped_column(String(20))
    years: Mapped[int] = mapped_column(Integer)
    scenarios: Mapped[str] = mapped_column(Text)  # comma-separated names, baseline first
    params_version: Mapped[str] = mapped_column(String(40))
    params_digest: Mapped[str] = mapped_column(String(64))
    scenarios_digest: Mapped[str] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64), index=True)
    demand_source: Mapped[str] = mapped_column(String(200))
    balanced: Mapped[bool] = mapped_column(Boolean)
    max_residual: Mapped[float] = mapped_column(Float)
    software_version: Mapped[str] = mapped_column(String(40))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ProjectionResultRow(Base):
    """One scenario, year, province and category of a projection run."""

    __tablename__ = "projection_result"
    __table_args__ = (
        UniqueConstraint(
            "run_id", "scenario", "period", "area_id", "category", name="uq_projection_result"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("projection_run.id", ondelete="CASCADE"), index=True
    )
    scenario: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    category: Mapped[str] = mapped_column(String(40))
    supply: Mapped[float] = mapped_column(Float)
    demand: Mapped[float] = mapped_column(Float)
    shortfall: Mapped[float] = mapped_column(Float)
    students: Mapped[float] = mapped_column(Float)
    graduates: Mapped[float | None] = mapped_column(Float, nullable=True)
    hires: Mapped[float | None] = mapped_column(Float, nullable=True)
    leavers: Mapped[float | None] = mapped_column(Float, nullable=True)
    unemployed: Mapped[float] = mapped_column(Float)
    funded_posts: Mapped[float] = mapped_column(Float)
    post_cost: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    scholarship_cost: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    intervention_cost: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SupervisionLink(Base):
    """Supervisor → supervisee over a span of dates (end None: still running).

    Kept in step with the inventory's supervisor column; a change of supervisor closes the old
    link and opens a new one, so the history survives re-imports.
    """

    __tablename__ = "supervision_link"
    __table_args__ = (
        UniqueConstraint(
            "supervisee_id", "supervisor_id", "start_date", name="uq_supervision_link"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervisor_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner.id", ondelete="CASCADE"), index=True
    )
    supervisee_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner.id", ondelete="CASCADE"), index=True
    )
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    inferred_start: Mapped[bool] = mapped_column(Boolean, default=False)


class SupervisionSession(Base):
    """One supervision session a supervisee had (imported from a file, or synthetic)."""

    __tablename__ = "supervision_session"
    __table_args__ = (
        UniqueConstraint(
            "supervisee_id", "session_date", "session_type", name="uq_supervision_session"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    supervisee_id: Mapped[int] = mapped_column(
        ForeignKey("practitioner.id", ondelete="CASCADE"), index=True
    )
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioner.id", ondelete="SET NULL"), nullable=True
    )
    session_date: Mapped[date] = mapped_column(Date, index=True)
    session_type: Mapped[str] = mapped_column(String(20))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)


class MentoringRun(Base):
    """One mentor matching: its rules, inputs and solver, by which version."""

    __tablename__ = "mentoring_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    on_date: Mapped[date] = mapped_column(Date)
    rules_digest: Mapped[str] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64), index=True)
    distance_method: Mapped[str] = mapped_column(String(40))
    matched: Mapped[int] = mapped_column(Integer)
    unmatched: Mapped[int] = mapped_column(Integer)
    total_cost: Mapped[float] = mapped_column(Float)
    software_version: Mapped[str] = mapped_column(String(40))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class MentoringPair(Base):
    """A mentee and their mentor (None: could not be matched) with the reasons either way."""

    __tablename__ = "mentoring_pair"
    __table_args__ = (UniqueConstraint("run_id", "mentee_id", name="uq_mentoring_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_run.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(ForeignKey("practitioner.id", ondelete="CASCADE"))
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioner.id", ondelete="CASCADE"), nullable=True
    )
    cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
