"""Leader election: exactly one process runs the sender and the scheduler.

On PostgreSQL the leader holds a session-level advisory lock on a connection of its own; when
that process dies its connection closes, the lock is freed and another replica takes over within
`leader_retry_seconds`. SQLite means a single process, which is always the leader.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.failures import FailureRun

log = structlog.get_logger(__name__)

# An arbitrary constant shared by all replicas: "qunbot leader".
LEADER_LOCK_KEY = 0x71756E626F74

Hook = Callable[[], Awaitable[None]]


class LeaderElection:
    def __init__(
        self,
        engine: AsyncEngine,
        on_elected: Hook,
        on_deposed: Hook,
        retry_seconds: float = 5.0,
        lock_key: int = LEADER_LOCK_KEY,
    ) -> None:
        self._engine = engine
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._retry = retry_seconds
        self._key = lock_key
        self._task: asyncio.Task[None] | None = None
        self.is_leader = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="leader-election")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.is_leader:
            self.is_leader = False
            await self._on_deposed()

    async def _run(self) -> None:
        if self._engine.dialect.name != "postgresql":
            await self._lead_alone()
            return
        run = FailureRun(log, "leader.connection_lost")
        while True:
            try:
                async with self._engine.connect() as conn:
                    run.succeeded()
                    if await self._try_lock(conn):
                        try:
                            await self._lead(conn)
                        finally:
                            # The lock is the session's: this connection is closed, not handed
                            # back to the pool still holding it (after a failed start-up, no
                            # replica, this one included, could lead again).
                            await conn.invalidate()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                run.failed(exc)
            if self.is_leader:
                self.is_leader = False
                log.warning("leader.deposed")
                await self._on_deposed()
            await asyncio.sleep(self._retry)

    async def _lead_alone(self) -> None:
        # Without PostgreSQL there is one process, but its database may not be reachable yet.
        run = FailureRun(log, "leader.start_failed")
        while True:
            try:
                await self._on_elected()
            except Exception as exc:
                run.failed(exc)
                await asyncio.sleep(self._retry)
                continue
            run.succeeded()
            self.is_leader = True
            return

    async def _try_lock(self, conn: AsyncConnection) -> bool:
        got = await conn.scalar(select(func.pg_try_advisory_lock(self._key)))
        await conn.commit()
        return bool(got)

    async def _lead(self, conn: AsyncConnection) -> None:
        self.is_leader = True
        log.info("leader.elected")
        await self._on_elected()
        # Keep the connection, and so the lock, alive; a failed ping means we lost both.
        while True:
            await asyncio.sleep(self._retry)
            await conn.scalar(select(1))
            await conn.commit()
