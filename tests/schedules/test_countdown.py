"""Countdowns: marks parsed in both languages, fire times planned, "N left" rendered."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.countdown import (
    DEFAULT_MARKS,
    parse_countdown_args,
    parse_marks,
    plan_marks,
    render_countdown,
    render_ended,
)
from schedules.errors import CountdownError, ScheduleInPastError

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
DEADLINE = datetime(2026, 12, 1, 20, 0, tzinfo=SHANGHAI)
D, H, M = timedelta(days=1), timedelta(hours=1), timedelta(minutes=1)


@pytest.mark.parametrize(
    "text",
    ["3d,1d,3h,1h,10m", "3天,1天,3小时,1小时,10分钟", "10m 1h 3h 1d 3d", "3天，1天、3h,1h,10分钟"],
)
def test_marks_read_in_both_languages_longest_first(text: str) -> None:
    assert parse_marks(text) == (3 * D, D, 3 * H, H, 10 * M)


def test_duplicate_marks_collapse() -> None:
    assert parse_marks("1h,60m,1小时") == (H,)


@pytest.mark.parametrize("text", ["", "3x", "soon", "0m", "3d,,abc"])
def test_bad_marks_are_refused_with_examples(text: str) -> None:
    with pytest.raises(CountdownError) as caught:
        parse_marks(text)
    assert caught.value.code == "bad_marks"
    assert "marks=3d,1d,3h,1h,10m" in caught.value.en
    assert "3天,1天" in caught.value.zh


def test_plan_lists_fire_times_before_the_deadline_in_utc() -> None:
    fires = plan_marks(DEADLINE, DEFAULT_MARKS, NOW)
    assert [f.left for f in fires] == [3 * D, D, 3 * H, H, 10 * M]
    assert fires[0].at == datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert fires[-1].at == datetime(2026, 12, 1, 11, 50, tzinfo=UTC)


def test_marks_already_past_at_creation_are_dropped() -> None:
    two_hours_before = DEADLINE - 2 * H
    fires = plan_marks(DEADLINE, DEFAULT_MARKS, two_hours_before)
    assert [f.left for f in fires] == [H, 10 * M]


def test_deadline_in_the_past_is_refused() -> None:
    with pytest.raises(ScheduleInPastError) as caught:
        plan_marks(NOW - H, DEFAULT_MARKS, NOW)
    assert caught.value.code == "deadline_past"
    assert (
        "截止时间已经过去" in caught.value.zh and "deadline has already passed" in caught.value.en
    )


@pytest.mark.parametrize(
    ("left", "zh", "en"),
    [
        (3 * D, "距离结束还有 3 天", "3 days left"),
        (D, "距离结束还有 1 天", "1 day left"),
        (3 * H, "距离结束还有 3 小时", "3 hours left"),
        (H + 30 * M, "距离结束还有 1 小时 30 分钟", "1 hour 30 minutes left"),
        (10 * M, "距离结束还有 10 分钟", "10 minutes left"),
    ],
)
def test_time_left_is_rendered_in_both_languages(left: timedelta, zh: str, en: str) -> None:
    assert render_countdown(left, "zh") == zh
    assert render_countdown(left, "en") == en


def test_template_places_the_time_left() -> None:
    assert render_countdown(3 * D, "zh", "双十二秒杀还剩 {left}！") == "双十二秒杀还剩 3 天！"
    assert render_countdown(H, "en", "Only {left} to go {not a field}") == (
        "Only 1 hour to go {not a field}"
    )


def test_plain_text_becomes_the_title() -> None:
    assert render_countdown(3 * D, "zh", "双十二秒杀") == "双十二秒杀：距离结束还有 3 天"
    assert render_countdown(3 * D, "en", "Sale") == "Sale: 3 days left"


def test_end_announcement_in_both_languages() -> None:
    assert render_ended("zh", "双十二秒杀") == "双十二秒杀：已结束"
    assert render_ended("en") == "It's over"
    assert render_ended("en", "Only {left} to go") == "It's over"


@pytest.mark.parametrize(
    ("args", "deadline"),
    [
        ("2026-12-01 20:00 双十二秒杀", DEADLINE),
        ("12-01 20:00 双十二秒杀", DEADLINE),
        ("12月1日20:00 双十二秒杀", DEADLINE),
        ("2026年12月1日20:00 双十二秒杀", DEADLINE),
        ("明天 20:00 双十二秒杀", datetime(2026, 11, 24, 20, 0, tzinfo=SHANGHAI)),
        ("in 3h 双十二秒杀", NOW + 3 * H),
        ("3小时后 双十二秒杀", NOW + 3 * H),
    ],
)
def test_countdown_arguments_read_deadline_and_text(args: str, deadline: datetime) -> None:
    request = parse_countdown_args(args, now=NOW)
    assert request.deadline == deadline
    assert request.text == "双十二秒杀"
    assert request.marks == DEFAULT_MARKS
    assert request.end == "announce"
    assert request.tz == "Asia/Shanghai"


def test_countdown_options_set_marks_and_end_action_anywhere() -> None:
    request = parse_countdown_args("marks=1d,1h 2026-12-01 20:00 Sale ends end=close", now=NOW)
    assert request.marks == (D, H)
    assert request.end == "close"
    assert request.text == "Sale ends"
    assert [f.left for f in request.plan(NOW)] == [D, H]


@pytest.mark.parametrize(
    ("word", "end"), [("dissolve", "dissolve"), ("解散", "dissolve"), ("关群", "close")]
)
def test_end_action_accepts_chinese_words(word: str, end: str) -> None:
    assert parse_countdown_args(f"明天 20:00 活动 结束={word}", now=NOW).end == end


def test_countdown_deadline_is_read_in_the_group_timezone() -> None:
    request = parse_countdown_args("2026-12-01 20:00 Sale", "America/New_York", now=NOW)
    assert request.deadline == datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def test_unknown_end_action_is_refused() -> None:
    with pytest.raises(CountdownError) as caught:
        parse_countdown_args("明天 20:00 活动 end=explode", now=NOW)
    assert caught.value.code == "bad_end"
    assert "dissolve" in caught.value.zh and "dissolve" in caught.value.en


def test_unreadable_deadline_shows_examples() -> None:
    with pytest.raises(CountdownError) as caught:
        parse_countdown_args("soon 活动", now=NOW)
    assert caught.value.code == "bad_deadline"
    assert "/countdown 12-01 20:00" in caught.value.zh
    assert "/countdown tomorrow 20:00" in caught.value.en


@pytest.mark.parametrize("args", ["明天 20:00", "明天 20:00  marks=1h", "in 3h end=close"])
def test_a_countdown_without_its_text_is_refused(args: str) -> None:
    with pytest.raises(CountdownError) as caught:
        parse_countdown_args(args, now=NOW)
    assert caught.value.code == "no_countdown_text"
    assert "/countdown 明天 20:00 活动结束" in caught.value.zh
    assert "/countdown tomorrow 20:00 Sale ends" in caught.value.en


def test_past_deadline_argument_is_refused() -> None:
    with pytest.raises(ScheduleInPastError) as caught:
        parse_countdown_args("2026-11-01 20:00 活动", now=NOW)
    assert "2026-11-01 20:00（Asia/Shanghai）" in caught.value.zh


FRIDAY_MORNING = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
FRIDAY_NIGHT = datetime(2026, 11, 27, 21, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("now", "args", "deadline"),
    [
        (NOW, "周五 20:00", datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_MORNING, "周五 20:00", datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_NIGHT, "周五 20:00", datetime(2026, 12, 4, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_NIGHT, "星期日 9:00", datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)),
        (FRIDAY_MORNING, "fri 8pm", datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI)),
        (NOW, "下周一 20:00", datetime(2026, 11, 30, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_MORNING, "下周五 9:00", datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI)),
        (NOW, "12.1 20:00", DEADLINE),
        (NOW, "12/1 20:00", DEADLINE),
        (NOW, "2026-12-01T20:00", DEADLINE),
        (NOW, "2026-12-01T12:00:00Z", DEADLINE),
        (NOW, "dec 1 20:00", DEADLINE),
        (NOW, "Dec 1 8pm", DEADLINE),
        (NOW, "1 December 2026 20:00", DEADLINE),
        (NOW, "11.1 20:00", datetime(2027, 11, 1, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_MORNING, "晚8点", datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_NIGHT, "晚上8点", datetime(2026, 11, 28, 20, 0, tzinfo=SHANGHAI)),
        (FRIDAY_NIGHT, "下午3点半", datetime(2026, 11, 28, 15, 30, tzinfo=SHANGHAI)),
        (FRIDAY_NIGHT, "晚上12点", datetime(2026, 11, 28, 0, 0, tzinfo=SHANGHAI)),
    ],
)
def test_deadline_forms_operators_type(now: datetime, args: str, deadline: datetime) -> None:
    request = parse_countdown_args(f"{args} 秒杀", now=now)
    assert (request.deadline, request.text, request.whole_day) == (deadline, "秒杀", False)


@pytest.mark.parametrize(
    ("args", "deadline"),
    [
        ("12月1日", datetime(2026, 12, 1, tzinfo=SHANGHAI)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=SHANGHAI)),
        ("dec 1", datetime(2026, 12, 1, tzinfo=SHANGHAI)),
        ("11月1日", datetime(2027, 11, 1, tzinfo=SHANGHAI)),
    ],
)
def test_a_date_alone_is_the_start_of_that_day(args: str, deadline: datetime) -> None:
    request = parse_countdown_args(f"{args} 报名截止", now=NOW)
    assert (request.deadline, request.text, request.whole_day) == (deadline, "报名截止", True)


@pytest.mark.parametrize("args", ["1.5h后 活动", "12-01活动", "周五 活动"])
def test_near_misses_stay_unreadable(args: str) -> None:
    with pytest.raises(CountdownError) as caught:
        parse_countdown_args(args, now=NOW)
    assert caught.value.code == "bad_deadline"


def test_a_deadline_closer_than_every_mark_is_refused() -> None:
    with pytest.raises(CountdownError) as caught:
        plan_marks(DEADLINE, (3 * D, D), DEADLINE - 2 * H)
    assert caught.value.code == "no_marks_left"
    assert "3 天、1 天" in caught.value.zh and "(3 days, 1 day)" in caught.value.en
    assert "marks=60m" in caught.value.en
