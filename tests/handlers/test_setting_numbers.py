"""Whole numbers typed into /settings and /filter, through the webhook: a number out of range
is answered with the range, only what is no number with "not a whole number"."""

from __future__ import annotations

from tests.factories import OPERATOR_ID, make_message_update, user
from tests.handlers.checkin_points_support import texts
from tests.handlers.entry_support import group_settings

OP = user(OPERATOR_ID, "Op")


async def replies(bot, fake_telegram, *commands: str) -> list[str]:
    for command in commands:
        await bot.post_update(make_message_update(command, sender=OP))
    return await texts(bot, fake_telegram, len(commands))


async def test_whole_numbers_out_of_range_get_the_range_not_a_whole_number(bot, fake_telegram):
    # Both were "not a whole number": the parsers read at most nine digits, and no minus sign
    # in /filter, before the setting's range was ever looked at.
    huge = "99999999999999999999"
    assert await replies(
        bot,
        fake_telegram,
        f"/settings raid.threshold {huge}",
        "/settings checkin.base_points -1",
        f"/settings checkin.base_points {huge}",
        "/settings raid.threshold lots",
        "/filter newcomer -1",
        f"/filter reports {huge}",
        "/filter repeats -2 5",
        f"/filter repeats 2 {huge}",
        "/filter repeats 0 0",
        "/filter mute 400d",
        "/filter newcomer few",
        "/settings language en",
        f"/settings raid.threshold {huge}",
        "/filter newcomer -1",
        "/filter repeats 0 0",
        "/filter mute 400d",
        "/filter newcomer few",
    ) == [
        f"无法设置 raid.threshold={huge}：要在 2 到 10000 之间",
        "无法设置 checkin.base_points=-1：要在 0 到 10000 之间",
        f"无法设置 checkin.base_points={huge}：要在 0 到 10000 之间",
        "无法设置 raid.threshold=lots：不是整数：lots",
        "无法设置：要在 0 到 1000 之间",
        "无法设置：要在 1 到 100 之间",
        "无法设置：要在 0 到 100 之间",
        "无法设置：时长要在 1 分钟到 1 天之间",
        "无法设置：时长要在 1 分钟到 1 天之间",
        "无法设置：时长要在 1 分钟到 366 天之间",
        "无法设置：不是整数：few",
        "Saved: language = en",
        f"Cannot set raid.threshold={huge}: must be from 2 to 10000",
        "Cannot set that: must be from 0 to 1000",
        "Cannot set that: must last from 1 minute to 1 day",
        "Cannot set that: must last from 1 minute to 366 days",
        "Cannot set that: not a whole number: few",
    ]
    stored = await group_settings(bot)
    assert not {"raid", "checkin", "adfilter"} & set(stored)
