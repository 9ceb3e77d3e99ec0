"""Members whose `/report` counts: a fresh account's does not (`handlers.moderation_reports`),
so tests of what reports do first give their reporters a history in the group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.db.models import Group, Member
from tests.factories import GROUP_ID


async def regulars(bot, *who: dict, messages: int = 10, joined: datetime | None = None,
                   chat_id: int = GROUP_ID) -> None:
    """Give members of a group the bot knows a history: `messages` messages, joined at `joined`
    (None: before the bot, as most members of a group the bot was added to)."""

    def seed(s):
        group = s.scalar(select(Group).where(Group.chat_id == str(chat_id)))
        for person in who:
            row = s.scalar(select(Member).where(Member.group_id == group.id,
                                                Member.user_id == str(person["id"])))
            if row is None:
                row = Member(group_id=group.id, user_id=str(person["id"]),
                             display_name=person["first_name"], tags=[])
                s.add(row)
            row.message_count, row.joined_at = messages, joined

    await bot.run_sync(seed)
