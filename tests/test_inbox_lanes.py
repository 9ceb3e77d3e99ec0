"""PostgreSQL processes chats in parallel, but while a webhook waits to be stored only one chat
at a time starts: every running handler slows each step of storing it."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.db.models import InboxUpdate
from tests.conftest import PG_URL
from tests.factories import make_message_update
from tests.harness import eventually

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs QUNBOT_TEST_DATABASE_URL (PostgreSQL)")

CHATS = [-1001000000001, -1001000000002, -1001000000003, -1001000000004]


def overlap_counting(runtime) -> dict[str, int]:
    """Count how many handlers run at once; each awaits the database a few times."""
    counts = {"running": 0, "most": 0, "handled": 0}
    dispatch = runtime.dispatcher.dispatch

    async def counting(event, session, now):
        counts["running"] += 1
        counts["most"] = max(counts["most"], counts["running"])
        try:
            for _ in range(5):
                await session.execute(select(1))
            return await dispatch(event, session, now)
        finally:
            counts["running"] -= 1
            counts["handled"] += 1

    runtime.dispatcher.dispatch = counting
    return counts


async def post_one_per_chat(bot) -> None:
    await bot.runtime.processor.stop()
    for chat in CHATS:
        update = make_message_update(f"hello {chat}", chat_id=chat)
        assert (await bot.post_update(update)).status_code == 200


async def test_chats_run_in_parallel_when_no_webhook_waits(bot):
    await post_one_per_chat(bot)
    counts = overlap_counting(bot.runtime)
    bot.runtime.processor.start()
    await eventually(bot.settled)
    assert counts["handled"] == len(CHATS)
    assert counts["most"] > 1


async def test_one_chat_at_a_time_while_a_webhook_waits_to_be_stored(bot):
    runtime = bot.runtime
    await post_one_per_chat(bot)
    late = make_message_update("late")
    # A concurrent, uncommitted row with the same key makes the writer's INSERT wait for it,
    # so the webhook stays unacknowledged for as long as this transaction is open.
    async with bot.engine.connect() as blocker:
        await blocker.execute(
            InboxUpdate.__table__.insert().values(
                platform="telegram",
                bot_id=runtime.platforms["telegram"].bot_id,
                update_id=late["update_id"],
                chat_key="blocker",
                payload="{}",
                status="done",
                attempts=0,
            )
        )
        posting = asyncio.create_task(bot.post_update(late))
        await eventually(lambda: asyncio.sleep(0, runtime.inbox_writer.waiting))
        counts = overlap_counting(runtime)
        runtime.processor.start()
        await eventually(lambda: asyncio.sleep(0, counts["handled"] == len(CHATS)))
        assert runtime.inbox_writer.waiting
        await blocker.rollback()
    assert (await posting).status_code == 200
    await eventually(bot.settled)
    assert counts["most"] == 1
