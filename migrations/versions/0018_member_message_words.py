"""member messages: whether each has words, as only those count towards the new-member window

Revision ID: 0018
Revises: 0001
Create Date: 2026-11-24 20:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0001"
branch_labels = None
depends_on = "0016"  # the table


def upgrade() -> None:
    # Rows written before this revision were all added to their senders' message counts, so
    # they are marked worded: an ad removal or an undo then takes back or gives back what was
    # counted. The counts themselves are left as they are: the messages behind them are gone
    # from the inbox, and recounting the 92 days still stored would shrink long-time members'
    # counts and put them back in the new-member window.
    with op.batch_alter_table("member_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("worded", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("member_messages", schema=None) as batch_op:
        batch_op.drop_column("worded")
