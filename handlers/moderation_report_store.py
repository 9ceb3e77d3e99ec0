"""Members' reports (`/report`) as stored: one row per reporter and message, counted toward
the group's threshold or kept for the operators with why it did not count, and marked when it
took the message to the operators instead (`handlers.moderation_referrals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime


class ModerationReport(Base):
    """A member's `/report` of a message; one per reporter and message.

    `counted` is False for a report `handlers.moderation_reports` does not count (a fresh
    account's, a channel's): kept for the operators to see, never toward the threshold.
    """

    __tablename__ = "moderation_reports"
    __table_args__ = (UniqueConstraint("group_id", "message_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))
    target_user_id: Mapped[str] = mapped_column(String(64))
    reporter_id: Mapped[str] = mapped_column(String(64))
    counted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Names as they were when reported (a channel has no member row to look up), and the start
    # of the reported message: what the operators need to judge the report at a glance.
    reporter_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    target_name: Mapped[str] = mapped_column(String(255), default="", server_default="")
    excerpt: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Why it did not count (`handlers.moderation_reports.not_counted`); None when it did, or
    # when it was stored before the reason was kept.
    not_counted: Mapped[str | None] = mapped_column(String(16))
    # Why the operators were told instead of the bot acting (`moderation_referrals`), on the
    # report that told them; None on every other.
    referred: Mapped[str | None] = mapped_column(String(16))


EXCERPT = 300  # of the reported message: enough to recognise it


@dataclass(frozen=True)
class Report:
    """Who reported which message of whom, as `/report` saw it."""

    message_id: str
    target_id: str
    target_name: str
    reporter_id: str
    reporter_name: str
    text: str


async def add_report(
    session: AsyncSession, group_id: int, report: Report, at, *, not_counted: str | None = None,
) -> tuple[int, bool]:
    """Record a report (`not_counted` its reason when it does not count); return the distinct
    reporters of the message whose reports count, and whether this one is a new counted report
    (a repeat by the same member adds nothing; a member who reported before their report
    counted, and does again once it does, is counted then)."""
    counted = not_counted is None
    try:
        async with session.begin_nested():
            session.add(
                ModerationReport(
                    group_id=group_id,
                    message_id=report.message_id,
                    target_user_id=report.target_id,
                    reporter_id=report.reporter_id,
                    counted=counted,
                    at=at,
                    reporter_name=report.reporter_name[:255],
                    target_name=report.target_name[:255],
                    excerpt=report.text[:EXCERPT],
                    not_counted=not_counted,
                )
            )
            await session.flush()
        added = counted
    except IntegrityError:
        added = False
        if counted:
            raised = await session.execute(
                update(ModerationReport)
                .where(
                    ModerationReport.group_id == group_id,
                    ModerationReport.message_id == report.message_id,
                    ModerationReport.reporter_id == report.reporter_id,
                    ModerationReport.counted.is_(False),
                )
                .values(counted=True, not_counted=None, at=at)
                .execution_options(synchronize_session=False)
            )
            added = bool(raised.rowcount)
    query = select(func.count(func.distinct(ModerationReport.reporter_id))).where(
        ModerationReport.group_id == group_id,
        ModerationReport.message_id == report.message_id,
        ModerationReport.counted.is_(True),
    )
    return int(await session.scalar(query) or 0), added


async def mark_referred(session: AsyncSession, group_id: int, report: Report, why: str) -> None:
    """Note on `report` that it took the message to the operators, and why."""
    await session.execute(
        update(ModerationReport)
        .where(
            ModerationReport.group_id == group_id,
            ModerationReport.message_id == report.message_id,
            ModerationReport.reporter_id == report.reporter_id,
        )
        .values(referred=why)
        .execution_options(synchronize_session=False)
    )
