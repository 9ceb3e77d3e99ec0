"""Render specs back into the phrases operators type, for `/schedule list`.

The output of `describe` parses back to the same spec with `parse_schedule` (tests pin this),
so an operator can copy a listed schedule to make a similar one.
"""

from __future__ import annotations

import math
from datetime import timedelta

from bot.core.i18n import format_text
from schedules.messages import DESCRIBE, UNITS, WEEKDAY_NAMES, Lang, lang_of
from schedules.spec import DEFAULT_TZ, WEEKDAYS, AfterEvent, Cron, Every, Once

_ORDINAL = {1: "st", 2: "nd", 3: "rd"}


def format_duration(delta: timedelta, lang: str) -> str:
    """`3 天` / `3 days`, `1 小时 30 分钟` / `1 hour 30 minutes`; partial minutes round up.

    The one way a length is shown to people (mutes, filter windows, schedules, countdowns)."""
    language = lang_of(lang)
    minutes = math.ceil(delta.total_seconds() / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [
        _unit(language, unit, n)
        for unit, n in (("day", days), ("hour", hours), ("minute", mins))
        if n
    ]
    return " ".join(parts) or _unit(language, "minute", 0)


def _unit(lang: Lang, unit: str, n: int) -> str:
    return format_text(UNITS[lang][unit], n=n)


def describe(spec: Cron | Once | Every | AfterEvent, lang: str, group_tz: str = DEFAULT_TZ) -> str:
    """The spec as a human phrase in `lang` (zh or en); the timezone is named if not `group_tz`."""
    language = lang_of(lang)
    words = DESCRIBE[language]
    if isinstance(spec, Cron):
        text = _describe_cron(spec, language)
    elif isinstance(spec, Once):
        when = spec.at.astimezone(spec.zone).strftime("%Y-%m-%d %H:%M")
        text = words["once"].format(when=when)
    elif isinstance(spec, Every):
        text = words["every"].format(interval=format_duration(spec.interval, language))
    else:
        text = words["after_joined"].format(delay=format_duration(spec.delay, language))
    if spec.tz != group_tz:
        text = words["tz"].format(text=text, tz=spec.tz)
    return text


def _describe_cron(spec: Cron, lang: Lang) -> str:
    words = DESCRIBE[lang]
    fallback = words["cron"].format(expr=spec.expression)
    if not (spec.minute.isdigit() and spec.hour.isdigit() and spec.month == "*"):
        return fallback
    time = f"{int(spec.hour)}:{int(spec.minute):02d}"
    days = _weekday_indexes(spec.day_of_week)
    if spec.day == "*":
        if spec.day_of_week == "*":
            return words["daily"].format(time=time)
        if days == [0, 1, 2, 3, 4]:
            return words["weekdays"].format(time=time)
        if days == [5, 6]:
            return words["weekends"].format(time=time)
        if days:
            names = words["day_sep"].join(WEEKDAY_NAMES[lang][d] for d in days)
            return words["weekly"].format(days=names, time=time)
    elif spec.day_of_week == "*" and all(d.isdigit() for d in spec.day.split(",")):
        numbers = [int(d) for d in spec.day.split(",")]
        shown = [f"{n}{_ORDINAL.get(n % 10 if n // 10 != 1 else 0, 'th')}" for n in numbers]
        listed = ",".join(map(str, numbers)) if lang == "zh" else ",".join(shown)
        return words["monthly"].format(days=listed, time=time)
    return fallback


def _weekday_indexes(field: str) -> list[int] | None:
    """`mon,wed-fri` -> [0, 2, 3, 4]; None for anything that is not plain weekday names."""
    indexes: list[int] = []
    for part in field.split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            return None
        lo, hi = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        indexes.extend(range(lo, hi + 1))
    return sorted(set(indexes))
