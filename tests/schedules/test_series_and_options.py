"""`/series` and the `/schedule add` options through the webhook: a series scheduled in chat
walks its items once per firing and tells the operators at the end; `grace=` and `to=` are
stored on the job; bad input gets the right form back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Group
from schedules.models import SERIES, SeriesItem
from tests.factories import GROUP_ID, make_update, message, user
from tests.harness import eventually
from tests.schedules.conftest import jobs, release_outbox
from tests.schedules.test_schedule_commands import command


async def group_posts(bot, fake_telegram, count: int) -> list[str]:
    await release_outbox(bot)
    sent = await fake_telegram.wait_for("sendMessage", count)
    await eventually(bot.settled)
    return [m["text"] for m in sent]


async def test_a_series_made_in_chat_posts_one_item_per_firing_then_stops(
    sbot, clocked_app, fake_telegram
):
    assert "已新建系列「lessons」" in await command(sbot, fake_telegram, "/series add lessons")
    reply = await command(sbot, fake_telegram, "/series item lessons 第一课：{group}")
    assert "第 1 篇" in reply
    assert "第 2 篇" in await command(sbot, fake_telegram, "/series item lessons 第二课")
    listing = await command(sbot, fake_telegram, "/series list")
    assert "「lessons」 2 篇" in listing
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 series:lessons")
    assert "lessons" in reply and "共 2 篇" in reply and "发完即停" in reply
    (job,) = await jobs(sbot)
    assert job.kind == SERIES and job.payload["loop"] is False
    scheduler = sbot.runtime.scheduler
    before = len(fake_telegram.called("sendMessage"))
    clocked_app.set(job.next_run_at)
    assert await scheduler.fire_due() == 1
    texts = await group_posts(sbot, fake_telegram, before + 1)
    assert texts[before] == "第一课：Qunbot Test Group"
    clocked_app.advance(days=1)
    assert await scheduler.fire_due() == 1
    texts = await group_posts(sbot, fake_telegram, before + 3)
    assert texts[before + 1] == "第二课"
    assert "全部发完" in texts[before + 2] and f"#{job.id} 已停止" in texts[before + 2]
    (job,) = await jobs(sbot)
    assert not job.enabled
    clocked_app.advance(days=1)
    assert await scheduler.fire_due() == 0


async def test_a_looping_series_starts_again(sbot, clocked_app, fake_telegram):
    await command(sbot, fake_telegram, "/series add tips")
    await command(sbot, fake_telegram, "/series item tips only tip")
    reply = await command(sbot, fake_telegram, "/schedule add 每天 9:00 系列:tips 循环")
    assert "发完循环" in reply
    (job,) = await jobs(sbot)
    before = len(fake_telegram.called("sendMessage"))
    clocked_app.set(job.next_run_at)
    await sbot.runtime.scheduler.fire_due()
    clocked_app.advance(days=1)
    await sbot.runtime.scheduler.fire_due()
    texts = await group_posts(sbot, fake_telegram, before + 4)
    assert texts[before:].count("only tip") == 2
    assert "重新开始" in texts[before + 1]
    assert (await jobs(sbot))[0].enabled


async def test_a_series_item_typed_on_the_line_after_its_name_is_added(sbot, fake_telegram):
    # The name ended at a space only: a lesson typed on the line after the series' name was
    # read as part of the name ("没有叫「lessons\n第一课…」的系列"), and so was a subcommand.
    await command(sbot, fake_telegram, "/series add lessons")
    lesson = "第一课：开场\n作业：写三句话"
    reply = await command(sbot, fake_telegram, f"/series item lessons\n{lesson}")
    assert reply == "已添加到系列「lessons」，这是第 1 篇。"
    assert "「lessons」 1 篇" in await command(sbot, fake_telegram, "/series list\n")
    reply = await command(sbot, fake_telegram, "/schedule add\n每天 9:00 series:lessons")
    assert reply.startswith("已添加定时任务")
    (item,) = await sbot.run_sync(lambda s: list(s.scalars(select(SeriesItem))))
    assert item.text == lesson


async def test_series_mistakes_are_explained(sbot, fake_telegram):
    assert "/series add" in await command(sbot, fake_telegram, "/series")
    assert "没有叫「nope」的系列" in await command(sbot, fake_telegram, "/series item nope hi")
    await command(sbot, fake_telegram, "/series add empty")
    assert "已经有叫「empty」" in await command(sbot, fake_telegram, "/series add empty")
    assert "内容是空的" in await command(sbot, fake_telegram, "/series item empty")
    reply = await command(sbot, fake_telegram, "/schedule add 每天 9:00 series:empty")
    assert "还没有内容" in reply
    reply = await command(sbot, fake_telegram, "/schedule add 每天 9:00 series:nope")
    assert "没有叫「nope」的系列" in reply
    assert await jobs(sbot) == []
    refused = await command(sbot, fake_telegram, "/series add mine", sender=user(222))
    assert refused == "抱歉，这个命令只有群管理员可以使用。"


async def test_grace_is_set_in_chat(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 11:00 grace=30m 早安")
    await command(sbot, fake_telegram, "/schedule add 每天 12:00 宽限=不限 午安")
    await command(sbot, fake_telegram, "/schedule add 每天 13:00 下午好")
    thirty, unlimited, default = await jobs(sbot)
    assert (thirty.grace_seconds, thirty.payload["text"]) == (1800, "早安")
    assert (unlimited.grace_seconds, unlimited.payload["text"]) == (None, "午安")
    assert default.grace_seconds == int(timedelta(minutes=10).total_seconds())


async def test_bad_options_show_the_right_form(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 grace=soon hi")
    assert "宽限时间写法不对" in reply and "grace=10m" in reply
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=everyone hi")
    assert "发送对象写法不对" in reply and "to=type:flash" in reply and "to=tag:vip" in reply
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=type:party hi")
    assert "发送对象写法不对" in reply
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add every day 11:00 grace=x hi")
    assert "Bad grace" in reply and "grace=none" in reply
    assert await jobs(sbot) == []


async def test_a_platform_operator_targets_a_type_a_tag_or_listed_groups(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=type:快闪 flash news")
    await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=tag:vip vip news")
    await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=groups:-1001234567890 here")
    flash, vip, listed = await jobs(sbot)
    assert flash.target == {"kind": "flash"} and flash.payload["text"] == "flash news"
    assert vip.target == {"tag": "vip"}
    assert listed.target == {"groups": [listed.group_id]}
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=groups:-999 x")
    assert "这些群我不认识：-999" in reply
    assert len(await jobs(sbot)) == 3


async def test_a_tagged_job_posts_to_every_group_with_the_tag(sessions, service, clock):
    from schedules.spec import Once
    from tests.schedules.test_service import add_group, add_job, outbox

    owner = await add_group(sessions, "-1")
    await add_group(sessions, "-2", tags=["vip", "cn"])
    await add_group(sessions, "-3", tags=["cn"])
    await add_job(
        sessions,
        clock,
        owner,
        Once(at=clock() + timedelta(minutes=5)),
        payload={"text": "for vips"},
        target={"tag": "vip"},
    )
    assert await service.fire_due(clock.advance(minutes=5)) == 1
    assert [(row.chat_key, row.payload["text"]) for row in await outbox(sessions)] == [
        ("-2", "for vips")
    ]


async def test_an_inactivity_reminder_set_in_chat_tells_the_operators(
    sbot, clocked_app, fake_telegram
):
    reply = await command(sbot, fake_telegram, "/schedule add 每天 9:00 活跃检查 7天 10条")
    (job,) = await jobs(sbot)
    assert f"#{job.id}" in reply
    assert job.kind == "inactivity_check"
    assert (job.payload["days"], job.payload["threshold"]) == (7, 10)
    before = len(fake_telegram.called("sendMessage"))
    clocked_app.set(job.next_run_at)
    assert await sbot.runtime.scheduler.fire_due() == 1
    texts = await group_posts(sbot, fake_telegram, before + 1)
    assert "致群管理员" in texts[before] and "低于 10 条" in texts[before]


async def test_an_inactivity_check_over_no_days_or_under_no_messages_is_refused(
    sbot, fake_telegram
):
    # "活跃检查 0天 10条" warned every time (no message fits in no days), and "0条" never did
    # (no count is under 0); both were saved, and listed as if they checked something.
    for text in ("活跃检查 0天 10条", "活跃检查 7天 0条"):
        reply = await command(sbot, fake_telegram, f"/schedule add 每天 9:00 {text}")
        assert reply.startswith("活跃检查要写至少 1 天、至少 1 条")
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add every day 9:00 inactivity 0d 10")
    assert reply.startswith("An inactivity check needs at least 1 day and 1 message")
    assert await jobs(sbot) == []


OTHER_GROUP = -1009876543210


async def in_group(bot, fake_telegram, text: str, sender_id: int, chat_id: int) -> str:
    before = len(fake_telegram.called("sendMessage"))
    sender = user(sender_id, f"Admin{sender_id}")
    await bot.post_update(make_update("message", message(text, chat_id=chat_id, sender=sender)))
    sent = await fake_telegram.wait_for("sendMessage", before + 1)
    await eventually(bot.settled)
    return sent[before]["text"]


async def test_a_groups_own_series_is_closed_to_other_groups_admins(sbot, fake_telegram):
    def two_groups(session):
        for chat_id, admin in ((GROUP_ID, "888"), (OTHER_GROUP, "999")):
            session.add(
                Group(platform="telegram", chat_id=str(chat_id), chat_type="supergroup",
                      settings={"operators": [admin]})
            )

    await sbot.run_sync(two_groups)
    # A group's own admin makes a course for their group; a global operator a shared one.
    assert "已新建" in await in_group(sbot, fake_telegram, "/series add mine", 888, GROUP_ID)
    await in_group(sbot, fake_telegram, "/series item mine 第一课", 888, GROUP_ID)
    await command(sbot, fake_telegram, "/series add shared")
    await command(sbot, fake_telegram, "/series item shared tip one")
    # Another group's admin can neither add to it, nor schedule it, nor see it...
    other = [
        await in_group(sbot, fake_telegram, text, 999, OTHER_GROUP)
        for text in (
            "/series item mine 广告",
            "/schedule add 每天 11:00 series:mine",
            "/series item shared 广告",
        )
    ]
    assert all("属于别的群" in reply for reply in other), other
    reserved = await in_group(sbot, fake_telegram, "/series add topics-zh", 999, OTHER_GROUP)
    assert "留给机器人自带的系列" in reserved
    listing = await in_group(sbot, fake_telegram, "/series list", 999, OTHER_GROUP)
    assert "shared" in listing and "mine" not in listing
    # ...but may schedule the shared one in their own group.
    reply = await in_group(
        sbot, fake_telegram, "/schedule add 每天 11:00 series:shared", 999, OTHER_GROUP
    )
    assert "shared" in reply and "属于" not in reply
    (job,) = await jobs(sbot)
    assert job.kind == SERIES

    def items(session):
        return [i.text for i in session.scalars(select(SeriesItem).order_by(SeriesItem.id))]

    assert await sbot.run_sync(items) == ["第一课", "tip one"]


async def test_tags_set_in_chat_route_a_tagged_job(sbot, clocked_app, fake_telegram):
    assert "tags = vip, 付费" in await command(sbot, fake_telegram, "/settings tags vip，付费")
    assert "标签：vip, 付费" in await command(sbot, fake_telegram, "/settings")
    bad = await command(sbot, fake_telegram, "/settings tags " + "x" * 40)
    assert "每个是不含空格的一个词，最长 32 个字" in bad
    await command(sbot, fake_telegram, "/schedule add 每天 11:00 to=tag:付费 会员专享")
    (job,) = await jobs(sbot)
    before = len(fake_telegram.called("sendMessage"))
    clocked_app.set(job.next_run_at)
    assert await sbot.runtime.scheduler.fire_due() == 1
    texts = await group_posts(sbot, fake_telegram, before + 1)
    assert texts[before] == "会员专享"
    assert "-" in await command(sbot, fake_telegram, "/settings tags none")
    clocked_app.advance(days=1)
    await sbot.runtime.scheduler.fire_due()
    await release_outbox(sbot)
    await eventually(sbot.settled)
    assert len(fake_telegram.called("sendMessage")) == before + 2  # only the "-" reply
