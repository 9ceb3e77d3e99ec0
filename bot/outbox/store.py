"""Writing actions into the outbox inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, action_to_json
from bot.db.models import OutboxAction

UNSENT = ("pending", "queued")
CANCELLED = "cancelled"


async def enqueue(
    session: AsyncSession,
    platform: str,
    actions: Sequence[Action],
    *,
    key: str,
    now: datetime,
    not_before: datetime | None = None,
) -> int:
    """Store actions under idempotency keys `{key}:{index}`; keys already stored are skipped.

    Returns how many rows were added. The same `key` (an inbox row, a job firing) therefore
    never produces the same action twice, even when its producer runs again after a crash.
    """
    if not actions:
        return 0
    keys = [f"{key}:{index}" for index in range(len(actions))]
    existing = set(
        await session.scalars(
            select(OutboxAction.idempotency_key).where(OutboxAction.idempotency_key.in_(keys))
        )
    )
    added = 0
    for idem, action in zip(keys, actions, strict=True):
        if idem in existing:
            continue
        session.add(
            OutboxAction(
                platform=platform,
                chat_key=action.chat_id,
                kind=action.kind,
                payload=action_to_json(action),
                idempotency_key=idem,
                status="pending",
                attempts=0,
                created_at=now,
                next_attempt_at=not_before or now,
            )
        )
        added += 1
    await session.flush()
    return added


async def thread_of(session: AsyncSession, key: str) -> str | None:
    """The forum topic the message stored under the full `key` goes to; None for the General
    topic (or no such message): what follows a post goes where the post went."""
    payload = await session.scalar(
        select(OutboxAction.payload).where(OutboxAction.idempotency_key == key)
    )
    return payload.get("thread_id") if isinstance(payload, dict) else None


async def revise(session: AsyncSession, key: str, payload: dict) -> bool:
    """Rewrite a message not sent yet (stored under the full key); False once it went out,
    failed or was called off. One the sender already holds goes out as it was and is edited to
    this right after (`OutboxSender`)."""
    result = await session.execute(
        update(OutboxAction)
        .where(OutboxAction.idempotency_key == key, OutboxAction.status.in_(UNSENT))
        .values(payload=payload)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def call_off(session: AsyncSession, key: str, reason: str) -> bool:
    """Call off an action not sent yet, recording why; False once it went out or failed. A
    message the sender already holds is deleted as soon as it is up (`OutboxSender`)."""
    result = await session.execute(
        update(OutboxAction)
        .where(OutboxAction.idempotency_key == key, OutboxAction.status.in_(UNSENT))
        .values(status=CANCELLED, error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def call_off_chat(session: AsyncSession, platform: str, chat_key: str, reason: str) -> int:
    """Call off every action for a chat that is still waiting for its time (a greeting held
    for the join window, a welcome's clean-up), e.g. once the bot is no longer in the group and
    each would only fail. Actions already handed to the sender go their way. Returns how many."""
    result = await session.execute(
        update(OutboxAction)
        .where(
            OutboxAction.platform == platform,
            OutboxAction.chat_key == chat_key,
            OutboxAction.status == "pending",
        )
        .values(status=CANCELLED, error=reason)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
