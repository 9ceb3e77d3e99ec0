"""Icebreaker rounds as a game, through the webhook: when the round's time is up the group hears
who answered, the participants are paid once, and neither a next round nor a restart loses it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from bot.db.models import OutboxAction
from handlers.icebreaker_rounds import IcebreakerRound, render_result
from handlers.points_store import PointsEntry
from tests.factories import (
    GROUP_ID,
    OPERATOR_ID,
    make_channel_message_update,
    make_message_update,
    user,
)
from tests.handlers.entry_support import configure, quiet, rows
from tests.harness import BotHarness, eventually

OP = user(OPERATOR_ID, "Op")


async def ask(bot, fake_telegram, question: str, sent_before: int = 0) -> dict:
    """Start a round with `question`; the question as a message members can reply to."""
    await bot.post_update(make_message_update(f"/icebreaker {question}", sender=OP))
    await fake_telegram.wait_for("sendMessage", sent_before + 1)
    await quiet(bot)
    posted = [
        row
        for row in await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
        if row.idempotency_key.startswith("icebreaker:") and question in row.payload["text"]
    ]
    return {
        "message_id": posted[-1].result["message_id"],
        "from": {"id": 1, "is_bot": True, "first_name": "Qunbot"},
        "chat": {"id": GROUP_ID, "type": "supergroup"},
        "date": 0,
        "text": posted[-1].payload["text"],
    }


async def answer(bot, question: dict, uid: int, text: str = "我在杭州") -> None:
    await bot.post_update(
        make_message_update(text, sender=user(uid, f"U{uid}"), reply_to_message=question)
    )


async def time_is_up(bot, minutes: int = 11) -> None:
    """Let the leader's timeout loop see the round's end, then go back to the real time."""
    later = datetime.now(UTC) + timedelta(minutes=minutes)
    loop = bot.runtime.verification_timeouts
    loop.clock = lambda: later
    await loop.run_once()
    loop.clock = lambda: datetime.now(UTC)
    await quiet(bot)


def link(uid: int) -> str:
    return f'<a href="tg://user?id={uid}">U{uid}</a>'


async def paid(bot) -> list[tuple[str, int, str]]:
    ledger = await rows(bot, PointsEntry, PointsEntry.reason == "icebreaker")
    return sorted((row.user_id, row.delta, row.ref) for row in ledger)


async def test_when_time_is_up_the_group_hears_who_answered_and_they_are_paid_once(
    bot, fake_telegram
):
    # Regression: replies were counted on the group and then nothing came of them: no result,
    # no points.
    question = await ask(bot, fake_telegram, "你最喜欢的城市？")
    for uid in (903, 904, 903):
        await answer(bot, question, uid)
    await bot.post_update(make_message_update("not a reply", sender=user(905, "U905")))
    await quiet(bot)
    await time_is_up(bot)
    result = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert result["chat_id"] == GROUP_ID and result["parse_mode"] == "HTML"
    assert result["text"] == (
        f"🧊 破冰问答结束！2 位成员回答了「你最喜欢的城市？」：{link(903)}、{link(904)}\n"
        "谢谢参与，每人 +3 积分！"
    )
    (game,) = await rows(bot, IcebreakerRound)
    ref = f"icebreaker:{game.id}"
    assert (game.status, game.replies) == ("closed", ["903", "904"])
    assert await paid(bot) == [("903", 3, ref), ("904", 3, ref)]
    # A late answer is not counted, and the loop coming round again pays and posts nothing more.
    late = int(time.time()) + 11 * 60
    await bot.post_update(
        make_message_update("我也在", sender=user(905, "U905"), reply_to_message=question,
                            date=late)
    )
    await time_is_up(bot, minutes=30)
    assert len(fake_telegram.called("sendMessage")) == 2
    assert await paid(bot) == [("903", 3, ref), ("904", 3, ref)]


async def test_answers_sent_in_time_and_read_after_the_round_ended_still_count(
    bot, fake_telegram
):
    # Regression: after downtime the leader's loop ended the round before the backlog was read,
    # and the answers members had sent in time were dropped: never paid. They count by when
    # they were sent; the result already posted stays as it was.
    question = await ask(bot, fake_telegram, "你最喜欢的季节？")
    await answer(bot, question, 903)
    await quiet(bot)
    sent_in_time = int(time.time())
    await time_is_up(bot)
    await fake_telegram.wait_for("sendMessage", 2)
    for uid, date in ((904, sent_in_time), (905, sent_in_time + 11 * 60), (904, sent_in_time)):
        await bot.post_update(
            make_message_update("秋天", sender=user(uid, f"U{uid}"), reply_to_message=question,
                                date=date)
        )
    await quiet(bot)
    (game,) = await rows(bot, IcebreakerRound)
    ref = f"icebreaker:{game.id}"
    assert (game.status, game.replies) == ("closed", ["903", "904"])
    assert await paid(bot) == [("903", 3, ref), ("904", 3, ref)]
    assert len(fake_telegram.called("sendMessage")) == 2


async def test_answers_posted_as_a_channel_name_and_pay_no_shared_placeholder(
    bot, fake_telegram
):
    # A reply posted as a channel counted Telegram's placeholder sender ("Channel", the same
    # for every channel) as a participant: named in the result and paid the round's points.
    question = await ask(bot, fake_telegram, "你最喜欢的城市？")
    await bot.post_update(make_channel_message_update("我在成都", reply_to_message=question))
    await answer(bot, question, 903)
    await quiet(bot)
    await time_is_up(bot)
    result = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert f"1 位成员回答了「你最喜欢的城市？」：{link(903)}\n" in result["text"]
    (game,) = await rows(bot, IcebreakerRound)
    assert game.replies == ["903"]
    assert await paid(bot) == [("903", 3, f"icebreaker:{game.id}")]


async def test_a_new_round_ends_the_running_one_first_and_its_result_is_posted_once(
    bot, fake_telegram
):
    first = await ask(bot, fake_telegram, "用三个词介绍自己")
    await answer(bot, first, 906)
    await quiet(bot)
    second = await ask(bot, fake_telegram, "今天最开心的事？", sent_before=1)
    await answer(bot, second, 907)
    await quiet(bot)
    await time_is_up(bot)
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 4)]
    await time_is_up(bot, minutes=60)
    assert [m["text"] for m in fake_telegram.called("sendMessage")] == sent
    assert sent[0] == "🧊 破冰时间！回复这条消息回答：用三个词介绍自己"
    assert sent[1] == (
        f"🧊 破冰问答结束！1 位成员回答了「用三个词介绍自己」：{link(906)}\n"
        "谢谢参与，每人 +3 积分！"
    )
    assert sent[2] == "🧊 破冰时间！回复这条消息回答：今天最开心的事？"
    assert sent[3].startswith("🧊 破冰问答结束！1 位成员回答了「今天最开心的事？」：")
    games = await rows(bot, IcebreakerRound)
    assert [(g.status, g.replies) for g in games] == [("closed", ["906"]), ("closed", ["907"])]
    assert [row[:2] for row in await paid(bot)] == [("906", 3), ("907", 3)]


async def test_a_question_too_long_for_one_message_is_refused_and_starts_no_round(
    bot, fake_telegram
):
    # Regression: a question too long once "🧊 破冰时间！..." came before it was recorded as a
    # round (ending the running one) and failed at the sender: nothing appeared, nobody said why.
    # Telegram counts the 🧊 as two (UTF-16 units).
    await bot.post_update(make_message_update("/settings language en", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    question = await ask(bot, fake_telegram, "Where are you from?", sent_before=1)
    await answer(bot, question, 501)
    await bot.post_update(make_message_update("/icebreaker " + "?" * 4090, sender=OP))
    (refused,) = (await fake_telegram.wait_for("sendMessage", 3))[2:]
    assert refused["text"] == ("That question is too long to post: 4058 characters at most, "
                               "and it has 4090. No round was started.")
    await quiet(bot)
    (game,) = await rows(bot, IcebreakerRound)
    assert (game.status, game.replies) == ("open", ["501"])


async def test_a_restart_in_the_middle_of_a_round_still_posts_its_result(
    bot, make_settings, fake_telegram
):
    question = await ask(bot, fake_telegram, "你在哪个城市？")
    await answer(bot, question, 908)
    await quiet(bot)
    await bot.stop()
    restarted = await BotHarness(make_settings()).start()
    try:
        await eventually(lambda: _has_loop(restarted))
        later = datetime.now(UTC) + timedelta(minutes=11)
        restarted.runtime.verification_timeouts.clock = lambda: later
        restarted.runtime.verification_timeouts.notify()
        result = (await fake_telegram.wait_for("sendMessage", 2))[1]
        assert result["text"].startswith(
            f"🧊 破冰问答结束！1 位成员回答了「你在哪个城市？」：{link(908)}"
        )
        await quiet(restarted)
        assert [row[:2] for row in await paid(restarted)] == [("908", 3)]
    finally:
        await restarted.close()


async def _has_loop(harness) -> bool:
    return harness.runtime.verification_timeouts._task is not None


async def test_an_english_group_hears_the_result_in_english(bot, fake_telegram):
    await bot.post_update(make_message_update("/settings language en", sender=OP))
    await fake_telegram.wait_for("sendMessage", 1)
    await ask(bot, fake_telegram, "Tea or coffee?", sent_before=1)
    second = await ask(bot, fake_telegram, "Your city & why?", sent_before=3)
    await answer(bot, second, 909, "London, for the parks and the rain")
    await quiet(bot)
    await time_is_up(bot)
    sent = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 5)]
    assert sent[2] == (
        '🧊 Icebreaker round over: nobody answered "Tea or coffee?" this time. '
        "Join in next round!"
    )
    assert sent[3] == "🧊 Icebreaker! Reply to this message: Your city & why?"
    assert sent[4] == (
        f'🧊 Icebreaker round over! 1 member answered "Your city &amp; why?": {link(909)}\n'
        "Thanks for joining in: +3 points each!"
    )


async def test_operators_set_the_points_or_turn_the_result_off(bot, fake_telegram):
    for line in ("icebreaker.round_result off", "icebreaker.round_points 5"):
        await bot.post_update(make_message_update(f"/settings {line}", sender=OP))
    await fake_telegram.wait_for("sendMessage", 2)
    question = await ask(bot, fake_telegram, "你的家乡？", sent_before=2)
    await answer(bot, question, 910)
    await quiet(bot)
    await time_is_up(bot)
    assert len(fake_telegram.called("sendMessage")) == 3  # no result
    assert [row[:2] for row in await paid(bot)] == [("910", 5)]
    for line in ("icebreaker.round_result on", "icebreaker.round_points 0"):
        await bot.post_update(make_message_update(f"/settings {line}", sender=OP))
    await fake_telegram.wait_for("sendMessage", 5)
    question = await ask(bot, fake_telegram, "你的爱好？", sent_before=5)
    await answer(bot, question, 911)
    await quiet(bot)
    await time_is_up(bot)
    result = (await fake_telegram.wait_for("sendMessage", 7))[6]
    assert result["text"] == f"🧊 破冰问答结束！1 位成员回答了「你的爱好？」：{link(911)}"
    assert [row[:2] for row in await paid(bot)] == [("910", 5)]


def noon_zone() -> str:
    """A fixed-offset zone where it is around noon now: the round's end (minutes later) falls on
    the day of its answers whatever the hour the suite runs (near midnight in the default
    Asia/Shanghai, the end fell on the next day, under a fresh cap)."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12  # hours east of UTC, -12..11
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # Etc/GMT-8 is 8 hours east


