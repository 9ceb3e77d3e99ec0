"""Forum supergroups through the webhook: what the bot posts because of a message in a topic
goes to that topic, not to the General topic."""

from __future__ import annotations

from tests.factories import MEMBER_ID, OPERATOR_ID, make_message_update, user
from tests.fakes.telegram_api import Failure
from tests.handlers.checkin_points_support import quiet
from tests.handlers.test_icebreaker_rounds import time_is_up

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice")


def in_topic(text: str, topic: int, sender: dict) -> dict:
    """`text` posted in forum topic `topic`, as Telegram sends it."""
    return make_message_update(text, sender=sender, is_topic_message=True,
                               message_thread_id=topic)


async def sent(bot, fake_telegram, count: int) -> list[tuple[str, int | None]]:
    """(text, topic) of the first `count` messages the bot sent."""
    bodies = await fake_telegram.wait_for("sendMessage", count)
    await quiet(bot)
    return [(body["text"], body.get("message_thread_id")) for body in bodies]


async def test_red_packet_rounds_and_their_end_go_to_the_topic_they_were_opened_in(
    bot, fake_telegram
):
    # Regression: a round opened in a topic, and the line when it was all claimed, landed in
    # the General topic, away from the members the operator was talking to.
    await bot.post_update(in_topic("/redpacket 10 1 2", 77, OPERATOR))
    await fake_telegram.wait_for("sendMessage")
    # Grabbed from the General topic: the round's end and the next round stay in its topic.
    await bot.post_update(make_message_update("抢", sender=ALICE))
    messages = await sent(bot, fake_telegram, 3)
    assert messages[0][0].startswith("🧧 积分红包来啦！") and messages[0][1] == 77
    assert messages[1][0].startswith("🧧 红包已抢完！") and messages[1][1] == 77
    assert messages[2][0].startswith("🔥 第 2 轮") and messages[2][1] == 77


async def test_icebreaker_topic_and_check_in_answers_go_to_the_topic_they_came_from(
    bot, fake_telegram
):
    await bot.post_update(in_topic("/icebreaker 你在哪个城市？", 77, OPERATOR))
    await fake_telegram.wait_for("sendMessage")
    await bot.post_update(in_topic("/topic 周末去哪儿", 88, OPERATOR))
    await fake_telegram.wait_for("sendMessage", 2)
    await bot.post_update(in_topic("签到", 99, ALICE))
    await fake_telegram.wait_for("sendMessage", 3)
    # The round's result follows its question, wherever its time runs out.
    await time_is_up(bot)
    messages = await sent(bot, fake_telegram, 4)
    assert [topic for _, topic in messages] == [77, 88, 99, 77]
    assert "你在哪个城市" in messages[0][0] and "周末去哪儿" in messages[1][0]


async def test_replies_outside_a_forum_carry_no_topic(bot, fake_telegram):
    # Outside forums Telegram numbers a reply's thread too: that is no topic to post in.
    await bot.post_update(make_message_update("签到", sender=ALICE, message_thread_id=5))
    ((_, topic),) = await sent(bot, fake_telegram, 1)
    assert topic is None


async def test_an_answer_in_a_topic_deleted_meanwhile_goes_to_the_general_topic(
    bot, fake_telegram
):
    # The topic was deleted between the member's message and the answer: the answer was lost.
    fake_telegram.fail_next("sendMessage", Failure(400, "Bad Request: TOPIC_DELETED"))
    await bot.post_update(in_topic("签到", 99, ALICE))
    messages = await sent(bot, fake_telegram, 2)
    assert [topic for _, topic in messages] == [99, None]
    assert messages[0][0] == messages[1][0]
