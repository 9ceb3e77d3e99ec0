"""`/schedule` through the webhook: phrases in both languages, list, pause, remove, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from schedules.spec import spec_from_json
from tests.factories import GROUP_ID, OPERATOR_ID, make_message_update, user
from tests.harness import eventually
from tests.schedules.conftest import jobs

OPERATOR = user(OPERATOR_ID, "Op")
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def command(bot, fake_telegram, text: str, sender=OPERATOR) -> str:
    before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update(text, sender=sender))
    sent = await fake_telegram.wait_for("sendMessage", before + 1)
    await eventually(bot.settled)
    return sent[before]["text"]


async def test_chinese_daily_phrase_makes_a_cron_job_for_the_group(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 今天的思维导图")
    (job,) = await jobs(sbot)
    spec = spec_from_json(job.spec)
    assert (spec.kind, spec.hour, spec.minute, spec.tz) == ("cron", "11", "0", "Asia/Shanghai")
    assert job.payload["text"] == "今天的思维导图"
    assert job.enabled and job.group_id is not None
    local = job.next_run_at.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (11, 0)
    assert f"#{job.id}" in reply and "每天 11:00" in reply


async def test_english_weekly_phrase_and_list_in_english(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add every mon,wed 20:00 Weekly AMA")
    (job,) = await jobs(sbot)
    spec = spec_from_json(job.spec)
    assert (spec.day_of_week, spec.hour) == ("mon,wed", "20")
    assert "Scheduled job" in reply
    listing = await command(sbot, fake_telegram, "/schedule list")
    assert f"#{job.id}" in listing and "every Mon,Wed 20:00" in listing
    assert "Weekly AMA" in listing
    assert job.next_run_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in listing


async def test_one_off_and_relative_phrases(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add at 2026-12-01 20:00 Launch")
    await command(sbot, fake_telegram, "/schedule add in 30m Soon")
    launch, soon = await jobs(sbot)
    assert launch.next_run_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    delta = soon.next_run_at - datetime.now(UTC)
    assert timedelta(minutes=28) < delta <= timedelta(minutes=31)


async def test_twelve_at_night_is_the_midnight_that_ends_the_evening(sbot, fake_telegram):
    # 晚上12点 posted at noon every day, and 今晚12点 was today's noon (or "past" after noon).
    daily_reply = await command(sbot, fake_telegram, "/schedule add 每天 晚上12点 晚安")
    before = datetime.now(UTC)
    tonight_reply = await command(sbot, fake_telegram, "/schedule add 今晚12点 晚安")
    daily, tonight = await jobs(sbot)
    assert spec_from_json(daily.spec).hour == "0" and "每天 0:00" in daily_reply
    at = spec_from_json(tonight.spec).at
    local = at.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (0, 0) and before < at <= before + timedelta(days=1)
    assert local.strftime("%Y-%m-%d 00:00") in tonight_reply


async def test_bad_phrase_gets_the_accepted_forms_in_the_group_language(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add sometime soon hello")
    assert "看不懂这个时间" in reply and "每天 11:00" in reply
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add whenever hello")
    assert "I can't read this time" in reply and "every day 11:00" in reply
    assert await jobs(sbot) == []


async def test_time_in_the_past_is_refused(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add 2020-01-01 10:00 too late")
    assert "已经过去" in reply
    assert await jobs(sbot) == []


async def test_missing_text_is_explained(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00")
    assert "内容" in reply
    assert await jobs(sbot) == []


async def test_a_text_longer_than_one_message_is_refused_counting_as_telegram_does(
    sbot, fake_telegram
):
    # Unchecked in chat, a post past Telegram's 4096 UTF-16 units failed at every run; an emoji
    # beyond the BMP counts as two there, so 2049 of them are 4098.
    reply = await command(sbot, fake_telegram, "/schedule add 每天 11:00 " + "😀" * 2049)
    assert "内容太长" in reply and "最多 4096 个字" in reply and "这条有 4098 个" in reply, reply
    assert await jobs(sbot) == []
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add every day 11:00 " + "😀" * 2049)
    assert "too long to post" in reply and "4096 characters at most" in reply, reply
    assert await jobs(sbot) == []
    reply = await command(sbot, fake_telegram, "/schedule add every day 11:00 " + "😀" * 2048)
    (job,) = await jobs(sbot)
    assert job.payload["text"] == "😀" * 2048 and f"#{job.id}" in reply


async def test_pause_resume_remove(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 早安")
    (job,) = await jobs(sbot)
    await command(sbot, fake_telegram, f"/schedule pause {job.id}")
    assert not (await jobs(sbot))[0].enabled
    assert "已暂停" in await command(sbot, fake_telegram, "/schedule list")
    await command(sbot, fake_telegram, f"/schedule resume {job.id}")
    assert (await jobs(sbot))[0].enabled
    reply = await command(sbot, fake_telegram, f"/schedule remove {job.id}")
    assert "已删除" in reply
    assert await jobs(sbot) == []
    assert "没有编号" in await command(sbot, fake_telegram, f"/schedule pause {job.id}")


async def test_ids_are_taken_as_the_bot_writes_them_and_odd_numbers_answered(sbot, fake_telegram):
    # The list and the replies write "#1", but "/schedule pause #1" was "no job #1"; a number
    # too big for the column, or "²" (a digit int() cannot read), crashed: no answer at all.
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 早安")
    (job,) = await jobs(sbot)
    assert "已暂停" in await command(sbot, fake_telegram, f"/schedule pause #{job.id}")
    assert not (await jobs(sbot))[0].enabled
    for odd in ("99999999999999999999", "9223372036854775808", "0"):
        reply = await command(sbot, fake_telegram, f"/schedule run-now {odd}")
        assert reply == f"本群没有编号为 {odd} 的任务。用 /schedule list 查看编号。"
    await command(sbot, fake_telegram, "/countdown in 3h Sale")
    countdown = (await jobs(sbot))[-1].countdown_id
    reply = await command(sbot, fake_telegram, f"/countdown cancel #{countdown}")
    assert reply == f"倒计时 #{countdown} 已取消。"
    assert [job.id for job in await jobs(sbot)] == [job.id]


async def test_a_missing_or_non_numeric_id_gets_the_usage_not_no_job_numbered(
    sbot, fake_telegram
):
    # "/schedule pause" with no id answered "本群没有编号为 ? 的任务", as if a job "?" were missing.
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 早安")
    for sub in ("pause", "resume", "remove", "run-now"):
        for missing in ("", " abc", " #", " ²"):
            reply = await command(sbot, fake_telegram, f"/schedule {sub}{missing}")
            assert reply == (
                f"用法：/schedule {sub} <编号>，例如 /schedule {sub} 3。"
                "用 /schedule list 查看编号。"
            )
    for missing in ("", " soon"):
        reply = await command(sbot, fake_telegram, f"/countdown cancel{missing}")
        assert reply == (
            "用法：/countdown cancel <编号>，例如 /countdown cancel 3。"
            "用 /countdown list 查看编号。"
        )
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule pause")
    assert reply == (
        "Usage: /schedule pause <id>, e.g. /schedule pause 3. See the ids with /schedule list."
    )
    reply = await command(sbot, fake_telegram, "/countdown cancel")
    assert reply == (
        "Usage: /countdown cancel <id>, e.g. /countdown cancel 3. See the ids with /countdown list."
    )
    (job,) = await jobs(sbot)
    assert job.enabled


async def test_durations_beyond_any_calendar_are_answered_not_crashed_on(sbot, fake_telegram):
    # Each overflowed timedelta or the date it was added to: no answer, a traceback in the log.
    for text, answer in (
        ("/schedule add in 99999999d hi", "看不懂这个时间：「in 99999999d hi」"),
        ("/schedule add in 99999999999d hi", "看不懂这个时间：「in 99999999999d hi」"),
        ("/schedule add 每99999999天 hi", "看不懂这个时间：「每99999999天 hi」"),
        ("/schedule add 每天 9:00 hi grace=99999999999d", "宽限时间写法不对：「99999999999d」"),
        ("/countdown in 99999999d Sale", "看不懂截止时间：「in 99999999d Sale」"),
        ("/countdown 2027-01-01 00:00 Sale marks=99999999999d", "提醒点写法不对：「99999999999d」"),
    ):
        assert (await command(sbot, fake_telegram, text)).startswith(answer)
    assert await jobs(sbot) == []


async def test_run_now_posts_once_per_command(sbot, fake_telegram):
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 早安 {group}")
    (job,) = await jobs(sbot)
    await command(sbot, fake_telegram, f"/schedule run-now {job.id}")
    texts = [m["text"] for m in fake_telegram.called("sendMessage")]
    assert "早安 Qunbot Test Group" in texts
    assert [
        m["chat_id"] for m in fake_telegram.called("sendMessage") if m["text"].startswith("早安")
    ] == [GROUP_ID]
    assert (await jobs(sbot))[0].last_run_at is not None


async def test_a_post_written_on_several_lines_is_posted_on_them(sbot, fake_telegram):
    # The options were taken out by splitting the text at every space and newline and joining
    # it again: a morning post written as a title and a list went out as one long line.
    post = "早安！\n今日话题：周末去哪玩\n1. 爬山  2. 看展"
    await command(sbot, fake_telegram, f"/schedule add 每天 9:00 {post} grace=30m")
    (job,) = await jobs(sbot)
    assert job.payload["text"] == post and job.grace_seconds == 1800
    await command(sbot, fake_telegram, f"/schedule run-now {job.id}")
    assert post in [m["text"] for m in fake_telegram.called("sendMessage")]


async def test_members_cannot_schedule(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/schedule add 每天 9:00 hi", sender=user(222))
    assert reply == "抱歉，这个命令只有群管理员可以使用。"
    assert await jobs(sbot) == []


async def test_the_list_says_what_each_job_posts_in_the_groups_language(sbot, fake_telegram):
    # It showed the stored kinds: "→ icebreaker_round", "→ poll", "→ series", "→ digest".
    for phrase in (
        "每天 20:00 破冰",
        "每天 9:00 签到提醒",
        "每天 20:00 签到提醒 交作业啦",
        "每天 12:00 投票：午饭吃什么 | 面 | 饭",
        "每天 22:00 日报",
        "每周一 10:00 inactivity 7d 10",
    ):
        assert "已添加定时任务" in await command(sbot, fake_telegram, f"/schedule add {phrase}")
    await command(sbot, fake_telegram, "/topic schedule 每天 10:00")
    listing = await command(sbot, fake_telegram, "/schedule list")
    shown = [line.split(" → ")[1] for line in listing.splitlines() if " → " in line]
    assert shown == [
        "破冰问答",
        "签到提醒",
        "签到提醒：交作业啦",
        "投票：午饭吃什么",
        "群日报",
        "活跃检查（7 天少于 10 条时提醒）",
        "今日话题",
    ]
    await command(sbot, fake_telegram, "/settings language en")
    listing = await command(sbot, fake_telegram, "/schedule list")
    shown = [line.split(" → ")[1] for line in listing.splitlines() if " → " in line]
    assert shown == [
        "icebreaker round",
        "check-in reminder",
        "check-in reminder: 交作业啦",
        "poll: 午饭吃什么",
        "digest",
        "inactivity check (under 10 messages in 7 days)",
        "topic of the day",
    ]


async def test_an_onboarding_post_says_it_follows_each_join_not_a_time_a_minute_away(
    sbot, fake_telegram
):
    # "入群3天后 欢迎" answered "下次发送：<one minute from now>", the time the bot next looks for
    # members who are due, which read as the welcome going out in a minute.
    reply = await command(sbot, fake_telegram, "/schedule add 入群3天后 欢迎")
    (onboarding,) = await jobs(sbot)
    assert reply == f"已添加定时任务 #{onboarding.id}：入群 3 天后\n每位新成员入群 3 天后发送"
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 早安")
    daily = (await jobs(sbot))[1]
    at = daily.next_run_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert (await command(sbot, fake_telegram, "/schedule list")).splitlines() == [
        "本群的定时任务：",
        f"#{onboarding.id} ▶ 入群 3 天后 → 欢迎",
        "    每位新成员入群 3 天后发送",
        f"#{daily.id} ▶ 每天 9:00 → 早安",
        f"    下次发送：{at}",
    ]
    await command(sbot, fake_telegram, f"/schedule pause {onboarding.id}")
    listing = await command(sbot, fake_telegram, "/schedule list")
    assert listing.splitlines()[1:3] == [
        f"#{onboarding.id} ⏸ 已暂停 入群 3 天后 → 欢迎",
        "    下次发送：无",
    ]
    reply = await command(sbot, fake_telegram, f"/schedule resume {onboarding.id}")
    assert reply == f"任务 #{onboarding.id} 已恢复。每位新成员入群 3 天后发送"
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add 1 day after join Welcome aboard")
    welcome = (await jobs(sbot))[2]
    assert reply == (
        f"Scheduled job #{welcome.id}: 1 day after join\nSent 1 day after each member joins"
    )
    listing = await command(sbot, fake_telegram, "/schedule list")
    assert listing.splitlines()[1:5] == [
        f"#{onboarding.id} ▶ 3 days after join → 欢迎",
        "    Sent 3 days after each member joins",
        f"#{daily.id} ▶ every day 9:00 → 早安",
        f"    Next run: {at}",
    ]


async def test_only_plain_posts_follow_each_join(sbot, fake_telegram):
    # Regression: "入群3天后 日报" was accepted and, not being a post sent member by member,
    # fired at every one-minute sweep: a digest (or poll, or round) a minute in the group.
    for text in (
        "/schedule add 入群3天后 日报",
        "/schedule add 入群3天后 破冰",
        "/schedule add 入群后1天 投票：喜欢哪个？| A | B",
        "/schedule add 入群3天后 签到提醒",
        "/topic schedule 入群3天后",
    ):
        reply = await command(sbot, fake_telegram, text)
        assert reply.startswith("「入群后…」只能用于普通消息"), (text, reply)
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/schedule add 3 days after join digest")
    assert reply.startswith('"... after join" is for plain posts only')
    assert await jobs(sbot) == []
    reply = await command(sbot, fake_telegram, "/schedule add 3 days after join Welcome aboard!")
    (job,) = await jobs(sbot)
    assert job.kind == "post" and f"#{job.id}" in reply


async def test_a_group_moving_timezone_takes_its_daily_posts_along(sbot, fake_telegram):
    # Regression: a group set up on the default zone (Asia/Shanghai) that then set its own
    # kept posting "每天 9:00" at 9:00 in Shanghai, 2 a.m. in Berlin, and nothing said so.
    await command(sbot, fake_telegram, "/schedule add 每天 9:00 早安")
    await command(sbot, fake_telegram, "/schedule add at 2026-12-01 20:00 Launch")
    reply = await command(sbot, fake_telegram, "/settings timezone Europe/Berlin")
    assert reply == (
        "已保存：timezone = Europe/Berlin\n"
        "本群 1 个定时任务改按 Europe/Berlin 的时间运行（/schedule list 查看）"
    )
    daily, launch = await jobs(sbot)
    assert spec_from_json(daily.spec).tz == "Europe/Berlin"
    local = daily.next_run_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.hour, local.minute) == (9, 0)
    assert launch.next_run_at == datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # an instant stays
    listing = await command(sbot, fake_telegram, "/schedule list")
    assert local.strftime("%Y-%m-%d %H:%M") in listing
