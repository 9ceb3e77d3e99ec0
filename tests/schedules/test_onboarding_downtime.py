"""Relative-to-join onboarding steps across downtime: a step missed by more than the job's grace
is skipped, one within it is sent late, and every member gets every step exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db.models import Member
from schedules.models import DIGEST, ScheduledJob
from schedules.spec import AfterEvent
from tests.schedules.conftest import FakeClock
from tests.schedules.test_service import T0, add_group, add_job, outbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def onboarding(sessions, clock, **kwargs):
    group = await add_group(sessions, "-1")
    async with sessions.begin() as session:
        for user_id, name, minutes in (("5", "Ann", 10), ("6", "Bob", 30)):
            session.add(
                Member(
                    group_id=group.id,
                    user_id=user_id,
                    display_name=name,
                    tags=[],
                    joined_at=T0 + timedelta(minutes=minutes),
                )
            )
    return await add_job(
        sessions,
        clock,
        group,
        AfterEvent(delay=timedelta(days=3)),
        payload={"text": "{name}"},
        **kwargs,
    )


async def sweep_minutes(service, clock, minutes: int) -> None:
    for _ in range(minutes):
        await service.fire_due(clock.advance(minutes=1))


async def test_steps_missed_beyond_grace_are_skipped_after_downtime(sessions, service, clock):
    await onboarding(sessions, clock)  # default grace: 10 minutes
    # Down from T0 until two hours after both members' day-3 step.
    clock.set(T0 + timedelta(days=3, hours=2, minutes=30))
    await service.fire_due()
    await sweep_minutes(service, clock, 5)
    assert await outbox(sessions) == []


async def test_a_step_within_grace_is_sent_late_once_per_member(sessions, service, clock):
    await onboarding(sessions, clock)
    # Back 5 minutes after Ann's step (within grace), before Bob's.
    clock.set(T0 + timedelta(days=3, minutes=15))
    await service.fire_due()
    await sweep_minutes(service, clock, 30)
    texts = [row.payload["text"] for row in await outbox(sessions)]
    assert texts == ["Ann", "Bob"]
    # Fired again for the same minutes (a second scheduler, a replayed wake-up): nothing new.
    await service.fire_due()
    await sweep_minutes(service, clock, 3)
    assert [row.payload["text"] for row in await outbox(sessions)] == ["Ann", "Bob"]


async def test_without_a_grace_limit_every_missed_step_is_sent(sessions, service, clock):
    await onboarding(sessions, clock, grace=None)
    clock.set(T0 + timedelta(days=5))
    await service.fire_due()
    await sweep_minutes(service, clock, 2)
    assert [row.payload["text"] for row in await outbox(sessions)] == ["Ann、Bob"]


async def test_a_stored_after_join_digest_is_switched_off_not_fired_every_minute(
    sessions, service, clock
):
    # Such jobs could be made before /schedule add refused them; each sweep fired a digest.
    job = await onboarding(sessions, clock)
    async with sessions.begin() as session:
        (await session.get(ScheduledJob, job.id)).kind = DIGEST
    clock.set(T0 + timedelta(days=3, minutes=5))
    await service.fire_due()
    await sweep_minutes(service, clock, 5)
    assert await outbox(sessions) == []
    async with sessions() as session:
        row = await session.get(ScheduledJob, job.id)
        assert (row.enabled, row.next_run_at) == (False, None)
