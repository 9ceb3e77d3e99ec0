"""Several replicas on one PostgreSQL database: one sender, each update handled once, in order."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import PG_URL
from tests.factories import OPERATOR_ID, make_message_update, user
from tests.harness import BotHarness, eventually

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs QUNBOT_TEST_DATABASE_URL (PostgreSQL)")


async def test_one_leader_and_takeover_when_it_stops(make_settings, fake_telegram):
    first = await BotHarness(make_settings()).start()
    second = await BotHarness(make_settings()).start()
    try:
        await eventually(
            lambda: asyncio.sleep(
                0, first.runtime.leader.is_leader or second.runtime.leader.is_leader
            )
        )
        await asyncio.sleep(0.5)  # both have had several election rounds
        assert [first.runtime.leader.is_leader, second.runtime.leader.is_leader].count(True) == 1
        leader, follower = (first, second) if first.runtime.leader.is_leader else (second, first)
        await leader.stop()
        await eventually(lambda: asyncio.sleep(0, follower.runtime.leader.is_leader))
        await follower.post_update(make_message_update("/help"))
        await eventually(follower.settled)
        assert len(fake_telegram.called("sendMessage")) == 1
    finally:
        await first.close()
        await second.close()


async def test_updates_spread_over_replicas_are_handled_once_and_in_chat_order(
    make_settings, fake_telegram
):
    replicas = [await BotHarness(make_settings()).start() for _ in range(3)]
    operator = user(OPERATOR_ID, "Op")
    kinds = ["flash", "fan", "delivery", "newcomer", "super", "general"] * 3
    chats = [-1001, -1002, -1003]
    try:
        posts = []
        for i, kind in enumerate(kinds):
            for chat in chats:
                update = make_message_update(
                    f"/settings kind {kind}", chat_id=chat, sender=operator
                )
                posts.append(replicas[(i + chat) % 3].post_update(update))
        # Sequential per chat, as Telegram delivers a chat's updates one after another.
        for post in posts:
            assert (await post).status_code == 200
        await eventually(replicas[0].settled, timeout=30)
        sent = fake_telegram.called("sendMessage")
        assert len(sent) == len(kinds) * len(chats)
        for chat in chats:
            texts = [m["text"] for m in sent if m["chat_id"] == chat]
            assert texts == [f"已保存：kind = {kind}" for kind in kinds]
    finally:
        for replica in replicas:
            await replica.close()


async def test_a_leader_whose_start_failed_lets_another_replica_lead():
    # The lock is the session's: when the new leader's start-up work failed, its connection went
    # back to the pool still holding it, so no other replica could ever take over (and this
    # one, on another pooled connection, could not either).
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.leader import LeaderElection

    first_engine, second_engine = create_async_engine(PG_URL), create_async_engine(PG_URL)
    key = 0x7465737431  # not the service's own lock: other tests' replicas may hold that one

    async def fail() -> None:
        raise RuntimeError("start-up failed")

    async def nothing() -> None:
        return None

    first = LeaderElection(first_engine, fail, nothing, retry_seconds=60, lock_key=key)
    second = LeaderElection(second_engine, nothing, nothing, retry_seconds=0.05, lock_key=key)
    try:
        first.start()
        await asyncio.sleep(0.3)  # the first one won, failed to start and waits a minute
        second.start()
        await eventually(lambda: asyncio.sleep(0, second.is_leader))
    finally:
        await first.stop()
        await second.stop()
        await first_engine.dispose()
        await second_engine.dispose()
