"""What the bot says of itself: on being added to a group, and to /help."""

from __future__ import annotations

from tests.factories import GROUP_ID, make_chat_member_update, make_migrate_update, user
from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME, admin_member
from tests.handlers.checkin_points_support import quiet, texts

OWNER = user(222, "Owner")
ENGLISH_OWNER = user(222, "Owner", language_code="en")
BOT = {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot", "username": BOT_USERNAME}
RIGHTS = {key: value for key, value in admin_member().items() if key.startswith("can_")}


def added(new: str, by: dict = OWNER, chat_id: int = -1001234567890, **rights: bool):
    granted = {**RIGHTS, **rights} if new == "administrator" else None
    return make_chat_member_update(
        BOT, "left", new, by=by, kind="my_chat_member", new_rights=granted, chat_id=chat_id
    )


async def test_added_as_a_member_the_bot_asks_to_be_an_admin_and_names_the_next_step(
    bot, fake_telegram
):
    # It said nothing at all: the operator had no word of the rights it needs, of privacy
    # mode, or of where to start.
    await bot.post_update(added("member"))
    (hello,) = await texts(bot, fake_telegram, 1)
    assert "请把我设为管理员" in hello
    assert "删除消息、封禁用户、邀请用户、置顶消息" in hello
    assert "隐私模式" in hello and "/setprivacy" in hello
    assert "/template apply" in hello and "/help" in hello


async def test_added_as_an_admin_it_names_only_the_rights_it_lacks(bot, fake_telegram):
    await bot.post_update(added("administrator", ENGLISH_OWNER, can_pin_messages=False))
    (hello,) = await texts(bot, fake_telegram, 1)
    assert "I still lack these admin rights: Pin messages." in hello, hello
    assert "Delete messages" not in hello and "privacy" not in hello
    assert "/template apply <type>" in hello
    assert "general|flash|newcomer|super|delivery|fan" in hello


async def test_added_with_every_right_it_only_points_to_the_next_step(bot, fake_telegram):
    await bot.post_update(added("administrator"))
    (hello,) = await texts(bot, fake_telegram, 1)
    assert "权限" not in hello and "隐私模式" not in hello, hello
    assert "/template apply" in hello


async def test_a_promotion_while_in_the_group_says_nothing(bot, fake_telegram):
    await bot.post_update(added("member"))
    await texts(bot, fake_telegram, 1)
    await bot.post_update(
        make_chat_member_update(BOT, "member", "administrator", by=OWNER, kind="my_chat_member",
                                new_rights=RIGHTS)
    )
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1


async def test_a_group_turned_supergroup_is_not_greeted_again(bot, fake_telegram):
    # Telegram announces the upgrade as the bot joining the new chat: the same group, the
    # same operators, who had heard the hello already.
    old, new = -4518810793, -1002471352452
    await bot.post_update(added("administrator", chat_id=old))
    await texts(bot, fake_telegram, 1)
    await bot.post_update(make_migrate_update(old, new))
    await quiet(bot)
    joined = added("administrator", chat_id=new)
    joined["my_chat_member"]["date"] += 2  # the upgrade comes later than the bot's arrival
    await bot.post_update(joined)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1


def promoted(old: str = "member", by: dict = OWNER, **rights: bool) -> dict:
    return make_chat_member_update(BOT, old, "administrator", by=by, kind="my_chat_member",
                                   new_rights={**RIGHTS, **rights})


async def test_a_promotion_still_short_of_rights_names_them_once_with_what_stops(
    bot, fake_telegram
):
    # Promoted without the right to delete or pin, the bot said nothing: the operators learnt
    # of it only when ads stayed up.
    await bot.post_update(added("member"))
    await texts(bot, fake_telegram, 1)
    # Telegram's own answer agrees with the update, as the leader's group sync reads it too.
    fake_telegram.chat_members[(GROUP_ID, BOT_ID)] = admin_member(
        can_delete_messages=False, can_pin_messages=False)
    await bot.post_update(promoted(can_delete_messages=False, can_pin_messages=False))
    (_, notice) = await texts(bot, fake_telegram, 2)
    assert notice.startswith("⚠️ 我的管理员权限有变化，现在还缺少：\n"), notice
    assert "· 删除消息：无法删除广告" in notice and "· 置顶消息：无法置顶倒计时" in notice
    assert "封禁用户" not in notice and "邀请用户" not in notice
    # Telegram repeats the bot's membership for changes of rights it does not use: no news.
    await bot.post_update(
        promoted("administrator", can_delete_messages=False, can_pin_messages=False)
    )
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 2


async def test_a_right_taken_away_later_is_told_in_the_groups_language(bot, fake_telegram):
    await bot.post_update(added("administrator", ENGLISH_OWNER))
    await texts(bot, fake_telegram, 1)
    await bot.post_update(promoted("administrator", ENGLISH_OWNER, can_restrict_members=False))
    (_, notice) = await texts(bot, fake_telegram, 2)
    assert notice.startswith("⚠️ My admin rights changed, and I still lack:\n"), notice
    assert "· Ban users: I cannot hold newcomers for verification (it pauses)" in notice
    assert "Delete messages" not in notice
    # Given back: nothing is missing, nothing to say.
    await bot.post_update(promoted("administrator", ENGLISH_OWNER))
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 2


async def test_the_hello_says_what_stops_without_each_missing_right(bot, fake_telegram):
    await bot.post_update(added("administrator", ENGLISH_OWNER, can_pin_messages=False))
    (hello,) = await texts(bot, fake_telegram, 1)
    assert "· Pin messages: I cannot pin countdowns" in hello, hello
