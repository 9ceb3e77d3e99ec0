"""Who moderation never acts against: operators of every kind and allow-listed members.

The filter, `/spam`, member reports and photo checks all ask `is_exempt`, so a person an
operator only through `QUNBOT_OPERATORS` is as safe as a chat admin.
"""

from __future__ import annotations

from sqlalchemy import select

from bot.core.context import Context
from bot.core.events import Event
from bot.core.rights import is_operator
from bot.db.models import Group, Member
from bot.groups.repository import find_group
from bot.groups.settings import load_group_settings
from handlers.moderation import adfilter_settings


async def is_exempt(ctx: Context, user_id: str) -> bool:
    """True when `user_id` operates the event's group or is on its ad filter allow-list."""
    if ctx.group is None:
        return False
    if user_id in adfilter_settings(ctx.group).allowed_users:
        return True
    if ctx.member is not None and ctx.member.user_id == user_id:
        role: str | None = ctx.member.role  # the sender: the middleware loaded the row already
    else:
        role = await ctx.session.scalar(
            select(Member.role).where(Member.group_id == ctx.group.id, Member.user_id == user_id)
        )
    return is_operator(user_id, role, ctx.platform_operators, ctx.group_settings.operators)


async def operates(ctx: Context, user_id: str, group: Group) -> bool:
    """True when `user_id` operates `group`, which may be another chat than the event's (an
    operators' chat that review cards or raid alerts are sent to)."""
    role = await ctx.session.scalar(
        select(Member.role).where(Member.group_id == group.id, Member.user_id == user_id)
    )
    settings = load_group_settings(group.settings)
    return is_operator(user_id, role, ctx.platform_operators, settings.operators)


async def operated_chat(ctx: Context, event: Event, chat_id: str) -> Group | None:
    """The chat `chat_id` when the bot knows it and the sender operates it too, else None: what
    the bot sends there (review cards, raid alerts) is for the group's operators only."""
    target = await find_group(ctx.session, event.platform, chat_id)
    if target is None or event.user is None or not await operates(ctx, event.user.id, target):
        return None
    return target
