"""welcome verification screening

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-23 12:19:07.163646
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "pending_verifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("join_message_id", sa.String(length=64), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("greet", sa.Boolean(), nullable=False),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_pending_verifications_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_verifications")),
    )
    with op.batch_alter_table("pending_verifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pending_verifications_group_user", ["group_id", "user_id"], unique=False
        )
        batch_op.create_index(
            "ix_pending_verifications_status_deadline", ["status", "deadline"], unique=False
        )

    op.create_table(
        "welcome_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "members",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("inviter", sa.String(length=255), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("opened_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closes_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_welcome_batches_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_welcome_batches")),
    )
    with op.batch_alter_table("welcome_batches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_welcome_batches_group_closes", ["group_id", "closes_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("welcome_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_welcome_batches_group_closes")

    op.drop_table("welcome_batches")
    with op.batch_alter_table("pending_verifications", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_verifications_status_deadline")
        batch_op.drop_index("ix_pending_verifications_group_user")

    op.drop_table("pending_verifications")
