"""Pure rules of ad moderation: the group's `adfilter` settings, the escalation ladder and the
ad time window. No database, no clock: callers pass what they know.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.core.i18n import named
from bot.db.models import Group
from bot.groups.settings import with_changes
from handlers.adfilter import FilterConfig
from handlers.adfilter.repeats import RepeatLimits

SECTION = "adfilter"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY = "daily"

Step = Literal["delete", "mute", "ban"]
MAX_MUTE_MINUTES = 366 * 24 * 60  # Telegram treats longer restrictions as forever
MAX_WINDOW_MINUTES = 24 * 60  # recent posts are kept a little longer (`repeats_store`)
DELETABLE_FOR = timedelta(hours=48)  # how long Telegram lets a bot delete a message
# "20:00-21:00" or "8:00-9:30"; not ISO's other forms ("20:00+08:00" is a time zone, and the
# window is in the group's own).
_SPAN = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


class AdWindow(BaseModel):
    """When members may post promotions: one weekday (or every day) between two local times.

    A window whose end is not after its start runs past midnight: "fri 22:00-01:00" opens on
    Friday at 22:00 and closes on Saturday at 01:00; "fri 00:00-24:00" is all of Friday.
    """

    model_config = ConfigDict(frozen=True)

    day: str = DAILY
    start: time
    end: time

    @model_validator(mode="after")
    def _sane(self) -> AdWindow:
        if self.day not in (*WEEKDAYS, DAILY):
            raise ValueError(f"unknown day {self.day!r}")
        return self

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def contains(self, local: datetime) -> bool:
        """True when `local` (a time in the group's timezone) falls inside the window."""
        now = local.time().replace(tzinfo=None)
        if not self.crosses_midnight:
            return self._on(local.weekday()) and self.start <= now < self.end
        # Before midnight the window opened today; after it, the window opened yesterday.
        if now >= self.start:
            return self._on(local.weekday())
        return now < self.end and self._on((local.weekday() - 1) % 7)

    def _on(self, weekday: int) -> bool:
        return self.day == DAILY or WEEKDAYS[weekday] == self.day

    def describe(self, lang: str) -> str:
        """"fri 22:00-sat 01:00", with the days as readers of `lang` say them ("周五")."""
        day = named(lang, "value.day", self.day)
        if self.end == time(0, 0):
            return f"{day} {self.start:%H:%M}-24:00"
        if self.crosses_midnight and self.day != DAILY:
            following = named(lang, "value.day", WEEKDAYS[(WEEKDAYS.index(self.day) + 1) % 7])
            return f"{day} {self.start:%H:%M}-{following} {self.end:%H:%M}"
        return f"{day} {self.start:%H:%M}-{self.end:%H:%M}"


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

    @property
    def mute_length(self) -> timedelta:
        return timedelta(minutes=self.mute_minutes)

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
    """Store what changed in the section (a new dict, so the ORM notices the JSON changed)."""
    stored = group.settings or {}
    group.settings = {**stored, SECTION: with_changes(stored.get(SECTION), settings)}


def step_for(offences_before: int, ladder: tuple[Step, ...]) -> Step:
    """The ladder step for a member who already has `offences_before` counted offences."""
    return ladder[min(offences_before, len(ladder) - 1)]


def report_step(offences_before: int, ladder: tuple[Step, ...]) -> Step:
    """What members' reports do once they reach the threshold: the member's own ladder step,
    but at least a mute where the ladder mutes at all. Reports ask for a sender to be stopped
    before an operator arrives; a repeat offender goes on to the ladder's ban, and a group
    whose ladder only deletes is never muted for by reports either."""
    step = step_for(offences_before, ladder)
    return "mute" if step == "delete" and "mute" in ladder else step


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
    match = _SPAN.fullmatch(span)
    if match is None:
        raise BadSetting("filter.bad_span", span)
    h1, m1, h2, m2 = map(int, match.groups())
    if (h1, m1) == (h2, m2):
        # A slip ("20:00-20:00" for 20:00-21:00), not a wish: read as running past midnight it
        # would open the window round the clock and let every ad through. A whole day is
        # written 00:00-24:00.
        raise BadSetting("filter.empty_span", span)
    try:
        window = (time(h1, m1), time(0, 0) if (h2, m2) == (24, 0) else time(h2, m2))
    except ValueError:  # "25:00"
        raise BadSetting("filter.bad_span", span) from None
    return AdWindow(day=day, start=window[0], end=window[1])
