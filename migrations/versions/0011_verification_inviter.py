"""pending verifications remember who added the newcomer (referral paid on passing)

Revision ID: 0011
Revises: 0001
Create Date: 2026-11-23 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = None
# The table comes from 0004.
depends_on = "0004"


def upgrade() -> None:
    op.add_column(
        "pending_verifications", sa.Column("inviter_id", sa.String(length=64), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("pending_verifications") as batch:
        batch.drop_column("inviter_id")
