"""The sender paces itself under Telegram's limits instead of drawing 429s.

The fake enforces the limits as sliding windows; the rates here are Telegram's, scaled where a
test would otherwise take minutes (20/min per group becomes 60/min).
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from bot.core.actions import Ban, DeleteMessage, LeaveChat, Restrict, SendMessage, Unban
from bot.db.models import utcnow
from bot.outbox.store import enqueue
from tests.fakes.telegram_api import Limits
from tests.harness import BotHarness, eventually

GROUPS = [str(-1000000000000 - i) for i in range(5)]


async def send_backlog(make_settings, fake, **rates) -> BotHarness:
    bot = await BotHarness(make_settings(**rates)).start()
    async with bot.sessions.begin() as session:
        for group in GROUPS:
            actions = [SendMessage(chat_id=group, text=f"post {n}") for n in range(4)]
            await enqueue(session, "telegram", actions, key=f"backlog:{group}", now=utcnow())
    bot.runtime.sender.notify()
    await eventually(bot.settled, timeout=30)
    return bot


async def test_a_backlog_is_sent_without_a_single_429(make_settings, fake_telegram):
    fake_telegram.limits = Limits(
        per_bot_per_second=10, per_chat_per_second=1, per_group_per_minute=60
    )
    bot = await send_backlog(
        make_settings,
        fake_telegram,
        rate_per_bot_per_second=10,
        rate_per_chat_per_second=1,
        rate_per_group_per_minute=60,
    )
    try:
        assert fake_telegram.rate_limited == 0
        per_chat = defaultdict(list)
        for call in fake_telegram.calls:
            if call.method == "sendMessage":
                per_chat[call.body["chat_id"]].append((call.at, call.body["text"]))
        assert len(per_chat) == 5
        for sends in per_chat.values():
            assert [text for _, text in sends] == [f"post {n}" for n in range(4)]
            gaps = [b[0] - a[0] for a, b in itertools.pairwise(sends)]
            assert min(gaps) >= 0.99
        assert all(row.status == "done" for row in await bot.outbox())
    finally:
        await bot.close()


async def test_a_message_held_up_on_its_way_does_not_crowd_the_next_one(
    make_settings, fake_telegram
):
    # Telegram counts a message when it arrives: the first post arriving 0.6 s late and the
    # second sent on time would arrive 0.4 s apart and draw a 429.
    fake_telegram.limits = Limits(per_bot_per_second=30, per_chat_per_second=1)
    fake_telegram.arrival_delays.extend([0.6, 0.0, 0.3])
    chat = "4242"
    bot = await BotHarness(make_settings(rate_per_chat_per_second=1)).start()
    try:
        async with bot.sessions.begin() as session:
            posts = [SendMessage(chat_id=chat, text=f"note {n}") for n in range(3)]
            await enqueue(session, "telegram", posts, key="late", now=utcnow())
        bot.runtime.sender.notify()
        await eventually(bot.settled, timeout=30)
        assert fake_telegram.rate_limited == 0
        sends = [call.at for call in fake_telegram.calls if call.method == "sendMessage"]
        assert len(sends) == 3
        assert min(b - a for a, b in itertools.pairwise(sends)) >= 0.99
        assert all(row.status == "done" for row in await bot.outbox())
    finally:
        await bot.close()


async def test_the_fake_does_punish_a_sender_that_ignores_the_limits(make_settings, fake_telegram):
    # Guards the test above: without pacing, the same backlog draws 429s and still arrives.
    fake_telegram.limits = Limits(
        per_bot_per_second=10, per_chat_per_second=1, per_group_per_minute=60, retry_after=1
    )
    bot = await send_backlog(
        make_settings,
        fake_telegram,
        rate_per_bot_per_second=1000,
        rate_per_chat_per_second=1000,
        rate_per_group_per_minute=60000,
    )
    try:
        assert fake_telegram.rate_limited > 0
        assert all(row.status == "done" for row in await bot.outbox())
    finally:
        await bot.close()


async def test_deletions_and_restrictions_do_not_wait_behind_a_groups_paced_messages(
    make_settings, fake_telegram
):
    # A raid: a group's greetings and challenges queue at the group's pace (1/s here, 20/min in
    # production), while the ad to delete and the newcomer to restrict cannot wait for them.
    bot = await BotHarness(make_settings(rate_per_group_per_minute=60)).start()
    group = GROUPS[0]
    try:
        async with bot.sessions.begin() as session:
            queued = [SendMessage(chat_id=group, text=f"hello {n}") for n in range(5)]
            queued += [DeleteMessage(chat_id=group, message_id="77"),
                       Restrict(chat_id=group, user_id="42"),
                       SendMessage(chat_id=group, text="bye"), LeaveChat(chat_id=group)]
            await enqueue(session, "telegram", queued, key="raid", now=utcnow())
        bot.runtime.sender.notify()
        await eventually(bot.settled, timeout=30)
        order = [c.method for c in fake_telegram.calls if str(c.body.get("chat_id")) == group]
        # Both went out before the second paced message, not after the fifth.
        second_send = [i for i, method in enumerate(order) if method == "sendMessage"][1]
        assert order.index("deleteMessage") < second_send, order
        assert order.index("restrictChatMember") < second_send, order
        # The messages keep their order and pace, and the bot leaves only after its farewell.
        sends = [c for c in fake_telegram.calls if c.method == "sendMessage"]
        assert [c.body["text"] for c in sends] == [*(f"hello {n}" for n in range(5)), "bye"]
        assert min(b.at - a.at for a, b in itertools.pairwise(sends)) >= 0.99
        assert order[-1] == "leaveChat"
    finally:
        await bot.close()


async def test_the_bot_leaves_a_dissolved_group_only_after_removing_its_members(
    make_settings, fake_telegram
):
    bot = await BotHarness(make_settings(rate_per_bot_per_second=30)).start()
    group = GROUPS[0]
    try:
        async with bot.sessions.begin() as session:
            queued = [SendMessage(chat_id=group, text="快闪结束")]
            for uid in range(100, 130):
                queued += [Ban(chat_id=group, user_id=str(uid)),
                           Unban(chat_id=group, user_id=str(uid))]
            queued.append(LeaveChat(chat_id=group))
            await enqueue(session, "telegram", queued, key="dissolve", now=utcnow())
        bot.runtime.sender.notify()
        await eventually(bot.settled, timeout=30)
        order = [c.method for c in fake_telegram.calls if str(c.body.get("chat_id")) == group]
        assert order.count("unbanChatMember") == 30 and order[-1] == "leaveChat", order
    finally:
        await bot.close()
