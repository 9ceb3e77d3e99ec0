"""The messages members posted in each group, for the figures operators read (the daily digest,
the inactivity check): one small row per message, never its text.

What counts as a member's message is decided where events are handled (`handlers.activity`),
so these figures never read platform payloads. A message later removed as an ad (by the ad
filter, an operator's /spam or members' reports) stays as a row marked `removed`: it is counted
as an ad removed, not as a message, until an operator undoes the decision.

Each member's `Member.message_count` (their ordinary messages ever with words in them, text or
a caption, which decides how long the ad filter judges them as a newcomer) moves with these
rows, here and nowhere else, so the two never tell different stories about the same messages.
A bare sticker, photo or video is a message in the figures but not in the count: a spammer
could otherwise send three stickers and post as an established member.

Rows older than `RETENTION` are pruned by the leader (`EXPIRY`); inbox rows go much sooner
(`QUNBOT_RETENTION_DAYS`), which is why the figures are not counted from the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, String, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
from bot.db.models import Member
from bot.retention import Expiry

# A quarter: well past the windows jobs use (the digest's day, the inactivity check's week),
# so a monthly or quarterly check has its data too.
RETENTION = timedelta(days=92)


class MemberMessage(Base):
    __tablename__ = "member_messages"
    __table_args__ = (
        Index("ix_member_messages_group_at", "group_id", "at"),
        Index("ix_member_messages_group_message", "group_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # Who answers for it: the member, or the channel they posted as.
    user_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    # When it was posted (the platform's time), so a backlog worked off late counts on its day.
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether it is in its sender's `Member.message_count` while not removed (see the module).
    worded: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


EXPIRY = Expiry(MemberMessage, MemberMessage.at, RETENTION)


@dataclass(frozen=True)
class Tally:
    """A group's messages in a window: members' messages, and ads removed (not among them)."""

    messages: int
    ads_removed: int


def record(
    session: AsyncSession,
    group_id: int,
    user_id: str,
    message_id: str | None,
    at: datetime,
    member: Member | None,
    *,
    worded: bool = True,
) -> None:
    """Count one message a member posted; `member` is the sender's row, None when the sender
    has none of their own (a channel a member posted as, behind a shared placeholder account).
    Only a `worded` one (text or a caption) adds to the member's message count."""
    session.add(
        MemberMessage(
            group_id=group_id,
            user_id=user_id,
            message_id=message_id,
            at=at,
            removed=False,
            worded=worded,
        )
    )
    if member is not None and worded:
        member.message_count = (member.message_count or 0) + 1


async def mark_removed(
    session: AsyncSession,
    group_id: int,
    message_id: str,
    user_id: str,
    at: datetime,
    *,
    worded: bool = True,
) -> None:
    """A message removed as an ad: counted as such from now on, and no longer as a message.

    One never counted (stopped before it was, or posted before counting began) is added as
    removed at `at`; `worded` says whether an undo would give it back to the member's count.
    """
    rows = await _rows(session, group_id, message_id)
    if rows:
        await _mark(session, rows, removed=True)
        return
    session.add(
        MemberMessage(
            group_id=group_id,
            user_id=user_id,
            message_id=message_id,
            at=at,
            removed=True,
            worded=worded,
        )
    )


async def mark_restored(session: AsyncSession, group_id: int, message_id: str) -> None:
    """A removal undone: the message counts as its sender's message again, also one the ad
    filter stopped before it was ever counted. Nothing is left to restore once its row is
    pruned (`RETENTION`)."""
    await _mark(session, await _rows(session, group_id, message_id), removed=False)


async def _rows(session: AsyncSession, group_id: int, message_id: str) -> list[MemberMessage]:
    query = select(MemberMessage).where(
        MemberMessage.group_id == group_id, MemberMessage.message_id == message_id
    )
    return list(await session.scalars(query))


async def _mark(session: AsyncSession, rows: list[MemberMessage], *, removed: bool) -> None:
    for row in rows:
        if row.removed == removed:
            continue  # already so: its sender's count already says it
        row.removed = removed
        if not row.worded:
            continue  # never in its sender's count
        member = await session.scalar(
            select(Member).where(Member.group_id == row.group_id, Member.user_id == row.user_id)
        )
        if member is not None:
            member.message_count = (member.message_count or 0) + (-1 if removed else 1)


async def tally(session: AsyncSession, group_id: int, since: datetime, until: datetime) -> Tally:
    """Members' messages and ads removed in a group, posted in [since, until)."""
    row = (
        await session.execute(
            select(
                func.count().filter(MemberMessage.removed.is_(False)),
                func.count().filter(MemberMessage.removed.is_(True)),
            ).where(
                MemberMessage.group_id == group_id,
                MemberMessage.at >= since,
                MemberMessage.at < until,
            )
        )
    ).one()
    return Tally(messages=row[0], ads_removed=row[1])
