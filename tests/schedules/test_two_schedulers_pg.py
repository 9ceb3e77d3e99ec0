"""Two scheduler instances on one PostgreSQL database: one outbox row per (job, fire time)."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Group, OutboxAction
from schedules.models import JobClaim
from schedules.service import SchedulerService
from schedules.spec import Cron
from schedules.store import create_job
from tests.conftest import PG_URL
from tests.harness import eventually
from tests.schedules.conftest import FakeClock

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs QUNBOT_TEST_DATABASE_URL (PostgreSQL)")

T0 = datetime(2026, 11, 23, 2, 58, tzinfo=UTC)


async def test_racing_schedulers_store_each_occurrence_once(database_url):
    engines = [create_engine(database_url) for _ in range(2)]
    sessions = [create_sessionmaker(engine) for engine in engines]
    clock = FakeClock(T0)
    try:
        async with sessions[0].begin() as session:
            for i in range(40):
                group = Group(
                    platform="telegram", chat_id=f"-{i + 1}", chat_type="supergroup", settings={}
                )
                session.add(group)
                await session.flush()
                for minute in ("0", "1"):
                    await create_job(
                        session,
                        spec=Cron(hour="11", minute=minute),
                        now=clock(),
                        group=group,
                        payload={"text": f"g{i} m{minute}"},
                    )
        services = [SchedulerService(s, clock=clock) for s in sessions]
        clock.advance(minutes=3)
        await asyncio.gather(*(service.fire_due() for service in services * 2))
        async with sessions[0]() as session:
            keys = list(await session.scalars(select(OutboxAction.idempotency_key)))
            claims = list(await session.scalars(select(JobClaim.job_id)))
        assert len(keys) == 80 and Counter(keys).most_common(1)[0][1] == 1
        assert len(claims) == 80
        # Racing explicit fires of one new occurrence: one stores it, the other gets None.
        fire_at = T0 + timedelta(days=1)
        results = await asyncio.gather(*(s.fire(claims[0], fire_at) for s in services))
        assert sorted(results, key=str) == [1, None]
    finally:
        for engine in engines:
            await engine.dispose()


async def test_racing_staged_releases_store_each_occurrence_once(database_url):
    engines = [create_engine(database_url) for _ in range(2)]
    sessions = [create_sessionmaker(engine) for engine in engines]
    clock = FakeClock(T0)
    try:
        async with sessions[0].begin() as session:
            for i in range(30):
                group = Group(
                    platform="telegram", chat_id=f"-{i + 1}", chat_type="supergroup", settings={}
                )
                session.add(group)
                await session.flush()
                await create_job(
                    session,
                    spec=Cron(hour="11", minute="0"),
                    now=clock(),
                    group=group,
                    payload={"text": f"g{i}"},
                )
        services = [SchedulerService(s, clock=clock) for s in sessions]
        due = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
        clock.set(due - timedelta(seconds=5))
        assert [await service.prepare() for service in services] == [30, 30]
        clock.set(due)
        # Each service's own release timer may get there before these calls do: whichever
        # path writes, the outbox must end with each occurrence exactly once.
        written = await asyncio.gather(*(service.release_due() for service in services))
        assert sum(written) <= 30

        async def keys() -> list[str]:
            async with sessions[0]() as session:
                return list(await session.scalars(select(OutboxAction.idempotency_key)))

        await eventually(lambda: _at_least(keys, 30))
        await asyncio.sleep(0.2)  # a second, wrong write would land by now
        stored = await keys()
        assert len(stored) == 30 and Counter(stored).most_common(1)[0][1] == 1
    finally:
        for engine in engines:
            await engine.dispose()


async def _at_least(read, count: int):
    found = await read()
    return found if len(found) >= count else None
