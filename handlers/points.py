"""`/me`, `/top`, operators' `/points add|remove`, and points for effective activity and
for referrals (adding people to the group).

Activity points are written to the ledger only; the handler sends nothing. It runs after the
ad filter's gate, so a message deleted as spam halts before reaching it and never earns points.
"""

from __future__ import annotations

from datetime import datetime, time
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import select

import handlers.checkin_texts  # noqa: F401  (registers the texts)
from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import Router
from bot.groups.repository import find_member, is_join, typed_user_id
from bot.groups.settings import GroupKind
from handlers.activity import is_word_command
from handlers.adfilter.normalize import normalize
from handlers.checkin import carries_work, is_homework_caption, no_person
from handlers.entry_store import PendingVerification
from handlers.points_config import (
    PointsConfig,
    checkin_config,
    points_config,
    tier_for,
    title_for,
)
from handlers.points_store import (
    ACTIVITY_REASONS,
    add_points,
    current_streak,
    homework_count,
    last_checkin,
    leaderboard,
    local_date_of,
    local_day_bounds,
    noted_between,
    points_between,
    rank_of,
    total_points,
)
from handlers.points_substance import content_chars, said, substance
from handlers.setting_numbers import NumberRefused

router = Router("points")

WINDOWS = ("week", "month", "all")
# The words Chinese groups use for the same windows ("/top 本周"); English ones are the keys.
WINDOW_WORDS = {"本周": "week", "周榜": "week", "周": "week", "本月": "month", "月榜": "month",
                "月": "month", "总榜": "all", "全部": "all", "总": "all", "weekly": "week",
                "monthly": "month", "total": "all", "alltime": "all", "all-time": "all"}
# One adjustment is a lump with no daily ceiling, unlike the settings' MAX_AWARD; named in the
# "points.adjust_usage" text.
MAX_ADJUSTMENT = 1_000_000
QUESTION_MARKS = ("?", "？", "吗", "请问", "怎么", "如何", "为什么")


def _reply(event: Event, text: str) -> list[SendMessage]:
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


@router.command(
    "me",
    description={"zh": "查看我的积分、排名和头衔", "en": "My points, rank and title"},
    group_only=True,
)
async def me(event: Event, ctx: Context) -> list[SendMessage]:
    if (refused := no_person(event, ctx)) is not None:
        return refused
    assert ctx.group is not None and event.user is not None
    group_id, user_id = ctx.group.id, event.user.id
    config = points_config(ctx.group)
    total = await total_points(ctx.session, group_id, user_id)
    streak = current_streak(
        await last_checkin(ctx.session, group_id, user_id), local_date_of(event.at, ctx.tz)
    )
    # A place among those with points; with none, "#57" would only count who has some.
    rank = (ctx.t("points.rank", rank=await rank_of(ctx.session, group_id, user_id))
            if total > 0 else ctx.t("points.unranked"))
    text = ctx.t(
        "points.me",
        name=event.user.name or user_id,
        total=total,
        rank=rank,
        streak=streak,
        title=title_for(total, config.titles, ctx.lang),
        tier=tier_for(total, config).label(ctx.lang),
    )
    if ctx.group_settings.kind is GroupKind.DELIVERY:
        count = await homework_count(ctx.session, group_id, user_id)
        text += "\n" + ctx.t("points.me_homework", count=count)
    return _reply(event, text)


def window_start(window: str, at: datetime, tz: ZoneInfo) -> datetime | None:
    """Start of the local calendar week (Monday) or month containing `at`; None for all time."""
    day = local_date_of(at, tz)
    if window == "week":
        day = day.fromordinal(day.toordinal() - day.weekday())
    elif window == "month":
        day = day.replace(day=1)
    else:
        return None
    return datetime.combine(day, time(0), tzinfo=tz)


@router.command(
    "top",
    aliases=("rank",),
    words=("排行榜",),
    description={"zh": "积分排行榜 [本周|本月|总榜]", "en": "Leaderboard [week|month|all]"},
    group_only=True,
)
async def top(event: Event, ctx: Context) -> list[SendMessage]:
    assert ctx.group is not None
    said = (event.args.split() or ["all"])[0].lower()
    window = WINDOW_WORDS.get(said, said)
    if window not in WINDOWS:  # "/top year" must not answer with the all-time board
        return _reply(event, ctx.t("points.top_usage", said=said[:20]))
    label = ctx.t(f"points.window.{window}")
    standings = await leaderboard(ctx.session, ctx.group.id, window_start(window, event.at, ctx.tz))
    if not standings:
        return _reply(event, ctx.t("points.top_empty", window=label))
    lines = [ctx.t("points.top_header", window=label)]
    # Ranked as `/me` ranks (1 + how many have more), so members who tie share a place.
    lines += [
        ctx.t(
            "points.top_line",
            rank=1 + sum(o.points > s.points for o in standings),
            name=s.name,
            points=s.points,
        )
        for s in standings
    ]
    return _reply(event, "\n".join(lines))


