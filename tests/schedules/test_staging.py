"""Bursts read and rendered ahead of their instant and written at it (`SchedulerService.prepare`
and `release_due`): the same posts as the ordinary path, never early, never twice, and nothing
for a job paused, removed or moved after it was read."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schedules.firing import FireConfig
from schedules.models import ScheduledJob
from schedules.service import SchedulerService
from schedules.spec import Cron
from schedules.store import pause, remove_job
from tests.schedules.conftest import FakeClock
from tests.schedules.test_service import T0, add_group, add_job, job_row, outbox

DUE = T0 + timedelta(hours=1)  # 11:00 in Shanghai


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def three_jobs(sessions, clock):
    groups = [await add_group(sessions, f"-{i}", f"G{i}") for i in (1, 2, 3)]
    return [
        await add_job(sessions, clock, g, Cron(hour="11"), payload={"text": "{group} {time}"})
        for g in groups
    ]


async def test_a_staged_burst_is_written_at_its_instant_not_before(sessions, service, clock):
    jobs = await three_jobs(sessions, clock)
    clock.set(DUE - timedelta(seconds=5))
    assert await service.prepare() == 3
    assert await outbox(sessions) == []
    assert await service.release_due(DUE - timedelta(seconds=1)) == 0
    assert await outbox(sessions) == []
    assert await service.release_due(clock.set(DUE)) == 3
    rows = await outbox(sessions)
    assert sorted((r.chat_key, r.payload["text"]) for r in rows) == [
        ("-1", "G1 11:00"),
        ("-2", "G2 11:00"),
        ("-3", "G3 11:00"),
    ]
    assert {r.idempotency_key for r in rows} == {
        f"job:{job.id}:{DUE.isoformat()}:0" for job in jobs
    }
    for job in jobs:
        stored = await job_row(sessions, job.id)
        assert stored.last_run_at == DUE and stored.next_run_at == DUE + timedelta(days=1)
        assert stored.last_result.startswith("fired at")
    # Nothing left: a second release and the ordinary path both find nothing to do.
    assert await service.release_due(DUE + timedelta(seconds=1)) == 0
    assert await service.fire_due(DUE + timedelta(seconds=2)) == 0
    assert len(await outbox(sessions)) == 3


async def test_jobs_paused_removed_or_moved_after_staging_are_not_posted(sessions, service, clock):
    paused, removed, moved = await three_jobs(sessions, clock)
    clock.set(DUE - timedelta(seconds=5))
    assert await service.prepare() == 3
    async with sessions.begin() as session:
        pause(session, await session.get(ScheduledJob, paused.id), clock())
        await remove_job(session, await session.get(ScheduledJob, removed.id), clock())
        (await session.get(ScheduledJob, moved.id)).next_run_at = DUE + timedelta(hours=1)
    assert await service.release_due(clock.set(DUE)) == 0
    assert await outbox(sessions) == []


async def test_an_occurrence_another_scheduler_fired_is_not_written_again(sessions, service, clock):
    await three_jobs(sessions, clock)
    clock.set(DUE - timedelta(seconds=5))
    assert await service.prepare() == 3
    other = SchedulerService(sessions, FireConfig(), clock=clock)
    clock.set(DUE)
    assert await other.fire_due() == 3  # the ordinary path, e.g. on another replica
    assert await service.release_due() == 0
    assert len(await outbox(sessions)) == 3


async def test_a_staged_firing_later_than_its_grace_is_left_to_the_missed_run_policy(
    sessions, service, clock
):
    (job, *_) = await three_jobs(sessions, clock)
    clock.set(DUE - timedelta(seconds=5))
    await service.prepare()
    late = clock.set(DUE + timedelta(minutes=11))  # the default grace is 10 minutes
    assert await service.release_due() == 0
    assert await service.fire_due() == 0
    assert await outbox(sessions) == []
    stored = await job_row(sessions, job.id)
    assert stored.last_result.startswith(f"skipped at {late.isoformat()}")
    assert stored.next_run_at == DUE + timedelta(days=1)


async def test_staging_twice_does_not_duplicate(sessions, service, clock):
    await three_jobs(sessions, clock)
    clock.set(DUE - timedelta(seconds=6))
    assert await service.prepare() == 3
    assert await service.prepare(DUE - timedelta(seconds=3)) == 0
    assert await service.release_due(clock.set(DUE)) == 3
    assert len(await outbox(sessions)) == 3


async def test_regression_a_job_without_grace_limit_is_stored_without_one(sessions, clock):
    """The column default used to replace an explicit "no limit" (countdown end actions)."""
    group = await add_group(sessions, "-1")
    job = await add_job(sessions, clock, group, Cron(hour="11"), payload={}, grace=None)
    assert (await job_row(sessions, job.id)).grace_seconds is None
