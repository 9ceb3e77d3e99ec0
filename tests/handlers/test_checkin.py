"""Check-ins through the webhook: once per local day, streaks, day boundaries, races, homework."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Group, Member, OutboxAction
from handlers.checkin import record_checkin
from handlers.points_config import CheckinConfig
from handlers.points_store import Checkin, HomeworkSubmission, PointsEntry
from tests.factories import (
    ANONYMOUS_ADMIN,
    GROUP_ID,
    MEMBER_ID,
    OPERATOR_ID,
    channel,
    chat,
    make_channel_message_update,
    make_message_update,
    make_update,
    message,
    user,
)
from tests.fakes.telegram_api import BOT_USERNAME
from tests.handlers.checkin_points_support import db, rows, texts
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice")


def ts(iso: str) -> int:
    """Epoch seconds of a UTC instant, as the Bot API's `date` field carries it."""
    return int(datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp())


async def configure(bot, fake_telegram, *commands: str) -> int:
    """Operator `/settings ...` commands; returns how many replies they produced."""
    for command in commands:
        await bot.post_update(make_message_update(f"/settings {command}", sender=OPERATOR))
    await texts(bot, fake_telegram, len(commands))
    return len(commands)


async def set_section(bot, name: str, values: dict) -> None:
    def write(session) -> None:
        group = session.scalar(select(Group))
        session.execute(update(Group).values(settings={**(group.settings or {}), name: values}))

    await db(bot, write)


async def cleanup_delays(bot) -> list[float]:
    """Seconds after which each reply sent so far deletes itself, in order."""
    follow_ups = await rows(bot, OutboxAction, OutboxAction.kind == "delete_message")
    return [(r.next_attempt_at - r.created_at).total_seconds() for r in follow_ups]


async def test_check_in_replies_clean_themselves_up_after_the_groups_time(bot, fake_telegram):
    # Every check-in's answer stayed in the group for good: a day's check-ins read as a wall of
    # "签到成功" between the members' words.
    await bot.post_update(make_message_update("签到", sender=ALICE))
    await texts(bot, fake_telegram, 1)
    (delay,) = await cleanup_delays(bot)
    assert 599 <= delay <= 601  # ten minutes by default
    replies = await settings_replies(
        bot, fake_telegram, "checkin.cleanup 120", "checkin.cleanup 30"
    )
    assert replies == [
        "已保存：checkin.cleanup = 120",
        "无法设置 checkin.cleanup=30：要在 60 到 604800 之间",
    ]
    await bot.post_update(make_message_update("/checkin", sender=user(MEMBER_ID + 1, "Bob")))
    await texts(bot, fake_telegram, 4)
    assert 119 <= (await cleanup_delays(bot))[-1] <= 121
    assert await settings_replies(bot, fake_telegram, "checkin.cleanup off") == [
        "已保存：checkin.cleanup = off"
    ]
    await bot.post_update(make_message_update("打卡", sender=user(MEMBER_ID + 2, "Carol")))
    await texts(bot, fake_telegram, 6)
    assert len(await cleanup_delays(bot)) == 2  # kept for good, as before


