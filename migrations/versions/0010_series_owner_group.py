"""content series owned by the group whose admins made them

Revision ID: 0010
Revises: 0001
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0001"
branch_labels = None
# The series table comes from 0002.
depends_on = "0002"


def upgrade() -> None:
    # batch mode: SQLite cannot add a foreign key to an existing table in place.
    with op.batch_alter_table("content_series") as batch:
        batch.add_column(
            sa.Column(
                "owner_group_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch.create_foreign_key(
            op.f("fk_content_series_owner_group_id_groups"),
            "groups",
            ["owner_group_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(op.f("ix_content_series_owner_group_id"), ["owner_group_id"])


def downgrade() -> None:
    with op.batch_alter_table("content_series") as batch:
        batch.drop_index(op.f("ix_content_series_owner_group_id"))
        batch.drop_constraint(op.f("fk_content_series_owner_group_id_groups"), type_="foreignkey")
        batch.drop_column("owner_group_id")
