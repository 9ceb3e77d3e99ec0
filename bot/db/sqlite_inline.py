"""An aiosqlite connection that runs SQLite calls on the event loop's own thread, except commits.

aiosqlite sends every cursor, execute, fetch and close to a worker thread and back, several trips
per statement; each trip costs two thread wake-ups, which on a small VM made one processed update
take milliseconds of waiting (processing ran 2.6x faster inline). Statements on a local file in
WAL mode take microseconds, so they run inline. A commit waits for fsync, which can take long on
a busy disk, so commits still go to the worker thread and the loop keeps serving meanwhile.
A wait for another process's lock (bounded by busy_timeout) does block the loop.

Every call first yields to the event loop, as a network driver's await would: an inline call
never suspends otherwise, so a transaction of many statements (the inbox processor's handlers)
held the loop from start to commit, and webhooks waited hundreds of milliseconds just to be read.
A yield costs microseconds against a statement's tens to hundreds.

Relies on aiosqlite's `Connection._execute` being the single path of every call (aiosqlite is
pinned in pyproject.toml; the whole test suite runs on this connection).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    # The commit running on the worker thread, if any. Its waiter can be cancelled (a task
    # stopped at shutdown) while the worker thread still runs it; a later inline call (the
    # rollback or close that follows) must not touch the sqlite3 connection meanwhile: two
    # threads inside one connection crashed the interpreter (segmentation fault in CI).
    _in_worker: asyncio.Task[Any] | None = None

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        while (running := self._in_worker) is not None and not running.done():
            await asyncio.wait({running})  # never cancels it, whatever happens to us
            if not self._running or not self._connection:
                # Stopped meanwhile (SQLAlchemy's forced close): the worker thread closes it.
                raise ValueError("Connection closed")
        if getattr(fn, "__name__", "") == "commit":
            task = asyncio.ensure_future(super()._execute(fn, *args, **kwargs))
            self._in_worker = task
            task.add_done_callback(_retrieve)
            return await asyncio.shield(task)
        return fn(*args, **kwargs)


def _retrieve(task: asyncio.Task[Any]) -> None:
    # A commit whose waiter was cancelled fails or succeeds unseen; fetching the outcome keeps
    # asyncio from logging "exception was never retrieved" (the waiter saw the cancellation).
    if not task.cancelled():
        task.exception()


def inline_connector(database: str, timeout: float) -> Callable[[], Awaitable[InlineConnection]]:
    """An `async_creator` for SQLAlchemy's aiosqlite dialect."""

    async def connect() -> InlineConnection:
        connector = partial(sqlite3.connect, database, timeout=timeout, check_same_thread=False)
        connection = InlineConnection(connector, iter_chunk_size=64)
        try:
            return await connection
        except Exception:
            # aiosqlite stops its worker thread after a failed connect without waiting for it;
            # one still running when the event loop closes (`qunbot migrate` giving up) prints
            # a traceback from the thread.
            await asyncio.to_thread(connection._thread.join, 5)
            raise

    return connect
