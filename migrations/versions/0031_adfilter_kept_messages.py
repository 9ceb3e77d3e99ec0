"""adfilter kept messages: /notspam teaches once per message, never from the ad window's ads

Revision ID: 0031
Revises: 0001
Create Date: 2026-11-25 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0031"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Messages taught before this revision are unknown: a /notspam on one teaches it once more.
    op.create_table(
        "adfilter_kept_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("why", sa.String(length=16), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_adfilter_kept_messages_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adfilter_kept_messages")),
        sa.UniqueConstraint(
            "group_id", "message_id", name=op.f("uq_adfilter_kept_messages_group_id_message_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("adfilter_kept_messages")
