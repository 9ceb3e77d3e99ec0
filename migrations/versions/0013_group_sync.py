"""groups remember their administrators' and members' count as last read from the platform

Revision ID: 0013
Revises: 0001
Create Date: 2026-11-24 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0013"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "groups",
        sa.Column("synced_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
    )
    op.add_column("groups", sa.Column("member_count", sa.Integer(), nullable=True))
    op.add_column(
        "groups",
        sa.Column("sync_after", bot.db.base.UtcDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("sync_after")
        batch.drop_column("member_count")
        batch.drop_column("synced_at")
