"""Settings that name another chat follow it when it becomes a supergroup.

A group's settings may send things elsewhere (`raid.alert_chat_id`, the operators' chat for
notes and appeal cards; `screening.review_chat_id`, review cards). Such a chat is often a basic
group of its own, and the upgrade gives it a new id: left on the old one, every note would first
be refused, and a press on a card in the supergroup would not come from the chat the settings
name. A settings value is such a reference when its key ends in `chat_id`, so a section added
later is carried along without touching this module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group


async def follow_moved_chat(session: AsyncSession, platform: str, old: str, new: str) -> int:
    """Point every group's settings naming chat `old` at `new`; returns how many changed."""
    # The text test only narrows the rows read; each is then checked value by value.
    rows = await session.scalars(
        select(Group).where(
            Group.platform == platform, cast(Group.settings, String).contains(f'"{old}"')
        )
    )
    changed = 0
    for group in rows:
        settings, moved = _repointed(group.settings or {}, old, new)
        if moved:
            group.settings = settings
            changed += 1
    if changed:
        await session.flush()
    return changed


def _repointed(settings: dict[str, Any], old: str, new: str) -> tuple[dict[str, Any], bool]:
    moved = False
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            value, inner = _repointed(value, old, new)
            moved |= inner
        elif key.endswith("chat_id") and value == old:
            value, moved = new, True
        out[key] = value
    return out, moved
