"""Tables and queries of check-ins and points: the ledger is the truth, totals are sums of it.

Every change of a member's points is a ledger row with a reason and a time, so leaderboards over
any window and undoing an adjustment are queries, not bookkeeping. A row's `ref` names the thing
it pays for ("checkin:2026-11-23", "redpacket:7", "activity:<message id>"); it is UNIQUE per
member, so the same thing is never paid twice, whichever replica or retry gets there first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, UtcDateTime
from bot.db.models import Group, Member
from bot.groups.repository import GONE
from handlers.points_config import PointsConfig, Tier, points_config, tier_for

# Points for effective activity, which share the daily `activity_daily_cap`: messages, answers
# to members' questions, replies to an icebreaker round.
ACTIVITY_REASONS = ("activity", "answer", "icebreaker")


class PointsEntry(Base):
    __tablename__ = "points_ledger"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id", "ref"),
        Index("ix_points_ledger_group_at", "group_id", "at"),
        Index("ix_points_ledger_group_user", "group_id", "user_id"),
        # Refs naming a message by its number, forgotten when the group moves to a supergroup
        # (`bot.groups.repository`): the new chat's messages reuse the numbers.
        {"info": {"message_refs": {"ref": ("activity:",)}}},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str | None] = mapped_column(String(128))
    note: Mapped[str | None] = mapped_column(String(255))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class Checkin(Base):
    """One member's check-in on one local day of the group; the UNIQUE row is the guard."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("group_id", "user_id", "local_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date)
    streak: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class HomeworkSubmission(Base):
    """A homework check-in of a delivery group; every submission is kept, points once a day."""

    __tablename__ = "homework_submissions"
    __table_args__ = (Index("ix_homework_submissions_group_date", "group_id", "local_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text, default="")
    has_photo: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[str | None] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


def local_date_of(at: datetime, tz: ZoneInfo) -> date:
    """The calendar day an instant falls on in a group's timezone."""
    return at.astimezone(tz).date()


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as aware instants (23 or 25 hours across DST)."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


async def add_points(
    session: AsyncSession,
    group_id: int,
    user_id: str,
    delta: int,
    reason: str,
    at: datetime,
    *,
    ref: str | None = None,
    note: str | None = None,
    actor_id: str | None = None,
) -> bool:
    """Write one ledger row; False when `ref` was already paid to this member."""
    entry = PointsEntry(
        group_id=group_id,
        user_id=user_id,
        delta=delta,
        reason=reason,
        ref=ref,
        note=note,
        actor_id=actor_id,
        at=at,
    )
    try:
        async with session.begin_nested():
            session.add(entry)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def revoke_message_points(
    session: AsyncSession, group_id: int, user_id: str, message_id: str, decision_id: int,
    at: datetime,
) -> int:
    """Take back what a message earned (activity or answer points) once it is removed as an
    ad, as an "ad_removed" row naming the decision; never below the member's balance. Returns
    the points taken."""
    earned = await session.scalar(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.group_id == group_id,
            PointsEntry.user_id == user_id,
            PointsEntry.ref == f"activity:{message_id}",
        )
    )
    taken = min(int(earned or 0), await total_points(session, group_id, user_id))
    if taken <= 0:
        return 0
    added = await add_points(session, group_id, user_id, -taken, "ad_removed", at,
                             ref=f"ad_removed:{decision_id}")
    return taken if added else 0


async def restore_message_points(
    session: AsyncSession, group_id: int, user_id: str, decision_id: int, at: datetime
) -> None:
    """Give back what `revoke_message_points` took for a decision now undone ("ad_restored")."""
    taken = await session.scalar(
        select(PointsEntry.delta).where(
            PointsEntry.group_id == group_id,
            PointsEntry.user_id == user_id,
            PointsEntry.ref == f"ad_removed:{decision_id}",
        )
    )
    if taken:
        await add_points(session, group_id, user_id, -taken, "ad_restored", at,
                         ref=f"ad_restored:{decision_id}")


async def total_points(session: AsyncSession, group_id: int, user_id: str) -> int:
    """A member's all-time points in a group."""
    query = select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.group_id == group_id, PointsEntry.user_id == user_id
    )
    return int(await session.scalar(query) or 0)


async def points_between(
    session: AsyncSession,
    group_id: int,
    user_id: str,
    reasons: tuple[str, ...],
    start: datetime,
    end: datetime,
) -> int:
    """Points a member earned for `reasons` in [start, end)."""
    query = select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.group_id == group_id,
        PointsEntry.user_id == user_id,
        PointsEntry.reason.in_(reasons),
        PointsEntry.at >= start,
        PointsEntry.at < end,
    )
    return int(await session.scalar(query) or 0)


