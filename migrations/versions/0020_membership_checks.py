"""membership checks: presses by members the bot has not seen, asked of the platform

Revision ID: 0020
Revises: 0001
Create Date: 2026-11-25 00:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0020"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "membership_checks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("callback_data", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claimed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("member_status", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_membership_checks_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_checks")),
        sa.UniqueConstraint(
            "group_id",
            "user_id",
            "callback_data",
            name=op.f("uq_membership_checks_group_id_user_id_callback_data"),
        ),
    )
    with op.batch_alter_table("membership_checks", schema=None) as batch_op:
        batch_op.create_index("ix_membership_checks_status", ["status", "id"], unique=False)
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirmed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
    op.drop_table("membership_checks")
