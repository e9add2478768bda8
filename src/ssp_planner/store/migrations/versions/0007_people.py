"""people pipeline: projection runs and results, supervision links and sessions, mentoring

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-25 13:40:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    _projection()
    _supervision()
    _mentoring()


def _projection() -> None:
    op.create_table(
        "projection_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("start_period", sa.String(length=20), nullable=False),
        sa.Column("years", sa.Integer(), nullable=False),
        sa.Column("scenarios", sa.Text(), nullable=False),
        sa.Column("params_version", sa.String(length=40), nullable=False),
        sa.Column("params_digest", sa.String(length=64), nullable=False),
        sa.Column("scenarios_digest", sa.String(length=64), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("demand_source", sa.String(length=200), nullable=False),
        sa.Column("balanced", sa.Boolean(), nullable=False),
        sa.Column("max_residual", sa.Float(), nullable=False),
        sa.Column("software_version", sa.String(length=40), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("projection_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_projection_run_inputs_digest"), ["inputs_digest"], unique=False
        )
    op.create_table(
        "projection_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("supply", sa.Float(), nullable=False),
        sa.Column("demand", sa.Float(), nullable=False),
        sa.Column("shortfall", sa.Float(), nullable=False),
        sa.Column("students", sa.Float(), nullable=False),
        sa.Column("graduates", sa.Float(), nullable=True),
        sa.Column("hires", sa.Float(), nullable=True),
        sa.Column("leavers", sa.Float(), nullable=True),
        sa.Column("unemployed", sa.Float(), nullable=False),
        sa.Column("funded_posts", sa.Float(), nullable=False),
        sa.Column("post_cost", sa.BigInteger(), nullable=True),
        sa.Column("scholarship_cost", sa.BigInteger(), nullable=True),
        sa.Column("intervention_cost", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["projection_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "run_id", "scenario", "period", "area_id", "category", name="uq_projection_result"
        ),
    )
    with op.batch_alter_table("projection_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projection_result_run_id"), ["run_id"], unique=False)


def _supervision() -> None:
    op.create_table(
        "supervision_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=False),
        sa.Column("supervisee_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("inferred_start", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["supervisee_id"], ["practitioner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supervisor_id"], ["practitioner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "supervisee_id", "supervisor_id", "start_date", name="uq_supervision_link"
        ),
    )
    with op.batch_alter_table("supervision_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_link_supervisee_id"), ["supervisee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_link_supervisor_id"), ["supervisor_id"], unique=False
        )
    op.create_table(
        "supervision_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supervisee_id", sa.Integer(), nullable=False),
        sa.Column("supervisor_id", sa.Integer(), nullable=True),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("session_type", sa.String(length=20), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"]),
        sa.ForeignKeyConstraint(["supervisee_id"], ["practitioner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["supervisor_id"], ["practitioner.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "supervisee_id", "session_date", "session_type", name="uq_supervision_session"
        ),
    )
    with op.batch_alter_table("supervision_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_session_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_session_session_date"), ["session_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_supervision_session_supervisee_id"), ["supervisee_id"], unique=False
        )


def _mentoring() -> None:
    op.create_table(
        "mentoring_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("rules_digest", sa.String(length=64), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("distance_method", sa.String(length=40), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("total_cost", sa.Float(), nullable=False),
        sa.Column("software_version", sa.String(length=40), nullable=False),
        sa.Column("synthetic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("mentoring_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mentoring_run_inputs_digest"), ["inputs_digest"], unique=False
        )
    op.create_table(
        "mentoring_pair",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("mentee_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["mentee_id"], ["practitioner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["mentor_id"], ["practitioner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["mentoring_run.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "mentee_id", name="uq_mentoring_pair"),
    )
    with op.batch_alter_table("mentoring_pair", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mentoring_pair_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for table, indexes in (
        ("mentoring_pair", ["ix_mentoring_pair_run_id"]),
        ("mentoring_run", ["ix_mentoring_run_inputs_digest"]),
        (
            "supervision_session",
            [
                "ix_supervision_session_supervisee_id",
                "ix_supervision_session_session_date",
                "ix_supervision_session_batch_id",
            ],
        ),
        (
            "supervision_link",
            ["ix_supervision_link_supervisor_id", "ix_supervision_link_supervisee_id"],
        ),
        ("projection_result", ["ix_projection_result_run_id"]),
        ("projection_run", ["ix_projection_run_inputs_digest"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in indexes:
                batch_op.drop_index(name)
        op.drop_table(table)
