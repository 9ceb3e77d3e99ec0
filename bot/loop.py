"""A background loop that drains work, then sleeps until notified or the poll interval passes."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from bot.failures import FailureRun

log = structlog.get_logger(__name__)


class DrainLoop:
    """Subclasses implement `run_once() -> int`, the amount of work done in one round.

    Notifications are the fast path (a commit just stored work); polling is the safety net for
    work that becomes due by time or was stored by another process.
    """

    name = "loop"
    max_backoff = 30.0

    def __init__(self, poll_interval: float) -> None:
        self._poll_interval = poll_interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> int:
        raise NotImplementedError

    def notify(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        run = FailureRun(log, "loop.failed", loop=self.name)
        while True:
            self._wake.clear()
            try:
                while await self.run_once():
                    pass
                run.succeeded()
            except Exception as exc:
                run.failed(exc)
            if failures := run.failures:
                # A database that is down fails every round: back off (and ignore wake-ups) so
                # the loop neither floods the log nor competes for the pool with /readyz.
                await asyncio.sleep(min(self._poll_interval * 2**failures, self.max_backoff))
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
