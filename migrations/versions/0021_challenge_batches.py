"""challenge batches: a raid's newcomers share one question, sent within the send budget

Revision ID: 0021
Revises: 0001
Create Date: 2026-11-25 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0021"
down_revision = "0001"
branch_labels = None
# pending_verifications comes from 0004.
depends_on = "0004"


def upgrade() -> None:
    # Challenges already posted one per newcomer stay as they are: none belongs to a batch.
    op.create_table(
        "challenge_batches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("a", sa.Integer(), nullable=False),
        sa.Column("b", sa.Integer(), nullable=False),
        sa.Column(
            "choices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("opened_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("shows_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_challenge_batches_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_batches")),
    )
    with op.batch_alter_table("challenge_batches", schema=None) as batch_op:
        batch_op.create_index("ix_challenge_batches_group", ["group_id", "id"], unique=False)
    with op.batch_alter_table("pending_verifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "batch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
            )
        )
        batch_op.create_foreign_key(
            op.f("fk_pending_verifications_batch_id_challenge_batches"),
            "challenge_batches",
            ["batch_id"],
            ["id"],
        )
        batch_op.create_index("ix_pending_verifications_batch", ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pending_verifications", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_verifications_batch")
        batch_op.drop_constraint(
            op.f("fk_pending_verifications_batch_id_challenge_batches"), type_="foreignkey"
        )
        batch_op.drop_column("batch_id")
    with op.batch_alter_table("challenge_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_batches_group")
    op.drop_table("challenge_batches")
