"""A backlog replayed after downtime: moderation still acts, conversation does not."""

from __future__ import annotations

import time

from tests.factories import make_message_update, user
from tests.handlers.entry_support import quiet


async def test_an_hour_old_ad_is_still_deleted_but_an_hour_old_command_is_not_answered(
    bot, fake_telegram
):
    hour_ago = int(time.time()) - 3600
    ad = make_message_update(
        "加我微信 abc123 领取福利，名额有限，先到先得，错过就没有了",
        sender=user(333, "Spammer"),
        date=hour_ago,
    )
    old_question = make_message_update("/rules", date=hour_ago + 5)
    await bot.post_update(ad)
    await bot.post_update(old_question)
    (deleted,) = await fake_telegram.wait_for("deleteMessage", 1)
    assert deleted["message_id"] == ad["message"]["message_id"]
    await quiet(bot)
    replies = [
        m
        for m in fake_telegram.called("sendMessage")
        if (m.get("reply_parameters") or {}).get("message_id")
        == old_question["message"]["message_id"]
    ]
    assert replies == []
