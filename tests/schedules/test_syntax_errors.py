"""Bad phrases and past times are refused with bilingual messages that show the right forms."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from schedules.errors import ScheduleError, ScheduleInPastError
from schedules.syntax import ScheduleSyntaxError, parse_schedule

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "phrase",
    ["whenever you like", "每天 早安", "every day hello", "2026-12-01 hello", "明天 早上好", ""],
)
def test_unknown_phrase_explains_the_accepted_forms_in_both_languages(phrase: str) -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule(phrase, now=NOW)
    error = caught.value
    assert error.code == "bad_syntax"
    assert "每天 11:00" in error.zh and "工作日 9:30" in error.zh and "30分钟后" in error.zh
    assert "every day 11:00" in error.en and "weekdays 9:30" in error.en and "in 30m" in error.en
    assert error.zh in str(error) and error.en in str(error)


def test_error_message_follows_the_group_language() -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule("sometime", now=NOW)
    assert caught.value.message("zh-CN") == caught.value.zh
    assert caught.value.message("en") == caught.value.en
    assert "sometime" in caught.value.zh


@pytest.mark.parametrize("phrase", ["每天 25:00 x", "every day 11:75 x", "daily 13pm x"])
def test_impossible_time_of_day_is_named(phrase: str) -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule(phrase, now=NOW)
    assert caught.value.code == "bad_time"
    assert "0–23" in caught.value.zh and "0-23" in caught.value.en


def test_impossible_date_is_named() -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule("2026-02-30 10:00 x", now=NOW)
    assert caught.value.code == "bad_date"
    assert "2026-02-30" in caught.value.zh and "2026-02-30" in caught.value.en


@pytest.mark.parametrize("phrase", ["cron 0 25 * * * x", "cron 0 11 * *", "cron every day"])
def test_bad_cron_shows_the_five_fields(phrase: str) -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule(phrase, now=NOW)
    assert caught.value.code == "bad_cron"
    assert "分 时 日 月 周" in caught.value.zh
    assert "minute hour day month weekday" in caught.value.en


def test_day_of_month_out_of_range_is_refused() -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule("每月32号 10:00 x", now=NOW)
    assert caught.value.code == "bad_day_of_month"


def test_midnight_after_the_31st_is_refused_as_no_month_day_says_it() -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule("每月31号 晚上12点 x", now=NOW)
    assert caught.value.code == "midnight_after_31st"


def test_interval_under_a_minute_is_refused() -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule("every 0m x", now=NOW)
    assert caught.value.code == "bad_interval"


@pytest.mark.parametrize(
    ("phrase", "shown"),
    [
        ("2026-11-20 09:00 x", "2026-11-20 09:00"),
        ("at 2026-11-23 09:59 x", "2026-11-23 09:59"),
        ("today 08:00 x", "2026-11-23 08:00"),
        ("今天 10:00 x", "2026-11-23 10:00"),
    ],
)
def test_one_off_time_in_the_past_is_refused_with_the_time_shown(phrase: str, shown: str) -> None:
    with pytest.raises(ScheduleInPastError) as caught:
        parse_schedule(phrase, now=NOW)
    error = caught.value
    assert error.code == "in_past"
    assert isinstance(error, ScheduleError)
    assert f"{shown}（Asia/Shanghai）" in error.zh and "已经过去" in error.zh
    assert f"{shown} (Asia/Shanghai)" in error.en and "already passed" in error.en


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_schedule("每天 11:00 x", now=datetime(2026, 11, 23, 10, 0))


@pytest.mark.parametrize("phrase", ["every 2 days 9:00 x", "每2天 9:00 x"])
def test_interval_with_a_time_of_day_is_refused_not_posted_as_text(phrase: str) -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule(phrase, now=NOW)
    assert caught.value.code == "bad_syntax"


@pytest.mark.parametrize("phrase", ["cron 0 0 31 2 * never", "cron 0 9 30 2 * x"])
def test_a_date_that_never_comes_is_refused(phrase: str) -> None:
    with pytest.raises(ScheduleSyntaxError) as caught:
        parse_schedule(phrase, now=NOW)
    assert caught.value.code == "never_fires"
    assert "永远不会" in caught.value.zh and "never comes" in caught.value.en
    # A rare date is not a date that never comes: February 29th falls on a Monday in 2044.
    assert parse_schedule("cron 0 9 29 2 1 leap", now=NOW).text == "leap"
