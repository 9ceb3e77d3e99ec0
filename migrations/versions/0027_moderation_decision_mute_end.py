"""moderation decisions: when the mute a decision gave ends

Revision ID: 0027
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0027"
down_revision = "0001"
branch_labels = None
depends_on = "0005"  # the table


def upgrade() -> None:
    # Nullable: a mute decided before this revision is taken to end a mute length after it.
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("until", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.drop_column("until")
