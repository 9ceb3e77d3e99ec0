"""The leader's worker that asks the platform whether someone whose button press waited is in
the group (`handlers.membership_store`).

It claims due checks (`bot.leases`), asks the platform through the sender's pacer (these calls
share the bot's rate limit with sends), and hands each answer to the dispatcher as a
MEMBER_CHECKED event: the middlewares record it on the member's row and the button's handler
finishes the press. The actions enter the outbox under `member-check:<id>` in the transaction
that marks the check done, so a press is acted on once. A call that may pass later is retried
with backoff up to `max_attempts`; the platform refusing it (no such chat) ends the check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import leases
from bot.core.events import Event, EventKind
from bot.db.models import Group, utcnow
from bot.dispatch import Dispatcher
from bot.leases import Clock
from bot.outbox.pacing import Pacer
from bot.platforms.base import PermanentError, Platform, RetryAfter
from handlers.membership_store import MembershipCheck

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class MembershipCheckLimits(leases.LeaseLimits):
    concurrency: int = 4
    batch: int = 32
    retry_initial: float = 2.0  # a member waits on the answer: retry soon
    retry_max: float = 60.0
    lease: float = 120.0


@dataclass(frozen=True)
class _Claim(leases.Claim):
    chat_id: str
    user_id: str


class MembershipChecks(leases.LeasedChecks):
    name = "membership-checks"
    model = MembershipCheck
    key_prefix = "member-check"
    failed_event = "membership_check.unanswered"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        platforms: dict[str, Platform],
        dispatcher: Dispatcher,
        pacer: Pacer,
        poll_interval: float,
        limits: MembershipCheckLimits | None = None,
        on_outbox: Callable[[], None] = lambda: None,
        clock: Clock = utcnow,
    ) -> None:
        super().__init__(sessions, dispatcher, poll_interval, limits or MembershipCheckLimits(),
                         on_outbox, clock)
        self._platforms = platforms
        self._pacer = pacer  # the sender's

    async def _claim(self) -> list[_Claim]:
        now = self.clock()
        query = (
            select(MembershipCheck, Group.platform, Group.chat_id)
            .join(Group, Group.id == MembershipCheck.group_id)
            .where(leases.due(MembershipCheck, now, self.limits.lease))
            .order_by(MembershipCheck.id)
            .limit(self.limits.batch)
            .with_for_update(skip_locked=True, of=MembershipCheck)
        )
        async with self._sessions.begin() as session:
            claims = []
            for row, platform, chat_id in (await session.execute(query)).all():
                leases.take(row, now)
                claims.append(_Claim(row.id, now, row.attempts, platform, chat_id, row.user_id))
        return claims

    async def _attempt(self, claim: _Claim) -> int:
        platform = self._platforms.get(claim.platform)
        if platform is None:
            raise PermanentError(f"platform {claim.platform!r} is not configured")
        await self._pacer.acquire(claim.chat_id, is_message=False, is_group=True)
        try:
            status = await platform.member_status(claim.chat_id, claim.user_id)
        except RetryAfter as exc:
            self._pacer.pause(exc.seconds)  # the whole bot waits, sends included
            raise

        async def event_of(session: AsyncSession, row: MembershipCheck) -> Event | None:
            return await self._event(session, row, status, claim.platform)

        def record(row: MembershipCheck) -> None:
            row.member_status = status[:16]

        added = await self._deliver(claim, event_of, record)
        log.info("membership_check.done", check=claim.id, status=status, actions=added)
        return added

    async def _event(
        self, session: AsyncSession, row: MembershipCheck, status: str, platform: str
    ) -> Event | None:
        return await self._group_event(
            session, row, platform, EventKind.MEMBER_CHECKED,
            callback_data=row.callback_data, new_status=status,
        )
