"""moderation reports: names, the message's start, why one did not count, and referrals

Revision ID: 0030
Revises: 0001
Create Date: 2026-11-25 09:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0001"
branch_labels = None
depends_on = "0028"  # the counted column, beside which the reason is kept


def upgrade() -> None:
    # Reports kept before this revision have no names, excerpt or reason: the dashboard shows
    # their ids and the message's outcome alone.
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reporter_name", sa.String(255), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("target_name", sa.String(255), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("excerpt", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("not_counted", sa.String(16), nullable=True))
        batch_op.add_column(sa.Column("referred", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        for column in ("referred", "not_counted", "excerpt", "target_name", "reporter_name"):
            batch_op.drop_column(column)
