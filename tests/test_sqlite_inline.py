"""The inline SQLite connection never lets two threads into one sqlite3 connection: a commit on
the worker thread whose waiter was cancelled still finishes before the next inline call runs."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import pytest

from bot.db.sqlite_inline import inline_connector


async def test_an_inline_call_waits_for_a_commit_whose_waiter_was_cancelled(tmp_path):
    connection = await inline_connector(str(tmp_path / "db.sqlite"), timeout=5.0)()
    log: list[tuple[str, str, float]] = []

    def commit() -> None:  # named like sqlite3's, so it runs on the worker thread
        log.append(("commit starts", threading.current_thread().name, time.monotonic()))
        time.sleep(0.3)
        log.append(("commit ends", threading.current_thread().name, time.monotonic()))

    def rollback() -> None:
        log.append(("rollback", threading.current_thread().name, time.monotonic()))

    waiter = asyncio.create_task(connection._execute(commit))
    await asyncio.sleep(0.05)  # the worker thread is inside the commit now
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    await connection._execute(rollback)  # what SQLAlchemy does after a cancelled commit
    await connection.close()
    steps = [step for step, _thread, _at in log]
    assert steps == ["commit starts", "commit ends", "rollback"]
    assert log[0][1] != log[2][1]  # the commit ran on the worker thread, the rollback inline
    assert log[2][2] >= log[1][2]


async def test_a_close_waiting_for_a_commit_gives_way_to_a_forced_stop(tmp_path):
    # SQLAlchemy terminates a cancelled connection by trying close() and, if that is cancelled
    # too, stop(): the worker thread then closes it, and the waiting close must not as well.
    connection = await inline_connector(str(tmp_path / "db.sqlite"), timeout=5.0)()
    closes: list[str] = []

    def commit() -> None:
        time.sleep(0.2)

    def close() -> None:
        closes.append(threading.current_thread().name)

    committing = asyncio.create_task(connection._execute(commit))
    await asyncio.sleep(0.05)
    closing = asyncio.create_task(connection._execute(close))
    await asyncio.sleep(0.01)
    future = connection.stop()
    await committing
    with pytest.raises(ValueError, match="Connection closed"):
        await closing
    await future
    assert closes == []  # only the worker thread's own close ran
