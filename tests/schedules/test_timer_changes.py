"""A job's in-process timer follows the table at once: pause and remove drop it, resume and add
arm it, whether the change came from this process, the API or another replica's command."""

from __future__ import annotations

from schedules.models import ScheduledJob
from schedules.spec import Cron
from schedules.store import pause, remove_job, resume
from tests.factories import OPERATOR_ID, make_message_update, user
from tests.harness import eventually
from tests.schedules.conftest import jobs, release_outbox
from tests.schedules.test_service import add_group, add_job, outbox


async def test_pause_resume_remove_drop_and_arm_the_timer(sessions, service, clock):
    group = await add_group(sessions, "-1")
    job = await add_job(sessions, clock, group, Cron(hour="11"), payload={"text": "x"})
    await service.start()
    try:
        assert job.id in service.armed()
        async with sessions.begin() as session:
            pause(session, await session.get(ScheduledJob, job.id), clock())
        await service.sync_timers()
        assert job.id not in service.armed()
        async with sessions.begin() as session:
            resume(session, await session.get(ScheduledJob, job.id), clock())
        await service.sync_timers()
        assert job.id in service.armed()
        async with sessions.begin() as session:
            await remove_job(session, await session.get(ScheduledJob, job.id), clock())
        await service.sync_timers()
        assert job.id not in service.armed()
        # Past its time, neither a late wake-up nor the sweep posts anything.
        clock.advance(hours=1, minutes=1)
        assert await service.fire_job(job.id) == 0
        assert await service.stage_job(job.id) == 0
        assert await service.fire_due() == 0
        assert await outbox(sessions) == []
    finally:
        await service.stop()


async def test_a_job_added_by_another_process_is_armed_by_the_next_sweep(sessions, service, clock):
    group = await add_group(sessions, "-1")
    await service.start()
    try:
        job = await add_job(sessions, clock, group, Cron(hour="11"), payload={"text": "x"})
        assert job.id not in service.armed()
        await service.sync_timers()
        assert job.id in service.armed()
    finally:
        await service.stop()


async def test_removed_in_chat_the_job_loses_its_timer_and_never_posts(
    sbot, clocked_app, fake_telegram
):
    operator = user(OPERATOR_ID, "Op")
    scheduler = sbot.runtime.scheduler
    await sbot.post_update(make_message_update("/schedule add 每天 11:00 早安", sender=operator))
    await eventually(sbot.settled)
    (job,) = await jobs(sbot)
    await eventually(lambda: _now(job.id in scheduler.armed()))
    await sbot.post_update(make_message_update(f"/schedule remove {job.id}", sender=operator))
    await eventually(sbot.settled)
    await eventually(lambda: _now(job.id not in scheduler.armed()))
    clocked_app.advance(days=1, minutes=1)
    assert await scheduler.fire_due() == 0
    await release_outbox(sbot)
    await eventually(sbot.settled)
    assert "早安" not in [m["text"] for m in fake_telegram.called("sendMessage")]
    assert all(row.payload.get("text") != "早安" for row in await sbot.outbox())


async def _now(value: bool) -> bool:
    return value
