"""Newcomers gone before their greeting goes out: they left, an admin removed them, or the bot
did (the ad filter, /ban, which count at once: the platform's notice of them may come after the
greeting went out).

`forget` takes them out of their batch; the waiting greeting is re-rendered without them, one
lower in the count, in the inviter and language it had; a greeting left with nobody to greet is
called off. The batch and its greeting live in the database, so this works the same after a
restart, also for a batch whose window closed while nothing was sending.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.core.context import Context
from handlers.entry_store import WelcomeBatch, cancel_pending, update_pending_payload
from handlers.welcome_batch import greeting_message

# How long after its window a batch still follows departures: its greeting may wait that long
# through downtime, as Telegram redelivers a leave for up to a day.
REVISE_WITHIN = timedelta(days=1)


async def forget(ctx: Context, user_ids: Collection[str]) -> None:
    """Stop greeting members who left or are being removed.

    Safe to repeat: a departure the platform reports twice (a service message and a
    chat_member update) finds them gone from the batch the second time.
    """
    assert ctx.group is not None
    gone = set(user_ids)
    batches = await ctx.session.scalars(
        select(WelcomeBatch)
        .where(
            WelcomeBatch.group_id == ctx.group.id,
            WelcomeBatch.closes_at > ctx.now - REVISE_WITHIN,
        )
        .order_by(WelcomeBatch.id)
    )
    for batch in list(batches):
        stayed = [person for person in batch.members if person.get("id") not in gone]
        if len(stayed) == len(batch.members):
            continue
        # The count included them: the greeting's number is the group's size after the join.
        batch.count = max(batch.count - (len(batch.members) - len(stayed)), 0)
        batch.members = stayed
        batch.inviter = _inviter(stayed, batch.inviter)
        if stayed:
            message = greeting_message(_speaking(ctx, stayed), ctx.group.chat_id, batch)
            await update_pending_payload(
                ctx.session, batch.outbox_key, message.model_dump(mode="json")
            )
        else:
            await cancel_pending(ctx.session, batch.outbox_key, "every newcomer it greets left")
            # Joins from now on open a batch (and a greeting) of their own.
            batch.closes_at = min(batch.closes_at, ctx.now)


def _inviter(people: list[dict], stored: str | None) -> str | None:
    """Who the ceremony names as inviter: the first of `people`'s own inviters (batches stored
    before newcomers kept their inviter keep the one stored)."""
    if not any("inviter" in person for person in people):
        return stored
    return next((person["inviter"] for person in people if person.get("inviter")), None)


def _speaking(ctx: Context, people: list[dict]) -> Context:
    """`ctx` in the language of the latest newcomer greeted, as the greeting was rendered."""
    lang = next((person["lang"] for person in reversed(people) if person.get("lang")), None)
    return replace(ctx, lang=lang) if lang else ctx
