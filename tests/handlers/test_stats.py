"""/stats through the webhook: the group's last 7 days, for operators only."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group
from tests.factories import (
    GROUP_ID,
    MEMBER_ID,
    OPERATOR_ID,
    make_join_update,
    make_left_update,
    make_message_update,
    user,
)
from tests.handlers.checkin_points_support import quiet, texts
from tests.handlers.entry_support import configure, db
from tests.handlers.test_icebreaker_rounds import answer, ask
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")
BOB = user(MEMBER_ID + 1, "Bob")
CAROL = user(MEMBER_ID + 2, "Carol")
SPAMMER = user(MEMBER_ID + 3, "Spammer")


async def test_stats_sum_up_the_week(bot, fake_telegram):
    await bot.post_update(make_join_update(ALICE))
    await bot.post_update(make_join_update(CAROL))
    await bot.post_update(make_left_update(CAROL))
    await bot.post_update(make_message_update("签到", sender=ALICE))
    await bot.post_update(make_message_update("签到", sender=BOB))
    await bot.post_update(make_message_update("早上好", sender=ALICE))
    await bot.post_update(make_message_update("加我微信 abc123 领取福利，名额有限", sender=SPAMMER))
    await quiet(bot)
    sent_before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    stats = (await texts(bot, fake_telegram, sent_before + 1))[-1]
    # Carol joined and left; the spammer's ad was removed but they are still a member. Only
    # Alice spoke: an ad removed, a check-in word and a command (the operator's /stats) are
    # not talk; both check-ins have a line of their own.
    assert stats == (
        "本群数据（近 7 天）\n成员：4 人，不含机器人（新加入 2，离开 1）\n发言成员：1 人\n"
        "签到：今天 2 人，7 天共 2 次\n发放积分：20\n破冰问答：0 轮，0 人次回答\n"
        "处理广告：1 条（其中成员举报 0 条）\n"
        "待验证新人：0 人"
    )
    await bot.post_update(make_message_update("/stats", sender=ALICE))
    refusal = (await texts(bot, fake_telegram, sent_before + 2))[-1]
    assert refusal == "抱歉，这个命令只有群管理员可以使用。"


async def test_bots_added_and_removed_are_not_counted_as_members_who_left(bot, fake_telegram):
    # Joins and members counted people only, departures bots too: two spam bots added and
    # kicked read "0 joined, 2 left" in a group nobody had left.
    spam_bots = [user(900 + n, f"Promo{n}", is_bot=True) for n in range(2)]
    await bot.post_update(make_join_update(ALICE))
    await bot.post_update(make_join_update(*spam_bots, sender=OPERATOR))
    for spam_bot in spam_bots:
        await bot.post_update(make_left_update(spam_bot))
    await quiet(bot)
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    (stats,) = await texts(bot, fake_telegram, 1)
    assert "\n成员：2 人，不含机器人（新加入 1，离开 0）\n" in stats


async def test_stats_count_the_icebreaker_rounds_and_their_answers(bot, fake_telegram):
    # Regression: replies to a round were counted and /stats never said so.
    question = await ask(bot, fake_telegram, "你在哪个城市？")
    for uid in (MEMBER_ID, MEMBER_ID + 1):
        await answer(bot, question, uid)
    await ask(bot, fake_telegram, "今天喝了什么？", sent_before=2)
    sent_before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    stats = (await texts(bot, fake_telegram, sent_before + 1))[-1]
    assert "\n破冰问答：2 轮，2 人次回答\n" in stats


async def test_members_who_spoke_are_those_whose_messages_fall_in_the_week(bot, fake_telegram):
    # Regression: a member who last spoke a month ago and only sent a command this week was
    # counted (seen this week, and a message ever).
    month_ago = int(time.time()) - 30 * 86400
    await bot.post_update(make_message_update("大家好", sender=ALICE, date=month_ago))
    await bot.post_update(make_message_update("/me", sender=ALICE))
    await bot.post_update(make_message_update("今天天气不错", sender=BOB))
    await quiet(bot)
    sent_before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    stats = (await texts(bot, fake_telegram, sent_before + 1))[-1]
    assert "\n发言成员：1 人\n" in stats


async def test_members_are_the_groups_members_not_only_those_the_bot_has_seen(bot, fake_telegram):
    # Regression: a group of 500 when the bot came read "成员：2 人": only the rows of members
    # the bot had seen since were counted, though the platform's count was on record.
    fake_telegram.member_counts[GROUP_ID] = 500
    await configure(bot)
    await eventually(lambda: db(bot, _counted_a_minute_ago))  # by the group sync
    await bot.post_update(make_join_update(ALICE))
    await quiet(bot)
    sent_before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    stats = (await texts(bot, fake_telegram, sent_before + 1))[-1]
    # Telegram's 500 counts the bot itself, an admin of the group.
    assert "\n成员：500 人，不含机器人（新加入 1，离开 0）\n" in stats, stats


async def test_members_leave_out_bots_whichever_count_they_come_from(bot, fake_telegram):
    # Regression: Telegram's member count, once read, counted the bot itself and every bot
    # added; the members seen here, before it was read, left them out.
    spam_bot = user(901, "Promo", is_bot=True)
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_join_update(ALICE))
    await bot.post_update(make_join_update(spam_bot, sender=OPERATOR))
    await quiet(bot)
    before = len(fake_telegram.called("sendMessage"))
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    seen = (await texts(bot, fake_telegram, before + 1))[-1]
    fake_telegram.member_counts[GROUP_ID] = 40  # people and bots, as Telegram counts them
    await db(bot, _counted_by_telegram)
    await bot.post_update(make_message_update("/stats", sender=OPERATOR))
    counted = (await texts(bot, fake_telegram, before + 2))[-1]
    # Seen: the operator and Alice. Counted: 40 less the bot itself and the spam bot.
    assert "\nMembers: 2, bots not counted (1 joined, 0 left)\n" in seen, seen
    assert "\nMembers: 38, bots not counted (1 joined, 0 left)\n" in counted, counted


def _counted_a_minute_ago(session) -> bool:
    # Telegram dates joins in whole seconds: one in the second of the count would seem counted.
    group = session.scalar(select(Group).where(Group.chat_id == str(GROUP_ID)))
    if group.synced_at is None:
        return False
    group.synced_at -= timedelta(minutes=1)
    return True


def _counted_by_telegram(session) -> None:
    """The platform's count as read now, after every join so far."""
    group = session.scalar(select(Group).where(Group.chat_id == str(GROUP_ID)))
    group.member_count, group.synced_at = 40, datetime.now(UTC) + timedelta(seconds=1)