async def settings_replies(bot, fake_telegram, *commands: str) -> list[str]:
    """The bot's answers to operator `/settings ...` commands, in order."""
    before = len(fake_telegram.called("sendMessage"))
    for command in commands:
        await bot.post_update(make_message_update(f"/settings {command}", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, before + len(commands))
    return sent[before:]


async def test_second_checkin_of_the_day_is_friendly_and_earns_nothing(bot, fake_telegram):
    await bot.post_update(make_message_update("/checkin", date=ts("2026-11-20T02:00:00")))
    await bot.post_update(make_message_update("签到", date=ts("2026-11-20T09:00:00")))
    first, second = await texts(bot, fake_telegram, 2)
    assert first == "签到成功！+10 积分\n连续签到 1 天，总积分 10"
    assert second == "今天已经签到过啦，明天再来～\n连续签到 1 天，总积分 10"
    assert len(await rows(bot, Checkin)) == 1
    assert [entry.delta for entry in await rows(bot, PointsEntry)] == [10]


async def test_local_midnight_in_shanghai_starts_a_new_day(bot, fake_telegram):
    # 15:59:30 UTC is 23:59:30 in Shanghai; one minute later it is the next day there.
    await bot.post_update(make_message_update("打卡", date=ts("2026-11-20T15:59:30")))
    await bot.post_update(make_message_update("打卡", date=ts("2026-11-20T16:00:30")))
    await bot.post_update(make_message_update("打卡", date=ts("2026-11-20T23:59:00")))
    sent = await texts(bot, fake_telegram, 3)
    assert sent[0].startswith("签到成功！+10 积分")
    assert sent[1] == "签到成功！+12 积分\n连续签到 2 天，总积分 22"
    assert sent[2].startswith("今天已经签到过啦")
    days = [row.local_date for row in await rows(bot, Checkin)]
    assert days == [date(2026, 11, 20), date(2026, 11, 21)]


async def test_the_same_instants_are_one_day_in_london(bot, fake_telegram):
    replies = await configure(bot, fake_telegram, "timezone Europe/London", "language en")
    await bot.post_update(make_message_update("/checkin", date=ts("2026-11-20T15:59:30")))
    await bot.post_update(make_message_update("/checkin", date=ts("2026-11-20T16:00:30")))
    await bot.post_update(make_message_update("/checkin", date=ts("2026-11-20T23:59:59")))
    await bot.post_update(make_message_update("/checkin", date=ts("2026-11-21T00:00:01")))
    sent = (await texts(bot, fake_telegram, replies + 4))[replies:]
    assert sent[0] == "Checked in! +10 points\nDays in a row: 1, total: 10 points"
    assert sent[1].startswith("You have already checked in today")
    assert sent[2].startswith("You have already checked in today")
    assert sent[3] == "Checked in! +12 points\nDays in a row: 2, total: 22 points"
    days = [row.local_date for row in await rows(bot, Checkin)]
    assert days == [date(2026, 11, 20), date(2026, 11, 21)]


async def test_streak_bonus_grows_to_its_cap_and_a_missed_day_resets_it(bot, fake_telegram):
    for day in (1, 2, 3, 4, 5, 6, 7, 9):
        stamp = ts(f"2026-11-{day:02d}T04:00:00")
        await bot.post_update(make_message_update("签到", date=stamp))
    await texts(bot, fake_telegram, 8)
    checkins = await rows(bot, Checkin)
    assert [c.streak for c in checkins] == [1, 2, 3, 4, 5, 6, 7, 1]
    # 10 base + 2 per earlier day in the streak, the bonus capped at 10.
    assert [c.points for c in checkins] == [10, 12, 14, 16, 18, 20, 20, 10]


async def test_concurrent_checkins_of_one_member_count_once(bot, fake_telegram):
    at = ts("2026-11-20T04:00:00")
    await asyncio.gather(
        bot.post_update(make_message_update("/checkin", date=at)),
        bot.post_update(make_message_update("签到", date=at + 1)),
    )
    sent = await texts(bot, fake_telegram, 2)
    assert sorted(text[:4] for text in sent) == ["今天已经", "签到成功"]
    assert len(await rows(bot, Checkin)) == 1
    assert len(await rows(bot, PointsEntry, PointsEntry.reason == "checkin")) == 1


async def test_racing_transactions_are_stopped_by_the_unique_day_row(database_url):
    # Two replicas each read "not checked in yet" and insert: the UNIQUE row decides.
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        group = Group(platform="telegram", chat_id="-100", chat_type="supergroup", settings={})
        session.add(group)
    at = datetime(2026, 11, 20, 4, tzinfo=UTC)

    async def attempt():
        async with sessions.begin() as session:
            return await record_checkin(
                session, group.id, "222", at, ZoneInfo("Asia/Shanghai"), CheckinConfig()
            )

    outcomes = await asyncio.gather(attempt(), attempt())
    assert sorted(outcome.new for outcome in outcomes) == [False, True]
    async with sessions() as session:
        assert len(list(await session.scalars(select(Checkin)))) == 1
        assert len(list(await session.scalars(select(PointsEntry)))) == 1
    await engine.dispose()


async def test_operators_add_their_own_checkin_words(bot, fake_telegram):
    replies = await configure(bot, fake_telegram, "language zh")
    await set_section(bot, "checkin", {"extra_keywords": ["报到"], "base_points": 3})
    await bot.post_update(make_message_update("报到", date=ts("2026-11-20T04:00:00")))
    sent = await texts(bot, fake_telegram, replies + 1)
    assert sent[replies].startswith("签到成功！+3 积分")


async def test_check_in_words_count_with_punctuation_emoji_or_another_case(bot, fake_telegram):
    replies = await configure(bot, fake_telegram, "language zh")
    await set_section(bot, "checkin", {"extra_keywords": ["Present"]})
    days = ("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23")
    for day, said in zip(days, ("签到！", "打卡✅", " 签到~ ", "present!"), strict=True):
        await bot.post_update(make_message_update(said, date=ts(f"{day}T04:00:00")))
    sent = (await texts(bot, fake_telegram, replies + 4))[replies:]
    assert all(text.startswith("签到成功！") for text in sent), sent
    assert sent[-1].startswith("签到成功！+") and "连续签到 4 天" in sent[-1]
    # A sentence that mentions the word is chat, not a check-in.
    await bot.post_update(make_message_update("今天忘了签到了", date=ts("2026-11-24T04:00:00")))
    await eventually(bot.settled)
    assert len(await rows(bot, Checkin)) == 4


async def test_check_in_said_as_done_with_a_particle_checks_in(bot, fake_telegram):
    # "打卡了", "签到啦" and "已签到" are how members say they check in; they got no answer,
    # no points, and the streak broke, as did the group's own words said the same way.
    replies = await configure(bot, fake_telegram, "checkin.keywords 报到")
    said = ("打卡了", "签到啦！", "已签到", "已经打卡了~", "报到了")
    for day, text in enumerate(said, start=20):
        await bot.post_update(make_message_update(text, date=ts(f"2026-11-{day}T04:00:00")))
    sent = (await texts(bot, fake_telegram, replies + len(said)))[replies:]
    assert all(text.startswith("签到成功！") for text in sent), sent
    assert "连续签到 5 天" in sent[-1]
    # Like 签到, they are no chat: they do not take a newcomer out of the ad filter's window.
    (alice,) = await rows(bot, Member, Member.user_id == str(MEMBER_ID))
    assert alice.message_count == 0
    # Questions and sentences about checking in are still chat.
    for text in ("签到了吗", "今天忘了签到了", "打卡了没有"):
        await bot.post_update(make_message_update(text, date=ts("2026-11-25T04:00:00")))
    await eventually(bot.settled)
    assert len(await rows(bot, Checkin)) == 5
    assert len(fake_telegram.called("sendMessage")) == replies + len(said)


async def test_english_full_width_and_addressed_check_in_words_check_in(bot, fake_telegram):
    # Regression: English groups' "checkin", "／checkin" from a Chinese keyboard (no command
    # for Telegram) and "@bot 签到" were chat: no answer, no points, the streak broke.
    replies = await configure(bot, fake_telegram, "language zh")
    said = (
        "checkin", "Check in!", "check-in", "Checked in", "／checkin",
        f"@{BOT_USERNAME} 签到", f"签到 @{BOT_USERNAME}",
    )
    for day, text in enumerate(said, start=10):
        await bot.post_update(make_message_update(text, date=ts(f"2026-11-{day}T04:00:00")))
    sent = (await texts(bot, fake_telegram, replies + len(said)))[replies:]
    assert all(text.startswith("签到成功！") for text in sent), sent
    assert "连续签到 7 天" in sent[-1]
    (alice,) = await rows(bot, Member, Member.user_id == str(MEMBER_ID))
    assert alice.message_count == 0
    # Sentences, questions and a check-in word said to someone else stay chat.
    chat_lines = (
        "checkin desk is closed", "Check in at the front desk", "打卡机坏了", "签到了吗",
        "@alice 签到", "打卡 Day 3 今天读完了第三章",
    )
    for text in chat_lines:
        await bot.post_update(make_message_update(text, date=ts("2026-11-20T04:00:00")))
    await eventually(bot.settled)
    assert len(await rows(bot, Checkin)) == len(said)
    assert len(fake_telegram.called("sendMessage")) == replies + len(said)


async def test_a_check_in_word_opening_a_report_checks_in_in_a_delivery_group(
    bot, fake_telegram
):
    # Regression: in study groups members check in with what they did ("打卡 Day 3 今天读完了
    # 第三章"), and got no answer, no points, and a broken streak.
    replies = await configure(bot, fake_telegram, "kind delivery", "language zh")
    said = (
        "打卡 Day 3 今天读完了第三章",
        "签到：今天的练习做完了",
        "打卡了，今天完成了第四章",
        "Check-in: read chapter 5\nand did the quiz",
        "checkin ✅ chapter 6",
        f"@{BOT_USERNAME} 打卡 第七章",
    )
    for day, text in enumerate(said, start=10):
        await bot.post_update(make_message_update(text, date=ts(f"2026-11-{day}T04:00:00")))
    sent = (await texts(bot, fake_telegram, replies + len(said)))[replies:]
    assert all(text.startswith("签到成功！") for text in sent), sent
    assert "连续签到 6 天" in sent[-1]
    # A word run into a sentence, an English word followed by more words, and a question
    # about checking in are chat.
    chat_lines = (
        "打卡机坏了", "签到表在哪里", "checkin desk is closed", "Check in at the front desk",
        "签到 在哪里？", "打卡 要交照片吗", "签到了吗",
    )
    for text in chat_lines:
        await bot.post_update(make_message_update(text, date=ts("2026-11-20T04:00:00")))
    await eventually(bot.settled)
    assert len(await rows(bot, Checkin)) == len(said)
    assert len(fake_telegram.called("sendMessage")) == replies + len(said)


async def test_a_check_in_report_is_kept_with_the_homework_for_operators(bot, fake_telegram):
    # Regression: "打卡 Day 3 今天读完了第三章" checked in, and the report itself was lost:
    # operators following the course saw it neither in /homework list nor anywhere else.
    replies = await configure(bot, fake_telegram, "kind delivery", "language zh")
    bob, carol = user(333, "Bob"), user(444, "Carol")
    await bot.post_update(make_message_update("打卡 Day 3 今天读完了第三章\n笔记见相册"))
    await bot.post_update(make_message_update("Check-in: read chapter 5", sender=bob))
    await bot.post_update(make_message_update("打卡", sender=carol))  # no report to keep
    await bot.post_update(make_message_update("/homework list", sender=OPERATOR))
    await bot.post_update(make_message_update("/me"))
    sent = (await texts(bot, fake_telegram, replies + 5))[replies:]
    assert all(text.startswith("签到成功！+10 积分") for text in sent[:3]), sent
    submissions = await rows(bot, HomeworkSubmission)
    assert sent[3] == (
        f"今日（{submissions[0].local_date.isoformat()}）作业提交：2 份，来自 2 位成员。\n"
        "Alice：Day 3 今天读完了第三章\nBob：read chapter 5"
    )
    assert sent[4].endswith("\n作业和打卡记录：1 份")
    assert [(s.user_id, s.text, s.points) for s in submissions] == [
        (str(MEMBER_ID), "Day 3 今天读完了第三章\n笔记见相册", 0), ("333", "read chapter 5", 0),
    ]
    # The check-in pays for the message; the report earns no homework points besides.
    assert await rows(bot, PointsEntry, PointsEntry.reason == "homework") == []


async def test_an_emoji_check_in_word_is_that_emoji_not_every_emoji(bot, fake_telegram):
    # With "✅" as the group's check-in word, "👍" checked in and every later "..." was answered
    # "already checked in": punctuation and emoji were stripped from both, leaving "" == "".
    replies = await configure(bot, fake_telegram, "checkin.keywords ✅")
    for said in ("👍", "...", "？"):
        await bot.post_update(make_message_update(said, date=ts("2026-11-20T04:00:00")))
    await eventually(bot.settled)
    assert await rows(bot, Checkin) == []
    assert len(fake_telegram.called("sendMessage")) == replies
    await bot.post_update(make_message_update(" ✅ ", date=ts("2026-11-20T04:01:00")))
    assert (await texts(bot, fake_telegram, replies + 1))[-1].startswith("签到成功！")


async def test_homework_earns_points_once_a_day_and_every_submission_is_kept(bot, fake_telegram):
    replies = await configure(bot, fake_telegram, "kind delivery")
    await bot.post_update(
        make_message_update("/homework 第一课笔记", date=ts("2026-11-20T04:00:00"))
    )
    photo = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
    await bot.post_update(
        make_message_update(
            None, date=ts("2026-11-20T05:00:00"), photo=photo, caption="今天的作业 #homework"
        )
    )
    await bot.post_update(make_message_update("/homework list"))
    await bot.post_update(make_message_update("/homework list", sender=OPERATOR))
    sent = (await texts(bot, fake_telegram, replies + 4))[replies:]
    assert sent[0] == "作业已收到！+20 积分，总积分 20"
    assert sent[1] == "作业已收到（今天的作业积分已领取过）。"
    assert sent[2] == "抱歉，这个命令只有群管理员可以使用。"
    submissions = await rows(bot, HomeworkSubmission)
    assert [(s.text, s.has_photo, s.points) for s in submissions] == [
        ("第一课笔记", False, 20),
        ("今天的作业 #homework", True, 0),
    ]
    assert all(s.message_id for s in submissions)
    assert len(await rows(bot, PointsEntry, PointsEntry.reason == "homework")) == 1


async def test_a_homework_tag_typed_in_full_width_marks_the_photo(bot, fake_telegram):
    # Regression: a Chinese keyboard types "＃homework" (and "／homework"); such a photo got
    # no receipt and no record.
    replies = await configure(bot, fake_telegram, "kind delivery")
    photo = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
    for caption in ("＃ＨＯＭＥＷＯＲＫ day1", "／homework day2"):
        await bot.post_update(make_message_update(None, photo=photo, caption=caption))
    sent = (await texts(bot, fake_telegram, replies + 2))[replies:]
    assert sent == ["作业已收到！+20 积分，总积分 20", "作业已收到（今天的作业积分已领取过）。"]
    submissions = await rows(bot, HomeworkSubmission)
    assert [s.text for s in submissions] == ["＃ＨＯＭＥＷＯＲＫ day1", "day2"]


async def test_homework_typed_on_the_line_after_the_command_is_handed_in(bot, fake_telegram):
    # Telegram ends a command at any whitespace; we ended it at a space only, so homework typed
    # on the next line made a command named "homework\n第一题..." that nothing answered: no
    # receipt, no points, nothing stored.
    replies = await configure(bot, fake_telegram, "kind delivery")
    await bot.post_update(make_message_update("/homework\n第一题：三句话\n第二题：画图"))
    (sent,) = (await texts(bot, fake_telegram, replies + 1))[replies:]
    assert sent == "作业已收到！+20 积分，总积分 20"
    (submission,) = await rows(bot, HomeworkSubmission)
    assert submission.text == "第一题：三句话\n第二题：画图"


async def test_a_homework_tag_added_by_editing_the_caption_hands_the_work_in_once(
    bot, fake_telegram
):
    # Members post their work and then notice the missing tag: editing "#homework" into the
    # caption got no receipt, no record and no points, and they had to post the work again.
    replies = await configure(bot, fake_telegram, "kind delivery")
    photo = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
    posted = message(None, photo=photo, caption="第三课练习", date=ts("2026-11-20T04:00:00"))
    await bot.post_update(make_update("message", posted))
    edit = {**posted, "caption": "第三课练习 #homework", "edit_date": ts("2026-11-20T04:02:00")}
    await bot.post_update(make_update("edited_message", edit))
    (sent,) = (await texts(bot, fake_telegram, replies + 1))[replies:]
    assert sent == "作业已收到！+20 积分，总积分 20"
    # Editing it again (a typo) keeps the one submission, with the new words, and says nothing.
    again = {**edit, "caption": "第三课练习（改）#homework", "edit_date": ts("2026-11-20T04:05:00")}
    await bot.post_update(make_update("edited_message", again))
    await eventually(bot.settled)
    (submission,) = await rows(bot, HomeworkSubmission)
    assert submission.text == "第三课练习（改）#homework"
    assert submission.message_id == str(posted["message_id"]) and submission.points == 20
    assert len(fake_telegram.called("sendMessage")) == replies + 1


async def test_an_edited_check_in_report_or_homework_text_updates_its_submission_only(
    bot, fake_telegram
):
    # Regression: editing "打卡 Day 3 ..." (a typo, a line added) left the report as first
    # posted: /homework list showed words the member had corrected.
    replies = await configure(bot, fake_telegram, "kind delivery", "language zh")
    report = message("打卡 Day 3 今天读完了第三章", date=ts("2026-11-20T04:00:00"))
    work = message("/homework 第一课笔记", date=ts("2026-11-20T04:01:00"),
                   sender=user(333, "Bob"))
    for posted in (report, work):
        await bot.post_update(make_update("message", posted))
    await texts(bot, fake_telegram, replies + 2)
    for posted, text in ((report, "打卡 Day 3 今天读完了第三章和第四章"),
                         (work, "/homework 第一课笔记（补第二题）")):
        edit = {**posted, "text": text, "edit_date": ts("2026-11-20T04:05:00")}
        await bot.post_update(make_update("edited_message", edit))
    await eventually(bot.settled)
    submissions = await rows(bot, HomeworkSubmission)
    assert [(s.text, s.points) for s in submissions] == [
        ("Day 3 今天读完了第三章和第四章", 0), ("第一课笔记（补第二题）", 20),
    ]
    # Neither edit checks in, pays or answers again.
    assert len(await rows(bot, Checkin)) == 1
    assert len(await rows(bot, PointsEntry, PointsEntry.reason == "homework")) == 1
    assert len(fake_telegram.called("sendMessage")) == replies + 2


async def test_homework_list_counts_todays_submissions(bot, fake_telegram):
    replies = await configure(bot, fake_telegram, "kind delivery")
    await bot.post_update(make_message_update("/homework 今天的练习"))
    await bot.post_update(make_message_update("/homework 补充", sender=user(333, "Bob")))
    await bot.post_update(make_message_update("/homework list", sender=OPERATOR))
    sent = (await texts(bot, fake_telegram, replies + 3))[replies:]
    assert "2 份，来自 2 位成员" in sent[2]


async def test_homework_is_only_for_delivery_groups(bot, fake_telegram):
    await bot.post_update(make_message_update("/homework 笔记"))
    (sent,) = await texts(bot, fake_telegram, 1)
    assert sent == "作业打卡只在交付群中开启。"
    assert await rows(bot, HomeworkSubmission) == []


async def test_a_checkin_posted_as_a_channel_or_anonymously_credits_no_shared_account(
    bot, fake_telegram
):
    # Every channel's message comes from one placeholder account ("Channel"), every anonymous
    # admin's from another ("Group"): the first channel's check-in was paid to all channels,
    # the second got "already checked in", and both placeholders took places on /top.
    replies = await configure(bot, fake_telegram, "kind delivery")
    second_channel = channel(-1005555555555, "Other Channel")
    await bot.post_update(make_channel_message_update("签到"))
    await bot.post_update(make_channel_message_update("/checkin", sender_chat=second_channel))
    await bot.post_update(
        make_message_update("打卡", sender=ANONYMOUS_ADMIN, sender_chat=chat(GROUP_ID))
    )
    await bot.post_update(make_channel_message_update("/homework 笔记"))
    await bot.post_update(make_channel_message_update("/me"))
    sent = (await texts(bot, fake_telegram, replies + 5))[replies:]
    refusal = "签到、积分和红包属于成员本人：请用你自己的账号发送，不要以频道或匿名管理员的身份。"
    assert sent == [refusal] * 5
    assert await rows(bot, Checkin) == []
    assert await rows(bot, PointsEntry) == []
    # A member checks in as themselves as before.
    await bot.post_update(make_message_update("签到", sender=ALICE))
    assert (await texts(bot, fake_telegram, replies + 6))[-1].startswith("签到成功！+10 积分")


async def test_homework_handed_in_as_a_file_a_video_or_a_voice_message_is_received(
    bot, fake_telegram
):
    # Course homework is often a PDF, a recorded exercise or a spoken answer: captioned
    # "#homework" or "作业" like a photo, it got no receipt, no record and no points.
    replies = await configure(bot, fake_telegram, "kind delivery")
    pdf = {"file_id": "BQAD", "file_unique_id": "d1", "file_name": "第一课.pdf",
           "mime_type": "application/pdf"}
    video = {"file_id": "BAAD", "file_unique_id": "v1", "width": 640, "height": 360,
             "duration": 30}
    voice = {"file_id": "AwAD", "file_unique_id": "o1", "duration": 12}
    bob, carol = user(333, "Bob"), user(444, "Carol")
    await bot.post_update(make_message_update(None, document=pdf, caption="#homework 第一课"))
    await bot.post_update(make_message_update(None, video=video, caption="作业：口语", sender=bob))
    await bot.post_update(make_message_update(None, voice=voice, caption="#homework", sender=carol))
    sent = (await texts(bot, fake_telegram, replies + 3))[replies:]
    assert sent == ["作业已收到！+20 积分，总积分 20"] * 3
    submissions = await rows(bot, HomeworkSubmission)
    assert [(s.user_id, s.text, s.has_photo) for s in submissions] == [
        ("222", "#homework 第一课", False),
        ("333", "作业：口语", False),
        ("444", "#homework", False),
    ]
    # A file that is not homework stays an ordinary message.
    await bot.post_update(make_message_update(None, document=pdf, caption="课件发一下"))
    await eventually(bot.settled)
    assert len(await rows(bot, HomeworkSubmission)) == 3
