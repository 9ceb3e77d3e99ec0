"""member messages: what members posted in each group, counted for the digest and inactivity check

Revision ID: 0016
Revises: 0001
Create Date: 2026-11-24 13:30:00
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0016"
down_revision = "0001"
branch_labels = None
# The backfill reads 0005's moderation decisions to tell ads the filter removed.
depends_on = "0005"

# As `bot.groups.activity.RETENTION` and `bot.platforms.telegram.parse.CONTENT_FIELDS` read
# when this revision was written: a migration must not change with the code after it.
RETENTION = timedelta(days=92)
CONTENT_FIELDS = frozenset({
    "text", "photo", "video", "animation", "audio", "document", "voice", "video_note",
    "sticker", "story", "paid_media", "poll", "dice", "game", "contact", "location", "venue",
    "checklist", "giveaway", "giveaway_winners", "invoice",
})
BATCH = 2000


def upgrade() -> None:
    op.create_table(
        "member_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("at", bot.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_member_messages_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_messages")),
    )
    with op.batch_alter_table("member_messages", schema=None) as batch_op:
        batch_op.create_index("ix_member_messages_group_at", ["group_id", "at"], unique=False)
        batch_op.create_index(
            "ix_member_messages_group_message", ["group_id", "message_id"], unique=False
        )
    _backfill(op.get_bind())


def downgrade() -> None:
    op.drop_table("member_messages")


def _backfill(conn: sa.Connection) -> None:
    """Count the members' messages still in the inbox, so the first digests and inactivity
    checks after the upgrade do not see an empty group. Updates not processed yet are counted
    by the handlers when they are."""
    groups = dict(
        conn.execute(sa.text("SELECT chat_id, id FROM groups WHERE platform = 'telegram'")).all()
    )
    if not groups:
        return
    removed = {
        (group_id, message_id)
        for group_id, message_id in conn.execute(
            sa.text(
                "SELECT group_id, message_id FROM moderation_decisions"
                " WHERE shadow = :no AND message_id IS NOT NULL"
            ),
            {"no": False},
        )
    }
    since = datetime.now(UTC) - RETENTION
    target = sa.table(
        "member_messages",
        sa.column("group_id", sa.Integer()),
        sa.column("user_id", sa.String()),
        sa.column("message_id", sa.String()),
        sa.column("at", bot.db.base.UtcDateTime(timezone=True)),
        sa.column("removed", sa.Boolean()),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, chat_key, payload FROM inbox WHERE platform = 'telegram'"
                " AND status = 'done' AND id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last, "batch": BATCH},
        ).all()
        if not rows:
            return
        last = rows[-1][0]
        found = []
        for _, chat_key, payload in rows:
            group_id = groups.get(chat_key)
            counted = _member_message(payload) if group_id is not None else None
            if counted is None or counted[2] < since:
                continue
            user_id, message_id, at = counted
            found.append(
                {
                    "group_id": group_id,
                    "user_id": user_id,
                    "message_id": message_id,
                    "at": at,
                    "removed": (group_id, message_id) in removed,
                }
            )
        if found:
            conn.execute(target.insert(), found)


def _member_message(payload: str) -> tuple[str, str, datetime] | None:
    """(sender, message id, time) of a message a member posted, from a stored update; None for
    anything else: other update types, service messages, commands to a bot, bots' messages, the
    linked channel's copies (the rule of `handlers.activity` when this was written)."""
    try:
        msg = json.loads(payload).get("message")
        if not isinstance(msg, dict) or CONTENT_FIELDS.isdisjoint(msg):
            return None
        if msg.get("is_automatic_forward"):
            return None
        entities = msg.get("entities") or () if "text" in msg else ()
        if any(e.get("type") == "bot_command" and e.get("offset") == 0 for e in entities):
            return None
        sender, sender_chat = msg.get("from") or {}, msg.get("sender_chat")
        if sender.get("is_bot") and not sender_chat:
            return None
        chat_id = msg["chat"]["id"]
        if sender_chat and sender_chat.get("id") != chat_id:
            user_id = sender_chat["id"]  # a member posting as a channel
        else:
            user_id = sender["id"]
        return str(user_id), str(msg["message_id"]), datetime.fromtimestamp(int(msg["date"]), UTC)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
