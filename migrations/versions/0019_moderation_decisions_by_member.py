"""moderation decisions: an index by member, for /start in a member's private chat

Revision ID: 0019
Revises: 0001
Create Date: 2026-11-24 23:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0001"
branch_labels = None
depends_on = "0005"  # the table


def upgrade() -> None:
    op.create_index(
        "ix_moderation_decisions_user", "moderation_decisions", ["user_id", "at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_moderation_decisions_user", table_name="moderation_decisions")
