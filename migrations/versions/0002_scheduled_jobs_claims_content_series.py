"""scheduled jobs, claims, content series

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:08:43.034834
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_series",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_series")),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "target",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("phrase", sa.String(length=255), nullable=True),
        sa.Column("countdown_id", sa.String(length=64), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("grace_seconds", sa.Integer(), nullable=True),
        sa.Column("next_run_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_scheduled_jobs_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
    )
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_scheduled_jobs_countdown_id"), ["countdown_id"], unique=False
        )
        batch_op.create_index("ix_scheduled_jobs_due", ["enabled", "next_run_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_scheduled_jobs_group_id"), ["group_id"], unique=False)

    op.create_table(
        "series_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "series_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["content_series.id"],
            name=op.f("fk_series_items_series_id_content_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_items")),
        sa.UniqueConstraint(
            "series_id", "position", name=op.f("uq_series_items_series_id_position")
        ),
    )
    op.create_table(
        "series_positions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "series_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("next_position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_series_positions_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["content_series.id"],
            name=op.f("fk_series_positions_series_id_content_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_positions")),
        sa.UniqueConstraint(
            "series_id", "group_id", name=op.f("uq_series_positions_series_id_group_id")
        ),
    )
    op.create_table(
        "job_claims",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fire_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["scheduled_jobs.id"],
            name=op.f("fk_job_claims_job_id_scheduled_jobs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_claims")),
        sa.UniqueConstraint("job_id", "fire_at", name=op.f("uq_job_claims_job_id_fire_at")),
    )


def downgrade() -> None:
    op.drop_table("job_claims")
    op.drop_table("series_positions")
    op.drop_table("series_items")
    with op.batch_alter_table("scheduled_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_jobs_group_id"))
        batch_op.drop_index("ix_scheduled_jobs_due")
        batch_op.drop_index(batch_op.f("ix_scheduled_jobs_countdown_id"))

    op.drop_table("scheduled_jobs")
    op.drop_table("content_series")
