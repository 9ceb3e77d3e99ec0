"""Specs survive the job table's JSON column and refuse what the scheduler could not run."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from schedules.spec import AfterEvent, Cron, Every, Once, spec_from_json, spec_to_json

SPECS = [
    Cron(minute="0", hour="11"),
    Cron(minute="30", hour="9", day_of_week="mon-fri", tz="America/New_York"),
    Cron.from_expression("*/15 9-18 1,15 * 0"),
    Once(at=datetime(2026, 12, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))),
    Every(interval=timedelta(hours=2), start=datetime(2026, 11, 23, 2, 0, tzinfo=UTC)),
    AfterEvent(delay=timedelta(days=3, hours=4)),
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.kind)
def test_spec_round_trips_through_json_text(spec: object) -> None:
    text = json.dumps(spec_to_json(spec))
    assert spec_from_json(text) == spec
    assert spec_from_json(json.loads(text)) == spec


def test_json_names_the_kind_and_stores_instants_in_utc() -> None:
    data = spec_to_json(SPECS[3])
    assert data["kind"] == "once"
    assert data["at"] == "2026-12-01T12:00:00Z"
    assert data["tz"] == "Asia/Shanghai"


def test_crontab_weekdays_are_translated_to_names() -> None:
    assert Cron.from_expression("0 9 * * 1-5").day_of_week == "mon-fri"
    assert Cron.from_expression("0 9 * * 0,6").day_of_week == "sat,sun"
    assert Cron.from_expression("0 9 * * 7").day_of_week == "sun"
    assert Cron.from_expression("0 9 * * */2").day_of_week == "tue,thu,sat,sun"
    assert Cron.from_expression("0 9 * * MON-FRI").day_of_week == "mon-fri"
    assert Cron.from_expression("0 11 * * *").expression == "0 11 * * *"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Cron(hour="25"),
        lambda: Cron(minute="0", hour="1", tz="Mars/Olympus"),
        lambda: Once(at=datetime(2026, 12, 1, 20, 0)),
        lambda: Every(interval=timedelta(seconds=30), start=datetime(2026, 1, 1, tzinfo=UTC)),
        lambda: AfterEvent(delay=timedelta(0)),
        lambda: Cron(minute="0", hour="1", extra="x"),
    ],
)
def test_invalid_spec_is_refused(build: object) -> None:
    with pytest.raises(ValidationError):
        build()


def test_specs_are_frozen() -> None:
    with pytest.raises(ValidationError):
        SPECS[0].hour = "12"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError):
        spec_from_json({"kind": "sometimes"})


def test_after_event_resolves_to_a_one_off_per_member() -> None:
    joined = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    assert SPECS[5].resolve(joined) == Once(at=joined + timedelta(days=3, hours=4))
