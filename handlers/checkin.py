"""Daily check-ins (`/checkin`, 签到, 打卡, per-group keywords, `handlers.checkin_words`) and
homework check-ins.

The day is the group's local calendar day of the message's own time (`event.at`), never the
wall clock: an update processed late still counts for the day it was sent.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

import handlers.checkin_texts  # noqa: F401  (registers the texts)
from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import ANY_AGE, Router, as_word
from bot.db.models import Member
from bot.groups.settings import GroupKind
from handlers.checkin_words import CHECKIN_WORDS, is_checkin_text, report_of
from handlers.points_config import CheckinConfig, checkin_config, checkin_points
from handlers.points_store import (
    Checkin,
    HomeworkSubmission,
    add_points,
    last_checkin,
    local_date_of,
    total_points,
)

router = Router("checkin")

# `/homework list` names the latest this many submissions, each by the start of its first
# line, so a class of a hundred still fits one message (4096 characters).
LIST_LIMIT = 30
EXCERPT_CHARS = 60

@dataclass(frozen=True)
class CheckinOutcome:
    new: bool
    streak: int
    gained: int


async def record_checkin(
    session: AsyncSession,
    group_id: int,
    user_id: str,
    at: datetime,
    tz: ZoneInfo,
    config: CheckinConfig,
) -> CheckinOutcome:
    """Check a member in for the local day of `at`, at most once.

    The read is only a shortcut; the UNIQUE (group, user, local_date) row decides when two
    replicas (or a duplicated message) race, and the loser reports "already checked in".
    """
    day = local_date_of(at, tz)
    existing = await session.scalar(
        select(Checkin).where(
            Checkin.group_id == group_id, Checkin.user_id == user_id, Checkin.local_date == day
        )
    )
    if existing is not None:
        return CheckinOutcome(new=False, streak=existing.streak, gained=0)
    previous = await last_checkin(session, group_id, user_id, before=day)
    alive = previous is not None and previous.local_date == day - timedelta(days=1)
    streak = previous.streak + 1 if alive else 1
    gained = checkin_points(streak, config)
    row = Checkin(
        group_id=group_id, user_id=user_id, local_date=day, streak=streak, points=gained, at=at
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        winner = await session.scalar(
            select(Checkin).where(
                Checkin.group_id == group_id, Checkin.user_id == user_id, Checkin.local_date == day
            )
        )
        return CheckinOutcome(new=False, streak=winner.streak if winner else streak, gained=0)
    await add_points(
        session, group_id, user_id, gained, "checkin", at, ref=f"checkin:{day.isoformat()}"
    )
    return CheckinOutcome(new=True, streak=streak, gained=gained)


def _reply(event: Event, text: str, cleanup: int | None = None) -> list[SendMessage]:
    return [
        SendMessage(
            chat_id=event.chat.id, text=text, reply_to=event.message_id,
            delete_after_seconds=cleanup,
        )
    ]


def no_person(event: Event, ctx: Context) -> list[SendMessage] | None:
    """The answer to a message no member can be credited for, or None when one can.

    A message posted as a channel or as the group (an anonymous admin) comes from one of
    Telegram's placeholder accounts, the same for every such poster: a check-in, a streak or a
    share paid to it would be everyone's at once. The linked channel's automatic forwards get
    no answer.
    """
    if event.user is not None and not event.user.is_bot:
        return None
    return [] if event.from_linked_channel else _reply(event, ctx.t("points.not_a_person"))


@router.command(
    "checkin",
    words=CHECKIN_WORDS,
    description={"zh": "每日签到领积分", "en": "Daily check-in for points"},
    group_only=True,
    # A check-in records the day it was sent: a backlog replayed after our downtime still
    # counts for its own day (Telegram keeps undelivered updates for 24 hours), so members do
    # not lose streaks to our outage.
    max_age=ANY_AGE,
)
async def checkin_command(event: Event, ctx: Context) -> list[SendMessage]:
    return await _check_in(event, ctx)


def _plain_text(event: Event) -> bool:
    return event.command is None and bool((event.text or "").strip())


@router.on(EventKind.MESSAGE, when=_plain_text)
async def checkin_keyword(event: Event, ctx: Context) -> list[SendMessage]:
    """Every check-in word but the built-in words as they stand (the command's): the group's
    own and the English words, said as done or to the bot, and, in a delivery group, opening
    a report of the day's work, which is kept with the group's homework."""
    text = event.text or ""
    if ctx.group is None or as_word(text) in CHECKIN_WORDS:
        return []
    me = event.me.username if event.me else None
    reports = ctx.group_settings.kind is GroupKind.DELIVERY
    report = report_of(text, ctx.group, me) if reports else None
    if report is None and not is_checkin_text(text, ctx.group, me):
        return []
    return await _check_in(event, ctx, report)


async def _check_in(event: Event, ctx: Context, report: str | None = None) -> list[SendMessage]:
    if (refused := no_person(event, ctx)) is not None:
        return refused
    assert ctx.group is not None and event.user is not None
    config = checkin_config(ctx.group)
    outcome = await record_checkin(
        ctx.session, ctx.group.id, event.user.id, event.at, ctx.tz, config
    )
    if report is not None:
        # What the member did is what operators of a course follow, as they follow homework;
        # the check-in pays for the message, so the report earns no homework points.
        await _keep_work(event, ctx, report)
    total = await total_points(ctx.session, ctx.group.id, event.user.id)
    if not outcome.new:
        text = ctx.t("checkin.already", streak=outcome.streak, total=total)
    else:
        text = ctx.t("checkin.done", gained=outcome.gained, streak=outcome.streak, total=total)
    return _reply(event, text, config.cleanup_seconds)


@router.command(
    "homework",
    description={"zh": "提交作业打卡", "en": "Hand in homework"},
    group_only=True,
    max_age=ANY_AGE,
    listed=lambda ctx: ctx.group_settings.kind is GroupKind.DELIVERY,
)
async def homework_command(event: Event, ctx: Context) -> list[SendMessage]:
    if ctx.group_settings.kind is not GroupKind.DELIVERY:
        return _reply(event, ctx.t("homework.not_delivery"))
    if event.args.strip().lower() == "list":
        if not ctx.is_operator:
            return _reply(event, ctx.t("common.not_operator"))
        return await _homework_list(event, ctx)
    if not event.args.strip() and not event.has_photo:
        return _reply(event, ctx.t("homework.usage"))
    return await _hand_in(event, ctx, event.args.strip())


def carries_work(event: Event) -> bool:
    """Whether a message holds something handed in by its caption: a photo, or a file
    (homework is also a PDF, a recorded exercise, a spoken answer)."""
    return event.has_photo or event.has_file


def _captioned_work(event: Event) -> bool:
    return carries_work(event) and event.command is None and bool(event.text)


@router.on(EventKind.MESSAGE, EventKind.EDITED_MESSAGE, when=_captioned_work)
async def homework_by_caption(event: Event, ctx: Context) -> list[SendMessage]:
    """A photo or file whose caption carries a homework tag (作业, #homework) in a delivery
    group. Members often notice a missing tag after posting: a caption edited to carry one
    hands the work in then, and a later edit of work handed in only updates its words."""
    if ctx.group is None or ctx.group_settings.kind is not GroupKind.DELIVERY:
        return []
    tagged = is_homework_caption(event.text or "", checkin_config(ctx.group))
    caption = (event.text or "").strip()
    if _folded(caption).startswith("/homework"):
        caption = caption[len("/homework") :].strip()
    if event.kind is EventKind.EDITED_MESSAGE:
        handed_in = await _submission_of(event, ctx)
        if handed_in is not None:
            if tagged:
                handed_in.text = caption[:4000]
            return []
    if not tagged:
        return []
    return await _hand_in(event, ctx, caption)


def _edited_text(event: Event) -> bool:
    return not carries_work(event) and bool((event.text or "").strip())


@router.on(EventKind.EDITED_MESSAGE, when=_edited_text)
async def edited_work(event: Event, ctx: Context) -> list[SendMessage]:
    """A check-in report or `/homework` text edited (a typo, a line added): its submission
    takes the new words. The message was checked in or paid for when posted, so the edit pays
    nothing and keeps no second submission; an edit that no longer reads as work (the check-in
    word taken out) leaves the words as they were handed in."""
    if ctx.group is None or ctx.group_settings.kind is not GroupKind.DELIVERY:
        return []
    handed_in = await _submission_of(event, ctx)
    if handed_in is None:
        return []
    if event.command is not None:
        text = event.args.strip() if event.command == "homework" else ""
    else:
        me = event.me.username if event.me else None
        text = report_of(event.text or "", ctx.group, me) or ""
    if text:
        handed_in.text = text[:4000]
    return []


async def _submission_of(event: Event, ctx: Context) -> HomeworkSubmission | None:
    """What the member handed in with this message, if anything."""
    assert ctx.group is not None
    return await ctx.session.scalar(
        select(HomeworkSubmission).where(
            HomeworkSubmission.group_id == ctx.group.id,
            HomeworkSubmission.message_id == event.message_id,
        )
    )


def is_homework_caption(text: str, config: CheckinConfig) -> bool:
    """Whether a caption marks a photo or file as homework, its tags typed in any width or case
    (a Chinese keyboard types "＃homework")."""
    caption = _folded(text)
    # Telegram parses commands in text only, so a caption "/homework ..." arrives as plain text.
    if caption.startswith("/homework"):
        return True
    return any(_folded(tag) in caption for tag in config.homework_tags)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


async def _keep_work(event: Event, ctx: Context, text: str) -> HomeworkSubmission:
    """Record what a member handed in (or reported checking in), unpaid as yet."""
    assert ctx.group is not None and event.user is not None
    submission = HomeworkSubmission(
        group_id=ctx.group.id,
        user_id=event.user.id,
        local_date=local_date_of(event.at, ctx.tz),
        text=text[:4000],
        has_photo=event.has_photo,
        message_id=event.message_id,
        at=event.at,
    )
    ctx.session.add(submission)
    # Flushed on its own so a refused payment (its savepoint rolled back) keeps the record.
    await ctx.session.flush()
    return submission


async def _hand_in(event: Event, ctx: Context, text: str) -> list[SendMessage]:
    if (refused := no_person(event, ctx)) is not None:
        return refused
    assert ctx.group is not None and event.user is not None
    config = checkin_config(ctx.group)
    day = local_date_of(event.at, ctx.tz)
    submission = await _keep_work(event, ctx, text)
    paid = await add_points(
        ctx.session,
        ctx.group.id,
        event.user.id,
        config.homework_points,
        "homework",
        event.at,
        ref=f"homework:{day.isoformat()}",
    )
    if not paid:
        return _reply(event, ctx.t("homework.again"))
    submission.points = config.homework_points
    total = await total_points(ctx.session, ctx.group.id, event.user.id)
    return _reply(event, ctx.t("homework.done", gained=config.homework_points, total=total))


async def _homework_list(event: Event, ctx: Context) -> list[SendMessage]:
    """Today's count, and who handed in what, newest last: operators of a course read the
    reports and the work without scrolling the group."""
    assert ctx.group is not None
    day = local_date_of(event.at, ctx.tz)
    submissions = list(
        await ctx.session.scalars(
            select(HomeworkSubmission)
            .where(
                HomeworkSubmission.group_id == ctx.group.id, HomeworkSubmission.local_date == day
            )
            .order_by(HomeworkSubmission.at, HomeworkSubmission.id)
        )
    )
    people = {s.user_id for s in submissions}
    lines = [ctx.t("homework.list", day=day.isoformat(), count=len(submissions),
                   people=len(people))]
    shown = submissions[-LIST_LIMIT:]
    if len(submissions) > len(shown):
        lines.append(ctx.t("homework.list_more", more=len(submissions) - len(shown)))
    names = dict(
        (
            await ctx.session.execute(
                select(Member.user_id, Member.display_name).where(
                    Member.group_id == ctx.group.id, Member.user_id.in_(people)
                )
            )
        ).all()
    )
    lines += [
        ctx.t("homework.list_line", name=(names.get(s.user_id) or s.user_id)[:32],
              work=_excerpt(s))
        for s in shown
    ]
    return _reply(event, "\n".join(lines))


def _excerpt(submission: HomeworkSubmission) -> str:
    first = submission.text.strip().split("\n", 1)[0]
    text = first if len(first) <= EXCERPT_CHARS else first[: EXCERPT_CHARS - 1] + "…"
    return f"📷 {text}".strip() if submission.has_photo else text
