"""Finished records are forgotten after a while, so tables stay small and old chat text goes.

Each table with an expiry is pruned by the leader in batches. Rows are found in id order (ids
rise with time) below the first row still inside the retention period: that walk only reads
the old end of the table, so it needs no index on the timestamp and keeps the hot insert path
of the inbox free of one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import InboxUpdate, OutboxAction, utcnow
from bot.loop import DrainLoop

BATCH = 5000


@dataclass(frozen=True)
class Expiry:
    """Rows of `model` whose `stamp` is older than `age` go, if they also match `where`."""

    model: Any
    stamp: Any
    age: timedelta
    where: tuple[Any, ...] = ()

    @property
    def table(self) -> str:
        return self.model.__tablename__


def finished_updates_and_actions(days: int) -> list[Expiry]:
    """Inbox updates and outbox actions that are done, failed (or called off), once `days` old.

    Work still pending (an update to process, a message due later) is never pruned; 0 keeps
    everything. Telegram redelivers an update for at most a day, so a pruned inbox row cannot
    come back as new.
    """
    if days <= 0:
        return []
    age = timedelta(days=days)
    return [
        Expiry(InboxUpdate, InboxUpdate.received_at, age,
               (InboxUpdate.status.in_(("done", "failed")),)),
        Expiry(OutboxAction, OutboxAction.created_at, age,
               (OutboxAction.status.in_(("done", "failed", "cancelled")),)),
    ]


async def prune(session: AsyncSession, expiry: Expiry, now: datetime,
                batch: int = BATCH) -> int:
    """Delete up to `batch` expired rows of one table; returns how many went."""
    model = expiry.model
    cutoff = now - expiry.age
    # The first row young enough to keep: every row before it (by id) is a candidate.
    first_kept = await session.scalar(
        select(model.id).where(expiry.stamp >= cutoff).order_by(model.id).limit(1)
    )
    old = select(model.id).where(expiry.stamp < cutoff, *expiry.where)
    if first_kept is not None:
        old = old.where(model.id < first_kept)
    doomed = old.order_by(model.id).limit(batch).scalar_subquery()
    result = await session.execute(delete(model).where(model.id.in_(doomed)))
    return result.rowcount or 0


class Pruner(DrainLoop):
    """The leader deletes expired rows of every table in `expiries`, a batch per table a round."""

    name = "pruner"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        expiries: Sequence[Expiry],
        poll_interval: float = 600.0,
        clock: Callable[[], datetime] = utcnow,
        on_pruned: Callable[[str, int], None] = lambda table, count: None,
    ) -> None:
        super().__init__(poll_interval)
        self._sessions = sessions
        self.expiries = tuple(expiries)
        self.clock = clock
        self._on_pruned = on_pruned

    async def run_once(self) -> int:
        total = 0
        now = self.clock()
        for expiry in self.expiries:
            # One transaction per batch keeps locks short beside live traffic.
            async with self._sessions() as session, session.begin():
                count = await prune(session, expiry, now)
            if count:
                self._on_pruned(expiry.table, count)
            total += count
        return total
