"""Tables of record linkage: source lists (raw layer), runs, persons, review pairs, decisions.

The raw layer (`link_source_row`) is written once and never changed: each row is the cells as the
user typed them, as JSON. Everything else is derived from it by a run and can be rebuilt.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
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


class LinkSource(Base):
    """One imported source list: its name ('payroll'), its date and its import batch."""

    __tablename__ = "link_source"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    source_date: Mapped[date] = mapped_column(Date)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), unique=True)
    file_name: Mapped[str] = mapped_column(String(500))
    header_json: Mapped[str] = mapped_column(Text)  # the header row as read, in order
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_with_issues: Mapped[int] = mapped_column(Integer)


class LinkSourceRow(Base):
    """A source row exactly as read (personal data: never logged, masked when shown)."""

    __tablename__ = "link_source_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("link_source.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    raw_json: Mapped[str] = mapped_column(Text)
    # sha256 of source name + cells: the same row in a later import of the source has the same
    # key, so reviewers' decisions outlive re-imports.
    row_key: Mapped[str] = mapped_column(String(64), index=True)


class LinkSourceIssue(Base):
    """One problem found in a source list (kept rows too): the list's validation report."""

    __tablename__ = "link_source_issue"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("link_source.id"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    column: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(Text)  # sensitive values already masked
    problem: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)


class LinkRun(Base):
    """One linkage run: options, the trained Splink model and the inputs' digest."""

    __tablename__ = "link_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    threshold: Mapped[float] = mapped_column(Float)
    review_low: Mapped[float] = mapped_column(Float)
    options_json: Mapped[str] = mapped_column(Text)
    golden_rules_json: Mapped[str] = mapped_column(Text)
    model_json: Mapped[str] = mapped_column(Text)
    histogram_json: Mapped[str] = mapped_column(Text)
    sources_json: Mapped[str] = mapped_column(Text)  # ids of the source lists linked
    records: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    review_pairs: Mapped[int] = mapped_column(Integer)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    software_version: Mapped[str] = mapped_column(String(40))
    splink_version: Mapped[str] = mapped_column(String(40))
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class LinkPerson(Base):
    """A person found by a run, with the golden record, each field's source row and conflicts."""

    __tablename__ = "link_person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    golden_json: Mapped[str] = mapped_column(Text)
    provenance_json: Mapped[str] = mapped_column(Text)  # field -> link_source_row.id
    conflicts_json: Mapped[str] = mapped_column(Text)
    n_records: Mapped[int] = mapped_column(Integer)
    n_sources: Mapped[int] = mapped_column(Integer)


class LinkMember(Base):
    """Which source rows make up a person in a run."""

    __tablename__ = "link_member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("link_person.id", ondelete="CASCADE"), index=True
    )
    row_id: Mapped[int] = mapped_column(ForeignKey("link_source_row.id"), index=True)


class LinkPair(Base):
    """A pair of rows in a run: a link that joined them, or a pair waiting for review."""

    __tablename__ = "link_pair"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("link_run.id", ondelete="CASCADE"), index=True)
    row_l: Mapped[int] = mapped_column(ForeignKey("link_source_row.id"))
    row_r: Mapped[int] = mapped_column(ForeignKey("link_source_row.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)  # 'linked' or 'review'
    kind: Mapped[str] = mapped_column(String(60))  # what linked it, or why it needs review
    match_weight: Mapped[float | None] = mapped_column(Float, nullable=True)
    match_probability: Mapped[float | None] = mapped_column(Float, nullable=True)


class LinkDecision(Base):
    """A reviewer's answer about two rows, by row key, so it holds on every later run."""

    __tablename__ = "link_decision"
    __table_args__ = (UniqueConstraint("key_l", "key_r", name="uq_link_decision_keys"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_l: Mapped[str] = mapped_column(String(64))
    key_r: Mapped[str] = mapped_column(String(64))
    accept: Mapped[bool] = mapped_column(Boolean)
    decided_at: Mapped[datetime] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the run it was shown in
