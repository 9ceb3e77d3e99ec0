"""One challenge for a raid's newcomers, within the group's send budget.

In raid mode each newcomer is restricted at once, but asked by a question they share with the
others of their batch: it takes its turn in the group's per-minute budget (`handlers.raid.spend`)
and waits unsent in the outbox until then; newcomers joining meanwhile are added to it by
rewriting its payload, as a waiting greeting gathers them (`handlers.welcome_batch`). Each one's
time runs from the question's turn, so nobody is removed before it is shown. Its buttons
(`vfs:<batch id>:<value>`, `handlers.verification_batch`) answer for whoever presses them.

Once every newcomer it asks is resolved, the question goes: deleted when up, called off while
it still waits (`challenge_deletions`, used wherever a challenge message is deleted).
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, Button, DeleteMessage, Restrict, SendMessage, over_limit
from bot.core.context import Context
from bot.outbox.store import call_off, enqueue
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.entry_config import EntryState, WelcomeConfig, load
from handlers.entry_store import (
    ChallengeBatch,
    PendingVerification,
    challenge_message_id,
    update_pending_payload,
)
from handlers.raid import spend
from handlers.welcome_batch import NAMED_STEPS, mention

PREFIX = "vfs:"

_rng = random.SystemRandom()


def new_question() -> tuple[int, int, list[int]]:
    """Two numbers to add and four choices in random order, their sum among them."""
    a, b = _rng.randint(1, 9), _rng.randint(1, 9)
    choices = [a + b, *_rng.sample([n for n in range(2, 19) if n != a + b], 3)]
    _rng.shuffle(choices)
    return a, b, choices


async def ask_in_batch(
    ctx: Context, pending: PendingVerification, state: EntryState, seconds: int,
    before: list[Action],
) -> None:
    """Restrict `pending`'s newcomer and ask them in the group's waiting shared challenge, or
    in a new one that takes its turn in the send budget; `before` goes out with the restriction
    (deletions of their earlier challenge)."""
    await enqueue(
        ctx.session,
        ctx.platform,
        [Restrict(chat_id=pending.chat_id, user_id=pending.user_id), *before],
        key=pending.challenge_key,
        now=ctx.now,
    )
    batch = await ctx.session.scalar(
        select(ChallengeBatch)
        .where(ChallengeBatch.group_id == ctx.group.id, ChallengeBatch.chat_id == pending.chat_id)
        .order_by(ChallengeBatch.id.desc())
        .limit(1)
    )
    if batch is not None:
        _add(ctx, pending, batch)
        await ctx.session.flush()
        message = await _question(ctx, batch)
        if await update_pending_payload(
            ctx.session, batch.outbox_key, message.model_dump(mode="json")
        ):
            return
    a, b, choices = new_question()
    budget = load(ctx.group, WelcomeConfig).budget_per_minute
    batch = ChallengeBatch(
        group_id=ctx.group.id,
        chat_id=pending.chat_id,
        a=a,
        b=b,
        choices=choices,
        seconds=seconds,
        opened_at=ctx.now,
        shows_at=spend(state, ctx.now, budget),
    )
    ctx.session.add(batch)
    await ctx.session.flush()
    _add(ctx, pending, batch)
    await ctx.session.flush()
    await enqueue(
        ctx.session,
        ctx.platform,
        [await _question(ctx, batch)],
        key=ChallengeBatch.key_of(batch.id),
        now=ctx.now,
        not_before=batch.shows_at,
    )


def _add(ctx: Context, pending: PendingVerification, batch: ChallengeBatch) -> None:
    pending.batch_id = batch.id
    pending.mode, pending.answer = "question", str(batch.a + batch.b)
    # From when the question can be seen: a question waiting for the budget costs them nothing.
    pending.deadline = max(batch.shows_at, ctx.now) + timedelta(seconds=batch.seconds)


async def _question(ctx: Context, batch: ChallengeBatch) -> SendMessage:
    """The shared question naming whom it still asks (the first ones, the rest counted)."""
    waiting = await ctx.session.scalars(
        select(PendingVerification)
        .where(PendingVerification.batch_id == batch.id, PendingVerification.status == "pending")
        .order_by(PendingVerification.id)
    )
    people = [mention(p.user_id, p.user_name) for p in waiting]
    text = ""
    for named in NAMED_STEPS:
        names = ", ".join(people[:named])
        if len(people) > named:
            names += ctx.t("welcome.and_others", count=len(people) - named)
        text = ctx.t("verify.batch_question", names=names, seconds=batch.seconds,
                     a=batch.a, b=batch.b)
        if over_limit(text) <= 0:
            break
    buttons = (tuple(Button(text=str(n), data=f"{PREFIX}{batch.id}:{n}") for n in batch.choices),)
    return SendMessage(chat_id=batch.chat_id, text=text, html=True, buttons=buttons)


async def challenge_deletions(session: AsyncSession, pending: PendingVerification) -> list[Action]:
    """What removes the challenge of `pending`, now resolved: its own message once shown; a
    shared one once nobody it asks is still waiting (called off if it has not gone out yet)."""
    if pending.batch_id is not None:
        # Locked, so of two newcomers resolved at once the later one sees the other resolved.
        await session.scalar(
            select(ChallengeBatch.id).where(ChallengeBatch.id == pending.batch_id).with_for_update()
        )
        waiting = await session.scalar(
            select(func.count())
            .select_from(PendingVerification)
            .where(
                PendingVerification.batch_id == pending.batch_id,
                PendingVerification.status == "pending",
            )
        )
        if waiting:
            return []
    shown = await challenge_message_id(session, pending)
    if shown is None:
        if pending.batch_id is not None:
            await call_off(session, pending.message_key, "every newcomer it asked is resolved")
        return []
    return [DeleteMessage(chat_id=pending.chat_id, message_id=shown)]
