"""Newcomers gone before their greeting goes out: they left, an admin removed them, or the bot
did (the ad filter, /ban, which count at once: the platform's notice of them may come after the
greeting went out).

`forget` takes them out of their batch; the waiting greeting is re-rendered without them, one
lower in the count, in the inviter and language it had; a greeting left with nobody to greet is
called off (one the sender already holds is edited or deleted as soon as it is up). A greeting
already up is edited the same way, or deleted at once when nobody it greets is left (its cleanup
brought forward). The batch and its greeting live in the database, so this works the same
after a restart, also for a batch whose window closed while nothing was sending.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from bot.core.actions import DeleteMessage, EditMessageText, SendMessage
from bot.core.context import Context
from bot.db.models import OutboxAction
from bot.outbox.store import call_off, enqueue, revise
from handlers.entry_store import WelcomeBatch, sent_message_id
from handlers.welcome_batch import greeting_message

# How long after its window a batch still follows departures: its greeting may wait that long
# through downtime, as Telegram redelivers a leave for up to a day; a greeting kept up for good
# stops following them then.
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
        message = None
        if stayed:
            message = greeting_message(_speaking(ctx, stayed), ctx.group.chat_id, batch)
            payload = message.model_dump(mode="json")
            if await revise(ctx.session, batch.outbox_key, payload):
                continue
        else:
            # Joins from now on open a batch (and a greeting) of their own.
            batch.closes_at = min(batch.closes_at, ctx.now)
            if await call_off(ctx.session, batch.outbox_key, "every newcomer it greets left"):
                continue
        await _revise_posted(ctx, batch, message)


async def _revise_posted(ctx: Context, batch: WelcomeBatch, message: SendMessage | None) -> None:
    """Edit a greeting already up to `message`, or delete it when there is none; one its cleanup
    took (or that failed) is left alone."""
    assert ctx.group is not None
    # Only a greeting sent to the chat the group has now: after a supergroup move an old
    # chat's number names some other message.
    message_id = await sent_message_id(ctx.session, batch.outbox_key, ctx.group.chat_id)
    if message_id is None:
        return
    # The outbox sender stores the cleanup under this key as it records the greeting sent.
    cleanup = f"{batch.outbox_key}:del"
    its_cleanup = (OutboxAction.idempotency_key == f"{cleanup}:0",)
    cleanup_status = await ctx.session.scalar(select(OutboxAction.status).where(*its_cleanup))
    if cleanup_status not in (None, "pending"):
        return
    chat = ctx.group.chat_id
    if message is not None:
        edit = EditMessageText(
            chat_id=chat,
            message_id=message_id,
            text=message.text,
            html=True,
            buttons=message.buttons,
        )
        # A batch only shrinks once its greeting is up, so each edit has a key of its own.
        key = f"{batch.outbox_key}:edit:{len(batch.members)}"
        await enqueue(ctx.session, ctx.platform, [edit], key=key, now=ctx.now)
    elif cleanup_status == "pending":
        await ctx.session.execute(
            update(OutboxAction)
            .where(*its_cleanup, OutboxAction.status == "pending")
            .values(next_attempt_at=ctx.now)
            .execution_options(synchronize_session=False)
        )
    else:
        delete = DeleteMessage(chat_id=chat, message_id=message_id)
        await enqueue(ctx.session, ctx.platform, [delete], key=cleanup, now=ctx.now)


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
