"""Loading and updating group and member records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.events import Chat, User
from bot.db.models import Group, Member

ADMIN_STATUSES = {"creator": "owner", "administrator": "admin"}


async def find_group(session: AsyncSession, platform: str, chat_id: str) -> Group | None:
    return await session.scalar(
        select(Group).where(Group.platform == platform, Group.chat_id == chat_id)
    )


async def get_or_create_group(session: AsyncSession, platform: str, chat: Chat) -> Group:
    group = await find_group(session, platform, chat.id)
    if group is None:
        group = Group(platform=platform, chat_id=chat.id, chat_type=chat.type.value, settings={})
        session.add(group)
    if chat.title and group.title != chat.title:
        group.title = chat.title
    if group.chat_type != chat.type.value:
        group.chat_type = chat.type.value
    await session.flush()
    return group


async def get_or_create_member(
    session: AsyncSession, group: Group, user: User, now: datetime
) -> Member:
    member = await session.scalar(
        select(Member).where(Member.group_id == group.id, Member.user_id == user.id)
    )
    if member is None:
        member = Member(
            group_id=group.id,
            user_id=user.id,
            display_name=user.name,
            username=user.username,
            is_bot=user.is_bot,
            tags=[],
        )
        session.add(member)
    member.display_name = user.name or member.display_name
    member.username = user.username
    member.last_seen_at = now
    await session.flush()
    return member


def role_for_status(status: str | None) -> str | None:
    """Map a platform membership status to our role; None when it says nothing about rights."""
    if status in ADMIN_STATUSES:
        return ADMIN_STATUSES[status]
    if status in ("member", "restricted", "left", "kicked"):
        return "member"
    return None


async def migrate_group(
    session: AsyncSession, platform: str, old_chat_id: str, new_chat_id: str
) -> Group | None:
    """Move a group's records to its new id after a group becomes a supergroup.

    Telegram may deliver the new chat's first message before the migration notice, so a row for
    the new id can already exist: its members are merged into the old record, which takes the id.
    """
    old = await find_group(session, platform, old_chat_id)
    if old is None:
        return None
    new = await find_group(session, platform, new_chat_id)
    if new is not None and new.id != old.id:
        known = set(await session.scalars(select(Member.user_id).where(Member.group_id == old.id)))
        await session.execute(
            update(Member)
            .where(Member.group_id == new.id, Member.user_id.not_in(known))
            .values(group_id=old.id)
        )
        await session.delete(new)
        await session.flush()
    old.chat_id = new_chat_id
    old.chat_type = "supergroup"
    await session.flush()
    return old
