"""/template apply <type> through the webhook: a group set up by its type's playbook."""

from __future__ import annotations

import re

import pytest

from bot.db.models import Group
from schedules.models import ScheduledJob
from tests.factories import OPERATOR_ID, make_message_update, user
from tests.handlers.checkin_points_support import rows, texts
from tests.handlers.entry_support import group_settings

OPERATOR = user(OPERATOR_ID, "Op")
MEMBER = user(222, "Alice")


async def test_a_super_user_playbook_sets_entry_and_filter_and_lists_next_steps(
    bot, fake_telegram
):
    await bot.post_update(make_message_update("/filter keyword add 代购", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply super", sender=OPERATOR))
    reply = (await texts(bot, fake_telegram, 2))[1]
    assert reply.startswith("已按「超级用户群（邀请制）」模板设置本群：\nkind = super\n")
    assert "screening.mode = review" in reply and "verification.mode = question" in reply
    steps = ("下一步：\n在群设置 → 邀请链接中开启「需要管理员批准」，入群申请才会交给我审核\n"
             "/rules set <群规>\n/screening questions <问题1> | <问题2>\n/code new")
    assert reply.endswith(steps)
    settings = await group_settings(bot)
    assert settings["kind"] == "super"
    assert settings["screening"]["mode"] == "review"
    assert (settings["verification"]["enabled"], settings["verification"]["mode"]) == (
        True,
        "question",
    )
    # What the playbook does not name is kept: the operator's own keyword stays.
    assert settings["adfilter"]["new_member_messages"] == 5
    assert settings["adfilter"]["keywords"] == ["代购"]


async def test_another_playbook_changes_only_its_own_settings(bot, fake_telegram):
    await bot.post_update(make_message_update("/template apply super", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply fan", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply delivery", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, 4)
    fan = sent[1]
    assert fan.startswith("已按「粉丝群」模板设置本群：\n")
    assert "redpacket.rounds = 3" in fan and fan.endswith("/redpacket 100 10")
    assert sent[3].startswith("Set up as a delivery (course/service) group:\nkind = delivery\n")
    settings = await group_settings(bot)
    assert settings["kind"] == "delivery" and settings["redpacket"]["rounds"] == 3
    assert settings["screening"]["mode"] == "review"  # fan says nothing about entry


async def test_the_flash_playbook_is_named_a_flash_group_not_a_flash_sale(bot, fake_telegram):
    # "flash" (快闪群) is a group for one campaign, dissolved at its end; its playbook was
    # announced as "秒杀群" / "a flash-sale group", a kind of promotion, not of group.
    await bot.post_update(make_message_update("/template apply flash", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply flash", sender=OPERATOR))
    zh, _, en = await texts(bot, fake_telegram, 3)
    assert zh.startswith("已按「快闪群（单次活动）」模板设置本群：\nkind = flash\n")
    assert en.startswith("Set up as a flash group (one campaign, then closed):\nkind = flash\n")


async def test_types_are_taken_by_their_chinese_names_too(bot, fake_telegram):
    # /schedule took "to=type:快闪"; /template apply 快闪 and /settings kind 铁粉 answered
    # with the usage.
    await bot.post_update(make_message_update("/template apply 快闪群", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings kind 铁粉", sender=OPERATOR))
    applied, saved = await texts(bot, fake_telegram, 2)
    assert applied.startswith("已按「快闪群（单次活动）」模板设置本群：\nkind = flash\n")
    assert saved == "已保存：kind = 铁粉"
    assert (await group_settings(bot))["kind"] == "fan"


async def test_every_type_is_taken_by_the_name_the_bot_gives_it(bot, fake_telegram):
    # The bot announces the fan type as 「粉丝群」 (and /settings shows "fan — 粉丝群"), yet
    # `/template apply 粉丝群` answered with the usage: only 铁粉 was known.
    await bot.post_update(make_message_update("/template apply 粉丝群", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings kind 新人", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings kind 粉丝", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply super-user", sender=OPERATOR))
    applied, _, saved, superuser = await texts(bot, fake_telegram, 4)
    assert applied.startswith("已按「粉丝群」模板设置本群：\nkind = fan\n"), applied
    assert saved == "已保存：kind = 粉丝"
    assert superuser.startswith("已按「超级用户群（邀请制）」模板设置本群：\nkind = super\n")
    assert (await group_settings(bot))["kind"] == "super"


async def test_a_group_that_is_no_longer_a_flash_group_hears_its_countdown_still_ends_it(
    bot, fake_telegram
):
    # The flash playbook's next step makes a countdown that dissolves the group; an operator
    # who then set the group up as a fan group heard nothing of it, and every member would
    # have been removed at its deadline.
    await bot.post_update(make_message_update("/template apply flash", sender=OPERATOR))
    await bot.post_update(make_message_update(
        "/countdown 2099-12-01 20:00 活动结束 end=dissolve", sender=OPERATOR
    ))
    await bot.post_update(make_message_update(
        "/countdown 2099-11-30 20:00 预热 end=close", sender=OPERATOR
    ))
    await bot.post_update(make_message_update("/countdown 2099-11-29 20:00 揭晓", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply fan", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply flash", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, 6)
    fan, flash = sent[4], sent[5]
    ends = {job.payload["end"]: job.countdown_id
            for job in await rows(bot, ScheduledJob, ScheduledJob.kind == "countdown_end")}
    assert fan.endswith(
        "/redpacket 100 10\n"
        f"⚠️ 倒计时 #{ends['close']} 仍会在 2099-11-30 20:00 结束时全员禁言："
        f"不需要的话 /countdown cancel {ends['close']}\n"
        f"⚠️ 倒计时 #{ends['dissolve']} 仍会在 2099-12-01 20:00 结束时移出全部成员并解散："
        f"不需要的话 /countdown cancel {ends['dissolve']}"
    ), fan
    assert "揭晓" not in fan  # one that only announces its end harms no one
    assert "⚠️" not in flash  # a flash group is meant to end so


async def test_unknown_types_and_members_are_refused(bot, fake_telegram):
    await bot.post_update(make_message_update("/template apply party", sender=OPERATOR))
    await bot.post_update(make_message_update("/template apply fan", sender=MEMBER))
    usage, refusal = await texts(bot, fake_telegram, 2)
    assert usage == "用法：/template apply <类型>，类型：general|flash|newcomer|super|delivery|fan"
    assert refusal == "抱歉，这个命令只有群管理员可以使用。"
    assert (await group_settings(bot)).get("kind", "general") == "general"


async def test_the_changes_are_named_as_settings_takes_them(bot, fake_telegram):
    # The fan playbook listed "points.activity_enabled = True": copied back as
    # `/settings points.activity_enabled off`, it was refused as an unknown setting.
    await bot.post_update(make_message_update("/template apply fan", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings points.activity off", sender=OPERATOR))
    applied, saved = await texts(bot, fake_telegram, 2)
    assert "\npoints.activity = on\n" in applied and "welcome.enabled = on" in applied
    assert "True" not in applied
    assert saved == "已保存：points.activity = off"


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_next_step_works_as_the_bot_writes_it(bot, fake_telegram, lang):
    # The steps were Chinese in an English group ("/schedule add 每天 20:00 签到提醒 交作业啦"
    # posted a Chinese reminder there); each one without a <placeholder> is sent back as is.
    await bot.post_update(make_message_update(f"/settings language {lang}", sender=OPERATOR))
    sent = 1
    heading = "下一步：\n" if lang == "zh" else "Next steps:\n"
    for kind in ("flash", "newcomer", "super", "delivery", "fan"):
        await bot.post_update(make_message_update(f"/template apply {kind}", sender=OPERATOR))
        sent += 1
        applied = (await texts(bot, fake_telegram, sent))[-1]
        steps = applied.split(heading)[1].splitlines()
        for step in steps:
            if not step.startswith("/"):  # done in the app: nothing to send, but in its language
                assert (lang == "zh") == bool(re.search("[\u4e00-\u9fff]", step)), step
                continue
            if "<" in step:  # completed with the operator's own words, in their language
                assert lang == "en" or not re.search("<[A-Za-z]", step), step
                continue
            await bot.post_update(make_message_update(step, sender=OPERATOR))
            sent += 1
            reply = (await texts(bot, fake_telegram, sent))[-1]
            assert not reply.startswith(("用法", "Usage", "看不懂", "Cannot")), (step, reply)
    jobs = await rows(bot, ScheduledJob)
    texts_of = [job.payload.get("text", "") for job in jobs]
    assert [job.kind for job in jobs] == [
        "icebreaker_round",
        "checkin_reminder",
        "checkin_reminder",
        "digest",
        "icebreaker_round",
    ]
    assert len(jobs) == 5  # newcomer 2, delivery 2, fan 1
    (group,) = await rows(bot, Group)
    assert group.settings["language"] == lang
    assert texts_of[2] == ("交作业啦" if lang == "zh" else "Homework is due today!")
