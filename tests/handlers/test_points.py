"""Points through the webhook: /me, leaderboards, titles and tiers, red packets, activity."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Group, OutboxAction
from handlers.membership_store import MembershipCheck
from handlers.moderation_store import ModerationDecision
from handlers.points_config import ADFILTER_EXEMPT, PointsConfig, tier_for
from handlers.points_store import PointsEntry, member_tier
from handlers.redpacket import RedPacket, RedPacketClaim, split_shares
from tests.factories import (
    GROUP_ID,
    MEMBER_ID,
    OPERATOR_ID,
    make_callback_update,
    make_channel_message_update,
    make_chat_member_update,
    make_join_update,
    make_left_update,
    make_message_update,
    make_update,
    message,
    user,
)
from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME
from tests.handlers.checkin_points_support import quiet, round_shows, rows, texts
from tests.handlers.report_support import regulars
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")

# Ordinary on-topic talk, long enough to count as effective activity.
TALK = (
    "今天的课程讲得很清楚，我回去再把笔记整理一下",
    "我觉得第二章的练习比第一章难一些，需要多看几遍",
    "昨天按老师说的方法试了一下，效果确实好很多",
    "有没有同学愿意周末一起复习一下上周的内容呢",
    "刚才的直播我错过了一半，晚上再补看一下回放",
    "这个思路挺有意思的，我之前完全没有想到过",
    "谢谢大家昨天的耐心解答，我已经把问题解决了",
)
BOB = user(333, "Bob")
CAROL = user(444, "Carol")
DAVE = user(555, "Dave")


async def answer_to(bot, fake_telegram, update) -> str:
    """The bot's reply to one update (other messages, e.g. the ad filter's, may come first)."""
    message_id = update["message"]["message_id"]

    async def replied():
        for body in fake_telegram.called("sendMessage"):
            if (body.get("reply_parameters") or {}).get("message_id") == message_id:
                return body["text"]
        return None

    text = await eventually(replied)
    await quiet(bot)
    return text


async def ledger(bot, *where) -> list[PointsEntry]:
    return await rows(bot, PointsEntry, *where)


async def speak(bot, *members) -> None:
    """Have members say something (too short to earn points): the bot sees they are in."""
    for member in members:
        await bot.post_update(make_message_update("大家好", sender=member))


async def test_me_shows_points_rank_streak_title_and_tier(bot, fake_telegram):
    await bot.post_update(make_message_update("签到", sender=BOB))
    await bot.post_update(make_message_update("/points add 333 40", sender=OPERATOR))
    await bot.post_update(make_message_update("签到", sender=ALICE))
    await bot.post_update(make_message_update("/me", sender=ALICE))
    me = (await texts(bot, fake_telegram, 4))[3]
    assert me == "Alice 的积分：10\n排名：第 2 名\n连续签到：1 天\n头衔：新人\n等级：普通成员"


async def test_points_raise_titles_and_tiers_that_other_handlers_can_ask_for(bot, fake_telegram):
    await bot.post_update(make_message_update("hi", sender=ALICE))
    await bot.post_update(make_message_update("/points add @alice 120 活动奖励", sender=OPERATOR))
    await bot.post_update(make_message_update("/me", sender=ALICE))
    adjusted, me = await texts(bot, fake_telegram, 2)
    assert adjusted == "已为 Alice +120 积分，当前总积分 120"
    assert "头衔：活跃成员" in me and "等级：信任成员" in me
    (entry,) = await ledger(bot)
    assert (entry.reason, entry.note, entry.actor_id) == ("adjust", "活动奖励", str(OPERATOR_ID))
    async with bot.sessions() as session:
        group = await session.scalar(select(Group))
        tier = await member_tier(session, group.id, str(MEMBER_ID))
        newcomer = await member_tier(session, group.id, "333")
    assert tier.name == "trusted" and ADFILTER_EXEMPT in tier.privileges
    assert newcomer.name == "basic" and ADFILTER_EXEMPT not in newcomer.privileges


async def test_a_member_below_the_groups_first_title_is_not_given_it(bot, fake_telegram):
    # With titles starting at 100, a member with no points was shown as "骨干" (Core).
    await bot.post_update(
        make_message_update("/settings points.titles 100=骨干/Core, 500=元老/Veteran",
                            sender=OPERATOR)
    )
    await bot.post_update(make_message_update("/me", sender=ALICE))
    await bot.post_update(make_message_update("/points add @alice 100", sender=OPERATOR))
    await bot.post_update(make_message_update("/me", sender=ALICE))
    _, before, _, after = await texts(bot, fake_telegram, 4)
    assert "头衔：新人" in before
    assert "头衔：骨干" in after


def test_tier_for_picks_the_highest_threshold_reached():
    config = PointsConfig()
    assert [tier_for(points, config).name for points in (0, 99, 100, 499, 500)] == [
        "basic",
        "basic",
        "trusted",
        "trusted",
        "vip",
    ]


async def test_operator_removes_points_by_replying(bot, fake_telegram):
    await bot.post_update(make_message_update("/points add 222 30", sender=OPERATOR))
    target = message("我的消息", sender=ALICE)
    reply = make_message_update("/points remove 5 违规", sender=OPERATOR, reply_to_message=target)
    await bot.post_update(reply)
    sent = await texts(bot, fake_telegram, 2)
    assert sent[1] == "已为 Alice -5 积分，当前总积分 25"
    assert [e.delta for e in await ledger(bot)] == [30, -5]


async def test_points_cannot_be_removed_below_zero(bot, fake_telegram):
    await bot.post_update(make_message_update("/points add 222 30", sender=OPERATOR))
    await bot.post_update(make_message_update("/points remove 222 50 违规", sender=OPERATOR))
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update("/points remove 333 1", sender=OPERATOR))
    await bot.post_update(make_message_update("/points remove 222 30", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, 5)
    assert sent[1] == "222 只有 30 积分，不能扣除 50"
    assert sent[3] == "333 has only 0 points; cannot remove 1"
    assert sent[4] == "-30 points for 222; total now 0"
    assert [e.delta for e in await ledger(bot)] == [30, -30]


async def test_points_for_the_bot_itself_are_refused(bot, fake_telegram):
    # Regression: "/points add 10" in reply to the bot's own message, or naming it, was answered
    # "+10 points for Qunbot" and put the bot in the ledger.
    await fake_telegram.wait_for("getMe")  # the bot knows its @username
    qunbot = {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot", "username": BOT_USERNAME}
    own = message("今日打卡开始啦", sender=qunbot)
    await bot.post_update(make_message_update("/points add 10", sender=OPERATOR,
                                              reply_to_message=own))
    await bot.post_update(make_message_update(f"/points add @{BOT_USERNAME} 5", sender=OPERATOR))
    await bot.post_update(make_message_update(f"/points remove {BOT_ID} 5", sender=OPERATOR))
    assert await texts(bot, fake_telegram, 3) == ["机器人自己不参与积分。"] * 3
    assert await ledger(bot) == []


async def test_points_given_in_reply_to_a_channels_post_are_refused(bot, fake_telegram):
    # "/points add 10" in reply to a post made as a channel paid Telegram's placeholder sender
    # ("Channel", shared by every channel), which then stood on /top.
    post = make_channel_message_update("本周活动预告")["message"]
    await bot.post_update(make_message_update("/points add 10", sender=OPERATOR,
                                              reply_to_message=post))
    assert await texts(bot, fake_telegram, 1) == [
        "积分只给成员本人：这条消息来自频道、匿名管理员或机器人。"
    ]
    assert await ledger(bot) == []


async def test_out_of_range_adjustments_get_an_answer_not_silence(bot, fake_telegram):
    # Regression: a number too big for the ledger (or a digit int() cannot read, "²") failed the
    # handler, so the operator got no answer at all.
    for amount in ("99999999999999999999", "²", "1000001"):
        await bot.post_update(make_message_update(f"/points add 222 {amount}", sender=OPERATOR))
    await bot.post_update(make_message_update("/points add 222 ５", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, 4)
    assert sent[0] == sent[2] == "无法调整积分：要在 1 到 1000000 之间"
    assert sent[1].startswith("用法：/points add|remove")
    assert sent[3] == "已为 222 +5 积分，当前总积分 5"
    assert [e.delta for e in await ledger(bot)] == [5]


async def test_a_user_id_typed_in_full_width_digits_names_the_member(bot, fake_telegram):
    # Regression: "２２２" from a Chinese keyboard credited a ledger user "２２２", not Alice
    # (222); and a number no account can have was credited as well.
    await speak(bot, ALICE)
    await bot.post_update(make_message_update("/points add ２２２ 5", sender=OPERATOR))
    await bot.post_update(make_message_update(f"/points add {'9' * 20} 5", sender=OPERATOR))
    await bot.post_update(make_message_update("/points add 0 5", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, 3)
    assert sent[0] == "已为 Alice +5 积分，当前总积分 5"
    assert sent[1].startswith("用法：/points add|remove") and sent[1] == sent[2]
    assert [(e.user_id, e.delta) for e in await ledger(bot)] == [("222", 5)]


async def test_members_cannot_adjust_points_or_open_red_packets(bot, fake_telegram):
    await bot.post_update(make_message_update("/points add 222 100", sender=ALICE))
    await bot.post_update(make_message_update("/redpacket 100 3", sender=ALICE))
    sent = await texts(bot, fake_telegram, 2)
    assert sent == ["抱歉，这个命令只有群管理员可以使用。"] * 2
    assert await ledger(bot) == []


async def test_leaderboard_windows_count_points_earned_in_them(bot, fake_telegram):
    long_ago = int(time.time()) - 40 * 86400
    await bot.post_update(make_message_update("签到", sender=ALICE, date=long_ago))
    await bot.post_update(make_message_update("hi", sender=BOB))
    await bot.post_update(make_message_update("/points add 333 5", sender=OPERATOR))
    await bot.post_update(make_message_update("/top week"))
    await bot.post_update(make_message_update("/top month"))
    await bot.post_update(make_message_update("/top"))
    await bot.post_update(make_message_update("/top 本周"))  # the windows' Chinese names
    await bot.post_update(make_message_update("/top 本月"))
    sent = (await texts(bot, fake_telegram, 7))[2:]
    assert sent[0] == "积分排行榜（本周）：\n1. Bob — 5 分"
    assert sent[1] == "积分排行榜（本月）：\n1. Bob — 5 分"
    assert sent[2] == "积分排行榜（总榜）：\n1. Alice — 10 分\n2. Bob — 5 分"
    assert sent[3:] == sent[:2]


async def test_tied_members_share_a_rank_on_the_leaderboard_as_in_me(bot, fake_telegram):
    # Regression: /top numbered ties 1, 2 while /me told both of them they were first.
    await bot.post_update(make_message_update("签到", sender=ALICE))
    await bot.post_update(make_message_update("签到", sender=BOB))
    await bot.post_update(make_message_update("/points add 444 5", sender=OPERATOR))
    await bot.post_update(make_message_update("/top", sender=CAROL))
    await bot.post_update(make_message_update("/me", sender=BOB))
    board, me = (await texts(bot, fake_telegram, 5))[3:]
    assert board == "积分排行榜（总榜）：\n1. Alice — 10 分\n1. Bob — 10 分\n3. Carol — 5 分"
    assert "排名：第 1 名" in me


async def test_members_who_left_or_were_removed_leave_the_leaderboard(bot, fake_telegram):
    # Regression: /top kept showing a spammer banned after farming points, and members long
    # gone, above the members who are here (and /me counted them as ahead).
    for member in (ALICE, BOB, CAROL):
        await bot.post_update(make_message_update("签到", sender=member))
    await bot.post_update(make_message_update("/points add 333 5", sender=OPERATOR))
    await bot.post_update(make_message_update("/points add 444 5", sender=OPERATOR))
    await bot.post_update(make_left_update(BOB))
    # An operator bans Carol (with /ban or in Telegram): Telegram tells of it in a chat_member
    # update.
    await bot.post_update(make_chat_member_update(CAROL, "member", "kicked", by=OPERATOR))
    await bot.post_update(make_message_update("/top", sender=ALICE))
    await bot.post_update(make_message_update("/me", sender=ALICE))
    board, me = (await texts(bot, fake_telegram, 7))[-2:]
    assert board == "积分排行榜（总榜）：\n1. Alice — 10 分"
    assert "排名：第 1 名" in me
    # Back in the group, their points are theirs again.
    await bot.post_update(make_join_update(BOB))
    await bot.post_update(make_message_update("/top", sender=ALICE))
    board = (await texts(bot, fake_telegram, 8))[-1]
    assert board == "积分排行榜（总榜）：\n1. Bob — 15 分\n2. Alice — 10 分"


async def test_an_unknown_period_gets_the_usage_not_the_all_time_board(bot, fake_telegram):
    await bot.post_update(make_message_update("签到", sender=ALICE))
    for command in ("/top year", "/top 周", "/top weekly"):
        await bot.post_update(make_message_update(command, sender=BOB))
    sent = (await texts(bot, fake_telegram, 4))[1:]
    assert sent[0] == "用法：/top [本周|本月|总榜]（不认识：year）"
    assert sent[1] == sent[2] == "积分排行榜（本周）：\n1. Alice — 10 分"


async def test_a_member_without_points_has_no_rank_yet(bot, fake_telegram):
    await bot.post_update(make_message_update("签到", sender=ALICE))
    await bot.post_update(make_message_update("/me", sender=BOB))
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update("/me", sender=BOB))
    sent = await texts(bot, fake_telegram, 4)
    assert sent[1].startswith("Bob 的积分：0\n排名：暂无（还没有积分）\n")
    assert sent[3].startswith("Bob's points: 0\nRank: none yet (no points)\n")


async def test_empty_leaderboard_says_so(bot, fake_telegram):
    await bot.post_update(make_message_update("/top week"))
    (sent,) = await texts(bot, fake_telegram, 1)
    assert sent == "积分排行榜（本周）：还没有人获得积分。"


def test_red_packet_shares_are_positive_and_sum_to_the_total():
    import random

    rng = random.Random(7)
    for total, count in ((100, 3), (5, 5), (1, 1), (1000, 100)):
        shares = split_shares(total, count, rng)
        assert len(shares) == count and sum(shares) == total and min(shares) >= 1


async def test_red_packet_first_claimers_share_the_total_once_each(bot, fake_telegram):
    await speak(bot, ALICE, CAROL, DAVE)
    await bot.post_update(make_message_update("/redpacket 100 3", sender=OPERATOR))
    (opened,) = await texts(bot, fake_telegram, 1)
    assert opened.startswith("🧧 积分红包来啦！共 100 积分，3 份")
    body = fake_telegram.called("sendMessage")[0]
    data = body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("rp:")
    await bot.post_update(make_callback_update(data, sender=ALICE))
    await bot.post_update(make_callback_update(data, sender=ALICE))
    await bot.post_update(make_message_update("抢", sender=BOB))
    await bot.post_update(make_callback_update(data, sender=CAROL))
    await bot.post_update(make_callback_update(data, sender=DAVE))
    answers = await fake_telegram.wait_for("answerCallbackQuery", 4)
    await fake_telegram.wait_for("sendMessage", 2)
    await quiet(bot)
    assert answers[0]["text"].startswith("抢到 ")
    assert answers[1]["text"] == "你已经抢过这个红包啦。"
    assert answers[2]["text"].startswith("抢到 ")
    assert answers[3]["text"] == "红包已经被抢光了。"
    # Bob's "抢" is answered on the round's message, as the presses are.
    board = await round_shows(bot, fake_telegram, 0, "已抢 3/3 份：")
    assert [line.split(" +")[0] for line in board.split("\n")[-3:]] == [
        "· Alice", "· Bob", "· Carol"]
    sent = [body["text"] for body in fake_telegram.called("sendMessage")]
    assert len(sent) == 2 and sent[1].startswith("🧧 红包已抢完！手气最佳：")
    claims = await rows(bot, RedPacketClaim)
    assert sorted(c.user_id for c in claims) == ["222", "333", "444"]
    paid = await ledger(bot, PointsEntry.reason == "redpacket")
    assert sum(e.delta for e in paid) == 100
    assert {e.user_id: e.delta for e in paid} == {c.user_id: c.amount for c in claims}


async def test_a_newcomer_held_by_verification_cannot_grab_a_share(bot, fake_telegram):
    # Muted until they pass, newcomers could still press the button: bots joining in numbers
    # took the members' shares before failing the gate.
    await bot.post_update(make_message_update("/verify on", sender=OPERATOR))
    await bot.post_update(make_join_update(DAVE))
    await fake_telegram.wait_for("restrictChatMember")
    await speak(bot, ALICE)
    await bot.post_update(make_message_update("/redpacket 10 2", sender=OPERATOR))
    opened = await eventually(lambda: asyncio.sleep(0, next(
        (b for b in fake_telegram.called("sendMessage") if b["text"].startswith("🧧")), None
    )))
    data = opened["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.post_update(make_callback_update(data, sender=DAVE))
    await bot.post_update(make_callback_update(data, sender=ALICE))
    refused, grabbed = await fake_telegram.wait_for("answerCallbackQuery", 2)
    await quiet(bot)
    assert refused == {**refused, "text": "请先完成入群验证，再来抢红包。", "show_alert": True}
    assert grabbed["text"].startswith("抢到 ")
    assert [c.user_id for c in await rows(bot, RedPacketClaim)] == [str(ALICE["id"])]


async def test_a_red_packet_share_is_not_grabbed_as_a_channel(bot, fake_telegram):
    # "抢" posted as a channel took a share for Telegram's placeholder sender, shared by all
    # channels; the share is left for a member.
    await bot.post_update(make_message_update("/redpacket 10 1", sender=OPERATOR))
    await bot.post_update(make_channel_message_update("抢"))
    await bot.post_update(make_message_update("抢", sender=BOB))
    sent = await texts(bot, fake_telegram, 3)
    assert sent[1].startswith("签到、积分和红包属于成员本人")
    assert sent[2] == "🧧 红包已抢完！手气最佳：Bob（10 积分）"
    assert [c.user_id for c in await rows(bot, RedPacketClaim)] == ["333"]


async def test_only_members_the_bot_has_seen_can_grab_a_share_at_once(bot, fake_telegram):
    # A public group's messages reach anyone through its link, and a stranger's button press
    # took a share from the members. Seen joining is enough, without a word said since; a
    # stranger, or a member seen leaving, waits for the platform's word and, not in the group,
    # gets nothing (tests/handlers/test_redpacket_members.py).
    stranger, gone = user(666, "Eve"), user(777, "Mallory")
    for person in (stranger, gone):
        fake_telegram.chat_members[GROUP_ID, person["id"]] = {"status": "left", "user": person}
    await bot.post_update(make_join_update(DAVE))
    await speak(bot, gone)
    await bot.post_update(make_left_update(gone))
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update("/redpacket 10 2", sender=OPERATOR))
    opened = await eventually(lambda: asyncio.sleep(0, next(
        (b for b in fake_telegram.called("sendMessage") if b["text"].startswith("🧧")), None
    )))
    data = opened["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for presser in (stranger, gone, DAVE):
        await bot.post_update(make_callback_update(data, sender=presser))
    answers = await fake_telegram.wait_for("answerCallbackQuery", 3)
    await eventually(lambda: checks_answered(bot, 2))
    await quiet(bot)
    checking = ("Checking that you are a member of this group. If you get a share, it will "
                "show on the red packet's message shortly.")
    assert [a["text"] for a in answers[:2]] == [checking] * 2
    assert answers[2]["text"].startswith("You grabbed ")
    assert [c.user_id for c in await rows(bot, RedPacketClaim)] == [str(DAVE["id"])]
    assert [e.user_id for e in await ledger(bot, PointsEntry.reason == "redpacket")] == ["555"]


async def checks_answered(bot, count: int) -> bool:
    """Whether `count` membership checks have had the platform's answer."""
    return len(await rows(bot, MembershipCheck, MembershipCheck.status == "done")) == count


