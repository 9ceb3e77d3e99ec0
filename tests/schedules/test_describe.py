"""`describe` renders specs for /schedule list, and what it renders parses back the same."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from schedules.spec import AfterEvent, Cron, Every, Once
from schedules.syntax import describe, parse_schedule

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("spec", "zh", "en"),
    [
        (Cron(minute="0", hour="11"), "每天 11:00", "every day 11:00"),
        (Cron(minute="30", hour="9", day_of_week="mon-fri"), "工作日 9:30", "weekdays 9:30"),
        (Cron(minute="0", hour="10", day_of_week="sat,sun"), "周末 10:00", "weekends 10:00"),
        (
            Cron(minute="0", hour="20", day_of_week="mon,wed,fri"),
            "每周一,三,五 20:00",
            "every Mon,Wed,Fri 20:00",
        ),
        (Cron(minute="0", hour="10", day="1"), "每月1号 10:00", "monthly on the 1st 10:00"),
        (Cron(minute="*/15", hour="9-18"), "cron */15 9-18 * * *", "cron */15 9-18 * * *"),
        (
            Once(at=datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
            "2026-12-01 20:00",
            "at 2026-12-01 20:00",
        ),
        (
            Every(interval=timedelta(hours=2), start=NOW),
            "每 2 小时",
            "every 2 hours",
        ),
        (AfterEvent(delay=timedelta(days=3)), "入群 3 天后", "3 days after join"),
    ],
)
def test_spec_is_described_in_both_languages(spec: object, zh: str, en: str) -> None:
    assert describe(spec, "zh") == zh
    assert describe(spec, "en") == en


def test_timezone_other_than_the_group_one_is_named() -> None:
    spec = Cron(minute="0", hour="11", tz="America/New_York")
    assert describe(spec, "zh") == "每天 11:00（America/New_York）"
    assert describe(spec, "en") == "every day 11:00 (America/New_York)"
    assert describe(spec, "en", group_tz="America/New_York") == "every day 11:00"


@pytest.mark.parametrize(
    "phrase",
    [
        "每天 11:00",
        "每周一,三 20:00",
        "工作日 9:30",
        "每月1,15号 10:00",
        "明天 9:00",
        "入群3天后",
        "cron 0 */2 * * *",
        "every sun 8pm",
    ],
)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_described_phrase_parses_back_to_the_same_spec(phrase: str, lang: str) -> None:
    spec = parse_schedule(phrase, now=NOW).spec
    assert parse_schedule(describe(spec, lang), now=NOW).spec == spec


def test_interval_round_trips_its_length() -> None:
    spec = parse_schedule("每90分钟", now=NOW).spec
    again = parse_schedule(describe(spec, "en"), now=NOW).spec
    assert again.interval == spec.interval == timedelta(minutes=90)
