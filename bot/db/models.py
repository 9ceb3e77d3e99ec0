"""Tables of the service shell: groups, members, inbox and outbox.

Capabilities add their own tables in their own modules and migrations.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import Base, BigId, JsonDoc, UtcDateTime
from bot.groups.settings_writes import write_changes_only


def utcnow() -> datetime:
    return datetime.now(UTC)


class Group(Base):
    """A chat the bot operates in, with its per-group settings (see `bot.groups.settings`)."""

    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(255))
    chat_type: Mapped[str] = mapped_column(String(16))
    # The id the chat had before it became a supergroup: links, scripts and buttons made
    # before the upgrade still name it (`bot.groups.repository.find_current_group`).
    former_chat_id: Mapped[str | None] = mapped_column(String(64), index=True)
    settings: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    bot_status: Mapped[str | None] = mapped_column(String(32))
    # When the group's administrators and member count were last read from the platform (None:
    # not yet), that count (members who joined before the bot did are in no table here), and
    # when to read them next (None: as soon as possible).
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    member_count: Mapped[int | None] = mapped_column(Integer)
    sync_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[Member]] = relationship(back_populates="group", passive_deletes=True)


# Many writers change parts of the settings at once: each write is applied as what it changed.
event.listen(Group, "before_update", write_changes_only)


class Member(Base):
    """A person's membership in one group; the same person in two groups is two rows."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(255), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    is_bot: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str] = mapped_column(String(16), default="member")
    status: Mapped[str] = mapped_column(String(16), default="member")
    source: Mapped[str | None] = mapped_column(String(128))
    tags: Mapped[list] = mapped_column(JsonDoc, default=list)
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    # When the platform last said, asked by the bot, that this person is in the group
    # (`handlers.membership_store`): a member from before the bot who has said nothing since.
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the mute an operator or the ad filter gave ends (`handlers.mutes`): letting the
    # member in past the newcomer gate keeps it, as Telegram keeps it across a rejoin.
    muted_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When an operator banned the member by hand (`/ban`), while that ban stands: undoing an
    # older ad decision's ban must not lift it (`handlers.moderation_holds`). The ad filter's
    # own bans are decisions, with times of their own.
    banned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    group: Mapped[Group] = relationship(back_populates="members")


class InboxUpdate(Base):
    """An accepted platform update, stored before the webhook is acknowledged."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "bot_id", "update_id"),
        Index("ix_inbox_status_chat", "status", "chat_key", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    bot_id: Mapped[str] = mapped_column(String(64))
    update_id: Mapped[int] = mapped_column(BigId)
    chat_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxAction(Base):
    """An action waiting to be performed on a platform, or its recorded outcome."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_outbox_status_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    idempotency_key: Mapped[str] = mapped_column(String(191))
    # pending -> queued (taken by the sender) -> done | failed; cancelled: called off before
    # it was taken, the reason in `error`.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JsonDoc)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
