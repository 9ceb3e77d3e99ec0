"""Messages the ad filter let stand that an operator or the ad window spoke for.

`/notspam` on a message the filter kept teaches the group's model "not spam" from it: once
per message, or each repeat would weigh the same words again (`CORRECTION_WEIGHT` each), and
an operator tapping it twice would tilt the model further than meant. A promotion the group's
ad window let through is still an ad: teaching "not spam" from it would let such ads through
outside the window too, so the window's passes are noted for `/notspam` to refuse.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
from bot.retention import Expiry

Why = Literal["taught", "ad_window"]
TAUGHT: Why = "taught"
AD_WINDOW: Why = "ad_window"


class KeptMessage(Base):
    """Why a message the filter kept matters to it: taught as "not spam" by an operator's
    /notspam, or an ad the group's ad window let stand."""

    __tablename__ = "adfilter_kept_messages"
    __table_args__ = (UniqueConstraint("group_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(64))
    why: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


async def kept_because(session: AsyncSession, group_id: int, message_id: str) -> Why | None:
    """What was noted of the message, if anything."""
    return await session.scalar(
        select(KeptMessage.why).where(
            KeptMessage.group_id == group_id, KeptMessage.message_id == message_id
        )
    )


async def note_kept(
    session: AsyncSession, group_id: int, message_id: str, why: Why, at: datetime
) -> bool:
    """Note why the message was kept; False when something was noted of it first (an edit
    judged again, or two operators' /notspam at once)."""
    try:
        async with session.begin_nested():
            session.add(KeptMessage(group_id=group_id, message_id=message_id, why=why, at=at))
            await session.flush()
    except IntegrityError:
        return False
    return True


# An operator's /notspam is given on a fresh message: a month on, teaching it once more weighs
# little, and the window's ads pass each week, so the table would otherwise grow without end.
RETENTION = timedelta(days=30)
EXPIRY = Expiry(KeptMessage, KeptMessage.at, RETENTION)
