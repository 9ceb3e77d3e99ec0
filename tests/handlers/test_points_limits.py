"""Points that must fit the ledger's integer columns and sums, through the webhook: the ceilings
of points settings and of /points, and /me for a member whose total passes 2^31 - 1."""

from __future__ import annotations

from handlers.points_store import Checkin
from tests.factories import MEMBER_ID, OPERATOR_ID, make_message_update, user
from tests.handlers.checkin_points_support import rows, texts
from tests.handlers.test_checkin import set_section
from tests.handlers.test_points import answer_to

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")


async def replies(bot, fake_telegram, *commands: str) -> list[str]:
    for command in commands:
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    return await texts(bot, fake_telegram, len(commands))


async def test_points_settings_refuse_more_than_their_ceiling_with_the_range(bot, fake_telegram):
    # Up to 999999999 was taken: a few check-ins at that put a member's total past 2^31 - 1,
    # and on PostgreSQL /me then failed on every call.
    assert await replies(
        bot,
        fake_telegram,
        "/settings checkin.base_points 999999999",
        "/settings checkin.streak_bonus_cap 10001",
        "/settings points.activity_daily_cap 999999999",
        "/settings checkin.base_points 10000",
        "/settings language en",
        "/settings points.referral_points 999999999",
        "/settings checkin.homework_points 10000",
    ) == [
        "无法设置 checkin.base_points=999999999：要在 0 到 10000 之间",
        "无法设置 checkin.streak_bonus_cap=10001：要在 0 到 10000 之间",
        "无法设置 points.activity_daily_cap=999999999：要在 0 到 10000 之间",
        "已保存：checkin.base_points = 10000",
        "Saved: language = en",
        "Cannot set points.referral_points=999999999: must be from 0 to 10000",
        "Saved: checkin.homework_points = 10000",
    ]


async def test_a_section_stored_above_the_ceiling_keeps_its_other_settings(bot, fake_telegram):
    # Refusing the stored section would put every field back to its default, the group's own
    # check-in words included; it is read at the ceiling instead.
    await replies(bot, fake_telegram, "/settings language zh")
    await set_section(bot, "checkin", {"base_points": 999999999, "extra_keywords": ["报到"]})
    await bot.post_update(make_message_update("报到", sender=ALICE))
    done = (await texts(bot, fake_telegram, 2))[1]
    assert done.startswith("签到成功！+10000 积分")
    assert [row.points for row in await rows(bot, Checkin)] == [10000]


async def test_points_adjustments_beyond_the_limit_get_the_range(bot, fake_telegram):
    assert await replies(
        bot,
        fake_telegram,
        "/points add 222 99999999999999999999",
        "/points add 222 1000001",
        "/points remove 222 0",
        "/points add 222 ²",
        "/points add 222 1000000",
        "/settings language en",
        "/points add 222 1000001",
    ) == [
        "无法调整积分：要在 1 到 1000000 之间",
        "无法调整积分：要在 1 到 1000000 之间",
        "无法调整积分：要在 1 到 1000000 之间",
        "用法：/points add|remove @用户名|用户ID <数量> [原因]（或回复某人的消息），数量 1-1000000",
        "已为 222 +1000000 积分，当前总积分 1000000",
        "Saved: language = en",
        "Cannot adjust points: must be from 1 to 1000000",
    ]


async def test_me_answers_a_member_whose_total_passes_the_32_bit_range(bot, fake_telegram):
    # Red packets have no daily ceiling: two packets of five tenfold rounds of one share pay one
    # member 2 x 1,111,100,000 points. /me compared that total as a 32-bit integer and failed on
    # PostgreSQL, so the member got no answer.
    await replies(bot, fake_telegram, "/settings redpacket.escalation 10")
    for _ in range(2):
        await bot.post_update(make_message_update("/redpacket 100000 1 5", sender=OPERATOR))
        for _ in range(5):
            await bot.post_update(make_message_update("抢", sender=ALICE))
    asked = make_message_update("/me", sender=ALICE)
    await bot.post_update(asked)
    me = await answer_to(bot, fake_telegram, asked)
    assert me.startswith("Alice 的积分：2222200000\n排名：第 1 名")
