"""Icebreaker question rounds as a game: who answered in time, a result, points.

A round is a row: the outbox key of its question, when it ends and who replied to the question
in time, in reply order. It ends `round_minutes` after it started, found by the leader's timeout
loop (`end_due_rounds`), so a restart in the middle loses nothing; or earlier, when the next
round of the group starts. Ending marks the row closed, pays each participant `round_points`
once (ledger ref `icebreaker:<round id>`, inside the daily cap of activity points, which round
points count towards) and posts the result under `icebreaker-result:<round id>`, all in one
transaction: the result is posted once, whoever ends the round. A reply counts by when it was
sent: one replayed from a backlog after downtime, read after the round ended, is paid on arrival.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.actions import SendMessage
from bot.core.i18n import translate
from bot.db.base import Base, BigId, JsonDoc, UtcDateTime
from bot.db.models import Group, Member
from bot.outbox.store import enqueue, thread_of
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_config import IcebreakerConfig, load
from handlers.entry_store import sent_message_id
from handlers.points_config import points_config
from handlers.points_store import (
    ACTIVITY_REASONS,
    add_points,
    local_date_of,
    local_day_bounds,
    points_between,
)
from handlers.welcome_batch import mention
from schedules.posts import group_locale

# The result names this many participants and counts the rest: a round in a group of thousands
# stays far below Telegram's 4096 characters (and is not a wall of mentions).
NAMED = 20
NAME_CHARS = 32
QUESTION_CHARS = 100


class IcebreakerRound(Base):
    """One question round of a group; `replies` are the user ids who answered in time."""

    __tablename__ = "icebreaker_rounds"
    __table_args__ = (
        Index("ix_icebreaker_rounds_status_ends", "status", "ends_at"),
        Index("ix_icebreaker_rounds_group_status", "group_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text, default="")
    # The outbox key the question went out under: replies are counted by its message id.
    question_key: Mapped[str] = mapped_column(String(255))
    # open -> closed
    status: Mapped[str] = mapped_column(String(16), default="open")
    replies: Mapped[list] = mapped_column(JsonDoc, default=list)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


def result_key(round_id: int) -> str:
    """The outbox key of a round's result."""
    return f"icebreaker-result:{round_id}"


