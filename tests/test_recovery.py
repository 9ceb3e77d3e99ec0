"""Crash recovery: work left by a process that died is done after restart, exactly once."""

from __future__ import annotations

from datetime import timedelta

import orjson

from bot.core.actions import SendMessage, action_to_json
from bot.db.models import InboxUpdate, OutboxAction, utcnow
from tests.factories import GROUP_ID, make_message_update
from tests.harness import BotHarness, eventually


async def seed(make_settings, *rows):
    harness = BotHarness(make_settings())
    async with harness.sessions.begin() as session:
        session.add_all(rows)
    await harness.engine.dispose()


def inbox_row(update, status="pending", claimed_at=None):
    return InboxUpdate(
        platform="telegram",
        bot_id="123456789",
        update_id=update["update_id"],
        chat_key=str(update["message"]["chat"]["id"]),
        payload=orjson.dumps(update).decode(),
        status=status,
        attempts=0,
        claimed_at=claimed_at,
    )


def outbox_row(text, key, status="pending"):
    return OutboxAction(
        platform="telegram",
        chat_key=str(GROUP_ID),
        kind="send_message",
        payload=action_to_json(SendMessage(chat_id=str(GROUP_ID), text=text)),
        idempotency_key=key,
        status=status,
        attempts=0,
    )


async def test_updates_left_unprocessed_by_a_crash_are_processed_once(make_settings, fake_telegram):
    # A crash mid-processing leaves rows pending, or claimed by the dead process.
    stale = utcnow() - timedelta(hours=1)
    await seed(
        make_settings,
        inbox_row(make_message_update("/help")),
        inbox_row(make_message_update("/help"), status="processing", claimed_at=stale),
    )
    bot = await BotHarness(make_settings()).start()
    try:
        await eventually(bot.settled)
        assert [row.status for row in await bot.inbox()] == ["done", "done"]
        assert len(fake_telegram.called("sendMessage")) == 2
        await bot.stop()
        await bot.start()
        await eventually(bot.settled)
        assert len(fake_telegram.called("sendMessage")) == 2
    finally:
        await bot.close()


async def test_unsent_outbox_rows_are_sent_once_after_restart(make_settings, fake_telegram):
    await seed(
        make_settings,
        outbox_row("queued before the crash", "a:0", status="queued"),
        outbox_row("never claimed", "b:0"),
        outbox_row("already delivered", "c:0", status="done"),
    )
    bot = await BotHarness(make_settings()).start()
    try:
        await eventually(bot.settled)
        texts = [m["text"] for m in fake_telegram.called("sendMessage")]
        assert sorted(texts) == ["never claimed", "queued before the crash"]
        await bot.stop()
        await bot.start()
        await eventually(bot.settled)
        assert len(fake_telegram.called("sendMessage")) == 2
    finally:
        await bot.close()


async def test_a_crash_between_handling_and_commit_leaves_no_trace(make_settings, fake_telegram):
    """Handler effects, outbox rows and the done mark commit together or not at all."""
    bot = await BotHarness(make_settings()).start()
    processor = bot.runtime.processor
    original = processor._handle
    crashes = 0

    async def crash_once(session, row):
        nonlocal crashes
        await original(session, row)
        if crashes == 0:
            crashes += 1
            raise RuntimeError("power cut")
        return 1

    processor._handle = crash_once
    try:
        await bot.post_update(make_message_update("/help"))
        await eventually(bot.settled)
        (row,) = await bot.inbox()
        assert row.status == "done" and row.attempts == 1
        assert len(await bot.outbox()) == 1
        assert len(fake_telegram.called("sendMessage")) == 1
    finally:
        await bot.close()
