"""A controllable clock for the scheduler, and the real app running on it."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

import tests.harness
from bot.app import create_app
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import OutboxAction
from schedules.firing import FireConfig
from schedules.models import ScheduledJob
from schedules.service import SchedulerService
from tests.harness import BotHarness, eventually


class FakeClock:
    """The scheduler's `now()`; tests move it instead of sleeping."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, at: datetime) -> datetime:
        self.now = at
        return at


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def service(sessions, clock) -> SchedulerService:
    return SchedulerService(sessions, FireConfig(operators=("111",)), clock=clock)


@pytest.fixture
def clocked_app(monkeypatch, clock):
    """Every BotHarness started in this test runs its scheduler on `clock`."""
    monkeypatch.setattr(tests.harness, "create_app", functools.partial(create_app, clock=clock))
    return clock


@pytest.fixture
async def sbot(clocked_app, make_settings) -> AsyncIterator[BotHarness]:
    harness = await BotHarness(make_settings()).start()
    yield harness
    await harness.close()


async def jobs(harness: BotHarness) -> list[ScheduledJob]:
    async with harness.sessions() as session:
        return list(await session.scalars(select(ScheduledJob).order_by(ScheduledJob.id)))


async def release_outbox(harness: BotHarness) -> None:
    """Make firings stored on a clock ahead of real time sendable now.

    The scheduler stamps outbox rows with its (fake, future) clock; the sender runs on real
    time, so without this it would hold them until that future moment.
    """
    async with harness.sessions.begin() as session:
        await session.execute(
            update(OutboxAction)
            .where(OutboxAction.status == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    harness.runtime.sender.notify()


async def fire_next(bot, clock) -> None:
    """Move the clock to the job's next run and wait until it has fired (by this call or by the
    scheduler's own sweep) and whatever it posted is sent."""
    (job,) = await jobs(bot)
    clock.set(job.next_run_at)
    await bot.runtime.scheduler.fire_due()

    async def fired() -> bool:
        (now,) = await jobs(bot)
        return now.next_run_at > job.next_run_at

    await eventually(fired)
    await release_outbox(bot)
    await eventually(bot.settled)
