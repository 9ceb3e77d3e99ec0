"""photo checks: the album a photo was posted in

Revision ID: 0026
Revises: 0001
Create Date: 2026-11-25 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0001"
branch_labels = None
# The table comes from 0005; 0014 gave it its last columns: upgrade after it.
depends_on = "0014"


def upgrade() -> None:
    # Nullable: a row queued before this revision is judged alone, as it always was.
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("album_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("adfilter_photo_checks", schema=None) as batch_op:
        batch_op.drop_column("album_id")