async def running_round(session: AsyncSession, group_id: int) -> IcebreakerRound | None:
    """The group's open round, locked (a reply and the round's end do not cross)."""
    return await session.scalar(
        select(IcebreakerRound)
        .where(IcebreakerRound.group_id == group_id, IcebreakerRound.status == "open")
        .order_by(IcebreakerRound.id.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def start_round(
    session: AsyncSession,
    group: Group,
    *,
    question: str,
    question_key: str,
    at: datetime,
    now: datetime,
    lang: str,
    tz: ZoneInfo,
) -> IcebreakerRound:
    """Open a new round of `group`, ending (result and points) the one still running first."""
    previous = await running_round(session, group.id)
    if previous is not None:
        await end_round(session, previous, group, at, now, lang, tz)
    minutes = load(group, IcebreakerConfig).round_minutes
    started = IcebreakerRound(
        group_id=group.id,
        question=question,
        question_key=question_key,
        status="open",
        replies=[],
        started_at=at,
        ends_at=at + timedelta(minutes=minutes),
    )
    session.add(started)
    await session.flush()
    return started


async def end_round(
    session: AsyncSession,
    game: IcebreakerRound,
    group: Group,
    at: datetime,
    now: datetime,
    lang: str,
    tz: ZoneInfo,
) -> int:
    """Close `game` as of `at`: pay its participants and store its result; the rows stored."""
    game.status, game.closed_at = "closed", at
    config = load(group, IcebreakerConfig)
    replies = [str(uid) for uid in game.replies or []]
    capped = False
    if config.round_points > 0:
        for user_id in replies:
            paid = await pay_participant(session, group, user_id, game.id, config.round_points,
                                         at, tz)
            capped = capped or paid < config.round_points
    # A group the bot has left hears nothing (its members are still paid).
    if not config.round_result or group.bot_status in ("left", "kicked"):
        return 0
    names = await _names(session, group.id, replies[:NAMED])
    text = render_result(lang, game.question, replies, names, config.round_points, capped)
    # The group's chat as it is now: an upgrade to a supergroup moves the round with the group.
    # In the forum topic the question was asked in.
    thread = await thread_of(session, game.question_key)
    action = SendMessage(chat_id=group.chat_id, text=text, html=True, thread_id=thread)
    return await enqueue(session, group.platform, [action], key=result_key(game.id), now=now)


async def pay_participant(
    session: AsyncSession,
    group: Group,
    user_id: str,
    round_id: int,
    points: int,
    at: datetime,
    tz: ZoneInfo,
) -> int:
    """Pay one participant up to `points`, within the day's activity cap; what was paid (0 for
    one already paid for this round)."""
    cap = points_config(group).activity_daily_cap
    start, end = local_day_bounds(local_date_of(at, tz), tz)
    earned = await points_between(session, group.id, user_id, ACTIVITY_REASONS, start, end)
    grant = min(points, cap - earned)
    if grant <= 0:
        return 0
    ref = f"icebreaker:{round_id}"
    paid = await add_points(session, group.id, user_id, grant, "icebreaker", at, ref=ref)
    return grant if paid else 0


def render_result(
    lang: str,
    question: str,
    replies: list[str],
    names: dict[str, str],
    points: int,
    capped: bool,
) -> str:
    """The result in HTML: how many answered, the first `NAMED` of them mentioned, the points."""
    asked = escape(_cut(question, QUESTION_CHARS), quote=False)
    if not replies:
        return translate(lang, "icebreaker.result_none", question=asked)
    shown = replies[:NAMED]
    listed = ("、" if lang == "zh" else ", ").join(
        mention(uid, _cut(names.get(uid) or uid, NAME_CHARS)) for uid in shown
    )
    if len(replies) > len(shown):
        listed += translate(lang, "icebreaker.result_others", count=len(replies) - len(shown))
    text = translate(lang, "icebreaker.result", count=len(replies), question=asked, names=listed)
    if points > 0:
        text += "\n" + translate(
            lang, "icebreaker.result_points_capped" if capped else "icebreaker.result_points",
            points=points,
        )
    return text


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _names(session: AsyncSession, group_id: int, user_ids: list[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = await session.execute(
        select(Member.user_id, Member.display_name, Member.username).where(
            Member.group_id == group_id, Member.user_id.in_(user_ids)
        )
    )
    return {uid: display or username or uid for uid, display, username in rows}


async def end_due_rounds(
    session: AsyncSession, due_by: datetime, now: datetime, default_tz: str, batch: int = 100
) -> int:
    """End the rounds whose time is up by `due_by` (the leader's timeout loop); how many."""
    due = list(
        await session.scalars(
            select(IcebreakerRound)
            .where(IcebreakerRound.status == "open", IcebreakerRound.ends_at <= due_by)
            .order_by(IcebreakerRound.ends_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    )
    for game in due:
        group = await session.get(Group, game.group_id)
        if group is None:
            continue
        lang, tz = group_locale(group, default_tz)
        await end_round(session, game, group, game.ends_at, now, lang, tz)
    return len(due)


async def count_reply(
    session: AsyncSession, group: Group, user_id: str, reply_to: str, at: datetime, tz: ZoneInfo
) -> bool:
    """Count `user_id` in the round whose question they replied to at `at` (when they sent it),
    if that was by the round's end; False when not counted (not a question, too late, counted
    already). Replies replayed from a backlog after downtime arrive after the round has ended:
    they are paid on arrival, and the result already posted stays as it was."""
    candidates = await session.scalars(
        select(IcebreakerRound)
        .where(IcebreakerRound.group_id == group.id, IcebreakerRound.ends_at >= at)
        .order_by(IcebreakerRound.id.desc())
        .limit(5)
        .with_for_update()  # a reply and the round's end do not cross
        .execution_options(populate_existing=True)
    )
    for game in candidates:
        if game.closed_at is not None and at > game.closed_at:
            continue  # ended early, when the next round started
        # Asked in the chat the group has now: a supergroup reuses the old chat's numbers.
        if await sent_message_id(session, game.question_key, group.chat_id) != reply_to:
            continue
        if user_id in (game.replies or []):
            return False
        game.replies = [*(game.replies or []), user_id]
        points = load(group, IcebreakerConfig).round_points
        if game.status == "closed" and points > 0:
            await pay_participant(session, group, user_id, game.id, points, game.closed_at, tz)
        return True
    return False
