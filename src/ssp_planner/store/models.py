"""ORM tables. Every stored row knows the import batch (or run) it came from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ImportBatch(Base):
    """One import (or generated data set): what came in, from where, with what result."""

    __tablename__ = "import_batch"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    software_version: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Area(Base):
    """An area; `code` is unique with `level` (a metro is both district and municipality)."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("level", "code", name="uq_area_level_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), nullable=True, index=True)
    source: Mapped[str] = mapped_column(Text)
    boundary_geojson: Mapped[str | None] = mapped_column(Text, nullable=True)
    boundary_source: Mapped[str | None] = mapped_column(String(500), nullable=True)


class AreaIndicator(Base):
    """Long table of area facts: population by age and sex, households, social-issue counts."""

    __tablename__ = "area_indicator"
    __table_args__ = (UniqueConstraint("area_id", "indicator", "period", name="uq_area_indicator"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(80), index=True)
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), nullable=True)


class Practitioner(Base):
    """One social service professional. Names, ID number and birth date are personal data."""

    __tablename__ = "practitioner"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(13), unique=True)
    surname: Mapped[str] = mapped_column(String(120))
    first_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    category: Mapped[str] = mapped_column(String(40), index=True)
    rank: Mapped[str] = mapped_column(String(20))
    sector: Mapped[str] = mapped_column(String(20))
    employer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    persal_number: Mapped[str | None] = mapped_column(String(8), unique=True, nullable=True)
    council_number: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    supervisor_id_number: Mapped[str | None] = mapped_column(String(13), nullable=True)
    supervisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioner.id"), nullable=True, index=True
    )
    created_batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)


class Post(Base):
    """A post on the establishment: funded or not, filled by a practitioner or vacant."""

    __tablename__ = "post"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_number: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(40))
    rank: Mapped[str] = mapped_column(String(20))
    sector: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    funded: Mapped[bool] = mapped_column(Boolean, default=True)
    holder_id: Mapped[int | None] = mapped_column(
        ForeignKey("practitioner.id"), nullable=True, unique=True
    )
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)


Index("ix_practitioner_area_category", Practitioner.area_id, Practitioner.category)


class ScenarioRecord(Base):
    """A named needs scenario, stored as the JSON the core validates (reproducible by digest)."""

    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    body_json: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class NeedsRun(Base):
    """One computation of the needs model: which scenario, norms and inputs, by which version."""

    __tablename__ = "needs_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_name: Mapped[str] = mapped_column(String(100), index=True)
    scenario_digest: Mapped[str] = mapped_column(String(64))
    norms_version: Mapped[str] = mapped_column(String(40))
    norms_digest: Mapped[str] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64), index=True)
    software_version: Mapped[str] = mapped_column(String(40))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class NeedsResult(Base):
    """Need, supply and gap of one area and category in one run (all levels, rolled up)."""

    __tablename__ = "needs_result"
    __table_args__ = (UniqueConstraint("run_id", "area_id", "category", name="uq_needs_result"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("needs_run.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    category: Mapped[str] = mapped_column(String(40))
    required: Mapped[float] = mapped_column(Float)
    filled: Mapped[int] = mapped_column(Integer)
    vacant_funded: Mapped[int] = mapped_column(Integer)
    gap: Mapped[float] = mapped_column(Float)
    shortage: Mapped[float] = mapped_column(Float)
    coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    per_100k: Mapped[float | None] = mapped_column(Float, nullable=True)
    wisn_ratio: Mapped[float | None] = mapped_column(Float, nullable=True)