async def test_a_member_who_only_ever_checked_in_can_grab_by_button(bot, fake_telegram):
    # In a group the bot joined late, Bob's join was never seen and his check-ins are not
    # chat: they still show he is in the group, and red packets are for such members.
    await bot.post_update(make_message_update("签到", sender=BOB))
    await bot.post_update(make_message_update("/redpacket 10 2", sender=OPERATOR))
    opened = await eventually(lambda: asyncio.sleep(0, next(
        (b for b in fake_telegram.called("sendMessage") if b["text"].startswith("🧧")), None
    )))
    data = opened["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.post_update(make_callback_update(data, sender=BOB))
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    await quiet(bot)
    assert answer["text"].startswith("抢到 "), answer
    assert [c.user_id for c in await rows(bot, RedPacketClaim)] == [str(BOB["id"])]


async def test_one_point_reads_as_one_point_in_english(bot, fake_telegram):
    # Every English points text said "points" whatever the count: a red packet of two shares
    # paid "You grabbed 1 points!".
    await speak(bot, ALICE)
    await bot.post_update(make_message_update("/settings language en", sender=OPERATOR))
    await bot.post_update(make_message_update("/redpacket 2 2", sender=OPERATOR))
    opened = (await texts(bot, fake_telegram, 2))[1]
    assert opened.startswith("🧧 A red packet of 2 points in 2 shares — first come")
    body = fake_telegram.called("sendMessage")[1]
    data = body["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.post_update(make_callback_update(data, sender=ALICE))
    (answer,) = await fake_telegram.wait_for("answerCallbackQuery", 1)
    assert answer["text"] == "You grabbed 1 point!"
    await bot.post_update(make_message_update("grab", sender=BOB))
    await bot.post_update(make_message_update("/points add @alice 1", sender=OPERATOR))
    assert (await texts(bot, fake_telegram, 4))[2:] == [
        "🧧 The red packet is all claimed! Luckiest: Alice (1 point)",
        "+1 point for Alice; total now 2",
    ]


async def rounds_posted(bot) -> list[dict]:
    """The red packet rounds the bot posted, oldest first, as the platform returned them:
    messages members can reply to."""
    await quiet(bot)
    sent = await rows(bot, OutboxAction, OutboxAction.kind == "send_message")
    return [row.result for row in sent if row.payload.get("buttons")]


async def test_grab_in_reply_to_an_older_round_claims_that_round(bot, fake_telegram):
    # Regression: "抢" in reply to the first of two open rounds took a share of the newest.
    await speak(bot, ALICE, BOB, DAVE)
    await bot.post_update(make_message_update("/redpacket 10 2", sender=OPERATOR))
    await bot.post_update(make_message_update("/redpacket 50 1", sender=OPERATOR))
    first, second = await rounds_posted(bot)
    await bot.post_update(make_message_update("抢", sender=ALICE, reply_to_message=first))
    # A reply to the newer round claims it; one to a round all claimed takes nothing.
    await bot.post_update(make_message_update("抢", sender=BOB, reply_to_message=second))
    await bot.post_update(make_message_update("抢", sender=DAVE, reply_to_message=second))
    sent = await texts(bot, fake_telegram, 3)
    older, newer = (packet.id for packet in await rows(bot, RedPacket))
    claims = [(c.user_id, c.packet_id) for c in await rows(bot, RedPacketClaim)]
    assert claims == [("222", older), ("333", newer)]
    assert "· Alice +" in await round_shows(bot, fake_telegram, 0, "已抢 1/2 份：")
    assert sent[2:] == ["🧧 红包已抢完！手气最佳：Bob（50 积分）"]


async def test_grab_takes_the_newest_round_the_member_has_not_grabbed(bot, fake_telegram):
    # Regression: after grabbing the newest round, "抢" only answered "already grabbed",
    # though an older round was still open.
    await speak(bot, ALICE)
    await bot.post_update(make_message_update("/redpacket 10 2", sender=OPERATOR))
    await bot.post_update(make_message_update("/redpacket 50 2", sender=OPERATOR))
    for _ in range(3):
        await bot.post_update(make_message_update("抢", sender=ALICE))
    await texts(bot, fake_telegram, 2)
    older, newer = (packet.id for packet in await rows(bot, RedPacket))
    assert [c.packet_id for c in await rows(bot, RedPacketClaim)] == [newer, older]
    for index in (0, 1):
        assert "· Alice +" in await round_shows(bot, fake_telegram, index, "已抢 1/2 份：")
    assert len(fake_telegram.called("sendMessage")) == 2


async def test_grab_with_punctuation_or_in_capitals_claims_a_share(bot, fake_telegram):
    # Regression: "抢！" and "grab!" were ignored, though "签到！" checks in.
    await speak(bot, ALICE, BOB)
    await bot.post_update(make_message_update("/redpacket 10 3", sender=OPERATOR))
    await bot.post_update(make_message_update("抢！", sender=ALICE))
    await bot.post_update(make_message_update("Grab!", sender=BOB))
    board = await round_shows(bot, fake_telegram, 0, "已抢 2/3 份：")
    assert [line.split(" +")[0] for line in board.split("\n")[-2:]] == ["· Alice", "· Bob"]


async def test_out_of_range_red_packets_get_the_usage_not_silence(bot, fake_telegram):
    # Regression: a total too big for the table (or "²") failed the handler: no answer at all.
    for args in ("99999999999999999999 3", "100001 3", "² 1", "10 ²"):
        await bot.post_update(make_message_update(f"/redpacket {args}", sender=OPERATOR))
    await bot.post_update(make_message_update("/redpacket 100000 2", sender=OPERATOR))
    sent = await texts(bot, fake_telegram, 5)
    assert all(text.startswith("用法：/redpacket") for text in sent[:4])
    assert "总积分最多 100000" in sent[0]
    assert sent[4].startswith("🧧 积分红包来啦！共 100000 积分，2 份")


async def test_substantial_messages_earn_activity_points_up_to_a_daily_cap(bot, fake_telegram):
    for text in TALK:
        await bot.post_update(make_message_update(text, sender=ALICE))
    await bot.post_update(make_message_update("好的", sender=BOB))
    await bot.post_update(make_message_update("/top 总榜 " + TALK[0], sender=BOB))
    # The activity handler only writes the ledger: the only message sent is /top's answer.
    (board,) = await texts(bot, fake_telegram, 1)
    assert board == "积分排行榜（总榜）：\n1. Alice — 5 分"
    entries = await ledger(bot)
    assert [(e.user_id, e.reason, e.delta) for e in entries] == [("222", "activity", 1)] * 5


async def test_commands_to_other_bots_earn_no_activity_points(bot, fake_telegram):
    # Only our own commands were left out: each long one for another bot earned a point.
    for text in TALK[:3]:
        await bot.post_update(make_message_update(f"/play@music_bot {text}", sender=ALICE))
    await bot.post_update(make_message_update(TALK[3], sender=ALICE))
    await quiet(bot)
    assert [(e.user_id, e.reason, e.delta) for e in await ledger(bot)] == [("222", "activity", 1)]


async def test_with_topic_words_only_on_topic_messages_earn_activity_points(bot, fake_telegram):
    command = "/settings points.topic_words 作业, 笔记, homework"
    await bot.post_update(make_message_update(command, sender=OPERATOR))
    cap = "/settings points.activity_daily_cap 20"  # the default 5 would end this test early
    await bot.post_update(make_message_update(cap, sender=OPERATOR))
    saved = (await texts(bot, fake_telegram, 2))[0]
    assert saved == "已保存：points.topic_words = 作业, 笔记, homework"
    off_topic = "周末天气真好，大家都出去玩了吗，我去了公园"
    traditional = "我把這週的作業整理成一份文檔了，大家可以參考"
    full_width = "Ｍｙ ＨＯＭＥＷＯＲＫ for week two is uploaded to the drive"
    for text in (off_topic, TALK[0], traditional, full_width):
        await bot.post_update(make_message_update(text, sender=ALICE))
    question = message("请问作业什么时候交？", sender=BOB)
    await bot.post_update(make_message_update("周五", sender=ALICE, reply_to_message=question))
    await quiet(bot)
    entries = [(e.reason, e.delta, e.ref) for e in await ledger(bot)]
    # The off-topic message earns nothing; "笔记", "作業" and "ＨＯＭＥＷＯＲＫ" count; an answer
    # to a question always counts.
    assert [(reason, delta) for reason, delta, _ in entries] == [
        ("activity", 1), ("activity", 1), ("activity", 1), ("answer", 2)
    ]
    await bot.post_update(make_message_update("/settings points.topic_words -", sender=OPERATOR))
    await bot.post_update(make_message_update(off_topic + "！", sender=ALICE))
    await quiet(bot)
    assert len(await ledger(bot)) == 5  # with the list cleared, any substantial message counts


async def test_answering_another_members_question_earns_answer_points(bot, fake_telegram):
    question = message("请问作业什么时候交？", sender=BOB)
    statement = message("我交完作业了", sender=CAROL)
    await bot.post_update(make_message_update("周五", sender=ALICE, reply_to_message=question))
    await bot.post_update(make_message_update("好", sender=ALICE, reply_to_message=statement))
    own = message("有人知道吗？", sender=ALICE)
    await bot.post_update(make_message_update("算了", sender=ALICE, reply_to_message=own))
    await bot.post_update(make_message_update("/me", sender=ALICE))
    (me,) = await texts(bot, fake_telegram, 1)
    assert me.startswith("Alice 的积分：2\n")
    assert [(e.reason, e.delta) for e in await ledger(bot)] == [("answer", 2)]


async def test_chatter_laughter_and_repeats_earn_no_activity_points(bot, fake_telegram):
    # Regression: 15 characters of anything paid a point, and so did any reply to a question,
    # so "哈哈哈…", emoji and "好" to every question filled the daily cap.
    chatter = (
        "哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈哈",
        "😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂😂",
        "好的好的好的好的好的好的好的好的！",
        "66666666666666666666",
        "hahahahahaha hhhhhhhh lol lol lol",
        "我我我我我我我我我我我我我我我我我",
    )
    for text in chatter:
        await bot.post_update(make_message_update(text, sender=ALICE))
    question = message("请问作业什么时候交？", sender=BOB)
    for reply in ("好", "哈哈哈", "👍", "周五"):
        await bot.post_update(make_message_update(reply, sender=ALICE, reply_to_message=question))
    # The same good message again, in another width and with other punctuation, pays once.
    for text in (TALK[0], TALK[0], TALK[0].replace("，", ", ") + "!!"):
        await bot.post_update(make_message_update(text, sender=ALICE))
    await quiet(bot)
    assert [(e.reason, e.delta) for e in await ledger(bot)] == [("answer", 2), ("activity", 1)]


async def test_what_counts_as_effective_activity_is_configurable(bot, fake_telegram):
    for command in ("/settings points.answer_min_distinct 0",
                    "/settings points.activity_min_distinct 30"):
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    saved = await texts(bot, fake_telegram, 2)
    assert saved == ["已保存：points.answer_min_distinct = 0",
                     "已保存：points.activity_min_distinct = 30"]
    question = message("请问作业什么时候交？", sender=BOB)
    await bot.post_update(make_message_update("好", sender=ALICE, reply_to_message=question))
    await bot.post_update(make_message_update(TALK[0], sender=ALICE))  # 20 distinct, below 30
    await quiet(bot)
    assert [(e.reason, e.delta) for e in await ledger(bot)] == [("answer", 2)]


async def test_activity_day_follows_the_groups_timezone(bot, fake_telegram):
    before = int(datetime(2026, 11, 20, 15, 59, tzinfo=UTC).timestamp())
    for offset, text in enumerate(TALK[:6]):
        await bot.post_update(make_message_update(text, date=before + offset))
    # Past midnight in Shanghai: a new local day with a fresh cap.
    await bot.post_update(make_message_update(TALK[6], date=before + 120))
    await bot.post_update(make_message_update("/top"))
    (board,) = await texts(bot, fake_telegram, 1)
    assert board.endswith("1. Alice — 6 分")
    assert len(await ledger(bot)) == 6


async def test_a_message_deleted_as_spam_earns_no_points(bot, fake_telegram):
    ad = "加我微信 abc123 领取福利，名额有限，先到先得，错过就没有了"
    await bot.post_update(make_message_update(ad, sender=ALICE))
    await fake_telegram.wait_for("deleteMessage")
    top = make_message_update("/top", sender=BOB)
    await bot.post_update(top)
    assert await answer_to(bot, fake_telegram, top) == "积分排行榜（总榜）：还没有人获得积分。"
    assert await ledger(bot) == []


async def test_ads_removed_after_the_fact_give_back_the_points_they_earned(bot, fake_telegram):
    # Regression: a message removed later by /spam or by members' reports kept the activity
    # point it had earned, so spammers who talked like members climbed /top.
    pitches = [message(text, sender=sender) for text, sender in
               ((TALK[0], ALICE), (TALK[1], ALICE), (TALK[2], BOB))]
    for pitch in pitches:
        await bot.post_update(make_update("message", pitch))
    await quiet(bot)
    await bot.post_update(make_message_update("/spam", sender=OPERATOR,
                                              reply_to_message=pitches[0]))
    await regulars(bot, CAROL, DAVE)
    for reporter in (CAROL, DAVE, OPERATOR):
        await bot.post_update(make_message_update("/report", sender=reporter,
                                                  reply_to_message=pitches[2]))
    await fake_telegram.wait_for("deleteMessage", 2)
    await quiet(bot)
    top = make_message_update("/top", sender=CAROL)
    await bot.post_update(top)
    assert await answer_to(bot, fake_telegram, top) == "积分排行榜（总榜）：\n1. Alice — 1 分"
    entries = [(e.user_id, e.reason, e.delta) for e in await ledger(bot)]
    assert entries == [("222", "activity", 1)] * 2 + [("333", "activity", 1)] + [
        ("222", "ad_removed", -1), ("333", "ad_removed", -1)]
    # Undone, the decision gives the point back, and the ledger says so too.
    spam = (await rows(bot, ModerationDecision))[0]
    await bot.post_update(make_message_update(f"/undo {spam.id}", sender=OPERATOR))
    await eventually(lambda: asyncio.sleep(0, len(
        [b for b in fake_telegram.called("sendMessage") if b["text"].startswith("已撤销")])))
    await quiet(bot)
    assert [(e.user_id, e.reason, e.delta) for e in await ledger(bot)][-1] == (
        "222", "ad_restored", 1)


async def test_red_packet_rounds_escalate_once_each_round_is_claimed(bot, fake_telegram):
    await bot.post_update(make_message_update("/redpacket 10 2 2", sender=OPERATOR))
    await fake_telegram.wait_for("sendMessage")
    await bot.post_update(make_message_update("抢", sender=ALICE))
    await bot.post_update(make_message_update("抢", sender=BOB))
    sent = await texts(bot, fake_telegram, 3)
    assert sent[0].startswith("🧧 积分红包来啦！共 10 积分，2 份")
    assert sent[1].startswith("🧧 红包已抢完！")
    assert sent[2].startswith("🔥 第 2 轮，积分翻倍！\n🧧 积分红包来啦！共 20 积分，2 份")
    # The last round opens nothing further.
    await bot.post_update(make_message_update("抢", sender=CAROL))
    await bot.post_update(make_message_update("抢", sender=ALICE))
    sent = await texts(bot, fake_telegram, 4)
    assert sent[3].startswith("🧧 红包已抢完！")
    await bot.post_update(make_message_update("/top", sender=DAVE))
    sent = await texts(bot, fake_telegram, 5)
    assert len(sent) == 5
    assert sum(e.delta for e in await ledger(bot, PointsEntry.reason == "redpacket")) == 30