@router.command(
    "points",
    description={"zh": "调整成员积分 add|remove", "en": "Adjust a member's points add|remove"},
    operator_only=True,
    group_only=True,
)
async def adjust_points(event: Event, ctx: Context) -> list[SendMessage]:
    assert ctx.group is not None and event.user is not None
    parts = event.args.split()
    if not parts or parts[0].lower() not in ("add", "remove"):
        return _reply(event, ctx.t("points.adjust_usage"))
    sign = 1 if parts[0].lower() == "add" else -1
    rest = parts[1:]
    target: tuple[str, str] | None = None
    # Replying names the member, so a bare number is then the amount, not a user id.
    names_target = rest and (
        rest[0].startswith("@") or (rest[0].isdecimal() and event.reply_to_user is None)
    )
    if names_target and len(rest) >= 2:
        who = rest[0] if rest[0].startswith("@") else typed_user_id(rest[0])
        if who is None:
            return _reply(event, ctx.t("points.adjust_usage"))
        if event.is_me(who):  # asked first: the bot may have no member row to be found by
            return _reply(event, ctx.t("points.self"))
        target = await _find_member(ctx, who)
        if target is None:
            return _reply(event, ctx.t("points.unknown_member", who=rest[0]))
        rest = rest[1:]
    elif event.reply_to_user is not None:
        if event.reply_to_user.is_bot and not event.is_me(event.reply_to_user.id):
            # A post made as a channel or by an anonymous admin comes from one of Telegram's
            # placeholder accounts, the same for every such poster; other bots earn nothing.
            return _reply(event, ctx.t("points.not_member"))
        target = (event.reply_to_user.id, event.reply_to_user.name or event.reply_to_user.id)
    if target is not None and event.is_me(target[0]):
        return _reply(event, ctx.t("points.self"))
    # isdecimal, not isdigit: "²" is a digit int() cannot read. The cap keeps a slip of the
    # finger ("1000000000" for "1000") out of the ledger, answered with the range as /settings.
    if target is None or not rest or not rest[0].isdecimal():
        return _reply(event, ctx.t("points.adjust_usage"))
    if not 0 < int(rest[0]) <= MAX_ADJUSTMENT:
        refused = NumberRefused(rest[0], (1, MAX_ADJUSTMENT))
        return _reply(event, ctx.t("points.bad_amount", reason=refused.reason(ctx.lang)))
    amount, note = int(rest[0]), " ".join(rest[1:])[:255] or None
    user_id, name = target
    if sign < 0:
        # A balance below zero reads as a debt on /me and /top that the member cannot pay off.
        balance = await total_points(ctx.session, ctx.group.id, user_id)
        if amount > balance:
            return _reply(event, ctx.t("points.not_enough", name=name, total=balance,
                                       amount=amount))
    await add_points(
        ctx.session,
        ctx.group.id,
        user_id,
        sign * amount,
        "adjust",
        event.at,
        note=note,
        actor_id=event.user.id,
    )
    total = await total_points(ctx.session, ctx.group.id, user_id)
    text = ctx.t(
        "points.adjusted", name=name, sign="+" if sign > 0 else "-", amount=amount, total=total
    )
    return _reply(event, text)


async def _find_member(ctx: Context, who: str) -> tuple[str, str] | None:
    """(user id, name) of `who`: an `@username` or a user id as `typed_user_id` reads it."""
    assert ctx.group is not None
    member = await find_member(ctx.session, ctx.group.id, who)
    if member is not None:
        return member.user_id, member.display_name or member.user_id
    # A member who has not spoken yet has no row; an explicit id is still a valid target.
    return None if who.startswith("@") else (who, who)


def _plain_text(event: Event) -> bool:
    # `command` is only set for our own commands; one aimed at another bot ("/play@musicbot
    # a long song title") is no more activity than ours, as the message counter agrees.
    return event.command is None and not event.bot_command and bool((event.text or "").strip())


