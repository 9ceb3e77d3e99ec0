"""Group commit: concurrent webhook requests share one INSERT and one COMMIT.

While a batch is being committed, new arrivals queue up and form the next batch, so at low load
an update is committed alone at once and at high load many share one fsync.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.models import InboxUpdate, utcnow

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class InboxRow:
    platform: str
    bot_id: str
    update_id: int
    chat_key: str
    payload: str


class GroupCommitWriter:
    def __init__(
        self,
        engine: AsyncEngine,
        on_commit: Callable[[], None] = lambda: None,
        max_batch: int = 1000,
    ) -> None:
        self._engine = engine
        self.on_commit = on_commit
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[InboxRow, asyncio.Future[None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._writing = False
        self._idle = asyncio.Event()
        self._idle.set()
        dialect = engine.dialect.name
        self._insert = (postgresql if dialect == "postgresql" else sqlite).insert

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

        while not self._queue.empty():
            _, future = self._queue.get_nowait()
            if not future.done():
                future.set_exception(RuntimeError("inbox writer stopped"))

    @property
    def waiting(self) -> bool:
        """Whether acknowledgements are waiting for the database right now."""
        return self._writing or not self._queue.empty()

    async def give_way(self, longest: float = 0.05) -> None:
        """Wait until no acknowledgement waits for the database, but at most `longest` seconds,
        so that background work yields to webhooks without ever starving."""
        if self.waiting:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), longest)

    async def submit(self, row: InboxRow) -> None:
        """Return once the row is durably stored (a duplicate counts as stored)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._idle.clear()
        await self._queue.put((row, future))
        await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._writing = True
            try:
                await self._write([row for row, _ in batch])
            except Exception as exc:
                log.exception("inbox.write_failed", batch=len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            finally:
                self._writing = False
                if self._queue.empty():
                    self._idle.set()
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
            self.on_commit()

    async def _write(self, rows: list[InboxRow]) -> None:
        now = utcnow()
        values = [
            {
                "platform": r.platform,
                "bot_id": r.bot_id,
                "update_id": r.update_id,
                "chat_key": r.chat_key,
                "payload": r.payload,
                "status": "pending",
                "attempts": 0,
                "received_at": now,
            }
            for r in rows
        ]
        statement = self._insert(InboxUpdate).on_conflict_do_nothing(
            index_elements=["platform", "bot_id", "update_id"]
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement, values)
