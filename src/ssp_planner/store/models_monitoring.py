"""ORM tables for monitoring and evaluation: data elements, data values and targets.

Values are decimals with 4 places (NUMERIC on PostgreSQL, numeric affinity on SQLite) and read
back as floats; every row knows its import batch. Indicator definitions are not stored: they
are versioned configuration (monitoring/framework.toml), like the needs norms.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ssp_planner.store.models import Base

Amount = Numeric(18, 4, asdecimal=False)


class DataElement(Base):
    """What a data value counts; the definition lives in the framework, keyed by `code`."""

    __tablename__ = "data_element"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    aggregation: Mapped[str] = mapped_column(String(20))


class DataValue(Base):
    """One number: data element × area × DHIS2 period × category option combo."""

    __tablename__ = "data_value"
    __table_args__ = (
        UniqueConstraint("data_element_id", "area_id", "period", "coc", name="uq_data_value"),
        Index("ix_data_value_period", "period"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_element_id: Mapped[int] = mapped_column(ForeignKey("data_element.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    coc: Mapped[str] = mapped_column(String(80), default="default")
    value: Mapped[float] = mapped_column(Amount)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)


class IndicatorTarget(Base):
    """A target for one indicator in one area and period (overrides the framework default)."""

    __tablename__ = "indicator_target"
    __table_args__ = (
        UniqueConstraint("indicator", "area_id", "period", name="uq_indicator_target"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(80), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Amount)
    source: Mapped[str] = mapped_column(Text)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"))
