"""linkage: source lists (raw rows, issues), runs, persons, members, pairs, decisions

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-25 14:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _run_fk() -> sa.Column:
    return sa.Column(
        "run_id", sa.Integer(), sa.ForeignKey("link_run.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "link_source",
        _id(),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source_date", sa.Date(), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id"), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("header_json", sa.Text(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_with_issues", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id"),
    )
    op.create_index("ix_link_source_name", "link_source", ["name"])
    op.create_table(
        "link_source_row",
        _id(),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("link_source.id"), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("raw_json", sa.Text(), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_source_row_source_id", "link_source_row", ["source_id"])
    op.create_index("ix_link_source_row_row_key", "link_source_row", ["row_key"])
    op.create_table(
        "link_source_issue",
        _id(),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("link_source.id"), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("column", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("fix", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_source_issue_source_id", "link_source_issue", ["source_id"])
    _create_run_tables()


def _create_run_tables() -> None:
    op.create_table(
        "link_run",
        _id(),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("review_low", sa.Float(), nullable=False),
        sa.Column("options_json", sa.Text(), nullable=False),
        sa.Column("golden_rules_json", sa.Text(), nullable=False),
        sa.Column("model_json", sa.Text(), nullable=False),
        sa.Column("histogram_json", sa.Text(), nullable=False),
        sa.Column("sources_json", sa.Text(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("review_pairs", sa.Integer(), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("software_version", sa.String(length=40), nullable=False),
        sa.Column("splink_version", sa.String(length=40), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "link_person",
        _id(),
        _run_fk(),
        sa.Column("golden_json", sa.Text(), nullable=False),
        sa.Column("provenance_json", sa.Text(), nullable=False),
        sa.Column("conflicts_json", sa.Text(), nullable=False),
        sa.Column("n_records", sa.Integer(), nullable=False),
        sa.Column("n_sources", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_person_run_id", "link_person", ["run_id"])
    op.create_table(
        "link_member",
        _id(),
        _run_fk(),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("link_person.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("row_id", sa.Integer(), sa.ForeignKey("link_source_row.id"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_member_run_id", "link_member", ["run_id"])
    op.create_index("ix_link_member_person_id", "link_member", ["person_id"])
    op.create_index("ix_link_member_row_id", "link_member", ["row_id"])
    op.create_table(
        "link_pair",
        _id(),
        _run_fk(),
        sa.Column("row_l", sa.Integer(), sa.ForeignKey("link_source_row.id"), nullable=False),
        sa.Column("row_r", sa.Integer(), sa.ForeignKey("link_source_row.id"), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_link_pair_run_id", "link_pair", ["run_id"])
    op.create_index("ix_link_pair_status", "link_pair", ["status"])
    op.create_table(
        "link_decision",
        _id(),
        sa.Column("key_l", sa.String(length=64), nullable=False),
        sa.Column("key_r", sa.String(length=64), nullable=False),
        sa.Column("accept", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_l", "key_r", name="uq_link_decision_keys"),
    )


def downgrade() -> None:
    """Downgrade schema."""
    for table in (
        "link_decision",
        "link_pair",
        "link_member",
        "link_person",
        "link_run",
        "link_source_issue",
        "link_source_row",
        "link_source",
    ):
        op.drop_table(table)
