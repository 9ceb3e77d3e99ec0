"""photo checks: the channel a member posted the photo as

Revision ID: 0014
Revises: 0001
Create Date: 2026-11-24 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0001"
branch_labels = None
# The table comes from 0005 and the downgrade gives rows up with 0008's columns (0008 needs
# 0005): upgrade after 0008 and downgrade before it, whatever order "heads" picks.
depends_on = "0008"


def upgrade() -> None:
    # Nullable: a row queued before this revision is a person's photo, as it always was.
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("channel_title", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("channel_username", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Without its channel, an unchecked row would read as a photo of the platform's placeholder
    # sender, whom code before this revision would punish: give those up instead.
    checks = sa.table(
        "adfilter_photo_checks", sa.column("status"), sa.column("error"), sa.column("channel_id")
    )
    op.execute(
        checks.update()
        .where(checks.c.channel_id.is_not(None), checks.c.status.in_(("pending", "checking")))
        .values(status="failed", error="posted as a channel; not checked (schema downgraded)")
    )
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        for column in ("channel_username", "channel_title", "channel_id"):
            batch_op.drop_column(column)