async def test_round_points_stay_inside_the_daily_activity_cap(bot, fake_telegram):
    await configure(bot, points={"activity_daily_cap": 2}, timezone=noon_zone())
    question = await ask(bot, fake_telegram, "最近在读什么书？")
    await answer(bot, question, 912, "我最近在读《三体》，第二部黑暗森林最好看")  # +1 activity
    await answer(bot, question, 913, "没读")
    await quiet(bot)
    await time_is_up(bot)
    result = (await fake_telegram.wait_for("sendMessage", 2))[1]
    assert result["text"].endswith("谢谢参与，每人 +3 积分（已到今日活跃积分上限的除外）！")
    assert [row[:2] for row in await paid(bot)] == [("912", 1), ("913", 2)]


async def test_a_big_round_names_twenty_and_counts_the_others(bot, fake_telegram):
    question = await ask(bot, fake_telegram, "早上好！今天喝了什么？")
    for uid in range(1000, 1025):
        await answer(bot, question, uid, "咖啡")
    await quiet(bot)
    await time_is_up(bot)
    result = (await fake_telegram.wait_for("sendMessage", 2))[1]["text"]
    assert result.count("tg://user?id=") == 20
    assert f"{link(1019)} 等 5 位\n" in result and link(1020) not in result
    assert len(await paid(bot)) == 25


def test_the_result_stays_within_telegrams_length_with_long_names():
    replies = [str(10**9 + n) for n in range(500)]
    names = {uid: "名" * 64 for uid in replies}
    text = render_result("zh", "问" * 4000, replies, names, 3, capped=False)
    visible = text.count("名") + text.count("问")
    assert text.count("tg://user?id=") == 20 and "等 480 位" in text
    assert visible < 1000 and len(text) < 4096
