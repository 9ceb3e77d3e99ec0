"""Trigger math in the group's timezone: UTC results, DST handled, no sleeping."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from schedules.misfire import apscheduler_job_options
from schedules.spec import AfterEvent, Cron, Every, Once
from schedules.triggers import fire_times, next_fire, to_apscheduler_trigger

NEW_YORK = ZoneInfo("America/New_York")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NEW_YORK)


def test_daily_cron_defaults_to_shanghai_and_returns_utc() -> None:
    spec = Cron(minute="0", hour="11")
    fire = next_fire(spec, datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI))
    assert fire == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert fire.tzinfo is UTC


def test_next_fire_is_strictly_after_the_given_time() -> None:
    spec = Cron(minute="0", hour="11")
    fired = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert next_fire(spec, fired) == fired + timedelta(days=1)


def test_weekly_cron_skips_to_the_named_day() -> None:
    spec = Cron(minute="0", hour="20", day_of_week="wed")
    monday = datetime(2026, 11, 23, 21, 0, tzinfo=SHANGHAI)
    assert next_fire(spec, monday) == datetime(2026, 11, 25, 20, 0, tzinfo=SHANGHAI)


def test_daily_0230_fires_once_after_the_jump_on_spring_forward_day() -> None:
    spec = Cron(minute="30", hour="2", tz="America/New_York")
    fires = fire_times(spec, ny(2026, 3, 7, 12, 0), ny(2026, 3, 9, 12, 0))
    # 02:30 does not exist on 2026-03-08; it fires once, at 03:30 EDT (07:30 UTC).
    assert fires == [
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
    ]
    assert fires[0].astimezone(NEW_YORK).hour == 3


def test_daily_0130_fires_once_on_fall_back_day() -> None:
    spec = Cron(minute="30", hour="1", tz="America/New_York")
    fires = fire_times(spec, ny(2026, 10, 31, 12, 0), ny(2026, 11, 2, 12, 0))
    # 01:30 happens twice on 2026-11-01; only the first (EDT, 05:30 UTC) fires.
    assert fires == [
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
    ]


def test_restart_inside_the_repeated_hour_does_not_fire_again() -> None:
    spec = Cron(minute="30", hour="1", tz="America/New_York")
    between = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 01:00 EST, after the EDT 01:30 fired
    assert next_fire(spec, between) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


def test_times_after_the_repeated_hour_still_fire_on_fall_back_day() -> None:
    spec = Cron(minute="0,30", hour="1-2", tz="America/New_York")
    fires = fire_times(spec, ny(2026, 11, 1, 0, 0), ny(2026, 11, 1, 4, 0))
    assert [f.astimezone(NEW_YORK).strftime("%H:%M%z") for f in fires] == [
        "01:00-0400",
        "01:30-0400",
        "02:00-0500",
        "02:30-0500",
    ]


def test_hourly_cron_keeps_firing_every_real_hour_through_fall_back() -> None:
    spec = Cron(minute="30", hour="*", tz="America/New_York")
    fires = fire_times(spec, ny(2026, 11, 1, 0, 0), ny(2026, 11, 1, 3, 0))
    gaps = {b - a for a, b in itertools.pairwise(fires)}
    assert gaps == {timedelta(hours=1)}
    assert len(fires) == 4


def test_interval_counts_elapsed_time_across_dst() -> None:
    spec = Every(interval=timedelta(hours=2), start=ny(2026, 11, 1, 0, 30), tz="America/New_York")
    fires = fire_times(spec, ny(2026, 11, 1, 0, 0), ny(2026, 11, 1, 6, 0))
    assert fires == [
        datetime(2026, 11, 1, 4, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 10, 30, tzinfo=UTC),
    ]


def test_once_fires_once_then_never() -> None:
    at = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    spec = Once(at=at)
    assert next_fire(spec, at - timedelta(days=1)) == at
    assert next_fire(spec, at) is None


def test_after_event_fires_relative_to_the_member_joining() -> None:
    spec = AfterEvent(delay=timedelta(days=3))
    joined = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert next_fire(spec, joined, event_at=joined) == joined + timedelta(days=3)
    with pytest.raises(ValueError, match="event_at"):
        next_fire(spec, joined)


def test_cron_that_never_matches_returns_none() -> None:
    spec = Cron(minute="0", hour="1", day="31", month="2")
    assert next_fire(spec, datetime(2026, 1, 1, tzinfo=UTC)) is None


def test_naive_after_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_fire(Cron(minute="0", hour="11"), datetime(2026, 1, 1))


def test_apscheduler_triggers_match_the_spec_kind() -> None:
    cron = to_apscheduler_trigger(Cron(minute="0", hour="11", tz="America/New_York"))
    assert isinstance(cron, CronTrigger)
    assert cron.timezone == NEW_YORK
    once = Once(at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    assert isinstance(to_apscheduler_trigger(once), DateTrigger)
    every = Every(interval=timedelta(hours=2), start=datetime(2026, 12, 1, tzinfo=UTC))
    assert isinstance(to_apscheduler_trigger(every), IntervalTrigger)
    joined = datetime(2026, 11, 23, tzinfo=UTC)
    after = to_apscheduler_trigger(AfterEvent(delay=timedelta(days=3)), event_at=joined)
    assert after.get_next_fire_time(None, joined) == joined + timedelta(days=3)


def test_apscheduler_trigger_agrees_with_next_fire_on_fall_back_day() -> None:
    # The service hands APScheduler the trigger; it must not fire the repeated 01:30 either.
    trigger = to_apscheduler_trigger(Cron(minute="30", hour="1", tz="America/New_York"))
    first = trigger.get_next_fire_time(None, ny(2026, 10, 31, 12, 0))
    second = trigger.get_next_fire_time(first, first)
    assert first.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2026, 11, 2, 6, 30, tzinfo=UTC)


def test_scheduler_accepts_our_trigger_and_per_job_grace() -> None:
    scheduler = BackgroundScheduler(timezone=UTC)  # never started: no thread, no sleeping
    trigger = to_apscheduler_trigger(Cron(minute="30", hour="1", tz="America/New_York"))
    job = scheduler.add_job(print, trigger, id="post:1", args=[1], **apscheduler_job_options())
    assert job.misfire_grace_time == 600
    assert job.coalesce is True
