"""What a group had before the bot arrived (its admins, its members) is read from the platform."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Group, Member, utcnow
from tests.factories import (
    GROUP_ID,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME, Failure, admin_member
from tests.harness import BotHarness, eventually

OWNER, MOD = user(222, "Owner"), user(333, "Mod")
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot", "username": BOT_USERNAME}
# The rights the updates give the bot, as the platform says them when asked (`getChatMember`).
RIGHTS = {key: value for key, value in admin_member().items() if key.startswith("can_")}


def _admins(*entries: tuple[dict, str]) -> list[dict]:
    return [admin_member(), *({"status": status, "user": who} for who, status in entries)]


async def _roles(bot) -> dict[str, str]:
    async with bot.sessions() as session:
        rows = await session.scalars(select(Member).where(Member.user_id.in_(["222", "333"])))
        return {m.user_id: m.role for m in rows}


async def _bot_added(bot, fake_telegram) -> None:
    """The bot is added as an admin; returns once it has said hello (one message)."""
    said = len(fake_telegram.called("sendMessage"))
    await bot.post_update(
        make_chat_member_update(BOT, "left", "administrator", by=OWNER, kind="my_chat_member",
                                new_rights=RIGHTS)
    )
    await fake_telegram.wait_for("sendMessage", said + 1)


async def test_admins_from_before_the_bot_joined_can_operate_it(bot, fake_telegram):
    fake_telegram.administrators[GROUP_ID] = _admins((OWNER, "creator"), (MOD, "administrator"))
    await _bot_added(bot, fake_telegram)
    await eventually(lambda: _wait_roles(bot, {"222": "owner", "333": "admin"}))
    await bot.post_update(make_message_update("/settings", sender=MOD))
    _, sent = await fake_telegram.wait_for("sendMessage", 2)
    assert sent["text"].startswith("本群设置"), sent["text"]
    # The owner's first words in the group, an announcement with a link, are not an ad.
    notice = "群公告：新版课程表 https://example.org/plan"
    await bot.post_update(make_message_update(notice, sender=OWNER))
    await eventually(bot.settled)
    assert not fake_telegram.called("deleteMessage")


async def test_an_admin_demoted_while_no_update_came_is_a_member_again(bot, fake_telegram):
    fake_telegram.administrators[GROUP_ID] = _admins((OWNER, "creator"), (MOD, "administrator"))
    await _bot_added(bot, fake_telegram)
    await eventually(lambda: _wait_roles(bot, {"222": "owner", "333": "admin"}))
    fake_telegram.administrators[GROUP_ID] = _admins((OWNER, "creator"))
    # The bot's own membership changing asks for a fresh read (no second hello: it was here).
    again = make_chat_member_update(BOT, "left", "administrator", by=OWNER, kind="my_chat_member",
                                    new_rights=RIGHTS)
    again["my_chat_member"]["date"] += 2
    await bot.post_update(again)
    await eventually(lambda: _wait_roles(bot, {"222": "owner", "333": "member"}))
    await bot.post_update(make_message_update("/settings", sender=MOD))
    _, sent = await fake_telegram.wait_for("sendMessage", 2)
    assert sent["text"] == "抱歉，这个命令只有群管理员可以使用。"


async def test_a_failed_read_is_retried_minutes_later_not_hours(bot, fake_telegram):
    fake_telegram.fail_next("getChatAdministrators", Failure(502, "Bad Gateway"))
    fake_telegram.administrators[GROUP_ID] = _admins((MOD, "administrator"))
    await _bot_added(bot, fake_telegram)
    await eventually(lambda: _due_later(bot))
    assert "333" not in await _roles(bot)
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
    assert group.synced_at is None  # never read
    assert timedelta(minutes=4) < group.sync_after - utcnow() <= timedelta(minutes=5)


async def test_a_group_the_bot_left_is_not_read(bot, fake_telegram):
    await _bot_added(bot, fake_telegram)
    await eventually(lambda: _due_later(bot))
    await bot.post_update(
        make_chat_member_update(BOT, "administrator", "left", by=OWNER, kind="my_chat_member")
    )
    await eventually(bot.settled)
    reads = len(fake_telegram.called("getChatAdministrators"))
    async with bot.sessions.begin() as session:
        group = await session.scalar(select(Group))
        assert group.bot_status == "left"
        group.sync_after = None
    await asyncio.sleep(1.0)  # four rounds of the loop
    assert len(fake_telegram.called("getChatAdministrators")) == reads


async def test_what_waits_to_be_sent_to_a_group_the_bot_left_is_called_off(bot, fake_telegram):
    # A greeting waits for the join window to close (3 s); the bot is removed meanwhile, or
    # leaves at the end of a flash group's dissolve: sending it would only fail.
    await _bot_added(bot, fake_telegram)
    await bot.post_update(make_join_update(user(444, "Newbie")))
    await eventually(bot.settled)
    (greeting,) = [row for row in await bot.outbox()
                   if row.kind == "send_message" and row.status == "pending"]
    assert greeting.status == "pending"
    await bot.post_update(
        make_chat_member_update(BOT, "administrator", "kicked", by=OWNER, kind="my_chat_member")
    )
    await eventually(bot.settled)
    rows = {row.id: row for row in await bot.outbox()}
    assert (rows[greeting.id].status, rows[greeting.id].error) == (
        "cancelled", "the bot is no longer in the group (kicked)"
    )


async def _wait_roles(bot, expected: dict[str, str]) -> bool:
    return await _roles(bot) == expected


async def _due_later(bot) -> bool:
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
        return group is not None and group.sync_after is not None


async def test_a_greeting_counts_the_members_the_group_had_before_the_bot(bot, fake_telegram):
    fake_telegram.member_counts[GROUP_ID] = 500
    await _bot_added(bot, fake_telegram)
    await eventually(lambda: _due_later(bot))
    # Update dates are whole seconds: Bob joins in the second after the count was read.
    await bot.post_update(make_join_update(user(444, "Bob"), date=int(time.time()) + 1))
    _, sent = await fake_telegram.wait_for("sendMessage", 2)
    assert "你是本群第 501 位成员" in sent["text"], sent["text"]
    await bot.post_update(make_left_update(user(444, "Bob")))
    await bot.post_update(make_left_update(user(555, "Old member")))
    await bot.post_update(make_join_update(user(666, "Cat"), date=int(time.time()) + 1))
    sent = await fake_telegram.wait_for("sendMessage", 3)
    assert "你是本群第 500 位成员" in sent[2]["text"], sent[2]["text"]


async def test_rights_taken_while_the_bot_was_down_are_told_once_after_a_restart(
    bot, make_settings, fake_telegram
):
    # Regression: the operators heard of a right taken away only from the update announcing
    # it; taken while the bot was down (the update lost), it went untold until something broke.
    await _bot_added(bot, fake_telegram)
    await eventually(lambda: _due_later(bot))
    await eventually(bot.settled)
    await bot.stop()
    fake_telegram.chat_members[(GROUP_ID, BOT_ID)] = admin_member(
        can_restrict_members=False, can_pin_messages=False
    )
    restarted = await BotHarness(make_settings()).start()
    try:
        _, notice = await fake_telegram.wait_for("sendMessage", 2)
        assert notice["chat_id"] == GROUP_ID
        assert notice["text"].startswith("⚠️ 我的管理员权限有变化，现在还缺少：\n"), notice
        assert "· 封禁用户：" in notice["text"] and "· 置顶消息：" in notice["text"]
        assert "删除消息" not in notice["text"]
        # Read again (hours later, or after the next restart), the same rights say nothing.
        await eventually(lambda: _due_later(restarted))
        asked = len(fake_telegram.called("getChatMember"))
        async with restarted.sessions.begin() as session:
            (await session.scalar(select(Group))).sync_after = None
        await eventually(lambda: _due_later(restarted))
        await eventually(restarted.settled)
        assert len(fake_telegram.called("getChatMember")) > asked
        assert len(fake_telegram.called("sendMessage")) == 2
    finally:
        await restarted.close()
