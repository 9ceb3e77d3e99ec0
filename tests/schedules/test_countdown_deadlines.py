"""Deadlines as operators type them, read in the group's timezone, through the webhook."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.models import COUNTDOWN_END
from tests.schedules.conftest import jobs
from tests.schedules.test_schedule_commands import command

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def _coming(first: date, hour: int, minute: int, step: int, now: datetime) -> datetime:
    """`first` at the time, or `step` days later when that has gone."""
    at = _at(first, hour, minute)
    return at if at > now else _at(first + timedelta(days=step), hour, minute)


def _december_first(hour: int, now: datetime) -> datetime:
    at = _at(date(now.year, 12, 1), hour)
    return at if at > now else _at(date(now.year + 1, 12, 1), hour)


def _expected(form: str, now: datetime) -> datetime:
    today = now.date()
    if form == "周五 20:00":
        return _coming(today + timedelta(days=(4 - today.weekday()) % 7), 20, 0, 7, now)
    if form == "下周一 20:00":
        return _at(today - timedelta(days=today.weekday()) + timedelta(days=7), 20)
    if form in ("晚8点", "晚上8点"):
        return _coming(today, 20, 0, 1, now)
    if form == "下午3点半":
        return _coming(today, 15, 30, 1, now)
    if form == "2099-12-01T20:00":
        return _at(date(2099, 12, 1), 20)
    return _december_first(20, now)


@pytest.mark.parametrize(
    "form",
    [
        "周五 20:00",
        "下周一 20:00",
        "12.1 20:00",
        "12/1 20:00",
        "2099-12-01T20:00",
        "dec 1 20:00",
        "Dec 1 8pm",
        "晚8点",
        "晚上8点",
        "下午3点半",
    ],
)
async def test_deadlines_operators_type_are_read(sbot, fake_telegram, form):
    # Each of these was refused as an unreadable deadline.
    now = datetime.now(UTC).astimezone(SHANGHAI)
    reply = await command(sbot, fake_telegram, f"/countdown {form} 秒杀 marks=1m")
    (end,) = [job for job in await jobs(sbot) if job.kind == COUNTDOWN_END]
    deadline = _expected(form, now)
    assert end.next_run_at == deadline
    assert end.payload["text"] == "秒杀"
    assert f"截止 {deadline:%Y-%m-%d %H:%M}" in reply
    assert "只写了日期" not in reply


@pytest.mark.parametrize(
    ("form", "day"),
    [("12月1日", None), ("2099-12-01", date(2099, 12, 1))],
)
async def test_a_date_alone_is_the_start_of_that_day_and_the_reply_says_so(
    sbot, fake_telegram, form, day
):
    now = datetime.now(UTC).astimezone(SHANGHAI)
    reply = await command(sbot, fake_telegram, f"/countdown {form} 报名截止")
    (end,) = [job for job in await jobs(sbot) if job.kind == COUNTDOWN_END]
    deadline = _at(day, 0) if day else _december_first(0, now)
    assert end.next_run_at == deadline and end.payload["text"] == "报名截止"
    assert f"只写了日期，截止时间按 {deadline:%Y-%m-%d} 0:00（当天开始）算" in reply
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, f"/countdown {form} Sign-up closes")
    assert f"ends at the start of {deadline:%Y-%m-%d} (00:00)" in reply


async def test_a_deadline_still_unreadable_lists_accepted_forms(sbot, fake_telegram):
    reply = await command(sbot, fake_telegram, "/countdown 找个时间 活动")
    assert "看不懂截止时间" in reply
    assert "周五 20:00" in reply and "12月1日 20:00" in reply and "晚8点" in reply
    await command(sbot, fake_telegram, "/settings language en")
    reply = await command(sbot, fake_telegram, "/countdown sometime Sale")
    assert "can't read the deadline" in reply and "Dec 1 8pm" in reply
    assert await jobs(sbot) == []
