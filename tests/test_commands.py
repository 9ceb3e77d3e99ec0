"""Commands through the webhook: replies, operator rights, the group's language."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Group
from handlers.points_store import PointsEntry
from tests.factories import (
    ANONYMOUS_ADMIN,
    GROUP_ID,
    MEMBER_ID,
    OPERATOR_ID,
    chat,
    make_message_update,
    user,
)
from tests.harness import eventually


async def test_help_lists_member_commands_in_chinese_by_default(bot, fake_telegram):
    await bot.post_update(make_message_update("/help"))
    (sent,) = await fake_telegram.wait_for("sendMessage")
    assert sent["chat_id"] == GROUP_ID
    assert sent["text"].startswith("可用命令")
    assert "/help" in sent["text"]
    assert "/settings" not in sent["text"]


async def test_help_names_the_words_that_work_and_offers_what_the_group_uses(bot, fake_telegram):
    operator = user(OPERATOR_ID, "Op")
    await bot.post_update(make_message_update("/help"))
    await bot.post_update(make_message_update("/settings kind delivery", sender=operator))
    await bot.post_update(make_message_update("/help"))
    general, _, delivery = (m["text"] for m in await fake_telegram.wait_for("sendMessage", 3))
    assert "/checkin (签到, 打卡) — 每日签到领积分" in general.splitlines()
    # Homework is handed in only in delivery groups: elsewhere /help does not offer it.
    assert "/homework" not in general
    assert "/homework — 提交作业打卡" in delivery.splitlines()


async def test_help_follows_an_english_speaker_in_an_auto_language_group(bot, fake_telegram):
    english = user(MEMBER_ID, "Bob", language_code="en")
    await bot.post_update(make_message_update("/help@qunbot_test_bot", sender=english))
    (sent,) = await fake_telegram.wait_for("sendMessage")
    assert sent["text"].startswith("Commands:")


async def test_command_for_another_bot_is_ignored(bot, fake_telegram):
    await bot.post_update(make_message_update("/help@some_other_bot"))
    await eventually(bot.settled)
    assert fake_telegram.called("sendMessage") == []


async def test_member_gets_a_polite_refusal_for_operator_commands(bot, fake_telegram):
    message = make_message_update("/settings language en")
    await bot.post_update(message)
    (sent,) = await fake_telegram.wait_for("sendMessage")
    assert sent["text"] == "抱歉，这个命令只有群管理员可以使用。"
    assert sent["reply_parameters"]["message_id"] == message["message"]["message_id"]
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
    assert group.settings.get("language") is None


async def test_operator_changes_language_and_later_replies_follow_it(bot, fake_telegram):
    operator = user(OPERATOR_ID, "Op")
    await bot.post_update(make_message_update("/settings language en", sender=operator))
    await bot.post_update(make_message_update("/settings timezone Europe/Berlin", sender=operator))
    await bot.post_update(make_message_update("/settings timezone Mars/Olympus", sender=operator))
    await bot.post_update(make_message_update("/settings"))
    sent = await fake_telegram.wait_for("sendMessage", 4)
    assert [m["text"] for m in sent[:2]] == [
        "Saved: language = en",
        "Saved: timezone = Europe/Berlin",
    ]
    assert sent[2]["text"].startswith("Cannot set timezone=Mars/Olympus")
    assert sent[3]["text"] == "Sorry, only the group's operators can use this command."
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
    assert group.settings["language"] == "en"
    assert group.settings["timezone"] == "Europe/Berlin"


async def test_a_region_or_an_overlong_name_as_timezone_is_refused_not_crashed_on(
    bot, fake_telegram
):
    # "Asia" is a folder of the timezone database and a long name no file can have: both
    # raised an OSError the check did not expect, so the operator got no answer at all.
    operator = user(OPERATOR_ID, "Op")
    for value in ("Asia", "Europe", "a" * 300):
        await bot.post_update(make_message_update(f"/settings timezone {value}", sender=operator))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 3)]
    assert all(text.startswith("无法设置 timezone=") for text in sent), sent
    assert "Asia/Shanghai" in sent[0]


async def test_settings_shows_what_its_values_mean_and_where_the_rest_is(bot, fake_telegram):
    # It showed "类型：general" and "语言：auto" in English words, and nothing of how to change
    # them or of the check-in, points, red packet, raid and icebreaker sections.
    operator = user(OPERATOR_ID, "Op")
    for command in ("/settings kind flash", "/settings", "/settings language en", "/settings"):
        await bot.post_update(make_message_update(command, sender=operator))
    _, zh, _, en = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 4)]
    assert "类型：flash — 快闪群（单次活动）\n语言：auto — 跟随发言人，默认中文\n" in zh, zh
    assert zh.endswith(
        "修改：/settings language|timezone|kind|tags <值>\n"
        "更多：/settings checkin|points|redpacket|raid|icebreaker"
    ), zh
    assert "Type: flash — a flash group (one campaign, then closed)\nLanguage: en\n" in en, en
    assert en.endswith("More: /settings checkin|points|redpacket|raid|icebreaker"), en


async def test_group_admin_is_an_operator_once_telegram_says_so(bot, fake_telegram):
    from tests.factories import make_chat_member_update

    admin = user(MEMBER_ID, "Alice")
    fake_telegram.promote(GROUP_ID, admin)
    await bot.post_update(make_chat_member_update(admin, "member", "administrator"))
    await bot.post_update(make_message_update("/settings", sender=admin))
    (sent,) = await fake_telegram.wait_for("sendMessage")
    assert sent["text"].startswith("本群设置")


async def test_an_anonymous_admin_posting_as_the_group_is_an_operator(bot, fake_telegram):
    # Telegram hides who they are behind a placeholder account; only admins can post so.
    await bot.post_update(
        make_message_update("/settings", sender=ANONYMOUS_ADMIN, sender_chat=chat())
    )
    # The same placeholder account without the group as its sender chat is nobody.
    await bot.post_update(make_message_update("/settings", sender=ANONYMOUS_ADMIN))
    first, second = await fake_telegram.wait_for("sendMessage", 2)
    assert first["text"].startswith("本群设置"), first["text"]
    assert second["text"] == "抱歉，这个命令只有群管理员可以使用。"


async def test_operator_command_in_private_chat_says_group_only(bot, fake_telegram):
    operator = user(OPERATOR_ID, "Op")
    await bot.post_update(make_message_update("/settings", chat_id=OPERATOR_ID, sender=operator))
    (sent,) = await fake_telegram.wait_for("sendMessage")
    assert sent["chat_id"] == OPERATOR_ID
    assert sent["text"] == "这个命令只能在群里使用。"


async def test_a_choice_typed_in_capitals_is_the_same_choice(bot, fake_telegram):
    operator = user(OPERATOR_ID, "Op")
    await bot.post_update(make_message_update("/settings kind Flash", sender=operator))
    await bot.post_update(make_message_update("/settings language EN", sender=operator))
    sent = await fake_telegram.wait_for("sendMessage", 2)
    assert [m["text"] for m in sent] == ["已保存：kind = flash", "Saved: language = en"]
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
    assert (group.settings["kind"], group.settings["language"]) == ("flash", "en")


async def test_replies_in_one_chat_keep_arrival_order(bot, fake_telegram):
    operator = user(OPERATOR_ID, "Op")
    kinds = ["general", "flash", "fan", "delivery", "newcomer", "super"]
    for kind in kinds:
        await bot.post_update(make_message_update(f"/settings kind {kind}", sender=operator))
    sent = await fake_telegram.wait_for("sendMessage", len(kinds))
    assert [m["text"] for m in sent] == [f"已保存：kind = {kind}" for kind in kinds]


async def test_an_hour_old_command_replayed_after_downtime_gets_no_answer(bot, fake_telegram):
    import time

    await bot.post_update(make_message_update("/help", date=int(time.time()) - 3600))
    await bot.post_update(make_message_update("/help", date=int(time.time()) - 60))
    await eventually(bot.settled)
    assert len(fake_telegram.called("sendMessage")) == 1


async def test_a_superscript_digit_is_answered_as_no_number_not_crashed_on(bot, fake_telegram):
    # "²" passes str.isdigit but int() refuses it: /welcome cleanup and /code options died
    # with a logged traceback and no answer, and /points gave points to a member "²".
    operator = user(OPERATOR_ID, "Op")
    for text in ("/welcome cleanup ²", "/code new uses=²", "/points add ² 5"):
        await bot.post_update(make_message_update(text, sender=operator))
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 3)]
    await eventually(bot.settled)
    assert sent[0].startswith("欢迎语保留时间需为 60 到 604800 秒")
    assert sent[1] == "uses 的值 ² 无效：需要 1 到 100000 之间的整数。"
    assert sent[2].startswith("用法：/points add|remove")
    async with bot.sessions() as session:
        assert list(await session.scalars(select(PointsEntry))) == []
