"""Health, readiness, metrics and logs as an operator sees them."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest

from tests.factories import make_message_update
from tests.fakes.telegram_api import TOKEN, Failure
from tests.harness import eventually


async def test_health_and_readiness(bot):
    assert (await bot.client.get("/healthz")).json() == {"ok": True}
    ready = (await bot.client.get("/readyz")).json()
    assert ready["ok"] is True and ready["database"] == "ok"


async def test_readiness_fails_when_the_database_is_unreachable(make_settings, tmp_path):
    from tests.harness import BotHarness

    harness = BotHarness(
        make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/no/such/dir.db")
    )
    await harness.start()
    try:
        response = await harness.client.get("/readyz")
        assert response.status_code == 503 and response.json()["ok"] is False
    finally:
        await harness.close()


async def test_readiness_fails_until_the_database_is_migrated_to_this_version(
    make_settings, tmp_path
):
    # Deployed without `qunbot migrate`: the database answers, but every write to 0017's column
    # would fail, so a load balancer must not send this replica traffic yet.
    import sqlite3
    from contextlib import closing

    from alembic.script import ScriptDirectory

    from bot.db.migrate import alembic_config, upgrade
    from tests.harness import BotHarness

    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    for head in sorted(set(heads) - {"0017"}):
        await asyncio.to_thread(upgrade, url, head)
    harness = BotHarness(make_settings(database_url=url))
    await harness.start()
    try:
        response = await harness.client.get("/readyz")
        assert response.status_code == 503, response.text
        assert response.json()["database"] == "ok"
        assert "qunbot migrate" in response.json()["schema"]
        await asyncio.to_thread(upgrade, url)
        response = await harness.client.get("/readyz")
        assert response.status_code == 200 and response.json()["ok"] is True, response.text
    finally:
        await harness.close()
    # A newer version has migrated it: this one must not take traffic either.
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO alembic_version (version_num) VALUES ('9001')")
    harness = BotHarness(make_settings(database_url=url))
    await harness.start()
    try:
        response = await harness.client.get("/readyz")
        assert response.status_code == 503 and "newer version" in response.json()["schema"]
    finally:
        await harness.close()


async def test_metrics_are_served_while_the_database_is_unreachable(make_settings, tmp_path):
    from tests.harness import BotHarness

    harness = BotHarness(
        make_settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/no/such/dir.db")
    )
    await harness.start()
    try:
        await harness.post_update(b"not json")
        response = await harness.client.get("/metrics")
        assert response.status_code == 200, response.text
        assert 'qunbot_updates_rejected_total{platform="telegram",reason="json"} 1.0' in (
            response.text
        )
        assert "qunbot_inbox_queue_depth NaN" in response.text
    finally:
        await harness.close()


async def test_metrics_count_updates_and_sends(bot, fake_telegram):
    await bot.post_update(make_message_update("/help"))
    await bot.post_update(b"not json")
    await eventually(bot.settled)
    text = (await bot.client.get("/metrics")).text
    assert 'qunbot_updates_received_total{platform="telegram"} 1.0' in text
    assert 'qunbot_updates_rejected_total{platform="telegram",reason="json"} 1.0' in text
    assert 'qunbot_updates_processed_total{result="done"} 1.0' in text
    assert 'qunbot_actions_sent_total{kind="send_message",result="done"} 1.0' in text
    assert "qunbot_outbox_queue_depth 0.0" in text
    assert "qunbot_send_latency_seconds_count" in text


async def test_logs_never_contain_the_token(bot, fake_telegram):
    # Write through the service's own formatter, as its stderr handler does.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.getLogger().handlers[0].formatter)
    logging.getLogger().addHandler(handler)
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    try:
        fake_telegram.fail_next("sendMessage", Failure(400, f"Bad Request: echo {TOKEN}"))
        await bot.post_update(make_message_update("/help"))
        await eventually(bot.settled)
        logging.getLogger("test").error("leak %s", f"https://api.telegram.org/bot{TOKEN}/x")
    finally:
        logging.getLogger().removeHandler(handler)
    logs = stream.getvalue()
    assert '"event": "outbox.failed"' in logs
    assert "leak https://api.telegram.org/bot***/x" in logs
    assert "HTTP Request: POST" in logs  # httpx's own line, which carries the URL
    assert TOKEN not in logs
    assert TOKEN.split(":")[1] not in logs


async def test_a_failed_statement_is_logged_without_its_values(bot):
    # A failed statement's error (which the handlers log) used to carry its parameters, so the
    # log kept members' messages past retention. PostgreSQL refuses U+0000 in text.
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if bot.runtime.engine.dialect.name != "postgresql":
        pytest.skip("needs a database that refuses the statement (PostgreSQL)")
    async with bot.runtime.engine.connect() as conn:
        with pytest.raises(DBAPIError) as refused:
            await conn.execute(text("select cast(:v as text)"), {"v": "secret plans\u0000"})
    assert "secret plans" not in str(refused.value)


async def test_the_ad_filter_model_is_built_at_start_before_any_message(make_settings):
    from handlers.adfilter.pipeline import shared_model
    from tests.harness import BotHarness

    shared_model.cache_clear()
    harness = await BotHarness(make_settings()).start()
    try:
        async def built() -> bool:
            return shared_model.cache_info().currsize == 1

        await eventually(built)
        assert await harness.inbox() == []
    finally:
        await harness.close()


async def test_what_start_up_built_is_kept_out_of_garbage_collection(make_settings):
    # The starter model's counts were walked by every full collection: 100 ms event-loop
    # stalls under load (bench/ingest.py).
    import gc

    from bot import app
    from handlers.adfilter.pipeline import shared_model
    from tests.harness import BotHarness

    gc.unfreeze()
    app._freeze_what_lives_on.cache_clear()
    harness = await BotHarness(make_settings()).start()
    try:
        assert gc.get_freeze_count() >= len(shared_model().counts) > 100_000
    finally:
        await harness.close()


async def test_a_database_that_is_down_is_logged_one_line_per_failure(make_settings):
    # Every poll of every loop logged a full traceback, one page every few seconds per loop.
    import json
    import socket

    from bot.logs import configure_logging
    from tests.harness import BotHarness

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"postgresql+asyncpg://qunbot:hunter2@127.0.0.1:{closed_port}/qunbot"
    # The service's own formatter, there before the service starts to see its first failures.
    configure_logging(json=True)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.getLogger().handlers[0].formatter)
    harness = BotHarness(make_settings(database_url=url))
    # On the service's loggers: the start replaces the root's handlers.
    logging.getLogger("bot").addHandler(handler)
    try:
        await harness.start()
        def failures() -> list[dict]:
            lines = [json.loads(line) for line in stream.getvalue().splitlines() if line]
            return [line for line in lines
                    if line["event"] in ("loop.failed", "leader.connection_lost")]

        async def repeated() -> bool:
            events = [line["event"] for line in failures()]
            return events.count("loop.failed") >= 3 and events.count("leader.connection_lost") >= 3

        await eventually(repeated)
        response = await harness.client.get("/readyz")
        assert response.status_code == 503, response.text
        assert response.json()["ok"] is False and response.json()["database"] != "ok"
    finally:
        logging.getLogger("bot").removeHandler(handler)
        await harness.close()
    for line in failures():
        assert line["error"] == "ConnectionRefusedError", line
        assert "Connect call failed" in line["message"] and "hunter2" not in line["message"]
    traced = [(line["event"], line.get("loop")) for line in failures() if "exception" in line]
    assert sorted(traced) == [("leader.connection_lost", None), ("loop.failed", "inbox-processor")]
