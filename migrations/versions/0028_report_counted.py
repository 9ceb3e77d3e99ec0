"""moderation reports: whether a report counts toward the group's threshold

Revision ID: 0028
Revises: 0001
Create Date: 2026-11-25 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0001"
branch_labels = None
depends_on = "0005"  # the table


def upgrade() -> None:
    # Every report stored before this revision counted: the others were only logged.
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("counted", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    # The reports that never counted go with the column, as they were never kept before it.
    op.execute(sa.text("DELETE FROM moderation_reports WHERE NOT counted"))
    with op.batch_alter_table("moderation_reports", schema=None) as batch_op:
        batch_op.drop_column("counted")
