"""Shared fixtures: a clean database per test (SQLite, or PostgreSQL when configured), the fake
Telegram API, and the real app running on loopback."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade
from bot.settings import Settings
from tests.dashboard_support import PASSWORD, signed_in_dashboard
from tests.fakes.telegram_api import TOKEN, FakeTelegram
from tests.harness import BotHarness

PG_URL = os.environ.get("QUNBOT_TEST_DATABASE_URL")
WEBHOOK_SECRET = "s3cret-webhook-token"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """Migrate once per session: a template SQLite file, or the PostgreSQL test database."""
    if PG_URL:
        from alembic import command

        command.downgrade(alembic_config(PG_URL), "base")
        upgrade(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return str(path)


@pytest.fixture
async def database_url(migrated_template: str, tmp_path: Path) -> AsyncIterator[str]:
    if PG_URL:
        engine = create_engine(PG_URL)
        async with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(delete(table))
        await engine.dispose()
        yield PG_URL
        return
    path = tmp_path / "qunbot.db"
    shutil.copy(migrated_template, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = await FakeTelegram().start()
    yield fake
    await fake.stop()


@pytest.fixture
def make_settings(database_url: str, fake_telegram: FakeTelegram):
    def build(**overrides) -> Settings:
        values = {
            "database_url": database_url,
            "telegram_token": TOKEN,
            "telegram_api_base": fake_telegram.base_url,
            "webhook_secret": WEBHOOK_SECRET,
            "operators": "111",
            "send_backoff_initial": 0.01,
            "send_backoff_max": 0.05,
            "poll_interval": 0.05,
            "leader_retry_seconds": 0.2,
            "log_json": True,
            # Real limits would make every multi-message test take seconds; pacing tests and
            # the benchmark set them explicitly.
            "rate_per_chat_per_second": 50.0,
            "rate_per_group_per_minute": 3000.0,
            "rate_per_bot_per_second": 200.0,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@pytest.fixture
async def bot(make_settings) -> AsyncIterator[BotHarness]:
    harness = await BotHarness(make_settings()).start()
    yield harness
    await harness.close()


@pytest.fixture
async def dash(make_settings) -> AsyncIterator[BotHarness]:
    """A bot with the dashboard on, having seen its group from an operator, signed in."""
    harness = await signed_in_dashboard(make_settings(dashboard_password=PASSWORD))
    yield harness
    await harness.close()