def activity_points(event: Event, config: PointsConfig) -> tuple[str, int]:
    """(reason, points) a message is worth before the daily cap: an answer to another
    member's question, or a substantial message; chatter is worth nothing."""
    assert event.user is not None
    text = (event.text or "").strip()
    question = event.reply_to_text or ""
    other = event.reply_to_user
    if (
        other is not None
        and not other.is_bot
        and other.id != event.user.id
        and any(mark in question for mark in QUESTION_MARKS)
        and substance(text) >= config.answer_min_distinct
    ):
        return "answer", config.answer_points
    if (
        content_chars(text) >= config.activity_min_chars
        and substance(text) >= config.activity_min_distinct
        and on_topic(text, config.topic_words)
    ):
        return "activity", config.activity_points
    return "activity", 0


def on_topic(text: str, topic_words: tuple[str, ...]) -> bool:
    """True when the group lists no topic words or `text` mentions one, spelled in any width,
    case or script (traditional "作業" matches "作业", "Ｈｏｍｅｗｏｒｋ" matches "homework")."""
    if not topic_words:
        return True
    compact = normalize(text).compact
    return any(word in compact for word in _topic_keys(topic_words))


@cache
def _topic_keys(topic_words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(key for word in topic_words if (key := normalize(word).compact))


# The lowest-precedence message handler of check-ins and points (ROUTERS order, then this).
@router.on(EventKind.MESSAGE, when=_plain_text)
async def effective_activity(event: Event, ctx: Context) -> list:
    if ctx.group is None or event.user is None or event.user.is_bot:
        return []
    config = points_config(ctx.group)
    text = (event.text or "").strip()
    me = event.me.username if event.me else None
    if not config.activity_enabled or is_word_command(text, ctx.group, me):
        return []
    if carries_work(event) and is_homework_caption(text, checkin_config(ctx.group)):
        return []
    reason, worth = activity_points(event, config)
    if worth <= 0:
        return []
    start, end = local_day_bounds(local_date_of(event.at, ctx.tz), ctx.tz)
    earned = await points_between(
        ctx.session, ctx.group.id, event.user.id, ACTIVITY_REASONS, start, end
    )
    grant = min(worth, config.activity_daily_cap - earned)
    # The fingerprint, never the text, is noted on the row: pasting one good message again
    # and again would otherwise fill the day's cap.
    digest = said(text)
    if grant <= 0 or await noted_between(
        ctx.session, ctx.group.id, event.user.id, ACTIVITY_REASONS, digest, start, end
    ):
        return []
    await add_points(
        ctx.session,
        ctx.group.id,
        event.user.id,
        grant,
        reason,
        event.at,
        ref=f"activity:{event.message_id}",
        note=digest,
    )
    return []


@router.on(EventKind.MEMBER_JOINED, EventKind.MEMBER_UPDATED, when=is_join, group_only=True)
async def referral(event: Event, ctx: Context) -> list:
    """A member who adds people to the group earns `referral_points` once per person added.

    A newcomer facing verification counts only once they pass (verification pays then), so
    adding throwaway accounts that never pass earns nothing.
    """
    inviter = event.inviter
    if inviter is None or inviter.is_bot or ctx.group is None:
        return []
    waiting = set(
        await ctx.session.scalars(
            select(PendingVerification.user_id).where(
                PendingVerification.group_id == ctx.group.id,
                PendingVerification.status == "pending",
                PendingVerification.inviter_id == inviter.id,
            )
        )
    )
    for user in ctx.arrivals:
        if user.id == inviter.id or user.is_bot or user.id in waiting:
            continue
        if await pay_referral(ctx, inviter.id, user.id, event.at) is None:
            break
    return []


async def pay_referral(ctx: Context, inviter_id: str, user_id: str, at: datetime) -> bool | None:
    """Pay `inviter_id` for bringing `user_id`, within the daily cap: True when paid, False
    when already paid for that person, None when the day's cap is reached."""
    assert ctx.group is not None
    config = points_config(ctx.group)
    start, end = local_day_bounds(local_date_of(at, ctx.tz), ctx.tz)
    earned = await points_between(ctx.session, ctx.group.id, inviter_id, ("referral",), start, end)
    grant = min(config.referral_points, config.referral_daily_cap - earned)
    if grant <= 0:
        return None
    return await add_points(
        ctx.session, ctx.group.id, inviter_id, grant, "referral", at, ref=f"referral:{user_id}"
    )
