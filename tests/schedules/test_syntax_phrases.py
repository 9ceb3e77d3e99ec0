"""Every accepted schedule phrase, in Chinese and English, reads into the right spec and body."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.spec import AfterEvent, Cron, Every, Once
from schedules.syntax import parse_schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, 0, tzinfo=SHANGHAI)  # a Monday


def daily(hour: int, minute: int = 0, **fields: str) -> Cron:
    return Cron(minute=str(minute), hour=str(hour), **fields)


def at_shanghai(*args: int) -> Once:
    return Once(at=datetime(*args, tzinfo=SHANGHAI))


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("每天 11:00", daily(11)),
        ("每天11点", daily(11)),
        ("每天 11点半", daily(11, 30)),
        ("每日 晚上8点", daily(20)),
        ("每周一 20:00", daily(20, day_of_week="mon")),
        ("每周一,三 20:00", daily(20, day_of_week="mon,wed")),
        ("每周一，三 20：00", daily(20, day_of_week="mon,wed")),
        ("每周一三五 20:00", daily(20, day_of_week="mon,wed,fri")),
        ("每周一、周三 20:00", daily(20, day_of_week="mon,wed")),
        ("每周日 20:00", daily(20, day_of_week="sun")),
        ("每周一20:00", daily(20, day_of_week="mon")),
        ("工作日 9:30", daily(9, 30, day_of_week="mon-fri")),
        ("周末 10:00", daily(10, day_of_week="sat,sun")),
        ("每月1号 10:00", daily(10, day="1")),
        ("每月1,15号 10:00", daily(10, day="1,15")),
        ("every day 11:00", daily(11)),
        ("Every day at 11am", daily(11)),
        ("daily 11:00", daily(11)),
        ("every mon,wed 20:00", daily(20, day_of_week="mon,wed")),
        ("every monday and wednesday at 8pm", daily(20, day_of_week="mon,wed")),
        ("weekdays 9:30", daily(9, 30, day_of_week="mon-fri")),
        ("every weekday 9:30", daily(9, 30, day_of_week="mon-fri")),
        ("monthly on the 1st 10:00", daily(10, day="1")),
        ("cron 0 11 * * *", daily(11)),
        ("cron 30 9 * * 1-5", daily(9, 30, day_of_week="mon-fri")),
        ("at 2026-12-01 20:00", at_shanghai(2026, 12, 1, 20, 0)),
        ("2026-12-01 20:00", at_shanghai(2026, 12, 1, 20, 0)),
        ("2026年12月1日 20:00", at_shanghai(2026, 12, 1, 20, 0)),
        # Chinese IMEs write the time right after the day: 日 ends the date, no space needed.
        ("2026年12月1日20:00", at_shanghai(2026, 12, 1, 20, 0)),
        ("12月1日20:00", at_shanghai(2026, 12, 1, 20, 0)),
        ("12月1号8点", at_shanghai(2026, 12, 1, 8, 0)),
        ("12-01 20:00", at_shanghai(2026, 12, 1, 20, 0)),
        ("明天 9:00", at_shanghai(2026, 11, 24, 9, 0)),
        ("tomorrow 9:00", at_shanghai(2026, 11, 24, 9, 0)),
        ("今晚8点", at_shanghai(2026, 11, 23, 20, 0)),
        # 12 at night is the midnight that ends the evening; 12 at noon and 凌晨12点 are not.
        ("每天 晚上12点", daily(0)),
        ("每天 半夜12点", daily(0)),
        ("每天 凌晨12点", daily(0)),
        ("每天 中午12点", daily(12)),
        ("每天 晚上12点半", daily(0, 30)),
        ("every day 12am", daily(0)),
        ("every day 12pm", daily(12)),
        ("每周五 晚上12点", daily(0, day_of_week="sat")),
        ("每周日 晚上12点", daily(0, day_of_week="mon")),
        ("工作日 晚上12点", daily(0, day_of_week="tue-sat")),
        ("每月1,15号 晚上12点", daily(0, day="2,16")),
        ("今晚12点", at_shanghai(2026, 11, 24, 0, 0)),
        ("今晚12点半", at_shanghai(2026, 11, 24, 0, 30)),
        ("明晚12点", at_shanghai(2026, 11, 25, 0, 0)),
        ("明天 晚上12点", at_shanghai(2026, 11, 25, 0, 0)),
        ("明天 凌晨12点", at_shanghai(2026, 11, 24, 0, 0)),
        ("12-01 晚上12点", at_shanghai(2026, 12, 2, 0, 0)),
        ("tonight 12:00", at_shanghai(2026, 11, 24, 0, 0)),
        ("tonight 12am", at_shanghai(2026, 11, 24, 0, 0)),
        ("tonight 12pm", at_shanghai(2026, 11, 23, 12, 0)),
        ("today 12pm", at_shanghai(2026, 11, 23, 12, 0)),
        ("in 30m", at_shanghai(2026, 11, 23, 10, 30)),
        ("in 2h", at_shanghai(2026, 11, 23, 12, 0)),
        ("30分钟后", at_shanghai(2026, 11, 23, 10, 30)),
        ("2小时后", at_shanghai(2026, 11, 23, 12, 0)),
        ("every 2h", Every(interval=timedelta(hours=2), start=NOW + timedelta(hours=2))),
        ("每2小时", Every(interval=timedelta(hours=2), start=NOW + timedelta(hours=2))),
        ("每隔30分钟", Every(interval=timedelta(minutes=30), start=NOW + timedelta(minutes=30))),
        ("入群3天后", AfterEvent(delay=timedelta(days=3))),
        ("3 days after join", AfterEvent(delay=timedelta(days=3))),
    ],
)
def test_phrase_reads_into_spec_and_keeps_the_body(phrase: str, expected: object) -> None:
    parsed = parse_schedule(f"{phrase} 今天的内容 body", now=NOW)
    assert parsed.spec == expected
    assert parsed.text == "今天的内容 body"


def test_schedule_add_example_splits_time_from_message() -> None:
    parsed = parse_schedule("每天 11:00 今天的思维导图", "Asia/Shanghai", now=NOW)
    assert parsed.spec == Cron(minute="0", hour="11", tz="Asia/Shanghai")
    assert parsed.text == "今天的思维导图"


def test_body_may_follow_the_time_without_a_space() -> None:
    assert parse_schedule("每天11点早安", now=NOW).text == "早安"


def test_group_timezone_is_kept_on_the_spec() -> None:
    spec = parse_schedule("every day 11:00 hi", "America/New_York", now=NOW).spec
    assert spec == Cron(minute="0", hour="11", tz="America/New_York")


def test_asia_shanghai_is_the_default_timezone() -> None:
    spec = parse_schedule("明天 9:00 hi", now=NOW).spec
    assert spec.tz == "Asia/Shanghai"
    assert spec.at == datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def test_one_off_wall_time_is_read_in_the_group_timezone() -> None:
    spec = parse_schedule("2026-12-01 20:00 hi", "America/New_York", now=NOW).spec
    assert spec.at == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def test_month_day_already_past_this_year_means_next_year() -> None:
    spec = parse_schedule("01-05 09:00 hi", now=NOW).spec
    assert spec.at == datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI)


def test_tomorrow_follows_the_group_calendar_not_utc() -> None:
    # 07:30 in Shanghai is still the previous day in UTC.
    early = datetime(2026, 11, 23, 7, 30, tzinfo=SHANGHAI)
    assert parse_schedule("明天 9:00", now=early).spec.at == datetime(
        2026, 11, 24, 9, 0, tzinfo=SHANGHAI
    )


def test_crontab_sunday_zero_is_sunday_not_apscheduler_monday() -> None:
    assert parse_schedule("cron 0 11 * * 0", now=NOW).spec.day_of_week == "sun"


def test_relative_times_drop_microseconds_of_the_command() -> None:
    now = NOW.replace(second=12, microsecond=345678)
    assert parse_schedule("in 30m x", now=now).spec.at.microsecond == 0
