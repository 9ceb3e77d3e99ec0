"""Missed runs: late posts fire within their job's grace, older ones are skipped with a reason."""

from datetime import UTC, datetime, timedelta

import pytest

from schedules.misfire import (
    DEFAULT_GRACE,
    apscheduler_job_options,
    catch_up,
    decide_missed_run,
)
from schedules.spec import Cron, Once

PLANNED = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_run_on_time_fires() -> None:
    decision = decide_missed_run(PLANNED, PLANNED)
    assert decision.fire and decision.reason == "on_time"


def test_run_late_within_default_grace_fires() -> None:
    decision = decide_missed_run(PLANNED, PLANNED + timedelta(minutes=9))
    assert decision.action == "fire"
    assert decision.reason == "late_within_grace"
    assert decision.late_by == timedelta(minutes=9)
    assert "9m" in decision.detail and "10m" in decision.detail


def test_run_later_than_grace_is_skipped_with_the_reason() -> None:
    decision = decide_missed_run(PLANNED, PLANNED + timedelta(hours=2, minutes=5))
    assert decision.action == "skip"
    assert decision.reason == "missed_grace"
    assert decision.detail == "missed by 2h5m, more than the 10m grace"


def test_grace_is_per_job() -> None:
    late = PLANNED + timedelta(minutes=30)
    assert decide_missed_run(PLANNED, late, grace=timedelta(hours=1)).fire
    assert not decide_missed_run(PLANNED, late, grace=timedelta(minutes=5)).fire


def test_job_without_grace_limit_always_fires() -> None:
    decision = decide_missed_run(PLANNED, PLANNED + timedelta(days=2), grace=None)
    assert decision.fire and decision.reason == "no_grace_limit"


def test_default_grace_is_ten_minutes_not_apschedulers_one_second() -> None:
    assert timedelta(minutes=10) == DEFAULT_GRACE
    assert decide_missed_run(PLANNED, PLANNED + timedelta(seconds=30)).fire


def test_run_not_yet_due_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="not due"):
        decide_missed_run(PLANNED, PLANNED - timedelta(minutes=1))


def test_restart_after_long_downtime_coalesces_missed_daily_posts() -> None:
    spec = Cron(minute="0", hour="11")  # 03:00 UTC
    now = PLANNED + timedelta(days=2, minutes=5)
    result = catch_up(spec, PLANNED, now)
    assert [d.reason for d in result.decisions] == ["coalesced", "coalesced", "late_within_grace"]
    assert result.to_fire == (PLANNED + timedelta(days=2),)
    assert result.next_at == PLANNED + timedelta(days=3)


def test_restart_after_grace_records_the_skip_and_plans_the_next_run() -> None:
    spec = Cron(minute="0", hour="11")
    result = catch_up(spec, PLANNED, PLANNED + timedelta(hours=3))
    assert result.to_fire == ()
    assert result.decisions[-1].reason == "missed_grace"
    assert result.next_at == PLANNED + timedelta(days=1)


def test_missed_one_off_has_no_next_run() -> None:
    result = catch_up(Once(at=PLANNED), PLANNED, PLANNED + timedelta(minutes=1))
    assert result.to_fire == (PLANNED,)
    assert result.next_at is None


def test_apscheduler_gets_the_jobs_grace_in_whole_seconds() -> None:
    assert apscheduler_job_options()["misfire_grace_time"] == 600
    assert apscheduler_job_options(timedelta(milliseconds=10))["misfire_grace_time"] == 1
    assert apscheduler_job_options(None)["misfire_grace_time"] is None
    assert apscheduler_job_options()["coalesce"] is True
