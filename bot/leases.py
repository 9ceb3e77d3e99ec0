"""Workers that do for handlers what handlers may not: ask the platform, then hand the answer
back to the dispatcher as an event.

Handlers do no I/O, so a handler that needs the platform's word (a photo's QR codes, whether
someone is in the group) stores a row, and a leader's worker claims due rows a batch at a time
under a lease. A row goes pending -> checking (claimed at `claimed_at`) -> done; after a
failure that may pass it goes back to pending until `next_attempt_at`, and to failed once
`attempts` run out. A claim older than the lease belonged to a process that died. A row is
finished only by the claim that holds it, in the transaction that stores the actions the
answer led to, so the work is acted on once even when a deposed leader finishes late.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.events import Chat, ChatType, Event, EventKind
from bot.db.models import Group, utcnow
from bot.dispatch import Dispatcher
from bot.groups.repository import stored_user
from bot.loop import DrainLoop
from bot.outbox.store import enqueue
from bot.platforms.base import PermanentError, PlatformError, RetryAfter

log = structlog.get_logger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LeaseLimits:
    concurrency: int = 2  # rows worked on at once
    batch: int = 16
    max_attempts: int = 3
    retry_initial: float = 5.0  # seconds before the 2nd attempt; doubles after each failure
    retry_max: float = 300.0
    lease: float = 300.0  # a claim older than this belonged to a process that died


@dataclass(frozen=True)
class Claim:
    id: int
    claimed_at: datetime
    attempts: int
    platform: str


def due(model: Any, now: datetime, lease: float) -> ColumnElement[bool]:
    """The rows a worker may claim now: pending and due, or claimed by a process long dead."""
    return or_(
        (model.status == "pending")
        & or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now),
        (model.status == "checking") & (model.claimed_at < now - timedelta(seconds=lease)),
    )


def take(row: Any, now: datetime) -> None:
    """Claim a row selected with `due` (inside the transaction that locked it)."""
    row.status, row.claimed_at, row.attempts = "checking", now, row.attempts + 1


class LeasedChecks(DrainLoop):
    """A leader's worker over one table of rows (`model`). Subclasses claim due rows in
    `_claim` (with `due` and `take`) and do one row's work in `_attempt`, which ends with
    `_deliver`; a PlatformError it raises is a failed attempt, retried unless permanent."""

    model: Any
    key_prefix: str  # outbox keys of the actions a row led to: "<key_prefix>:<row id>"
    failed_event = "lease.attempt_failed"  # what a failed attempt is logged as

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dispatcher: Dispatcher,
        poll_interval: float,
        limits: LeaseLimits,
        on_outbox: Callable[[], None],
        clock: Clock,
    ) -> None:
        super().__init__(poll_interval)
        self._sessions = sessions
        self._dispatcher = dispatcher
        self.limits = limits
        self._on_outbox = on_outbox
        self.clock = clock

    async def _claim(self) -> list[Any]:
        raise NotImplementedError

    async def _attempt(self, claim: Any) -> int:
        """Do one claimed row's work; returns how many actions entered the outbox."""
        raise NotImplementedError

    async def run_once(self) -> int:
        """Work through one batch of due rows, a few at a time; returns how many were claimed."""
        claims = await self._claim()
        semaphore = asyncio.Semaphore(self.limits.concurrency)

        async def guarded(claim: Claim) -> None:
            async with semaphore:
                await self._check(claim)

        await asyncio.gather(*(guarded(claim) for claim in claims))
        return len(claims)

    async def _check(self, claim: Claim) -> None:
        try:
            added = await self._attempt(claim)
        except RetryAfter as exc:
            await self._failed(claim, exc.description, final=False, wait=exc.seconds)
            return
        except PlatformError as exc:
            await self._failed(claim, exc.description, final=isinstance(exc, PermanentError))
            return
        except Exception as exc:
            log.exception("lease.attempt_crashed", table=self.model.__tablename__, row=claim.id)
            await self._failed(claim, f"{type(exc).__name__}: {exc}", final=False)
            return
        if added:
            self._on_outbox()

    async def _held(self, session: AsyncSession, claim: Claim) -> Any:
        """The row, locked, if this claim still holds it; None when a lease ran out and
        passed it on."""
        model = self.model
        row = await session.scalar(select(model).where(model.id == claim.id).with_for_update())
        if row is None or row.status != "checking" or row.claimed_at != claim.claimed_at:
            log.warning("lease.lost", table=model.__tablename__, row=claim.id)
            return None
        return row

    async def _deliver(
        self,
        claim: Claim,
        event_of: Callable[[AsyncSession, Any], Awaitable[Event | None]],
        record: Callable[[Any], None],
    ) -> int:
        """Dispatch the event the answer makes (`event_of` the row), store its actions and the
        answer on the row (`record`), and mark the row done, in one transaction. Returns how
        many actions were added."""
        now = utcnow()
        async with self._sessions.begin() as session:
            row = await self._held(session, claim)
            if row is None:
                return 0
            event = await event_of(session, row)
            actions = await self._dispatcher.dispatch(event, session, now) if event else []
            key = f"{self.key_prefix}:{row.id}"
            added = await enqueue(session, claim.platform, actions, key=key, now=now)
            row.status, row.checked_at, row.error = "done", now, None
            record(row)
        return added

    async def _group_event(
        self, session: AsyncSession, row: Any, platform: str, kind: EventKind, **fields: Any
    ) -> Event | None:
        """An event about the row's member in the row's group, dated when the member acted
        (`row.at`), naming them as their row last recorded them; None when the group is gone."""
        group = await session.get(Group, row.group_id)
        if group is None:
            return None
        return Event(
            kind=kind,
            platform=platform,
            update_id=0,  # not a platform update
            chat=Chat(id=group.chat_id, type=ChatType(group.chat_type), title=group.title),
            user=await stored_user(session, group.id, row.user_id),
            at=row.at,
            message_id=row.message_id,
            **fields,
        )

    async def _failed(
        self, claim: Claim, reason: str, *, final: bool, wait: float | None = None
    ) -> None:
        limits = self.limits
        gave_up = final or claim.attempts >= limits.max_attempts
        delay = wait or min(limits.retry_initial * 2 ** (claim.attempts - 1), limits.retry_max)
        async with self._sessions.begin() as session:
            row = await self._held(session, claim)
            if row is None:
                return
            row.error = reason[:2000]
            if gave_up:
                row.status, row.checked_at = "failed", utcnow()
            else:
                row.status = "pending"
                row.next_attempt_at = self.clock() + timedelta(seconds=delay)
        log.warning(self.failed_event, check=claim.id, attempt=claim.attempts, gave_up=gave_up,
                    reason=reason)

    async def release_claims(self) -> None:
        """Hand back every claim at once: for a newly elected leader, the only worker."""
        async with self._sessions.begin() as session:
            await session.execute(
                update(self.model)
                .where(self.model.status == "checking")
                .values(status="pending", claimed_at=None)
            )
