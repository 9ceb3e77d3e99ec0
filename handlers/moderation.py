"""Pure rules of ad moderation: the group's `adfilter` settings, the escalation ladder and the
ad time window. No database, no clock: callers pass what they know.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.db.models import Group
from handlers.adfilter import FilterConfig
from handlers.adfilter.repeats import RepeatLimits

SECTION = "adfilter"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY = "daily"

Step = Literal["delete", "mute", "ban"]
MAX_MUTE_MINUTES = 366 * 24 * 60  # Telegram treats longer restrictions as forever
MAX_WINDOW_MINUTES = 24 * 60  # recent posts are kept a little longer (`repeats_store`)


class AdWindow(BaseModel):
    """When members may post promotions: one weekday (or every day) between two local times."""

    model_config = ConfigDict(frozen=True)

    day: str = DAILY
    start: time
    end: time

    @model_validator(mode="after")
    def _sane(self) -> AdWindow:
        if self.day not in (*WEEKDAYS, DAILY):
            raise ValueError(f"unknown day {self.day!r}")
        if self.start >= self.end:
            raise ValueError("the window must end after it starts")
        return self

    def contains(self, local: datetime) -> bool:
        """True when `local` (a time in the group's timezone) falls inside the window."""
        if self.day != DAILY and WEEKDAYS[local.weekday()] != self.day:
            return False
        return self.start <= local.time().replace(tzinfo=None) < self.end

    def describe(self) -> str:
        return f"{self.day} {self.start:%H:%M}-{self.end:%H:%M}"


class AdFilterSettings(BaseModel):
    """The `adfilter` section of a group's settings document.

    `ladder` is what a member's 1st, 2nd, 3rd... offence gets (the last step repeats);
    offences older than `offence_days` or undone by an operator no longer count.
    """

    model_config = ConfigDict(frozen=True)

    enabled: bool = True
    shadow: bool = False
    allowed_links: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    allowed_users: tuple[str, ...] = ()
    new_member_messages: int = Field(default=3, ge=0, le=1000)
    ladder: tuple[Step, ...] = Field(default=("delete", "mute", "ban"), min_length=1, max_length=10)
    mute_minutes: int = Field(default=24 * 60, ge=1, le=MAX_MUTE_MINUTES)
    offence_days: int = Field(default=30, ge=1)
    warning_seconds: int = Field(default=60, ge=5)
    report_threshold: int = Field(default=3, ge=1, le=100)
    window: AdWindow | None = None
    # The same text this many times in one group within `repeat_minutes`, or in this many
    # groups within `crossgroup_minutes`, is spam (0 turns a rule off).
    repeat_limit: int = Field(default=3, ge=0, le=100)
    repeat_minutes: int = Field(default=10, ge=1, le=MAX_WINDOW_MINUTES)
    crossgroup_limit: int = Field(default=3, ge=0, le=100)
    crossgroup_minutes: int = Field(default=60, ge=1, le=MAX_WINDOW_MINUTES)

    def filter_config(self) -> FilterConfig:
        """The detection library's view of these settings."""
        return _filter_config(self.allowed_links, self.keywords, self.new_member_messages)

    def repeat_limits(self) -> RepeatLimits:
        return RepeatLimits(self.repeat_limit, self.repeat_minutes, self.crossgroup_limit,
                            self.crossgroup_minutes)


_CONFIGS: dict[tuple, FilterConfig] = {}


def _filter_config(links: tuple, keywords: tuple, new_messages: int) -> FilterConfig:
    # FilterConfig is frozen and hashable: reuse one per distinct profile, so the keyword
    # automaton the library caches per keyword tuple is built once, not per message.
    key = (links, keywords, new_messages)
    if key not in _CONFIGS:
        if len(_CONFIGS) > 1024:
            _CONFIGS.clear()
        _CONFIGS[key] = FilterConfig(
            allowed_links=links, extra_keywords=keywords, new_member_messages=new_messages
        )
    return _CONFIGS[key]


def adfilter_settings(group: Group | None) -> AdFilterSettings:
    """Read a group's section; a corrupt one falls back to defaults rather than open the gate."""
    data = (group.settings or {}).get(SECTION) if group is not None else None
    try:
        return AdFilterSettings.model_validate(data or {})
    except ValidationError:
        return AdFilterSettings()


def save_adfilter_settings(group: Group, settings: AdFilterSettings) -> None:
    """Store the section (a new dict, so the ORM notices the JSON changed)."""
    group.settings = {**(group.settings or {}), SECTION: settings.model_dump(mode="json")}


def step_for(offences_before: int, ladder: tuple[Step, ...]) -> Step:
    """The ladder step for a member who already has `offences_before` counted offences."""
    return ladder[min(offences_before, len(ladder) - 1)]


_DAY_NAMES = {
    name: name[:3]
    for name in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
}


class BadSetting(ValueError):
    """A filter setting that cannot be used: `key` names the text (Chinese and English) saying
    why, `value` is what the operator typed."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}: {value}")
        self.key, self.value = key, value


def parse_window(day: str, span: str) -> AdWindow:
    """Parse `/filter window fri 20:00-21:00`; raises BadSetting naming what is wrong."""
    # "fri", "friday" or "fridays"; anything else ("sat,sun", "mon-fri") is refused whole
    # rather than cut to its first three letters, which would keep one day of several.
    word = day.lower()
    day = _DAY_NAMES.get(word.removesuffix("s"), word)
    if day not in (*WEEKDAYS, DAILY):
        raise BadSetting("filter.bad_day", word)
    start, sep, end = span.partition("-")
    try:
        window = (time.fromisoformat(start), time.fromisoformat(end)) if sep else None
    except ValueError:
        window = None
    if window is None:
        raise BadSetting("filter.bad_span", span)
    if window[0] >= window[1]:
        raise BadSetting("filter.backwards", span)
    return AdWindow(day=day, start=window[0], end=window[1])
