"""dashboard sessions kept server-side, and wrong dashboard passwords shared by every replica

Revision ID: 0032
Revises: 0001
Create Date: 2026-11-25 10:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0032"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Cookies signed before this revision name no row: their browsers are asked to sign in again.
    op.create_table(
        "dashboard_sessions",
        sa.Column("id", ID, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", bot.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_dashboard_sessions_token_hash")),
    )
    op.create_table(
        "dashboard_sign_in_failures",
        sa.Column("id", ID, nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_sign_in_failures")),
    )
    with op.batch_alter_table("dashboard_sign_in_failures", schema=None) as batch_op:
        batch_op.create_index("ix_dashboard_sign_in_failures_at", ["at"], unique=False)


def downgrade() -> None:
    op.drop_table("dashboard_sign_in_failures")
    op.drop_table("dashboard_sessions")