async def noted_between(
    session: AsyncSession,
    group_id: int,
    user_id: str,
    reasons: tuple[str, ...],
    note: str,
    start: datetime,
    end: datetime,
) -> bool:
    """Whether a member was paid for `reasons` with `note` in [start, end)."""
    query = select(PointsEntry.id).where(
        PointsEntry.group_id == group_id,
        PointsEntry.user_id == user_id,
        PointsEntry.reason.in_(reasons),
        PointsEntry.note == note,
        PointsEntry.at >= start,
        PointsEntry.at < end,
    )
    return await session.scalar(query.limit(1)) is not None


async def homework_count(session: AsyncSession, group_id: int, user_id: str) -> int:
    """How many pieces of homework and check-in reports a member handed in, all time."""
    query = select(func.count()).where(
        HomeworkSubmission.group_id == group_id, HomeworkSubmission.user_id == user_id
    )
    return int(await session.scalar(query) or 0)


@dataclass(frozen=True)
class Standing:
    user_id: str
    name: str
    points: int


def _still_here(group_id: int):  # type: ignore[no-untyped-def]
    """Points of members still in the group: those who left or were removed (a spammer
    banned after earning points) keep theirs for a return, but no place on the board."""
    gone = select(Member.user_id).where(
        Member.group_id == group_id, Member.status.in_(sorted(GONE))
    )
    return PointsEntry.user_id.not_in(gone)


async def leaderboard(
    session: AsyncSession, group_id: int, since: datetime | None, limit: int = 10
) -> list[Standing]:
    """Members still in the group by points earned since `since` (all time when None), best
    first."""
    total = func.sum(PointsEntry.delta).label("total")
    query = (
        select(PointsEntry.user_id, total)
        .where(PointsEntry.group_id == group_id, _still_here(group_id))
        .group_by(PointsEntry.user_id)
        .having(func.sum(PointsEntry.delta) > 0)
        .order_by(total.desc(), PointsEntry.user_id)
        .limit(limit)
    )
    if since is not None:
        query = query.where(PointsEntry.at >= since)
    rows = (await session.execute(query)).all()
    names = dict(
        (
            await session.execute(
                select(Member.user_id, Member.display_name).where(
                    Member.group_id == group_id, Member.user_id.in_([r[0] for r in rows])
                )
            )
        ).all()
    )
    return [Standing(uid, names.get(uid) or uid, int(points)) for uid, points in rows]


async def rank_of(session: AsyncSession, group_id: int, user_id: str) -> int:
    """1 + how many members still in the group have more all-time points (as /top ranks)."""
    mine = await total_points(session, group_id, user_id)
    # Bound as the 64-bit number the sum is, not as the column's 32 bits: red packets and
    # adjustments have no daily ceiling, so a member's total can pass 2^31 - 1.
    totals = (
        select(PointsEntry.user_id)
        .where(PointsEntry.group_id == group_id, _still_here(group_id))
        .group_by(PointsEntry.user_id)
        .having(func.sum(PointsEntry.delta) > bindparam("mine", mine, BigInteger))
    ).subquery()
    better = await session.scalar(select(func.count()).select_from(totals))
    return int(better or 0) + 1


async def member_tier(
    session: AsyncSession, group_id: int, user_id: str, config: PointsConfig | None = None
) -> Tier:
    """The membership tier of a member (`group_id` is `Group.id`), for any capability to ask,
    e.g. the ad filter checking `ADFILTER_EXEMPT in tier.privileges`."""
    if config is None:
        config = points_config(await session.get(Group, group_id))
    return tier_for(await total_points(session, group_id, user_id), config)


async def last_checkin(
    session: AsyncSession, group_id: int, user_id: str, before: date | None = None
) -> Checkin | None:
    query = select(Checkin).where(Checkin.group_id == group_id, Checkin.user_id == user_id)
    if before is not None:
        query = query.where(Checkin.local_date < before)
    return await session.scalar(query.order_by(Checkin.local_date.desc()).limit(1))


def current_streak(latest: Checkin | None, today: date) -> int:
    """The streak still alive today: yesterday's or today's check-in keeps it going."""
    if latest is None or latest.local_date < today - timedelta(days=1):
        return 0
    return latest.streak
