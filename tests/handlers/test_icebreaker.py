"""Icebreakers through the webhook: introductions recognised and tagged, topics, question rounds."""

from __future__ import annotations

import time

from sqlalchemy import select

from bot.db.models import Member, OutboxAction
from handlers.entry_texts import QUESTIONS, TOPICS
from handlers.icebreaker_rounds import IcebreakerRound
from schedules.models import ScheduledJob
from tests.factories import (
    OPERATOR_ID,
    make_channel_message_update,
    make_join_update,
    make_message_update,
    user,
)
from tests.handlers.entry_support import configure, db, quiet, rows

OP = user(OPERATOR_ID, "Op")


async def tags_of(bot, user_id: int) -> list:
    def read(session) -> list:
        return session.scalar(select(Member.tags).where(Member.user_id == str(user_id)))

    return await db(bot, read)


async def test_a_newcomers_first_long_message_is_thanked_and_tagged(bot, fake_telegram):
    await configure(bot, welcome={"enabled": False})
    newbie = user(901, "Nina")
    await bot.post_update(make_join_update(newbie))
    intro = "大家好，我是 Nina，在杭州做产品经理，喜欢跑步和摄影，很高兴加入！"
    await bot.post_update(make_message_update(intro, sender=newbie))
    await bot.post_update(make_message_update(intro + " again", sender=newbie))
    (thanks,) = await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1
    assert thanks["text"].startswith('谢谢 <a href="tg://user?id=901">Nina</a> 的自我介绍')
    assert await tags_of(bot, 901) == ["introduced"]


async def test_an_hour_old_introduction_replayed_after_downtime_is_tagged_not_thanked(
    bot, fake_telegram
):
    # After downtime the backlog's introductions were each thanked an hour late, in reply to
    # messages long scrolled away, as if the bot talked to itself.
    await configure(bot, welcome={"enabled": False})
    hour_ago = int(time.time()) - 3600
    late, fresh = user(904, "Mia"), user(905, "Kai")
    await bot.post_update(make_join_update(late, date=hour_ago))
    intro = "大家好，我是 Mia，在成都做设计师，喜欢读书和旅行，很高兴认识大家！"
    await bot.post_update(make_message_update(intro, sender=late, date=hour_ago + 60))
    await bot.post_update(make_join_update(fresh))
    await bot.post_update(make_message_update(intro.replace("Mia", "Kai"), sender=fresh))
    (thanks,) = await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1
    assert "Kai" in thanks["text"]
    assert await tags_of(bot, 904) == ["introduced"]


async def test_an_introduction_after_a_first_hello_is_still_recognised(bot, fake_telegram):
    await configure(bot, welcome={"enabled": False})
    newbie = user(903, "Lin")
    await bot.post_update(make_join_update(newbie))
    await bot.post_update(make_message_update("谢谢邀请～", sender=newbie))
    intro = "大家好，我叫林，在深圳做跨境电商三年了，平时喜欢徒步，希望在群里多交流！"
    await bot.post_update(make_message_update(intro, sender=newbie))
    (thanks,) = await fake_telegram.wait_for("sendMessage", 1)
    assert thanks["text"].startswith('谢谢 <a href="tg://user?id=903">Lin</a> 的自我介绍')
    assert await tags_of(bot, 903) == ["introduced"]


async def test_a_tagged_short_introduction_counts_and_chatter_does_not(bot, fake_telegram):
    await bot.post_update(make_message_update("hi all"))
    await bot.post_update(make_message_update("Bob here #intro", sender=user(902, "Bob")))
    (thanks,) = await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    assert "Bob" in thanks["text"]
    assert await tags_of(bot, 222) == []


async def test_a_hashtag_that_only_starts_with_intro_is_not_an_introduction(bot, fake_telegram):
    # "#introvert" and "#introspection" held "#intro": a member's joke was thanked as their
    # introduction, and the member tagged so that their real one was not.
    await bot.post_update(make_message_update("such an #introvert today", sender=user(905, "Al")))
    await bot.post_update(make_message_update("#Introspection, anyone?", sender=user(906, "Bo")))
    await bot.post_update(make_message_update("#introduction I'm Cy", sender=user(907, "Cy")))
    (thanks,) = await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1
    assert "Cy" in thanks["text"]
    assert (await tags_of(bot, 905), await tags_of(bot, 906)) == ([], [])


async def test_an_introduction_posted_as_a_channel_is_not_thanked_for_every_channel(
    bot, fake_telegram
):
    # A "#intro" posted as a channel thanked "Channel", Telegram's placeholder sender shared by
    # every channel, and tagged it: no other channel's introduction was recognised after.
    await bot.post_update(make_channel_message_update("Promo Deals here, hello all #intro"))
    await bot.post_update(make_message_update("Bob here #intro", sender=user(902, "Bob")))
    (thanks,) = await fake_telegram.wait_for("sendMessage", 1)
    await quiet(bot)
    assert len(fake_telegram.called("sendMessage")) == 1
    assert "Bob" in thanks["text"]
    assert await tags_of(bot, 136817688) == []


