"""Typed schedule specs: what a job-table row stores in its JSON column.

Every spec is frozen, validated on construction and JSON round-trippable through
`spec_to_json` / `spec_from_json`. Instants are stored in UTC; `tz` is the group's timezone,
kept because "every day 11:00" means 11:00 on the group's wall clock, not a fixed UTC offset.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from bot.settings import zone_named

DEFAULT_TZ = "Asia/Shanghai"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_INTERVAL = timedelta(minutes=1)


def zone(tz: str | ZoneInfo) -> ZoneInfo:
    """Resolve an IANA name (or pass a ZoneInfo through); unknown names raise ValueError."""
    if isinstance(tz, ZoneInfo):
        return tz
    return zone_named(tz)


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tz: str = DEFAULT_TZ

    @field_validator("tz")
    @classmethod
    def _known_tz(cls, value: str) -> str:
        zone(value)
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The group's timezone as a ZoneInfo."""
        return zone(self.tz)


class Cron(_Spec):
    """Wall-clock recurrence in `tz`; fields use APScheduler 3 cron syntax, weekdays by name."""

    kind: Literal["cron"] = "cron"
    minute: str = "0"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"

    @model_validator(mode="after")
    def _fields_parse(self) -> Cron:
        # APScheduler is the authority on what its trigger accepts; validate by building one.
        CronTrigger(**self.fields(), timezone=self.zone)
        return self

    def fields(self) -> dict[str, str]:
        """The cron fields as keyword arguments for `CronTrigger`."""
        return {
            "minute": self.minute,
            "hour": self.hour,
            "day": self.day,
            "month": self.month,
            "day_of_week": self.day_of_week,
        }

    @property
    def expression(self) -> str:
        """The five-field crontab form (`minute hour day month weekday`)."""
        return " ".join(self.fields().values())

    @classmethod
    def from_expression(cls, expression: str, tz: str = DEFAULT_TZ) -> Cron:
        """Build from a standard five-field crontab line (weekday 0 or 7 is Sunday).

        APScheduler 3's own `from_crontab` counts weekdays from Monday = 0, so `0 11 * * 0`
        would silently run on Mondays; numeric weekdays are translated to names here.
        """
        parts = expression.split()
        if len(parts) != 5:
            raise ValueError(f"a crontab line has 5 fields, got {len(parts)}")
        minute, hour, day, month, dow = parts
        return cls(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=crontab_weekdays(dow),
            tz=tz,
        )


_DOW_PART = re.compile(r"^(\*|\d+)(?:-(\d+))?(?:/(\d+))?$")


def crontab_weekdays(field: str) -> str:
    """Translate a crontab weekday field (Sunday = 0 or 7) into APScheduler weekday names."""
    if field in {"*", "?"}:
        return "*"
    days: set[int] = set()
    for part in field.lower().split(","):
        match = _DOW_PART.match(part)
        if match is None:
            # Names (mon-fri) mean the same in both dialects; APScheduler validates them.
            return field.lower()
        first, last, step = match.groups()
        lo, hi = (0, 6) if first == "*" else (int(first), int(last or first))
        if hi > 7 or lo > hi or (first == "*" and last):
            raise ValueError(f"bad weekday field {field!r}")
        days.update(n % 7 for n in range(lo, hi + 1, int(step or 1)))
    # crontab: 0 = Sunday; ours: index 0 = Monday.
    return weekday_field(sorted((n - 1) % 7 for n in days))


def weekday_field(indexes: list[int]) -> str:
    """Render Monday-based weekday indexes as a compact field: `mon-fri`, `mon,wed`, `*`."""
    if len(set(indexes)) == 7:
        return "*"
    runs: list[list[int]] = []
    for index in sorted(set(indexes)):
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return ",".join(
        f"{WEEKDAYS[run[0]]}-{WEEKDAYS[run[-1]]}"
        if len(run) >= 3
        else ",".join(WEEKDAYS[i] for i in run)
        for run in runs
    )


class Once(_Spec):
    """A single post at `at` (stored in UTC)."""

    kind: Literal["once"] = "once"
    at: AwareDatetime

    @field_validator("at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class Every(_Spec):
    """A fixed interval of elapsed time; the first run is at `start` (stored in UTC)."""

    kind: Literal["every"] = "every"
    interval: timedelta
    start: AwareDatetime

    @field_validator("interval")
    @classmethod
    def _long_enough(cls, value: timedelta) -> timedelta:
        if value < MIN_INTERVAL:
            raise ValueError(f"interval must be at least {MIN_INTERVAL}")
        return value

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)


class AfterEvent(_Spec):
    """Relative to a member event, e.g. "3 days after a member joined"; one run per event."""

    kind: Literal["after_event"] = "after_event"
    event: Literal["member_joined"] = "member_joined"
    delay: timedelta

    @field_validator("delay")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("delay must be positive")
        return value

    def resolve(self, event_at: datetime) -> Once:
        """The one-off run this spec makes for an event that happened at `event_at`."""
        return Once(at=event_at + self.delay, tz=self.tz)


ScheduleSpec = Annotated[Cron | Once | Every | AfterEvent, Field(discriminator="kind")]
_ADAPTER: TypeAdapter[Cron | Once | Every | AfterEvent] = TypeAdapter(ScheduleSpec)


def spec_to_json(spec: Cron | Once | Every | AfterEvent) -> dict[str, Any]:
    """A plain JSON-able dict for the job table's JSON column (includes the `kind` tag)."""
    return spec.model_dump(mode="json")


def spec_from_json(data: dict[str, Any] | str | bytes) -> Cron | Once | Every | AfterEvent:
    """Rebuild a spec from `spec_to_json` output (a dict or its JSON text)."""
    if isinstance(data, str | bytes):
        return _ADAPTER.validate_json(data)
    return _ADAPTER.validate_python(data)
