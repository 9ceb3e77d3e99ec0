"""The messages members posted in each group, for the figures operators read (the daily digest,
the inactivity check): one small row per message, never its text.

What counts as a member's message is decided where events are handled (`handlers.activity`),
so these figures never read platform payloads. A message later removed as an ad (by the ad
filter, an operator's /spam or members' reports) stays as a row marked `removed`: it is counted
as an ad removed, not as a message.

Rows older than `RETENTION` are pruned by the leader (`EXPIRY`); inbox rows go much sooner
(`QUNBOT_RETENTION_DAYS`), which is why the figures are not counted from the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
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


EXPIRY = Expiry(MemberMessage, MemberMessage.at, RETENTION)


@dataclass(frozen=True)
class Tally:
    """A group's messages in a window: members' messages, and ads removed (not among them)."""

    messages: int
    ads_removed: int


def record(
    session: AsyncSession, group_id: int, user_id: str, message_id: str | None, at: datetime
) -> None:
    """Count one message a member posted."""
    session.add(
        MemberMessage(
            group_id=group_id, user_id=user_id, message_id=message_id, at=at, removed=False
        )
    )


async def mark_removed(
    session: AsyncSession, group_id: int, message_id: str, user_id: str, at: datetime
) -> None:
    """A message removed as an ad: counted as such from now on, and no longer as a message.

    One never counted (stopped before it was, or posted before counting began) is added as
    removed at `at`.
    """
    result = await session.execute(
        update(MemberMessage)
        .where(MemberMessage.group_id == group_id, MemberMessage.message_id == message_id)
        .values(removed=True)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        session.add(
            MemberMessage(
                group_id=group_id, user_id=user_id, message_id=message_id, at=at, removed=True
            )
        )


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
