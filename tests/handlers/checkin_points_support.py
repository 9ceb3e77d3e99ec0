"""Database helpers for the check-in and points tests that never stall the app under test.

On SQLite the app runs its SQL on the event loop's own thread, so a test that waited on that
thread for the database lock would stall the app that holds it; these run in a worker thread.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select

from tests.harness import eventually

T = TypeVar("T")


async def db(bot, work):
    """Run `work(session)` on the app's database session (see BotHarness.run_sync)."""
    return await bot.run_sync(work)


async def quiet(bot) -> None:
    """Wait until every update is processed and every action due now is performed."""
    await eventually(bot.settled)


async def rows(bot, model, *where) -> list:
    """All rows of `model` matching `where`, in insertion order."""
    query = select(model).where(*where).order_by(model.id)
    return await db(bot, lambda session: list(session.scalars(query)))


async def texts(bot, fake_telegram, count: int) -> list[str]:
    """Texts of the first `count` messages sent, once the bot has gone quiet."""
    sent = await fake_telegram.wait_for("sendMessage", count)
    await quiet(bot)
    return [body["text"] for body in sent]


async def round_shows(bot, fake_telegram, index: int, showing: str) -> str:
    """The text of red packet round `index` (oldest first) once it contains `showing`: as sent,
    or as last edited, for claims are shown on it (`handlers.redpacket_board`)."""
    from bot.db.models import OutboxAction

    async def current() -> str | None:
        sent = await rows(bot, OutboxAction, OutboxAction.idempotency_key.like("redpacket:%:0"))
        posted = [row for row in sent if row.kind == "send_message" and row.result]
        if len(posted) <= index:
            return None
        message_id = posted[index].result["message_id"]
        edits = [body["text"] for body in fake_telegram.called("editMessageText")
                 if str(body["message_id"]) == str(message_id)]
        text = edits[-1] if edits else posted[index].payload["text"]
        return text if showing in text else None

    return await eventually(current)
