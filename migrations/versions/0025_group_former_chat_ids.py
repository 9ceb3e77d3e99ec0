"""groups: the chat id a group had before its upgrade to a supergroup

Revision ID: 0025
Revises: 0001
Create Date: 2026-11-25 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Groups upgraded before this revision did not keep their old id: nothing to fill in.
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_chat_id", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_groups_former_chat_id"), ["former_chat_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_groups_former_chat_id"))
        batch_op.drop_column("former_chat_id")
