"""moderation decisions: the language of the member's notice

Revision ID: 0017
Revises: 0001
Create Date: 2026-11-24 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0001"
branch_labels = None
depends_on = "0005"  # the table


def upgrade() -> None:
    # Nullable: a decision taken before this revision answers its appeal by the group's rule.
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lang", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.drop_column("lang")
