"""icebreaker rounds: a row per question round, so its end (result, points) survives a restart

Revision ID: 0015
Revises: 0001
Create Date: 2026-11-24 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0015"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A round running in a group's settings (entry_state) at the upgrade is not carried over:
    # before this revision no round had a result, so it ends as rounds always did, silently.
    op.create_table(
        "icebreaker_rounds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "replies",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("started_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_icebreaker_rounds_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_icebreaker_rounds")),
    )
    with op.batch_alter_table("icebreaker_rounds", schema=None) as batch_op:
        batch_op.create_index(
            "ix_icebreaker_rounds_status_ends", ["status", "ends_at"], unique=False
        )
        batch_op.create_index(
            "ix_icebreaker_rounds_group_status", ["group_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("icebreaker_rounds", schema=None) as batch_op:
        batch_op.drop_index("ix_icebreaker_rounds_group_status")
        batch_op.drop_index("ix_icebreaker_rounds_status_ends")
    op.drop_table("icebreaker_rounds")
