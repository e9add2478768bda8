"""allocation: post plans and service-point runs with their results

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-25 14:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["run_id"], ["allocation_run.id"], ondelete="CASCADE")


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "allocation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("scenario_name", sa.String(length=100), nullable=True),
        sa.Column("needs_run_id", sa.Integer(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("parameters_json", sa.Text(), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("software_version", sa.String(length=40), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("optimal", sa.Boolean(), nullable=False),
        sa.Column("mip_gap", sa.Float(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=False),
        sa.Column("solve_seconds", sa.Float(), nullable=False),
        sa.Column("budget_rands", sa.BigInteger(), nullable=False),
        sa.Column("spent_rands", sa.BigInteger(), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["needs_run_id"], ["needs_run.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("allocation_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_run_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_allocation_run_inputs_digest"), ["inputs_digest"], unique=False
        )
    op.create_table(
        "allocation_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("required", sa.Float(), nullable=False),
        sa.Column("supply", sa.Float(), nullable=False),
        sa.Column("shortage", sa.Float(), nullable=False),
        sa.Column("new_posts", sa.Integer(), nullable=False),
        sa.Column("new_supervisors", sa.Integer(), nullable=False),
        sa.Column("cost_rands", sa.BigInteger(), nullable=False),
        sa.Column("coverage_before", sa.Float(), nullable=True),
        sa.Column("coverage_after", sa.Float(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("binding", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        _run_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "area_id", "category", name="uq_allocation_result"),
    )
    op.create_table(
        "allocation_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("rank", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.Column("cost_rands", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        _run_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "allocation_site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("chosen", sa.Boolean(), nullable=False),
        sa.Column("served_need", sa.Float(), nullable=False),
        _run_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in ("allocation_result", "allocation_post", "allocation_site"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for table in ("allocation_site", "allocation_post", "allocation_result"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_run_id"))
        op.drop_table(table)
    with op.batch_alter_table("allocation_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_run_inputs_digest"))
        batch_op.drop_index(batch_op.f("ix_allocation_run_kind"))
    op.drop_table("allocation_run")
