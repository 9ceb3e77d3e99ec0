"""The scheduler service on a controllable clock: firing, series, grace, coalescing, claims."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Group, InboxUpdate, Member, OutboxAction
from bot.groups.activity import MemberMessage
from schedules.firing import FireConfig
from schedules.models import (
    INACTIVITY_CHECK,
    SERIES,
    ContentSeries,
    JobClaim,
    ScheduledJob,
    SeriesItem,
)
from schedules.service import SchedulerService
from schedules.spec import AfterEvent, Cron, Every, Once
from schedules.store import create_job
from tests.schedules.conftest import FakeClock

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
async def sessions(database_url):
    engine = create_engine(database_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def service(sessions, clock) -> SchedulerService:
    return SchedulerService(sessions, FireConfig(operators=("111",)), clock=clock)


async def add_group(sessions, chat_id: str, title: str = "G", **settings) -> Group:
    async with sessions.begin() as session:
        group = Group(
            platform="telegram",
            chat_id=chat_id,
            title=title,
            chat_type="supergroup",
            settings=settings,
        )
        session.add(group)
    return group


async def add_job(sessions, clock, group, spec, **kwargs) -> ScheduledJob:
    async with sessions.begin() as session:
        return await create_job(session, spec=spec, now=clock(), group=group, **kwargs)


async def outbox(sessions) -> list[OutboxAction]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxAction).order_by(OutboxAction.id)))


async def job_row(sessions, job_id) -> ScheduledJob:
    async with sessions() as session:
        return await session.get(ScheduledJob, job_id)


async def test_cron_job_fires_at_its_time_with_placeholders_filled(sessions, service, clock):
    group = await add_group(sessions, "-100", "Readers")
    job = await add_job(
        sessions,
        clock,
        group,
        Cron(hour="11", minute="0"),
        payload={"text": "{group} {date} {weekday}: mind map"},
    )
    assert job.next_run_at == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert await service.fire_due(clock.advance(minutes=59)) == 0
    assert await service.fire_due(clock.advance(minutes=1)) == 1
    (row,) = await outbox(sessions)
    assert row.payload["text"] == "Readers 2026-11-23 一: mind map"
    assert row.chat_key == "-100"
    assert row.idempotency_key == f"job:{job.id}:2026-11-23T03:00:00+00:00:0"
    stored = await job_row(sessions, job.id)
    assert stored.last_run_at == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert stored.next_run_at == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


async def test_a_second_fire_of_the_same_occurrence_is_a_no_op(sessions, service, clock):
    group = await add_group(sessions, "-100")
    job = await add_job(sessions, clock, group, Cron(hour="11"), payload={"text": "hi"})
    at = job.next_run_at
    assert await service.fire(job.id, at) == 1
    assert await service.fire(job.id, at) is None
    assert len(await outbox(sessions)) == 1
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(JobClaim)) == 1


async def test_one_job_posts_to_a_list_of_groups_and_to_a_group_kind(sessions, service, clock):
    a = await add_group(sessions, "-1")
    b = await add_group(sessions, "-2", kind="flash")
    c = await add_group(sessions, "-3", kind="flash")
    await add_job(
        sessions,
        clock,
        a,
        Once(at=T0 + timedelta(minutes=5)),
        payload={"text": "list"},
        target={"groups": [a.id, b.id]},
    )
    await add_job(
        sessions,
        clock,
        a,
        Once(at=T0 + timedelta(minutes=5)),
        payload={"text": "kind"},
        target={"kind": "flash"},
    )
    await service.fire_due(clock.advance(minutes=5))
    sent = {(row.chat_key, row.payload["text"]) for row in await outbox(sessions)}
    assert sent == {("-1", "list"), ("-2", "list"), ("-2", "kind"), ("-3", "kind")}
    assert c.id


async def test_series_position_advances_per_group(sessions, service, clock):
    a = await add_group(sessions, "-1")
    b = await add_group(sessions, "-2")
    async with sessions.begin() as session:
        series = ContentSeries(name="lessons")
        session.add(series)
        await session.flush()
        session.add_all(
            SeriesItem(series_id=series.id, position=i, text=f"lesson {i + 1}") for i in range(3)
        )
    every_day = Cron(hour="11")
    await add_job(
        sessions,
        clock,
        a,
        every_day,
        kind=SERIES,
        payload={"series_id": series.id},
        target={"groups": [a.id, b.id]},
    )
    # A second job advances group a only: positions are per group, not per job.
    await add_job(
        sessions, clock, a, Cron(hour="12"), kind=SERIES, payload={"series_id": series.id}
    )
    for hours in (1, 2, 25, 26):  # 11:00 and 12:00 on two days
        await service.fire_due(clock.set(T0 + timedelta(hours=hours)))
    posted = [(row.chat_key, row.payload["text"]) for row in await outbox(sessions)]
    lessons = [(chat, text) for chat, text in posted if text.startswith("lesson")]
    assert [text for chat, text in lessons if chat == "-1"] == ["lesson 1", "lesson 2", "lesson 3"]
    assert [text for chat, text in lessons if chat == "-2"] == ["lesson 1", "lesson 2"]
    # Group a had the last item on the second day at 11:00: the operators are told, once.
    notes = [(chat, text) for chat, text in posted if not text.startswith("lesson")]
    assert len(notes) == 1 and notes[0][0] == "-1" and "「lessons」的 3 篇" in notes[0][1]
    assert len(posted) == 6


async def test_late_run_within_grace_fires_once_and_beyond_grace_is_skipped(
    sessions, service, clock
):
    group = await add_group(sessions, "-1")
    near = await add_job(
        sessions,
        clock,
        group,
        Cron(hour="11"),
        payload={"text": "near"},
        grace=timedelta(minutes=30),
    )
    far = await add_job(
        sessions, clock, group, Cron(hour="11"), payload={"text": "far"}, grace=timedelta(minutes=5)
    )
    # Down for three days: the missed runs coalesce into the latest, 20 minutes late.
    await service.fire_due(clock.set(T0 + timedelta(days=3, hours=1, minutes=20)))
    assert [row.payload["text"] for row in await outbox(sessions)] == ["near"]
    skipped = await job_row(sessions, far.id)
    assert skipped.last_run_at is None and "more than the 5m grace" in skipped.last_result
    for job in (near, far):
        stored = await job_row(sessions, job.id)
        assert stored.next_run_at == datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


async def test_every_and_once(sessions, service, clock):
    group = await add_group(sessions, "-1")
    every = await add_job(
        sessions,
        clock,
        group,
        Every(interval=timedelta(hours=2), start=T0 + timedelta(hours=2)),
        payload={"text": "tick"},
    )
    once = await add_job(
        sessions, clock, group, Once(at=T0 + timedelta(hours=3)), payload={"text": "once"}
    )
    for _ in range(4):
        await service.fire_due(clock.advance(hours=1))
    assert [row.payload["text"] for row in await outbox(sessions)] == ["tick", "once", "tick"]
    assert (await job_row(sessions, once.id)).next_run_at is None
    assert (await job_row(sessions, every.id)).next_run_at == T0 + timedelta(hours=6)


async def test_onboarding_post_n_days_after_a_member_joined(sessions, service, clock):
    group = await add_group(sessions, "-1")
    async with sessions.begin() as session:
        session.add(
            Member(
                group_id=group.id,
                user_id="5",
                display_name="Ann",
                tags=[],
                joined_at=T0 + timedelta(minutes=10),
            )
        )
    await add_job(
        sessions,
        clock,
        group,
        AfterEvent(delay=timedelta(days=3)),
        payload={"text": "{name}, how is day 3?"},
    )
    await service.fire_due(clock.advance(days=3))
    assert await outbox(sessions) == []
    await service.fire_due(clock.advance(minutes=11))
    await service.fire_due(clock.advance(minutes=5))
    assert [row.payload["text"] for row in await outbox(sessions)] == ["Ann, how is day 3?"]


async def test_inactivity_check_reminds_operators_of_a_quiet_group(sessions, service, clock):
    quiet = await add_group(sessions, "-1")
    busy = await add_group(sessions, "-2")
    async with sessions.begin() as session:
        # The quiet group had plenty of updates and ads, but no member's message.
        session.add_all(
            InboxUpdate(
                platform="telegram",
                bot_id="1",
                update_id=i,
                chat_key="-1",
                payload="{}",
                received_at=T0,
            )
            for i in range(5)
        )
        session.add_all(
            MemberMessage(group_id=quiet.id, user_id="9", message_id=str(i), at=T0, removed=True)
            for i in range(5)
        )
        session.add_all(
            MemberMessage(group_id=busy.id, user_id="7", message_id=str(i), at=T0, removed=False)
            for i in range(5)
        )
    payload = {"days": 7, "threshold": 5}
    for group in (quiet, busy):
        await add_job(
            sessions, clock, group, Cron(hour="11"), kind=INACTIVITY_CHECK, payload=payload
        )
    await service.fire_due(clock.advance(hours=1))
    (row,) = await outbox(sessions)
    assert row.chat_key == "-1" and "群管理员" in row.payload["text"]


async def test_a_paused_job_does_not_fire(sessions, service, clock):
    group = await add_group(sessions, "-1")
    job = await add_job(sessions, clock, group, Cron(hour="11"), payload={"text": "x"})
    async with sessions.begin() as session:
        (await session.get(ScheduledJob, job.id)).enabled = False
    await service.fire_due(clock.advance(hours=2))
    assert await outbox(sessions) == []


async def test_timer_is_rebuilt_from_the_table_with_stable_ids(sessions, service, clock):
    group = await add_group(sessions, "-1")
    job = await add_job(
        sessions, clock, group, Cron(hour="11"), payload={"text": "x"}, grace=timedelta(minutes=15)
    )
    await service.start()
    try:
        timer_job = service._timer.get_job(f"post:{job.id}")
        assert timer_job.args == (job.id,)
        assert timer_job.misfire_grace_time == 900 and timer_job.coalesce
    finally:
        await service.stop()


async def test_a_broken_job_is_recorded_and_moved_on_without_stopping_others(
    sessions, service, clock
):
    group = await add_group(sessions, "-1")
    broken = await add_job(sessions, clock, group, Cron(hour="11"), kind=SERIES, payload={})
    fine = await add_job(sessions, clock, group, Cron(hour="11"), payload={"text": "ok"})
    assert await service.fire_due(clock.advance(hours=1)) == 1
    assert [row.payload["text"] for row in await outbox(sessions)] == ["ok"]
    stored = await job_row(sessions, broken.id)
    assert stored.last_result.startswith("failed") and "KeyError" in stored.last_result
    assert stored.next_run_at == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert (await job_row(sessions, fine.id)).last_run_at is not None


async def test_simultaneous_timer_wakeups_settle_every_due_job_once(sessions, service, clock):
    groups = [await add_group(sessions, f"-{i}") for i in range(1, 6)]
    ids = [
        (await add_job(sessions, clock, g, Cron(hour="11"), payload={"text": g.chat_id})).id
        for g in groups
    ]
    clock.advance(hours=1)
    fired = await asyncio.gather(*(service.fire_job(job_id) for job_id in ids))
    assert sum(fired) == 5
    assert sorted(row.chat_key for row in await outbox(sessions)) == ["-1", "-2", "-3", "-4", "-5"]