async def test_topic_of_the_day_from_the_operator_or_the_shipped_list(bot, fake_telegram):
    await bot.post_update(make_message_update("/topic 你最喜欢的工具？", sender=OP))
    await bot.post_update(make_message_update("/topic", sender=OP))
    first, second = await fake_telegram.wait_for("sendMessage", 2)
    assert first["text"] == "💬 今日话题：你最喜欢的工具？"
    assert second["text"].removeprefix("💬 今日话题：") in TOPICS["zh"]


async def test_a_topic_too_long_for_one_message_is_refused_with_the_limit(bot, fake_telegram):
    # Regression: a topic that fits alone but not after "💬 今日话题：" was taken in silence and
    # failed at the sender ("message is too long"): nothing appeared, and nobody said why.
    # Telegram counts the heading's 💬 as two, as it counts UTF-16 units.
    await bot.post_update(make_message_update("/topic " + "字" * 4089, sender=OP))
    await bot.post_update(make_message_update("/topic " + "字" * 4088, sender=OP))
    refused, posted = await fake_telegram.wait_for("sendMessage", 2)
    assert refused["text"] == "话题太长，发不出去：最多 4088 个字，这条有 4089 个。"
    assert posted["text"] == "💬 今日话题：" + "字" * 4088
    await quiet(bot)
    assert [row.status for row in await rows(bot, OutboxAction)] == ["done", "done"]


async def test_replies_to_an_icebreaker_question_are_counted(bot, fake_telegram):
    await bot.post_update(make_message_update("/icebreaker", sender=OP))
    (question,) = await fake_telegram.wait_for("sendMessage", 1)
    assert question["text"].removeprefix("🧊 破冰时间！回复这条消息回答：") in QUESTIONS["zh"]
    await quiet(bot)
    asked = {"message_id": 0, "from": OP, "chat": {"id": -1, "type": "supergroup"}, "date": 0}
    (row,) = await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
    asked["message_id"] = row.result["message_id"]
    answers = ((903, "我喜欢读书和旅行"), (904, "Curious, calm, coffee"), (903, "还有跑步"))
    for uid, answer in answers:
        await bot.post_update(
            make_message_update(answer, sender=user(uid, f"U{uid}"), reply_to_message=asked)
        )
    await bot.post_update(make_message_update("not a reply", sender=user(905, "U905")))
    await quiet(bot)
    (game,) = await rows(bot, IcebreakerRound)
    assert (game.status, game.replies) == ("open", ["903", "904"])


async def test_topic_of_the_day_on_a_schedule_posts_the_topics_in_turn(bot, fake_telegram):
    await bot.post_update(make_message_update("/topic schedule 每天 09:00", sender=OP))
    await bot.post_update(make_message_update("/topic schedule daily", sender=user(222, "M")))
    scheduled, refused = (m["text"] for m in await fake_telegram.wait_for("sendMessage", 2))
    assert scheduled.startswith("已安排今日话题（定时任务 #")
    assert refused == "抱歉，这个命令只有群管理员可以使用。"
    await quiet(bot)
    (job,) = await rows(bot, ScheduledJob)
    assert (job.kind, job.payload["loop"], job.enabled) == ("series", True, True)
    rounds = len(TOPICS["zh"]) + 1
    for _ in range(rounds):
        await bot.post_update(make_message_update(f"/schedule run-now {job.id}", sender=OP))
    await fake_telegram.wait_for("sendMessage", 2 + 2 * rounds)
    await quiet(bot)
    texts = [m["text"] for m in fake_telegram.called("sendMessage")]
    posted = [text for text in texts if "今日话题：" in text]
    assert posted == [f"💬 今日话题：{topic}" for topic in [*TOPICS["zh"], TOPICS["zh"][0]]]
    # The topics go round again without telling the group "the series starts again".
    assert not [text for text in texts if "系列" in text], texts


async def test_scheduled_topics_follow_the_group_switched_to_english(bot, fake_telegram):
    # The job kept the Chinese topics it was made with: a group switched to English went on
    # getting "💬 今日话题：…" every day.
    await bot.post_update(make_message_update("/topic schedule 每天 09:00", sender=OP))
    await bot.post_update(make_message_update("/settings language en", sender=OP))
    await fake_telegram.wait_for("sendMessage", 2)
    await quiet(bot)
    (job,) = await rows(bot, ScheduledJob)
    for _ in range(2):
        await bot.post_update(make_message_update(f"/schedule run-now {job.id}", sender=OP))
    await fake_telegram.wait_for("sendMessage", 6)
    await quiet(bot)
    texts = [m["text"] for m in fake_telegram.called("sendMessage")]
    posted = [text for text in texts if text.startswith("💬")]
    assert posted == [f"💬 Topic of the day: {topic}" for topic in TOPICS["en"][:2]]
    await bot.post_update(make_message_update("/settings language zh", sender=OP))
    await bot.post_update(make_message_update(f"/schedule run-now {job.id}", sender=OP))
    await fake_telegram.wait_for("sendMessage", 8)
    await quiet(bot)
    assert fake_telegram.called("sendMessage")[-2]["text"] == f"💬 今日话题：{TOPICS['zh'][0]}"
