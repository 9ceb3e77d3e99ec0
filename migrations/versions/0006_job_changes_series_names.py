"""job change log for the scheduler's timers; unique content series names

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-23 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0006"
down_revision = "0001"
branch_labels = None
# The series table comes from 0002.
depends_on = "0002"


def upgrade() -> None:
    op.create_table(
        "job_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_changes")),
    )
    op.create_index(op.f("ix_job_changes_changed_at"), "job_changes", ["changed_at"])
    op.create_index("uq_content_series_name", "content_series", ["name"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_content_series_name", table_name="content_series")
    op.drop_index(op.f("ix_job_changes_changed_at"), table_name="job_changes")
    op.drop_table("job_changes")
