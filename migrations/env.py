"""Alembic environment: runs migrations on the async engine named in the Alembic config."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import bot.db.models  # registers the tables on Base.metadata
import bot.groups.activity  # members' messages, counted for the digest
import bot.web.dashboard_session_store  # dashboard sessions
import bot.web.dashboard_sign_in_limit  # noqa: F401  (wrong dashboard passwords)
import handlers.allowlist_files  # member lists waiting to be downloaded
import handlers.entry_store  # pending verifications, welcome batches
import handlers.icebreaker_rounds  # question rounds
import handlers.kept_messages  # messages /notspam taught, ads the ad window let stand
import handlers.membership_store  # button presses waiting for the platform's word
import handlers.moderation_report_store  # members' reports
import handlers.moderation_store  # ad filter decisions, model state
import handlers.points_store
import handlers.redpacket  # red packet tables
import handlers.repeats_store  # noqa: F401  (recent post fingerprints)
import schedules.models  # noqa: F401  (job table, claims, content series)
from bot.db.base import Base
from bot.db.engine import create_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `qunbot migrate`")
asyncio.run(_run_async())
