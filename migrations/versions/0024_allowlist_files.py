"""allowlist files: member lists sent to /allowlist import, waiting to be downloaded

Revision ID: 0024
Revises: 0001
Create Date: 2026-11-25 07:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0024"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "allowlist_files",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("claimed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_attempt_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("checked_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_allowlist_files_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allowlist_files")),
    )
    with op.batch_alter_table("allowlist_files", schema=None) as batch_op:
        batch_op.create_index("ix_allowlist_files_status", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("allowlist_files")
