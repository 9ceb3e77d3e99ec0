"""The webhook edge: authentication, size cap, bad input, storage before acknowledgement."""

from __future__ import annotations

import asyncio
import logging

import orjson

from tests.factories import make_message_update
from tests.harness import eventually


async def test_update_is_stored_then_acknowledged(bot):
    update = make_message_update("hello everyone")
    response = await bot.post_update(update)
    assert response.status_code == 200
    rows = await bot.inbox()
    assert [(r.update_id, r.chat_key, r.platform) for r in rows] == [
        (update["update_id"], str(update["message"]["chat"]["id"]), "telegram")
    ]
    assert orjson.loads(rows[0].payload) == update


async def test_wrong_secret_gets_401_and_nothing_is_stored(bot):
    response = await bot.post_update(make_message_update(), secret="wrong")
    assert response.status_code == 401
    missing = await bot.client.post("/webhook/telegram", json=make_message_update())
    assert missing.status_code == 401
    assert await bot.inbox() == []


async def test_malformed_json_gets_400_and_a_log_line(bot, caplog):
    caplog.set_level(logging.WARNING)
    response = await bot.post_update(b'{"update_id": 1, "message": ')
    assert response.status_code == 400
    assert "webhook.bad_json" in caplog.text
    assert await bot.inbox() == []


async def test_unknown_update_shape_gets_422_not_a_crash(bot):
    for body in (
        {"update_id": 5, "poll": {"id": "x"}},
        {"message": {}},
        [1, 2],
        {"update_id": "7"},
    ):
        response = await bot.post_update(orjson.dumps(body))
        assert response.status_code == 422, body
    assert (await bot.client.get("/healthz")).status_code == 200
    assert await bot.inbox() == []


async def test_an_update_out_of_range_is_refused_alone_not_with_its_batch(bot):
    # Stored, it failed the batch's insert (on PostgreSQL: chat_key is 64 characters at most),
    # so every update committed with it got a 503.
    long_chat = make_message_update("long chat id")
    long_chat["message"]["chat"]["id"] = "x" * 100
    huge_id = make_message_update("huge update id")
    huge_id["update_id"] = 2**63
    good = [make_message_update(f"message {i}") for i in range(20)]
    responses = await asyncio.gather(
        *(bot.post_update(u) for u in [*good[:10], long_chat, huge_id, *good[10:]])
    )
    assert [r.status_code for r in responses] == [200] * 10 + [422, 422] + [200] * 10
    assert {row.update_id for row in await bot.inbox()} == {u["update_id"] for u in good}


async def test_body_over_one_mebibyte_gets_413(bot):
    update = make_message_update("x" * (1024 * 1024))
    response = await bot.post_update(orjson.dumps(update))
    assert response.status_code == 413
    assert await bot.inbox() == []


async def test_duplicate_delivery_is_acknowledged_and_processed_once(bot, fake_telegram):
    update = make_message_update("/help")
    first, second = await asyncio.gather(bot.post_update(update), bot.post_update(update))
    third = await bot.post_update(update)
    assert {first.status_code, second.status_code, third.status_code} == {200}
    await eventually(bot.settled)
    assert len(await bot.inbox()) == 1
    assert len(fake_telegram.called("sendMessage")) == 1


async def test_concurrent_updates_are_all_stored(bot):
    updates = [make_message_update(f"message {i}") for i in range(200)]
    responses = await asyncio.gather(*(bot.post_update(u) for u in updates))
    assert all(r.status_code == 200 for r in responses)
    stored = {row.update_id for row in await bot.inbox()}
    assert stored == {u["update_id"] for u in updates}


async def test_webhook_is_off_without_a_token(make_settings):
    from tests.harness import BotHarness

    harness = await BotHarness(make_settings(telegram_token=None)).start()
    try:
        response = await harness.post_update(make_message_update())
        assert response.status_code == 404
        assert (await harness.client.get("/readyz")).json()["ok"] is True
    finally:
        await harness.close()
