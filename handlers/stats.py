"""`/stats`: a group's figures for the last 7 days, for operators deciding what the group needs
(more welcome work, a quieter ad filter, a check-in push, another icebreaker round)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.core.actions import SendMessage
from bot.core.context import Context
from bot.core.events import Event, User
from bot.core.i18n import define
from bot.core.router import Router
from bot.db.models import Member
from bot.groups.activity import MemberMessage
from handlers.entry_store import PendingVerification
from handlers.icebreaker_rounds import IcebreakerRound
from handlers.moderation_store import ModerationDecision
from handlers.points_store import Checkin, PointsEntry, local_date_of
from handlers.welcome_batch import member_count

router = Router("stats")

WEEK = timedelta(days=7)
GONE = ("left", "kicked")

define(
    {
        "stats.show": {
            "zh": "本群数据（近 7 天）\n"
            "成员：{members} 人，不含机器人（新加入 {joined}，离开 {left}）\n"
            "发言成员：{active} 人\n签到：今天 {today} 人，7 天共 {checkins} 次\n"
            "发放积分：{points}\n破冰问答：{rounds} 轮，{answers} 人次回答\n"
            "处理广告：{ads} 条（其中成员举报 {reports} 条）\n"
            "待验证新人：{pending} 人",
            "en": "Last 7 days in this group\n"
            "Members: {members}, bots not counted ({joined} joined, {left} left)\n"
            "Members who spoke: {active}\nCheck-ins: {today} today, {checkins} in 7 days\n"
            "Points given: {points}\n"
            "Icebreaker rounds: {rounds}, {answers} {answers:answer|answers}\n"
            "Ads removed: {ads} ({reports} after member reports)\n"
            "Newcomers awaiting verification: {pending}",
        },
    }
)


async def _members(ctx: Context, me: User | None) -> int:
    """The group's people, bots left out as in every other figure: the platform's count moved
    by the joins and leaves seen since, as greetings count them (the rows alone are only the
    members seen since the bot came), less the bots in it (Telegram counts them: the bot
    itself, admin bots, bots added); people seen here while the platform never gave a count."""
    assert ctx.group is not None
    here = (Member.group_id == ctx.group.id, Member.status.not_in(GONE))
    if ctx.group.synced_at is None or ctx.group.member_count is None:
        seen = select(func.count()).where(*here, Member.is_bot.is_(False))
        return int(await ctx.session.scalar(seen) or 0)
    bots = set(await ctx.session.scalars(select(Member.user_id).where(*here, Member.is_bot)))
    if me is not None:
        bots.add(me.id)  # in the platform's count whether or not an admin list named it
    return max(await member_count(ctx) - len(bots), 0)


@router.command(
    "stats",
    description={"zh": "本群近 7 天数据", "en": "This group's last 7 days"},
    operator_only=True,
    group_only=True,
)
async def stats_command(event: Event, ctx: Context) -> list[SendMessage]:
    assert ctx.group is not None  # group_only route
    group, since, session = ctx.group.id, ctx.now - WEEK, ctx.session
    today = local_date_of(ctx.now, ctx.tz)

    async def count(*where) -> int:
        return int(await session.scalar(select(func.count()).where(*where)) or 0)

    async def count_distinct(column, *where) -> int:
        return int(await session.scalar(select(func.count(column.distinct())).where(*where)) or 0)

    in_group = Member.group_id == group
    figures = {
        "members": await _members(ctx, event.me),
        "joined": await count(in_group, Member.joined_at >= since, Member.is_bot.is_(False)),
        # People only, as members and joins are: a bot added and removed again (a spam bot
        # kicked) left no one the group had counted.
        "left": await count(
            in_group, Member.status.in_(GONE), Member.left_at >= since, Member.is_bot.is_(False)
        ),
        # Senders of the week's messages (what the digest counts): seen this week with a message
        # ever counted anyone whose last word was months ago and who only sent a command since.
        "active": await count_distinct(
            MemberMessage.user_id,
            MemberMessage.group_id == group,
            MemberMessage.at >= since,
            MemberMessage.removed.is_(False),
        ),
        "today": await count(Checkin.group_id == group, Checkin.local_date == today),
        "checkins": await count(
            Checkin.group_id == group, Checkin.local_date > today - timedelta(days=7)
        ),
        "points": int(
            await session.scalar(
                select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
                    PointsEntry.group_id == group, PointsEntry.at >= since, PointsEntry.delta > 0
                )
            )
            or 0
        ),
    }
    replies = await session.scalars(
        select(IcebreakerRound.replies).where(
            IcebreakerRound.group_id == group, IcebreakerRound.started_at >= since
        )
    )
    answered = [len(r or []) for r in replies]
    figures["rounds"], figures["answers"] = len(answered), sum(answered)
    acted = (
        ModerationDecision.group_id == group,
        ModerationDecision.at >= since,
        ModerationDecision.shadow.is_(False),
        ModerationDecision.undone.is_(False),
    )
    figures["ads"] = await count(*acted)
    figures["reports"] = await count(*acted, ModerationDecision.source == "report")
    figures["pending"] = await count(
        PendingVerification.group_id == group, PendingVerification.status == "pending"
    )
    text = ctx.t("stats.show", **figures)
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]
