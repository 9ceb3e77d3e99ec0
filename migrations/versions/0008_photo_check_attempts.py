"""photo checks: attempts, claims, retry time, outcome

Revision ID: 0008
Revises: 0001
Create Date: 2026-11-23 15:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0008"
down_revision = "0001"
branch_labels = None
# The table comes from 0005, another head: upgrade it first whatever order "heads" picks.
depends_on = "0005"


def upgrade() -> None:
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("claimed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("next_attempt_at", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("checked_at", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "codes",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        for column in ("codes", "error", "checked_at", "next_attempt_at", "claimed_at", "attempts"):
            batch_op.drop_column(column)
