"""ad filter moderation decisions, reports, model state, photo checks

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-23 11:58:29.038182
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import bot.db.base

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adfilter_models",
        sa.Column(
            "group_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_adfilter_models_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_adfilter_models")),
    )
    op.create_table(
        "adfilter_photo_checks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_adfilter_photo_checks_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adfilter_photo_checks")),
    )
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        batch_op.create_index("ix_adfilter_photo_checks_status", ["status", "id"], unique=False)

    op.create_table(
        "moderation_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=255), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column(
            "verdicts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("undone_by", sa.String(length=64), nullable=True),
        sa.Column("undone_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("appeal", sa.String(length=16), nullable=True),
        sa.Column("appealed_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_moderation_decisions_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_decisions")),
    )
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_moderation_decisions_group_message", ["group_id", "message_id"], unique=False
        )
        batch_op.create_index(
            "ix_moderation_decisions_group_user", ["group_id", "user_id", "at"], unique=False
        )

    op.create_table(
        "moderation_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("target_user_id", sa.String(length=64), nullable=False),
        sa.Column("reporter_id", sa.String(length=64), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_moderation_reports_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_reports")),
        sa.UniqueConstraint(
            "group_id",
            "message_id",
            "reporter_id",
            name=op.f("uq_moderation_reports_group_id_message_id_reporter_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("moderation_reports")
    with op.batch_alter_table("moderation_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_decisions_group_user")
        batch_op.drop_index("ix_moderation_decisions_group_message")

    op.drop_table("moderation_decisions")
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_adfilter_photo_checks_status")

    op.drop_table("adfilter_photo_checks")
    op.drop_table("adfilter_models")
