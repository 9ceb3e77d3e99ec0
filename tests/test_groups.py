"""Group and member records kept in step with the platform, including supergroup upgrades."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Group, Member
from tests.factories import (
    OPERATOR_ID,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    make_migrate_update,
    user,
)
from tests.harness import eventually


async def members(bot):
    async with bot.sessions() as session:
        return {m.user_id: m for m in await session.scalars(select(Member))}


async def test_joins_leaves_roles_and_sources_are_recorded(bot):
    await bot.post_update(
        make_join_update(user(1, "Ann"), user(2, "Ben"), sender=user(OPERATOR_ID))
    )
    await bot.post_update(
        make_chat_member_update(user(3, "Cy"), "left", "member", invite_link_name="expo")
    )
    await bot.post_update(make_chat_member_update(user(2, "Ben"), "member", "administrator"))
    await bot.post_update(make_left_update(user(1, "Ann")))
    await eventually(bot.settled)
    rows = await members(bot)
    assert rows["1"].status == "left" and rows["1"].left_at is not None
    assert rows["1"].source == f"added_by:{OPERATOR_ID}"
    assert rows["2"].role == "admin" and rows["2"].status == "member"
    assert rows["3"].source == "link:expo"


async def test_supergroup_upgrade_moves_the_group_and_its_members(bot):
    old, new = -55, -1007
    await bot.post_update(make_message_update("hi", chat_id=old, sender=user(1, "Ann")))
    # Telegram may deliver the new supergroup's first message before the migration notice.
    await bot.post_update(make_message_update("hello", chat_id=new, sender=user(2, "Ben")))
    await bot.post_update(make_migrate_update(old, new))
    await eventually(bot.settled)
    async with bot.sessions() as session:
        groups = list(await session.scalars(select(Group)))
    assert [(g.chat_id, g.chat_type) for g in groups] == [(str(new), "supergroup")]
    assert set(await members(bot)) == {"1", "2"}
