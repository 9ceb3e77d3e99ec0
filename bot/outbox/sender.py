"""The sender: performs outbox actions through the platform, paced, retried, recorded.

Exactly one process sends (the leader), which lets the pacer see every call of the bot. Each chat
has two workers, each keeping its lane in order, retries included: one for messages, which the
pacer spaces out per chat, and one for everything else (deletions, restrictions, bans, callback
answers), which Telegram does not limit per chat. During a raid a group's messages queue up at
20 a minute, and an ad's deletion or a newcomer's restriction must not wait minutes behind them.
Leaving a chat stays in the messages' lane, so a farewell goes out before the bot leaves, and
waits for the other lane too, so the removals of a dissolve are done before it.
An outcome is written as soon as the recorder is free, whatever else of its round is still under
way (a challenge shown reads sent while the restriction claimed with it waits out a 429); those
finishing while a write is in flight go together in the next one, so a burst of sends costs a few
transactions rather than one each. A message rewritten (`store.revise`) or called off
(`store.call_off`) after a worker took it goes out as it was: once it is up, it is edited to the
new text, or deleted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from bot.core.actions import (
    Action,
    ApproveJoinRequest,
    Button,
    DeclineJoinRequest,
    DeleteMessage,
    EditMessageText,
    PinMessage,
    SendInviteLink,
    SendMessage,
    Unban,
    Unrestrict,
    action_from_json,
)
from bot.db.models import OutboxAction, utcnow
from bot.groups.chat_refs import follow_moved_chat
from bot.loop import DrainLoop
from bot.metrics import Metrics
from bot.outbox.pacing import Pacer
from bot.outbox.store import CANCELLED, enqueue
from bot.platforms.base import (
    ChatMigrated,
    PermanentError,
    Platform,
    PlatformError,
    RetryAfter,
    TopicGone,
    TransientError,
    Unauthorized,
)
from bot.settings import Settings

log = structlog.get_logger(__name__)
# While the platform refuses the bot's token, actions wait this long between tries instead of
# failing one by one: once an operator replaces the token (and restarts), none has been lost.
UNAUTHORIZED_PAUSE = 60.0

# A message refused for its forum topic is tried again at once in the General topic: a topic
# deleted or closed after a job was made there must not lose the job's posts.
RETRIED = (TransientError, RetryAfter, ChatMigrated, TopicGone)
# Actions whose follow-ups wait for the platform's answer (`bot.core.actions._Settled`).
SETTLED = (ApproveJoinRequest, DeclineJoinRequest, Unrestrict, Unban)
# Writes what became of an action on the record its `ref` ("<prefix>:<id>") names, in the
# transaction recording the outcome: (session, id, outcome) -> actions to send on account of
# it. The outcome is "done" or the refusal's `PermanentError.why` for a settled action, and
# "topic_gone" for a message sent to the General topic instead of its own. One recorder per
# prefix, passed in by the composition root (the records belong to handlers and schedules).
Recorder = Callable[[AsyncSession, str, str], Awaitable[list[Action]]]


@dataclass
class Job:
    id: int
    platform: str
    chat_key: str
    key: str
    action: Action | None
    # Said in the row's `error` once it is done: how it was sent other than as stored.
    note: str | None = None
    # (old, new) chat id when the platform answered that the chat had become a supergroup:
    # the settings naming it follow the move once the outcome is written.
    moved: tuple[str, str] | None = None
    # Refused for its forum topic, it went to the General topic: its `topic_of` is told.
    topic_gone: bool = False


@dataclass
class Outcome:
    job: Job
    status: str
    attempts: int
    error: str | None = None
    result: dict[str, Any] | None = None
    retry_at: datetime | None = None  # status "pending": tried again then
    why: str | None = None  # status "failed": the refusal's kind (`PermanentError.why`)


def _lane(chat_key: str, action: Action) -> str:
    """The worker an action waits in: its chat's messages, or its chat's other actions."""
    return chat_key if action.is_message or action.kind == "leave_chat" else f"{chat_key}#act"


class OutboxSender(DrainLoop):
    name = "outbox-sender"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        settings: Settings,
        metrics: Metrics,
        pacer: Pacer,
        recorders: dict[str, Recorder] | None = None,
    ) -> None:
        super().__init__(settings.poll_interval)
        self._sessions = sessions
        self._recorders = recorders or {}
        self._platforms = platforms
        self._settings = settings
        self._metrics = metrics
        self._pacer = pacer
        self._queues: dict[str, asyncio.Queue[Job]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._outcomes: asyncio.Queue[Outcome] = asyncio.Queue()
        self._recorder: asyncio.Task[None] | None = None
        self.unauthorized_pause = UNAUTHORIZED_PAUSE
        self._refused_until = 0.0  # monotonic time: no call before it, the token was refused

    def start(self) -> None:
        super().start()
        self._recorder = asyncio.create_task(self._record_loop(), name="outbox-recorder")

    async def stop(self) -> None:
        await super().stop()
        workers = list(self._workers.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        self._workers.clear()
        self._queues.clear()
        if self._recorder:
            self._recorder.cancel()
            await asyncio.gather(self._recorder, return_exceptions=True)
            self._recorder = None
        # Outcomes already known are written, so a clean stop never resends anything.
        await self._record(self._drain_outcomes())

    async def recover(self) -> None:
        """On becoming the sender, take back rows a previous sender had queued.

        A row whose call reached the platform just before a crash is sent again rather than
        dropped (at-least-once for the calls in flight at the moment of the crash).
        """
        async with self._sessions.begin() as session:
            await session.execute(
                update(OutboxAction).where(OutboxAction.status == "queued").values(status="pending")
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
            rows = list(
                await session.scalars(
                    select(OutboxAction)
                    .where(OutboxAction.status == "pending", OutboxAction.next_attempt_at <= now)
                    .order_by(OutboxAction.id)
                    .limit(limit)
                    # A row a handler is rewriting or calling off right now (`store.revise`,
                    # `store.call_off`) is left for the next round: claimed under it, the
                    # "queued" written here would overwrite "cancelled" once it commits.
                    .with_for_update(skip_locked=True)
                )
            )
            for row in rows:
                row.status = "queued"
        for row in rows:
            try:
                action = action_from_json(row.payload)
            except ValueError as exc:
                self._outcomes.put_nowait(
                    Outcome(
                        Job(row.id, row.platform, row.chat_key, row.idempotency_key, None),
                        "failed",
                        0,
                        error=f"unreadable action: {exc}",
                    )
                )
                continue
            job = Job(row.id, row.platform, row.chat_key, row.idempotency_key, action)
            lane = _lane(row.chat_key, action)
            queue = self._queues.setdefault(lane, asyncio.Queue())
            queue.put_nowait(job)
            worker = self._workers.get(lane)
            if worker is None or worker.done():
                self._workers[lane] = asyncio.create_task(
                    self._work(lane, queue), name=f"outbox-{lane}"
                )
        return len(rows)

    async def _work(self, lane: str, queue: asyncio.Queue[Job]) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            other = self._workers.get(f"{job.chat_key}#act")
            if job.action.kind == "leave_chat" and other is not None:
                # Once the bot has left, the removals queued before (a dissolve bans every
                # member first) would fail. wait() rather than await: it does not cancel
                # the other lane's worker if this one is cancelled.
                await asyncio.wait([other])
            try:
                outcome = await self._perform(job)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("outbox.send_crashed", outbox_id=job.id)
                outcome = Outcome(job, "failed", 1, error=f"{type(exc).__name__}: {exc}")
            self._outcomes.put_nowait(outcome)
        self._workers.pop(lane, None)
        self._queues.pop(lane, None)

    async def _perform(self, job: Job) -> Outcome:
        platform = self._platforms.get(job.platform)
        if platform is None:
            return Outcome(job, "failed", 0, error=f"platform {job.platform!r} is not enabled")
        is_group = platform.is_group_chat(job.chat_key)
        attempts = 0
        result = None
        try:
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type(RETRIED),
                wait=self._wait,
                stop=self._stop,
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    result = await self._call(platform, job, is_group)
        except Unauthorized as exc:
            retry_at = utcnow() + timedelta(seconds=self.unauthorized_pause)
            return Outcome(job, "pending", attempts, error=exc.description, retry_at=retry_at)
        except PlatformError as exc:
            log.warning(
                "outbox.failed", outbox_id=job.id, kind=job.action.kind, reason=exc.description
            )
            why = getattr(exc, "why", "refused")
            return Outcome(job, "failed", attempts, error=exc.description, why=why)
        return Outcome(job, "done", attempts, error=job.note, result=result)

    async def _call(self, platform: Platform, job: Job, is_group: bool):
        action = job.action
        if time.monotonic() < self._refused_until:
            # One call found out; the others wait without adding refused calls of their own.
            raise Unauthorized("the platform refused the bot's token: waiting to try again")
        await self._pacer.acquire(job.chat_key, is_message=action.is_message, is_group=is_group)
        started = time.perf_counter()
        try:
            return await platform.execute(action)
        except Unauthorized as exc:
            if time.monotonic() >= self._refused_until:
                log.error("outbox.unauthorized", reason=exc.description,
                          retry_in=self.unauthorized_pause)
            self._refused_until = time.monotonic() + self.unauthorized_pause
            raise
        except RetryAfter as exc:
            self._metrics.rate_limited.inc()
            self._pacer.pause(exc.seconds)
            log.warning("outbox.rate_limited", retry_after=exc.seconds)
            raise
        except ChatMigrated as exc:
            job.moved = job.moved or (action.chat_id, exc.new_chat_id)
            if "message_id" in type(action).model_fields:
                # The message stayed in the old chat; the supergroup numbers its own from 1,
                # so the same number there is some member's message, never this one.
                raise PermanentError(
                    f"the message stayed in the old chat, which moved to {exc.new_chat_id}"
                ) from exc
            job.action = action.model_copy(update={"chat_id": exc.new_chat_id})
            raise
        except TopicGone as exc:
            if getattr(action, "thread_id", None) is None:
                raise PermanentError(exc.description) from exc
            log.warning("outbox.topic_gone", outbox_id=job.id, reason=exc.description)
            job.action = action.model_copy(update={"thread_id": None})
            job.note = f"{exc.description}: sent to the General topic instead"
            job.topic_gone = True
            raise
        finally:
            self._pacer.release(job.chat_key, is_message=action.is_message, is_group=is_group)
            self._metrics.send_latency.labels(method=action.kind).observe(
                time.perf_counter() - started
            )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryAfter | ChatMigrated | TopicGone):
            # The pacer already holds every call until retry_after has passed; the others are
            # tried again as a different call, not as the same one too soon.
            return 0.0
        initial = self._settings.send_backoff_initial
        return min(initial * 2 ** (state.attempt_number - 1), self._settings.send_backoff_max)

    def _stop(self, state: RetryCallState) -> bool:
        # 429s do not count towards the attempts: waiting them out is the pacing working.
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryAfter):
            return state.attempt_number >= self._settings.send_max_attempts * 10
        if isinstance(exc, TopicGone):
            return False  # once: the next try has no topic, and a refusal then is for good
        return state.attempt_number >= self._settings.send_max_attempts

    def _drain_outcomes(self) -> list[Outcome]:
        outcomes = []
        while not self._outcomes.empty():
            outcomes.append(self._outcomes.get_nowait())
        return outcomes

    async def _record_loop(self) -> None:
        while True:
            batch = [await self._outcomes.get(), *self._drain_outcomes()]
            try:
                await self._record(batch)
            except Exception:
                log.exception("outbox.record_failed", count=len(batch))
                await asyncio.sleep(self._settings.poll_interval)
                for outcome in batch:
                    self._outcomes.put_nowait(outcome)

    async def _record(self, outcomes: list[Outcome]) -> None:
        """Write outcomes in one transaction, with the follow-ups of sent messages."""
        if not outcomes:
            return
        now = utcnow()
        follow_ups = False
        async with self._sessions.begin() as session:
            for outcome in outcomes:
                # Locked: a rewrite or call-off lands wholly before this (and is seen) or after
                # (and finds the message sent), never unseen in between.
                row = await session.get(OutboxAction, outcome.job.id, with_for_update=True)
                if row is None:
                    continue
                called_off = row.status == CANCELLED
                if outcome.job.moved is not None:
                    await follow_moved_chat(session, row.platform, *outcome.job.moved)
                if outcome.retry_at is not None:
                    if not called_off:
                        row.status, row.next_attempt_at = "pending", outcome.retry_at
                    row.error = outcome.error
                    continue
                row.status, row.attempts = outcome.status, outcome.attempts
                row.error, row.result, row.sent_at = outcome.error, outcome.result, now
                action = outcome.job.action
                if isinstance(action, SendInviteLink) and not called_off:
                    follow_ups |= await self._send_link(session, row, action, outcome, now)
                if isinstance(action, SETTLED) and not called_off:
                    follow_ups |= await self._settle(session, row, action, outcome, now)
                if outcome.job.topic_gone and outcome.status == "done":
                    ref = getattr(action, "topic_of", None)
                    follow_ups |= await self._write_on(session, row, ref, "topic_gone", now)
                if outcome.status == "failed" and isinstance(action, SendMessage):
                    follow_ups |= await self._instead(session, row, action, now)
                if outcome.status == "done" and isinstance(action, SendMessage) and outcome.result:
                    if called_off:
                        follow_ups |= await self._take_back(session, row, action, now)
                        continue
                    follow_ups |= await self._correct(session, row, action, now)
                    follow_ups |= await self._follow_up(session, row, action, now)
        for outcome in outcomes:
            kind = outcome.job.action.kind if outcome.job.action else "?"
            self._metrics.actions_sent.labels(kind=kind, result=outcome.status).inc()
        if follow_ups:
            self.notify()

    async def _send_link(self, session, row, action: SendInviteLink, outcome, now) -> bool:
        """Send the notice with the link the platform made, or, with none, what goes instead."""
        link = (outcome.result or {}).get("invite_link") if outcome.status == "done" else None
        if link:
            keys = (*action.notice.buttons, (Button(text=action.button, url=link),))
            messages = [action.notice.model_copy(update={"buttons": keys})]
        else:
            messages = list(action.otherwise)
        await enqueue(session, row.platform, messages, key=f"{row.idempotency_key}:link", now=now)
        return bool(messages)

    async def _settle(self, session, row, action, outcome, now) -> bool:
        """Send what follows an action done, or what follows it refused (`_Settled`), and
        write the outcome on the record the action names."""
        done = outcome.status == "done"
        why = "done" if done else outcome.why or "refused"
        actions = action.then if done else action.refused.get(why, action.otherwise)
        recorded = await self._write_on(session, row, action.ref, why, now)
        await enqueue(session, row.platform, actions, key=f"{row.idempotency_key}:then", now=now)
        return bool(actions) or recorded

    async def _write_on(self, session, row, ref: str | None, outcome: str, now) -> bool:
        """Hand the outcome to the recorder of the record `ref` names; send what it says."""
        prefix, _, record_id = (ref or "").partition(":")
        recorder = self._recorders.get(prefix)
        if recorder is None or not record_id:
            return False
        actions = await recorder(session, record_id, outcome)
        await enqueue(session, row.platform, actions, key=f"{row.idempotency_key}:rec", now=now)
        return bool(actions)

    async def _instead(self, session, row, action: SendMessage, now) -> bool:
        """Send what goes in place of a message refused for good (`SendMessage.otherwise`)."""
        instead = list(action.otherwise)
        await enqueue(session, row.platform, instead, key=f"{row.idempotency_key}:else", now=now)
        return bool(instead)

    async def _take_back(self, session, row, action: SendMessage, now) -> bool:
        """Delete a message called off while it was on its way (under its cleanup's key, so the
        cleanup is this deletion), with no pin."""
        row.error = "called off while it was being sent: deleted"
        delete = DeleteMessage(chat_id=action.chat_id, message_id=row.result["message_id"])
        await enqueue(session, row.platform, [delete], key=f"{row.idempotency_key}:del", now=now)
        return True

    async def _correct(self, session, row, action: SendMessage, now) -> bool:
        """Edit a message to its stored text when that was rewritten while it was on its way."""
        wanted = action_from_json(row.payload)
        if not isinstance(wanted, SendMessage):
            return False
        if (wanted.text, wanted.html, wanted.buttons) == (action.text, action.html, action.buttons):
            return False
        edit = EditMessageText(
            chat_id=action.chat_id,
            message_id=row.result["message_id"],
            text=wanted.text,
            html=wanted.html,
            buttons=wanted.buttons,
        )
        await enqueue(session, row.platform, [edit], key=f"{row.idempotency_key}:fix", now=now)
        return True

    async def _follow_up(self, session, row, action: SendMessage, now) -> bool:
        """Pin or schedule the deletion of a message once the platform has given it an id."""
        message_id = row.result["message_id"]
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
        return action.pin
