"""Helpers for the welcome, verification, screening, raid and icebreaker tests."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Group, OutboxAction
from tests.factories import GROUP_ID
from tests.handlers.checkin_points_support import db, quiet, rows

__all__ = ["configure", "configure_chat", "db", "group_settings", "outbox_kinds", "quiet", "rows"]

# Short windows so a burst test waits well under a second of real time.
FAST_WELCOME = {"batch_seconds": 0.5, "raid_batch_seconds": 1.0}


async def configure(bot, **sections: dict) -> None:
    """Create the test group (if needed) with these settings sections."""
    await configure_chat(bot, GROUP_ID, "Qunbot Test Group", **sections)


async def configure_chat(bot, chat_id: int, title: str, **sections: dict) -> None:
    """Create the group `chat_id` (if needed) with these settings sections."""

    def write(session) -> None:
        group = session.scalar(select(Group).where(Group.chat_id == str(chat_id)))
        if group is None:
            group = Group(
                platform="telegram",
                chat_id=str(chat_id),
                title=title,
                chat_type="supergroup",
                settings={},
            )
            session.add(group)
        group.settings = {**(group.settings or {}), **sections}

    await db(bot, write)


async def group_settings(bot) -> dict:
    def read(session) -> dict:
        return session.scalar(select(Group).where(Group.chat_id == str(GROUP_ID))).settings

    return await db(bot, read)


async def outbox_kinds(bot) -> list[str]:
    return [row.kind for row in await rows(bot, OutboxAction)]
