"""Alembic migrations build exactly the schema the models describe, on this test's database."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db.base import Base
from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade


async def test_models_match_migrations(database_url):
    engine = create_engine(database_url)

    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection), Base.metadata)

    async with engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await engine.dispose()
    assert differences == []


async def test_downgrade_to_empty_and_upgrade_again(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await asyncio.to_thread(upgrade, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
    await engine.dispose()
    assert {"groups", "members", "inbox", "outbox", "alembic_version"} <= set(tables)
