"""Asking the platform whether someone is in a group, for a button press the bot cannot vouch for.

A platform tells a bot about members only from the moment it is in a group: in a group it
joined late, the members who have said nothing since look like strangers, who can press a
public group's buttons through its link. A handler answers such a press with "checking",
stores a `MembershipCheck`, and the leader's worker (`bot.groups.membership_checks`) asks the
platform and hands the answer back as a MEMBER_CHECKED event carrying the press's button data,
which the button's own handler then finishes. Telegram answers such questions reliably only to
a bot that is an administrator of the group; where it refuses, the check fails and the presser
is told the old way (say something in the group first).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, LeasedWork, UtcDateTime
from bot.retention import Expiry

# Anyone with a public group's link can press its buttons: at most this many checks wait per
# group, so a crowd of strangers cannot turn the bot into a flood of platform calls.
MAX_OPEN_PER_GROUP = 50
OPEN = ("pending", "checking")
# An answered check refuses the same person's next press of the same button without asking
# again; a month on, the red packet it was for is long over.
RETENTION = timedelta(days=30)


class MembershipCheck(LeasedWork, Base):
    """One press of one button by someone the bot has not seen in the group.

    `status` goes pending -> checking -> done, or failed once `attempts` run out (`bot.leases`).
    `member_status` is the platform's answer ("member", "left", "administrator"...); `message_id`
    the message that holds the button, `callback_data` the button pressed, `at` the press.
    """

    __tablename__ = "membership_checks"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", "callback_data"),
        Index("ix_membership_checks_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    callback_data: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    member_status: Mapped[str | None] = mapped_column(String(16))


async def ask_membership(
    session: AsyncSession, group_id: int, user_id: str, message_id: str | None,
    callback_data: str, at: datetime,
) -> MembershipCheck | None:
    """The check of this press: the one already asked for the same button, or a new one.
    None when too many checks wait in the group to ask another."""
    found = select(MembershipCheck).where(
        MembershipCheck.group_id == group_id,
        MembershipCheck.user_id == user_id,
        MembershipCheck.callback_data == callback_data,
    )
    if (check := await session.scalar(found)) is not None:
        return check
    waiting = await session.scalar(
        select(func.count()).select_from(MembershipCheck).where(
            MembershipCheck.group_id == group_id, MembershipCheck.status.in_(OPEN)
        )
    )
    if (waiting or 0) >= MAX_OPEN_PER_GROUP:
        return None
    check = MembershipCheck(group_id=group_id, user_id=user_id, message_id=message_id,
                            callback_data=callback_data, at=at, status="pending", attempts=0)
    try:
        async with session.begin_nested():  # a second press at the same moment asked first
            session.add(check)
    except IntegrityError:
        return await session.scalar(found)
    return check


EXPIRY = Expiry(MembershipCheck, MembershipCheck.at, RETENTION,
                (MembershipCheck.status.in_(("done", "failed")),))
