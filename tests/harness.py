"""Runs the real app on a loopback port, as a user's deployment would, for integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import uvicorn
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import create_app
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import InboxUpdate, OutboxAction, utcnow
from bot.settings import Settings

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
    """Poll `check` until it returns something truthy; fail with its last value on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        await asyncio.sleep(0.02)


class BotHarness:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.app = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.client: httpx.AsyncClient | None = None
        # Before start and after stop the harness has an engine of its own; while the app runs it
        # uses the app's, as a second in-process SQLite connection would wait for the app's lock
        # on the very thread the app needs to release it.
        self._engine: AsyncEngine = create_engine(settings.database_url)
        self._sessions: async_sessionmaker[AsyncSession] = create_sessionmaker(self._engine)

    @property
    def engine(self) -> AsyncEngine:
        return self.runtime.engine if self._server else self._engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        return self.runtime.sessions if self._server else self._sessions

    async def start(self) -> BotHarness:
        await self._engine.dispose()
        self.app = create_app(self.settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_config=None)
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)
        return self

    @property
    def runtime(self):
        return self.app.state.runtime

    async def stop(self) -> None:
        if self.client:
            await self.client.aclose()
            self.client = None
        if self._server:
            self._server.should_exit = True
            await self._task
            self._server = None

    async def close(self) -> None:
        await self.stop()
        await self._engine.dispose()

    async def post_update(self, update: dict[str, Any] | bytes, secret: str | None = None):
        headers = {"Content-Type": "application/json"}
        token = secret if secret is not None else self._secret()
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        if isinstance(update, bytes):
            return await self.client.post("/webhook/telegram", content=update, headers=headers)
        return await self.client.post("/webhook/telegram", json=update, headers=headers)

    def _secret(self) -> str | None:
        secret = self.settings.webhook_secret
        return secret.get_secret_value() if secret else None

    async def run_sync(self, work):
        """Run `work(session)` with a blocking-style ORM session on the app's own connection."""
        async with self.sessions() as session:
            result = await session.run_sync(work)
            await session.commit()
            return result

    async def inbox(self) -> list[InboxUpdate]:
        async with self.sessions() as session:
            return list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id)))

    async def outbox(self) -> list[OutboxAction]:
        async with self.sessions() as session:
            return list(await session.scalars(select(OutboxAction).order_by(OutboxAction.id)))

    async def count_open_inbox(self) -> int:
        async with self.sessions() as session:
            return await session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.status.in_(("pending", "processing")))
            )

    async def settled(self) -> bool:
        """True once every stored update is processed and every action finished."""
        async with self.sessions() as session:
            open_in = await session.scalar(
                select(func.count())
                .select_from(InboxUpdate)
                .where(InboxUpdate.status.in_(("pending", "processing")))
            )
            # Actions scheduled for later (a welcome deleted after a minute) do not count.
            open_out = await session.scalar(
                select(func.count())
                .select_from(OutboxAction)
                .where(
                    OutboxAction.status.in_(("pending", "queued")),
                    OutboxAction.next_attempt_at <= utcnow(),
                )
            )
        return open_in == 0 and open_out == 0
