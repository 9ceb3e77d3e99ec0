"""The mutes the bot keeps on members, so that leaving and rejoining does not end one.

Telegram keeps a restriction across a leave and a rejoin, but the newcomer gate holds a rejoining
member under its own restriction, and letting them in lifts that one: unless the bot knows of
the mute, it is the bot that frees them. A member's row holds when their mute ends
(`Member.muted_until`): `/mute` and the ad filter's mute step set it; `/unmute`, an admin
lifting the restriction by hand, and an undone mute decision (`/undo`, Not spam, a granted
appeal) whose mute is still the one in force (`handlers.moderation_holds`) clear it. A mute
that has ended needs no clearing: it is only compared with the time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, Restrict, Unrestrict
from bot.core.context import Context
from bot.core.events import User
from bot.db.models import Member


async def hold(session: AsyncSession, group_id: int, user: User, until: datetime) -> None:
    """Record that `user` is muted in the group until `until` (the latest mute wins, as it
    does on the platform)."""
    member = await session.scalar(
        select(Member).where(Member.group_id == group_id, Member.user_id == user.id)
    )
    if member is None:
        # Muted by id before the bot saw them: the row keeps the mute for when they do come.
        member = Member(group_id=group_id, user_id=user.id, display_name=user.name,
                        username=user.username, is_bot=user.is_bot, tags=[])
        session.add(member)
    member.muted_until = until


async def release(session: AsyncSession, group_id: int, user_id: str) -> None:
    """Forget the member's mute: it was lifted."""
    await session.execute(
        update(Member)
        .where(Member.group_id == group_id, Member.user_id == user_id)
        .values(muted_until=None)
        .execution_options(synchronize_session="fetch")
    )


async def let_in(ctx: Context, chat_id: str, user_id: str) -> Action:
    """What lets a newcomer the gate held speak: the lift, or while a mute of theirs runs, the
    mute again, to its end (it replaces the gate's restriction, which has none)."""
    assert ctx.group is not None
    until = await ctx.session.scalar(
        select(Member.muted_until).where(
            Member.group_id == ctx.group.id, Member.user_id == user_id
        )
    )
    if until is not None and until > ctx.now:
        return Restrict(chat_id=chat_id, user_id=user_id, until=until)
    return Unrestrict(chat_id=chat_id, user_id=user_id)
