"""entry applications invite codes raid episodes

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-23 15:30:39.569289
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "entry_applications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_chat_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("bio", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column(
            "answers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_entry_applications_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_applications")),
    )
    with op.batch_alter_table("entry_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entry_applications_status_deadline", ["status", "deadline"], unique=False
        )
        batch_op.create_index(
            "ix_entry_applications_user_status", ["platform", "user_id", "status"], unique=False
        )

    op.create_table(
        "invite_codes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("expires_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_invite_codes_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_codes")),
        sa.UniqueConstraint("group_id", "code", name=op.f("uq_invite_codes_group_id_code")),
    )
    op.create_table(
        "raid_episodes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("joins", sa.Integer(), nullable=False),
        sa.Column("started_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_join_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_raid_episodes_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raid_episodes")),
    )
    with op.batch_alter_table("raid_episodes", schema=None) as batch_op:
        batch_op.create_index("ix_raid_episodes_status_ends", ["status", "ends_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("raid_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_raid_episodes_status_ends")

    op.drop_table("raid_episodes")
    op.drop_table("invite_codes")
    with op.batch_alter_table("entry_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_entry_applications_user_status")
        batch_op.drop_index("ix_entry_applications_status_deadline")

    op.drop_table("entry_applications")
