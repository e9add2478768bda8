"""Allocation runs: post plans and service-point choices, stored with their inputs' hash.

A run keeps its parameters (JSON) and the digest of everything it was computed from, so a plan
can be reopened, compared with another, and traced to the needs run and costs behind it.
Money is whole rands (BigInteger: national budgets pass 2^31).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
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


class AllocationRun(Base):
    """One solve: posts under a budget, or sites for service points."""

    __tablename__ = "allocation_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # posts | sites
    scenario_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    needs_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("needs_run.id", ondelete="SET NULL"), nullable=True
    )
    method: Mapped[str] = mapped_column(String(20))  # total | maxmin | mclp | pmedian
    parameters_json: Mapped[str] = mapped_column(Text)
    inputs_digest: Mapped[str] = mapped_column(String(64), index=True)
    software_version: Mapped[str] = mapped_column(String(40))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    optimal: Mapped[bool] = mapped_column(Boolean)
    mip_gap: Mapped[float] = mapped_column(Float)
    objective: Mapped[float] = mapped_column(Float)
    solve_seconds: Mapped[float] = mapped_column(Float)
    budget_rands: Mapped[int] = mapped_column(BigInteger, default=0)
    spent_rands: Mapped[int] = mapped_column(BigInteger, default=0)
    summary_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AllocationResult(Base):
    """One area and category of a post plan: need, supply, posts given, why no more."""

    __tablename__ = "allocation_result"
    __table_args__ = (
        UniqueConstraint("run_id", "area_id", "category", name="uq_allocation_result"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_run.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    category: Mapped[str] = mapped_column(String(40))
    required: Mapped[float] = mapped_column(Float)
    supply: Mapped[float] = mapped_column(Float)
    shortage: Mapped[float] = mapped_column(Float)
    new_posts: Mapped[int] = mapped_column(Integer)
    new_supervisors: Mapped[int] = mapped_column(Integer)
    cost_rands: Mapped[int] = mapped_column(BigInteger)
    coverage_before: Mapped[float | None] = mapped_column(Float, nullable=True)
    coverage_after: Mapped[float | None] = mapped_column(Float, nullable=True)
    priority: Mapped[int | None] = mapped_column(Integer, nullable=True)
    binding: Mapped[str] = mapped_column(String(20))


class AllocationPost(Base):
    """New posts of one area, category, rank and funding channel in a plan."""

    __tablename__ = "allocation_post"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_run.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    category: Mapped[str] = mapped_column(String(40))
    rank: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(40))
    posts: Mapped[int] = mapped_column(Integer)
    cost_rands: Mapped[int] = mapped_column(BigInteger)


class AllocationSite(Base):
    """A candidate service point of a site run: chosen or not, and the need it serves."""

    __tablename__ = "allocation_site"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("allocation_run.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float | None] = mapped_column(Float, nullable=True)
    chosen: Mapped[bool] = mapped_column(Boolean)
    served_need: Mapped[float] = mapped_column(Float)
