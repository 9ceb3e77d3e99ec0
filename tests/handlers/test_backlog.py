"""A backlog replayed after downtime: moderation still acts, conversation does not."""

from __future__ import annotations

import time

from tests.factories import OPERATOR_ID, make_message_update, make_update, message, user
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


async def test_moderation_commands_typed_during_downtime_still_act(bot, fake_telegram):
    # An operator's /spam and /ban, typed while the bot was down, were dropped as stale
    # commands without a word: the ad the filter had missed stayed, the member too.
    hour_ago = int(time.time()) - 3600
    operator = user(OPERATOR_ID, "Op")
    missed = message("周末一起去爬山吗，报名找我", sender=user(333, "Sly"), date=hour_ago)
    await bot.post_update(make_update("message", missed))
    await bot.post_update(
        make_message_update("/spam", sender=operator, reply_to_message=missed, date=hour_ago + 60)
    )
    await bot.post_update(make_message_update("/ban 444", sender=operator, date=hour_ago + 90))
    (deleted,) = await fake_telegram.wait_for("deleteMessage", 1)
    assert deleted["message_id"] == missed["message_id"]
    (banned,) = await fake_telegram.wait_for("banChatMember", 1)
    assert banned["user_id"] == 444
