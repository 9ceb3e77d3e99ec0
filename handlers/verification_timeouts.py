"""The leader's loop that removes newcomers whose verification deadline passed.

It also declines join requests whose requester did not answer privately in time
(`handlers.entry_dialogue.expire_applications`), announces the end of raid mode once a quiet
window has passed (`handlers.raid_episodes.end_due_raids`) and ends icebreaker rounds whose time
is up (`handlers.icebreaker_rounds.end_due_rounds`).

Pending verifications live in the database, so a restart in the middle loses nothing: the
new leader's first round finds every overdue one; a newcomer whose group still has updates
waiting that were stored by their deadline is judged once those are handled (one may be their
press). Each removal is enqueued under the key `verify-timeout:<id>` in the same transaction
that marks the row expired, so it happens once.

Telegram does not say when a button was pressed, and while the service is down it keeps the
presses, replaying them once the webhook answers again, shortly after the start. So for a grace
after the loop starts (`STARTUP_GRACE`) no deadline is acted on: one that fell during the
downtime waits for the replayed burst to be stored, and then for it to be handled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import InboxUpdate, utcnow
from bot.loop import DrainLoop
from bot.outbox.store import enqueue
from handlers.challenge_batches import challenge_deletions
from handlers.entry_dialogue import expire_applications
from handlers.entry_store import PendingVerification, still_unsent
from handlers.icebreaker_rounds import end_due_rounds
from handlers.raid_episodes import end_due_raids
from handlers.verification import removal

Clock = Callable[[], datetime]

# Long enough for Telegram to deliver what it kept once the webhook answers again, short enough
# that a newcomer who never pressed is not left muted for long.
STARTUP_GRACE = timedelta(seconds=60)


def _updates_waiting():
    """The newcomer's group still has updates stored by their deadline and not yet handled (a
    busy group's backlog, or one replayed after a restart): their press may be among them, so
    their time is judged once those are handled, as the updates of a chat are, in order."""
    return (
        select(InboxUpdate.id)
        .where(
            InboxUpdate.platform == PendingVerification.platform,
            InboxUpdate.chat_key == PendingVerification.chat_id,
            InboxUpdate.status.in_(("pending", "processing")),
            InboxUpdate.received_at <= PendingVerification.deadline,
        )
        .correlate(PendingVerification)
        .exists()
    )


class VerificationTimeouts(DrainLoop):
    """Scan due pending verifications; `clock` decides what is due (injected in tests)."""

    name = "verification-timeouts"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        poll_interval: float,
        on_outbox: Callable[[], None] = lambda: None,
        clock: Clock = utcnow,
        batch: int = 100,
        default_tz: str = "Asia/Shanghai",
        grace: timedelta = STARTUP_GRACE,
    ) -> None:
        super().__init__(poll_interval)
        self._sessions = sessions
        self._on_outbox = on_outbox
        self.clock = clock
        self._batch = batch
        self._default_tz = default_tz
        self._grace = grace
        self._waits_until: datetime | None = None

    def start(self) -> None:
        # Read from `clock` when the loop starts, so a test's clock can start it after a downtime.
        self._waits_until = self.clock() + self._grace
        super().start()

    async def run_once(self) -> int:
        """Expire one batch of overdue verifications and applications; returns how many."""
        due_by = self.clock()
        # Outbox rows use the real time: the sender sends what is due by the wall clock.
        now = utcnow()
        # The newcomers' answers during a downtime may still be on their way (see the module).
        answers_may_wait = self._waits_until is not None and due_by < self._waits_until
        async with self._sessions() as session, session.begin():
            rows = [] if answers_may_wait else list(
                await session.scalars(
                    select(PendingVerification)
                    .where(
                        PendingVerification.status == "pending",
                        PendingVerification.deadline <= due_by,
                        ~_updates_waiting(),
                    )
                    .order_by(PendingVerification.deadline)
                    .limit(self._batch)
                    .with_for_update(skip_locked=True)
                )
            )
            removed = 0
            for pending in rows:
                if await still_unsent(session, pending.message_key):
                    # The group's sends lag behind (pacing, a 429 pause) and the newcomer has not
                    # seen the challenge yet: their time runs from when it is shown, and a
                    # challenge sent after the removal would stay with nobody to delete it.
                    pending.deadline = due_by + (pending.deadline - pending.created_at)
                    continue
                removed += 1
                pending.status, pending.resolved_at = "expired", due_by
                actions = removal(pending.chat_id, pending.user_id, pending.join_message_id)
                actions += await challenge_deletions(session, pending)
                await enqueue(
                    session, pending.platform, actions, key=f"verify-timeout:{pending.id}", now=now
                )
            expired = 0
            if not answers_may_wait:  # a requester's private answers are replayed the same way
                expired += await expire_applications(session, due_by, now, self._batch)
            expired += await end_due_raids(session, due_by, now)
            expired += await end_due_rounds(session, due_by, now, self._default_tz, self._batch)
        if removed or expired:
            self._on_outbox()
        return removed + expired
