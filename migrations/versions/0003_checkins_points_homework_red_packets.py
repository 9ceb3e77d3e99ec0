"""check-ins, points ledger, homework, red packets

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 11:52:56.618186
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkins",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_checkins_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint(
            "group_id",
            "user_id",
            "local_date",
            name=op.f("uq_checkins_group_id_user_id_local_date"),
        ),
    )
    op.create_table(
        "homework_submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("has_photo", sa.Boolean(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_homework_submissions_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_submissions")),
    )
    with op.batch_alter_table("homework_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_homework_submissions_group_date", ["group_id", "local_date"], unique=False
        )

    op.create_table(
        "points_ledger",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=True),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_points_ledger_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_ledger")),
        sa.UniqueConstraint(
            "group_id", "user_id", "ref", name=op.f("uq_points_ledger_group_id_user_id_ref")
        ),
    )
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_points_ledger_group_at", ["group_id", "at"], unique=False)
        batch_op.create_index("ix_points_ledger_group_user", ["group_id", "user_id"], unique=False)

    op.create_table(
        "red_packets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "shares",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("claimed", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rounds_left", sa.Integer(), nullable=False),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_red_packets_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_packets")),
    )
    op.create_table(
        "red_packet_claims",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "packet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["packet_id"],
            ["red_packets.id"],
            name=op.f("fk_red_packet_claims_packet_id_red_packets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_packet_claims")),
        sa.UniqueConstraint("packet_id", "seq", name=op.f("uq_red_packet_claims_packet_id_seq")),
        sa.UniqueConstraint(
            "packet_id", "user_id", name=op.f("uq_red_packet_claims_packet_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("red_packet_claims")
    op.drop_table("red_packets")
    with op.batch_alter_table("points_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_points_ledger_group_user")
        batch_op.drop_index("ix_points_ledger_group_at")

    op.drop_table("points_ledger")
    with op.batch_alter_table("homework_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_homework_submissions_group_date")

    op.drop_table("homework_submissions")
    op.drop_table("checkins")
