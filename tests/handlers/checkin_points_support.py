"""Database helpers for the check-in and points tests that never stall the app under test.

On SQLite the app runs its SQL on the event loop's own thread, so a test that waited on that
thread for the database lock would stall the app that holds it; these run in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.db.models import InboxUpdate, OutboxAction
from tests.harness import eventually

T = TypeVar("T")


async def db(bot, work: Callable[[Session], T]) -> T:
    """Run `work(session)` on a blocking session in a worker thread; commit; return its result."""
    url = make_url(bot.settings.database_url)
    if url.get_backend_name() != "sqlite":
        async with bot.sessions() as session:
            result = await session.run_sync(work)
            await session.commit()
            return result

    def run() -> T:
        engine = sqlalchemy.create_engine(f"sqlite:///{url.database}", connect_args={"timeout": 30})
        try:
            with Session(engine, expire_on_commit=False) as session:
                result = work(session)
                session.commit()
                return result
        finally:
            engine.dispose()

    return await asyncio.to_thread(run)


def _quiet(session: Session) -> bool:
    inbox = session.scalar(
        select(func.count())
        .select_from(InboxUpdate)
        .where(InboxUpdate.status.in_(("pending", "processing")))
    )
    outbox = session.scalar(
        select(func.count())
        .select_from(OutboxAction)
        .where(OutboxAction.status.in_(("pending", "queued")))
        .where(OutboxAction.next_attempt_at <= datetime.now(UTC))
    )
    return inbox == 0 and outbox == 0


async def quiet(bot) -> None:
    """Wait until every update is processed and every action due now is performed."""
    await eventually(lambda: db(bot, _quiet))


async def rows(bot, model, *where) -> list:
    """All rows of `model` matching `where`, in insertion order."""
    query = select(model).where(*where).order_by(model.id)
    return await db(bot, lambda session: list(session.scalars(query)))


async def texts(bot, fake_telegram, count: int) -> list[str]:
    """Texts of the first `count` messages sent, once the bot has gone quiet."""
    sent = await fake_telegram.wait_for("sendMessage", count)
    await quiet(bot)
    return [body["text"] for body in sent]
