"""Webhook acknowledgements come before processing: a webhook arriving while a handler works
through the database is read and queued at once, and stored before the next update is handled.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.db.models import InboxUpdate
from tests.factories import make_message_update
from tests.harness import eventually

# More statements than any handler runs; reaching it means the webhook never got a turn.
STATEMENT_CAP = 5_000


async def test_a_webhook_is_stored_while_a_long_handler_runs(bot):
    runtime = bot.runtime
    first, second, late = (make_message_update(text) for text in ("first", "second", "late"))
    await runtime.processor.stop()
    for update in (first, second):
        assert (await bot.post_update(update)).status_code == 200

    seen: dict[str, object] = {}
    first_started = asyncio.Event()
    dispatch = runtime.dispatcher.dispatch

    async def long_first_handler(event, session, now):
        if event.text == "first":
            first_started.set()
            statements = 0
            while not runtime.inbox_writer.waiting and statements < STATEMENT_CAP:
                await session.execute(select(1))
                statements += 1
            seen["webhook queued during the handler"] = runtime.inbox_writer.waiting
        elif event.text == "second":
            seen["late stored before the second is handled"] = await session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.update_id == late["update_id"])
            )
        return await dispatch(event, session, now)

    runtime.dispatcher.dispatch = long_first_handler
    runtime.processor.start()
    await first_started.wait()
    assert (await bot.post_update(late)).status_code == 200
    await eventually(bot.settled)
    assert seen == {
        "webhook queued during the handler": True,
        "late stored before the second is handled": 1,
    }
