"""The sender: performs outbox actions through the platform, paced, retried, recorded.

Exactly one process sends (the leader), which lets the pacer see every call of the bot.
A worker per chat keeps that chat's actions in order, retries included.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from bot.core.actions import DeleteMessage, PinMessage, SendMessage, action_from_json
from bot.db.models import OutboxAction, utcnow
from bot.loop import DrainLoop
from bot.metrics import Metrics
from bot.outbox.pacing import Pacer
from bot.outbox.store import enqueue
from bot.platforms.base import (
    ChatMigrated,
    PermanentError,
    Platform,
    PlatformError,
    RetryAfter,
    TransientError,
)
from bot.settings import Settings

log = structlog.get_logger(__name__)

RETRIED = (TransientError, RetryAfter, ChatMigrated)


class OutboxSender(DrainLoop):
    name = "outbox-sender"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        settings: Settings,
        metrics: Metrics,
        pacer: Pacer,
    ) -> None:
        super().__init__(settings.poll_interval)
        self._sessions = sessions
        self._platforms = platforms
        self._settings = settings
        self._metrics = metrics
        self._pacer = pacer
        self._queues: dict[str, asyncio.Queue[int]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    async def stop(self) -> None:
        await super().stop()
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        self._queues.clear()

    async def recover(self) -> None:
        """On becoming the sender, take back rows a previous sender had queued or was sending.

        A row caught mid-call may already have reached the platform; it is sent again rather
        than dropped (at-least-once for that one call per chat).
        """
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxAction)
                .where(OutboxAction.status.in_(("queued", "sending")))
                .values(status="pending")
            )

    async def run_once(self) -> int:
        queued = await self.claim_once()
        if not queued:
            self._pacer.sweep()
        return queued

    async def claim_once(self, limit: int = 500) -> int:
        """Queue due pending rows to their chats' workers; return how many were queued."""
        now = utcnow()
        async with self._sessions.begin() as session:
            rows = (
                await session.execute(
                    select(OutboxAction.id, OutboxAction.chat_key)
                    .where(OutboxAction.status == "pending", OutboxAction.next_attempt_at <= now)
                    .order_by(OutboxAction.id)
                    .limit(limit)
                )
            ).all()
            if rows:
                await session.execute(
                    update(OutboxAction)
                    .where(OutboxAction.id.in_([row.id for row in rows]))
                    .values(status="queued")
                )
        for row_id, chat_key in rows:
            queue = self._queues.setdefault(chat_key, asyncio.Queue())
            queue.put_nowait(row_id)
            worker = self._workers.get(chat_key)
            if worker is None or worker.done():
                self._workers[chat_key] = asyncio.create_task(
                    self._work(chat_key, queue), name=f"outbox-{chat_key}"
                )
        return len(rows)

    async def _work(self, chat_key: str, queue: asyncio.Queue[int]) -> None:
        while not queue.empty():
            row_id = queue.get_nowait()
            try:
                await self._send(row_id)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox.send_crashed", outbox_id=row_id)
        self._workers.pop(chat_key, None)
        self._queues.pop(chat_key, None)

    async def _send(self, row_id: int) -> None:
        async with self._sessions.begin() as session:
            row = await session.get(OutboxAction, row_id)
            if row is None or row.status != "queued":
                return
            row.status = "sending"
        action = action_from_json(row.payload)
        platform = self._platforms.get(row.platform)
        attempts = 0
        try:
            if platform is None:
                raise PermanentError(f"platform {row.platform!r} is not enabled")
            is_group = platform.is_group_chat(row.chat_key)
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type(RETRIED),
                wait=self._wait,
                stop=self._stop,
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    await self._pacer.acquire(
                        row.chat_key, is_message=action.is_message, is_group=is_group
                    )
                    started = time.perf_counter()
                    try:
                        result = await platform.execute(action)
                    except RetryAfter as exc:
                        self._metrics.rate_limited.inc()
                        self._pacer.pause(exc.seconds)
                        log.warning("outbox.rate_limited", retry_after=exc.seconds)
                        raise
                    except ChatMigrated as exc:
                        action = action.model_copy(update={"chat_id": exc.new_chat_id})
                        raise
                    finally:
                        self._metrics.send_latency.labels(method=action.kind).observe(
                            time.perf_counter() - started
                        )
        except PlatformError as exc:
            await self._finish(row_id, "failed", attempts, error=exc.description, action=action)
            log.warning("outbox.failed", outbox_id=row_id, kind=action.kind, reason=exc.description)
            return
        await self._finish(row_id, "done", attempts, result=result, action=action)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryAfter):
            return 0.0  # the pacer already holds every call until retry_after has passed
        if isinstance(exc, ChatMigrated):
            return 0.0
        initial = self._settings.send_backoff_initial
        return min(initial * 2 ** (state.attempt_number - 1), self._settings.send_backoff_max)

    def _stop(self, state: RetryCallState) -> bool:
        # 429s do not count towards the attempts: waiting them out is the pacing working.
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryAfter):
            return state.attempt_number >= self._settings.send_max_attempts * 10
        return state.attempt_number >= self._settings.send_max_attempts

    async def _finish(self, row_id, status, attempts, *, error=None, result=None, action=None):
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await session.get(OutboxAction, row_id)
            if row is None:
                return
            row.status, row.attempts, row.error, row.result = status, attempts, error, result
            row.sent_at = now
            if status == "done" and isinstance(action, SendMessage) and result:
                await self._follow_up(session, row, action, result["message_id"], now)
        self._metrics.actions_sent.labels(kind=action.kind if action else "?", result=status).inc()

    async def _follow_up(self, session, row, action: SendMessage, message_id: str, now) -> None:
        """Pin or schedule the deletion of a message once the platform has given it an id."""
        if action.pin:
            pin = [PinMessage(chat_id=action.chat_id, message_id=message_id)]
            await enqueue(session, row.platform, pin, key=f"{row.idempotency_key}:pin", now=now)
        if action.delete_after_seconds:
            await enqueue(
                session,
                row.platform,
                [DeleteMessage(chat_id=action.chat_id, message_id=message_id)],
                key=f"{row.idempotency_key}:del",
                now=now,
                not_before=now + timedelta(seconds=action.delete_after_seconds),
            )
        if action.pin:
            self.notify()
