"""Tables of the entry capabilities: pending verifications and the challenges they share in a
raid, welcome batches, raid episodes.

All survive a restart: a verification's deadline is fired by the leader's timeout loop
(`handlers.verification_timeouts`), a welcome batch's greeting and a shared challenge wait in
the outbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, JsonDoc, UtcDateTime
from bot.db.models import OutboxAction


class PendingVerification(Base):
    """A newcomer restricted until they prove they are human, or the deadline passes."""

    __tablename__ = "pending_verifications"
    __table_args__ = (
        Index("ix_pending_verifications_status_deadline", "status", "deadline"),
        Index("ix_pending_verifications_group_user", "group_id", "user_id"),
        Index("ix_pending_verifications_batch", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(255), default="")
    join_message_id: Mapped[str | None] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(String(32))
    # pending -> passed | failed | expired | replaced (the member joined again)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    greet: Mapped[bool] = mapped_column(default=True)
    # The member who added this newcomer: their referral points wait for the newcomer to pass.
    inviter_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The raid's shared challenge that asks this newcomer; None: a challenge of their own.
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("challenge_batches.id"))

    @property
    def challenge_key(self) -> str:
        """Outbox key prefix of the restriction and, for a challenge of their own, its message
        (index 1)."""
        return f"verify:{self.id}"

    @property
    def message_key(self) -> str:
        """Outbox key of the message that asks this newcomer: their own, or their batch's."""
        if self.batch_id is not None:
            return f"{ChallengeBatch.key_of(self.batch_id)}:0"
        return f"{self.challenge_key}:1"


class ChallengeBatch(Base):
    """One question asking a raid's newcomers together: it waits in the outbox for its turn in
    the group's send budget (`shows_at`), and newcomers joining meanwhile are added to it."""

    __tablename__ = "challenge_batches"
    __table_args__ = (Index("ix_challenge_batches_group", "group_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    chat_id: Mapped[str] = mapped_column(String(64))
    a: Mapped[int] = mapped_column(Integer)
    b: Mapped[int] = mapped_column(Integer)
    choices: Mapped[list] = mapped_column(JsonDoc, default=list)
    # Each newcomer's time to answer, from when the question is shown.
    seconds: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    shows_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @staticmethod
    def key_of(batch_id: int) -> str:
        """Outbox key prefix of a batch's question (index 0)."""
        return f"verify-batch:{batch_id}"

    @property
    def outbox_key(self) -> str:
        return f"{self.key_of(self.id)}:0"


class WelcomeBatch(Base):
    """Newcomers greeted together in one message that waits in the outbox until `closes_at`."""

    __tablename__ = "welcome_batches"
    __table_args__ = (Index("ix_welcome_batches_group_closes", "group_id", "closes_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    members: Mapped[list] = mapped_column(JsonDoc, default=list)
    inviter: Mapped[str | None] = mapped_column(String(255))
    count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def outbox_key(self) -> str:
        return f"welcome:{self.id}:0"


class RaidEpisode(Base):
    """One guarded period of a group, kept for the operators' figures and for its end notice.

    Active until a whole window passes without a join (`ends_at`); the leader's timeout loop
    ends it and announces the end even when no further join arrives to notice it.
    """

    __tablename__ = "raid_episodes"
    __table_args__ = (Index("ix_raid_episodes_status_ends", "status", "ends_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(64))
    # active -> ended
    status: Mapped[str] = mapped_column(String(16), default="active")
    joins: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_join_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


async def is_verifying(session: AsyncSession, group_id: int, user_id: str) -> bool:
    """Whether `user_id` is a newcomer the group's verification gate still holds."""
    held = await session.scalar(
        select(PendingVerification.id).where(
            PendingVerification.group_id == group_id,
            PendingVerification.user_id == user_id,
            PendingVerification.status == "pending",
        ).limit(1)
    )
    return held is not None


async def sent_message_id(
    session: AsyncSession, idempotency_key: str, chat_id: str | None = None
) -> str | None:
    """The platform's id of a message we sent under this outbox key, once it went out; with
    `chat_id`, only if it was meant for that chat.

    A group moved to a supergroup numbers its messages afresh: a number from before the move
    names some other message now. (One sent after the move to the old id, and redirected, is
    left up rather than risk that.)"""
    return (await sent_message_ids(session, [idempotency_key], chat_id)).get(idempotency_key)


async def sent_message_ids(
    session: AsyncSession, idempotency_keys: list[str], chat_id: str | None = None
) -> dict[str, str]:
    """`sent_message_id` of several outbox keys at once: key -> message id, for those sent."""
    if not idempotency_keys:
        return {}
    rows = await session.execute(
        select(OutboxAction.idempotency_key, OutboxAction.result, OutboxAction.chat_key).where(
            OutboxAction.idempotency_key.in_(idempotency_keys)
        )
    )
    found = {}
    for key, result, chat_key in rows:
        if chat_id is not None and chat_key != chat_id:
            continue
        if isinstance(result, dict) and result.get("message_id") is not None:
            found[key] = str(result["message_id"])
    return found


async def challenge_message_id(session: AsyncSession, pending: PendingVerification) -> str | None:
    """The id of the message that asks a newcomer (their own or their batch's), once shown in
    the chat they wait in."""
    return await sent_message_id(session, pending.message_key, pending.chat_id)


async def still_unsent(session: AsyncSession, idempotency_key: str) -> bool:
    """Whether the action stored under this outbox key is still waiting for its turn."""
    status = await session.scalar(
        select(OutboxAction.status).where(OutboxAction.idempotency_key == idempotency_key)
    )
    return status in ("pending", "queued")


async def update_pending_payload(session: AsyncSession, key: str, payload: dict) -> bool:
    """Rewrite a not-yet-claimed outbox message; False when the sender already took it."""
    result = await session.execute(
        update(OutboxAction)
        .where(OutboxAction.idempotency_key == key, OutboxAction.status == "pending")
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
