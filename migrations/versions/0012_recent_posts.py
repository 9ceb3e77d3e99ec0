"""recent posts: fingerprints of recent messages, to catch floods and copy-paste across groups

Revision ID: 0012
Revises: 0001
Create Date: 2026-11-23 20:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0012"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recent_posts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=32), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_recent_posts_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recent_posts")),
    )
    with op.batch_alter_table("recent_posts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recent_posts_fingerprint", ["fingerprint", "at"], unique=False
        )
        batch_op.create_index("ix_recent_posts_at", ["at"], unique=False)


def downgrade() -> None:
    # Dropping the table drops its indexes, whichever of them a database has.
    op.drop_table("recent_posts")
