"""Floods and copy-paste across groups, through the webhook: the same text again and again in a
group, or in group after group, is removed with its earlier copies; chat is left alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import Group
from bot.retention import Pruner
from handlers import repeats_store
from handlers.adfilter import Verdict, combine
from handlers.adfilter.repeats import RepeatLimits, check_repeats
from handlers.moderation_store import ModerationDecision
from handlers.repeats_store import RecentPost
from tests.factories import GROUP_ID, MEMBER_ID, OPERATOR_ID, make_message_update, user
from tests.harness import eventually

OPERATOR = user(OPERATOR_ID, "Op")
ALICE = user(MEMBER_ID, "Alice", username="alice")
BOB = user(MEMBER_ID + 1, "Bob", username="bob")
# Ordinary words: only their repetition makes them spam.
ASK = "今天团购的取货点在哪里呀，有人知道吗"
OTHER_GROUPS = (-1002000000001, -1002000000002)


async def settle(bot) -> None:
    await eventually(bot.settled)


async def decisions(bot) -> list[ModerationDecision]:
    async with bot.sessions() as session:
        query = select(ModerationDecision).order_by(ModerationDecision.id)
        return list(await session.scalars(query))


def deleted(fake_telegram) -> list[tuple[int, int]]:
    return [(d["chat_id"], d["message_id"]) for d in fake_telegram.called("deleteMessage")]


async def test_a_flood_of_the_same_text_is_removed_with_its_earlier_copies(bot, fake_telegram):
    await bot.post_update(make_message_update("大家好，我是新来的", sender=ALICE))
    await bot.post_update(make_message_update("谢谢群主拉我进来", sender=ALICE))
    await bot.post_update(make_message_update("请问群公告在哪里看", sender=ALICE))
    # The same question three times, spelled a little differently each time.
    spellings = (ASK, ASK + "？？", "今天 团购的取货点在哪里呀 有人知道吗 🙏")
    copies = [make_message_update(text, sender=ALICE) for text in spellings]
    for update in copies[:2]:
        await bot.post_update(update)
    await settle(bot)
    assert deleted(fake_telegram) == []  # asking twice is fine
    await bot.post_update(copies[2])
    await fake_telegram.wait_for("deleteMessage", 3)
    await settle(bot)
    ids = [u["message"]["message_id"] for u in copies]
    assert sorted(deleted(fake_telegram)) == sorted((GROUP_ID, i) for i in ids)
    (decision,) = await decisions(bot)
    assert decision.message_id == str(ids[2]) and decision.user_id == str(MEMBER_ID)
    repeats = next(v for v in decision.verdicts if v["name"] == "repeats")
    assert repeats["spam"] and repeats["details"] == "the same text 3 times in 10 minutes"
    # Only fingerprints are kept, never the text.
    async with bot.sessions() as session:
        posts = list(await session.scalars(select(RecentPost)))
    # (the three short greetings are too short to count and are not remembered at all)
    assert len(posts) == 3 and all(len(p.fingerprint) == 32 for p in posts)
    # A fourth copy is the member's second offence (mute); the copies already gone are not
    # deleted a second time.
    fourth = make_message_update(ASK, sender=ALICE)
    await bot.post_update(fourth)
    await fake_telegram.wait_for("restrictChatMember", 1)
    await settle(bot)
    assert len(deleted(fake_telegram)) == 4
    assert deleted(fake_telegram)[-1] == (GROUP_ID, fourth["message"]["message_id"])


async def test_different_messages_and_short_replies_are_not_a_flood(bot, fake_telegram):
    for text in ("好的", "好的", "好的", "收到收到", "收到收到", "收到收到"):
        await bot.post_update(make_message_update(text, sender=ALICE))
    for n in range(4):
        await bot.post_update(make_message_update(f"第{n}个问题：作业第{n}题怎么做", sender=BOB))
    await settle(bot)
    assert deleted(fake_telegram) == []
    assert await decisions(bot) == []


async def test_the_same_text_pasted_into_group_after_group_is_removed_from_each(
    bot, fake_telegram
):
    # Only the copy that reached the third group was removed; the first two stayed up.
    promo = "周末读书会，地点在市图书馆三楼，欢迎大家一起来交流"
    first = make_message_update(promo, sender=BOB)
    second = make_message_update(promo, sender=BOB, chat_id=OTHER_GROUPS[0])
    third = make_message_update(promo, sender=BOB, chat_id=OTHER_GROUPS[1])
    for update in (first, second):
        await bot.post_update(update)
    await settle(bot)
    assert deleted(fake_telegram) == []
    await bot.post_update(third)
    await fake_telegram.wait_for("deleteMessage", 3)
    await settle(bot)
    posted = [(u["message"]["chat"]["id"], u["message"]["message_id"]) for u in (first, second,
                                                                                 third)]
    assert sorted(deleted(fake_telegram)) == sorted(posted)
    # Each copy is a decision of its own group, explained and undone there.
    async with bot.sessions() as session:
        chats = dict((await session.execute(select(Group.id, Group.chat_id))).all())
    ruled = {(int(chats[d.group_id]), int(d.message_id)): d for d in await decisions(bot)}
    assert sorted(ruled) == sorted(posted)
    for decision in ruled.values():
        repeats = next(v for v in decision.verdicts if v["name"] == "repeats")
        assert repeats["details"] == "the same text in 3 groups within 60 minutes"
        assert (decision.action, decision.user_id) == ("delete", str(MEMBER_ID + 1))
    here = ruled[posted[0]]
    notice = next(m for m in fake_telegram.called("sendMessage") if m["chat_id"] == GROUP_ID)
    assert notice["text"] == f"⚠️ @bob 把同一条消息发到了多个群，本群的这一条已删除（#{here.id}）。"
    assert notice["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == (
        f"adf:notspam:{here.id}"
    )
    await bot.post_update(make_message_update(f"/undo {here.id}", sender=OPERATOR))
    await settle(bot)
    undone = {(int(chats[d.group_id]), int(d.message_id)): d.undone for d in await decisions(bot)}
    assert undone == {posted[0]: True, posted[1]: False, posted[2]: False}


async def test_each_group_judges_its_own_copy_by_its_own_settings(bot, fake_telegram):
    await bot.post_update(make_message_update("/filter shadow on", sender=OPERATOR))
    await bot.post_update(
        make_message_update("/filter crossgroup off", sender=OPERATOR, chat_id=OTHER_GROUPS[0])
    )
    promo = "周末读书会，地点在市图书馆三楼，欢迎大家一起来交流"
    shadowed = make_message_update(promo, sender=BOB)
    kept = make_message_update(promo, sender=BOB, chat_id=OTHER_GROUPS[0])
    third = make_message_update(promo, sender=BOB, chat_id=OTHER_GROUPS[1])
    for update in (shadowed, kept, third):  # chats are worked side by side: one at a time
        await settle(bot)
        await bot.post_update(update)
    await fake_telegram.wait_for("deleteMessage", 1)
    await settle(bot)
    # Removed where it was caught; recorded only in the group in shadow mode; left alone where
    # copy-paste is not judged.
    assert deleted(fake_telegram) == [(OTHER_GROUPS[1], third["message"]["message_id"])]
    ruled = [(int(d.message_id), d.shadow) for d in await decisions(bot)]
    assert sorted(ruled) == sorted([
        (third["message"]["message_id"], False),
        (shadowed["message"]["message_id"], True),
    ])


async def test_operators_set_and_switch_off_the_limits(bot, fake_telegram):
    for command in ("/filter repeats 2 5m", "/filter crossgroup off", "/filter repeats x 5",
                    "/filter repeats 2 2000h"):
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    replies = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 4)]
    assert "刷屏：同一内容 2 次 / 5 分钟" in replies[0]
    assert "跨群复制：同一内容 3 个群" in replies[0]
    assert "跨群复制：关闭" in replies[1]
    assert replies[2] == "无法设置：不是整数：x"
    assert replies[3] == "无法设置：时长要在 1 分钟到 1 天之间"
    # Two copies are now a flood.
    await bot.post_update(make_message_update(ASK, sender=ALICE))
    await bot.post_update(make_message_update(ASK, sender=ALICE))
    await fake_telegram.wait_for("deleteMessage", 2)
    await bot.post_update(make_message_update("/filter repeats off", sender=OPERATOR))
    for _ in range(3):
        await bot.post_update(make_message_update(ASK + "!", sender=BOB))
    await settle(bot)
    assert len(fake_telegram.called("deleteMessage")) == 2


async def test_operators_repeating_an_announcement_are_exempt(bot, fake_telegram):
    notice = "今晚八点直播答疑，记得准时参加，回放会发在群公告里"
    for _ in range(3):
        await bot.post_update(make_message_update(notice, sender=OPERATOR))
    await settle(bot)
    assert deleted(fake_telegram) == []


async def test_the_leader_forgets_posts_older_than_a_day(bot, fake_telegram):
    await bot.post_update(make_message_update(ASK, sender=ALICE))
    await settle(bot)
    pruner = Pruner(bot.sessions, [repeats_store.EXPIRY])
    assert await pruner.run_once() == 0  # nothing is old yet
    pruner.clock = lambda: datetime.now(UTC) + timedelta(hours=26)
    assert await pruner.run_once() == 1
    async with bot.sessions() as session:
        assert list(await session.scalars(select(RecentPost))) == []


async def test_a_notice_many_members_share_across_groups_is_not_removed_for_that_alone(
    bot, fake_telegram
):
    notice = "紧急扩散：小区门口走失一只橘猫，戴蓝色项圈，看到的请联系物业"
    chats = (GROUP_ID, *OTHER_GROUPS)
    for n, chat in enumerate(chats):
        sender = user(MEMBER_ID + 10 + n, f"Neighbour{n}")
        await bot.post_update(make_message_update(notice, sender=sender, chat_id=chat))
    await settle(bot)
    assert deleted(fake_telegram) == []


def test_a_wave_of_accounts_is_weak_evidence_and_single_posts_are_none():
    limits = RepeatLimits()
    wave = check_repeats(0, 1, 30, limits, wave_senders=3, wave_groups=3)
    assert (wave.spam, wave.score) == (False, 0.5)
    assert wave.details == "the same text from 3 members in 3 groups"
    # Backed by other evidence (ad words at 0.8), the wave decides.
    keywords = Verdict("keywords", False, 0.8, "matched: 代理")
    assert combine((wave, keywords), 0.9).spam
    assert not combine((keywords,), 0.9).spam
    assert check_repeats(0, 1, 30, limits, wave_senders=3, wave_groups=2).score == 0.0
    assert check_repeats(0, 1, 12, limits, wave_senders=5, wave_groups=5).score == 0.0  # short
    assert check_repeats(1, 1, 30, limits).details == "the same text 2 times"
    assert not check_repeats(5, 9, 30, RepeatLimits(0, 10, 0, 60)).spam  # both rules off


async def test_a_limit_of_one_which_would_make_every_message_a_repeat_is_refused(
    bot, fake_telegram
):
    for command in ("/filter repeats 1 10", "/filter crossgroup 1 60"):
        await bot.post_update(make_message_update(command, sender=OPERATOR))
    replies = [m["text"] for m in await fake_telegram.wait_for("sendMessage", 2)]
    await settle(bot)
    assert all(reply.startswith("无法设置：") for reply in replies)
    # Ordinary chat, each text said once, is left alone.
    await bot.post_update(make_message_update(ASK, sender=ALICE))
    await bot.post_update(make_message_update("Has anyone tried the new study room downstairs?",
                                              sender=BOB))
    await settle(bot)
    assert fake_telegram.called("deleteMessage") == []
