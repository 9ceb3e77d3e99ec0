"""Read a human schedule phrase (Chinese or English) into a spec plus the message body.

`/schedule add 每天 11:00 今天的思维导图` -> (Cron daily 11:00, "今天的思维导图").
Rules are tried in order; the first whose phrase starts the text wins, so more specific
phrases come first (`每2小时` before `每天`, `入群3天后` before `3天后`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from schedules.describe import describe
from schedules.errors import ScheduleSyntaxError
from schedules.moments import ensure_future, match_moment
from schedules.spec import (
    DEFAULT_TZ,
    MIN_INTERVAL,
    AfterEvent,
    Cron,
    Every,
    Once,
    weekday_field,
    zone,
)
from schedules.timewords import (
    EN_WEEKDAY_RE,
    EN_WEEKDAYS,
    ZH_WEEKDAYS,
    match_duration,
    match_time_of_day,
    normalize,
)
from schedules.triggers import next_fire

__all__ = ["ParsedSchedule", "ScheduleSyntaxError", "describe", "parse_schedule"]

Spec = Cron | Once | Every | AfterEvent


@dataclass(frozen=True)
class ParsedSchedule:
    """What `parse_schedule` read: the spec and the message body that followed the time."""

    spec: Spec
    text: str


@dataclass(frozen=True)
class _Context:
    text: str  # normalized
    tz: ZoneInfo
    now: datetime


_Rule = Callable[[_Context], tuple[Spec, int] | None]

_CRON = re.compile(r"\s*cron\s+((?:\S+\s+){4}\S+)", re.IGNORECASE)
_AFTER_JOIN_ZH = re.compile(r"\s*(?:新人|成员)?(?:入群|进群|加入)(?P<after>之?后|後)?")
_LATER = re.compile(r"\s*(?:之?后|後)")
_AFTER_JOIN_EN = re.compile(r"\s*after\s+(?:a\s+member\s+)?(?:joins?|joining|joined)\b", re.I)
_EVERY_ZH = re.compile(r"\s*每隔?\s*(?=\d|半)")
_EVERY_EN = re.compile(r"\s*every\s+(?=\d)", re.IGNORECASE)
_DAILY = re.compile(r"\s*(?:每天|每日|天天|every\s*day|daily)(?![a-z])", re.IGNORECASE)
_WORKDAYS = re.compile(r"\s*(?:每个?工作日|工作日|(?:every\s+)?weekdays?)(?![a-z])", re.I)
_WEEKENDS = re.compile(r"\s*(?:每个?周末|周末|(?:every\s+)?weekends?)(?![a-z])", re.I)
_WEEKLY_ZH = re.compile(
    r"\s*每(?:周|星期|礼拜|禮拜)((?:[一二三四五六日天七]|[1-7](?![\d:点]))"
    r"(?:\s*[,/]?\s*(?:周|星期)?(?:[一二三四五六日天七]|[1-7](?![\d:点])))*)"
)
_WEEKLY_EN = re.compile(
    rf"\s*(?:every|on)\s+((?:{EN_WEEKDAY_RE})s?(?:\s*(?:,|/|&|\band\b)\s*(?:{EN_WEEKDAY_RE})s?)*)"
    r"(?![a-z])",
    re.IGNORECASE,
)
_MONTHLY_ZH = re.compile(r"\s*每(?:个)?月\s*(\d{1,2}(?:\s*,\s*\d{1,2})*)\s*[号日號]")
_MONTHLY_EN = re.compile(
    r"\s*(?:monthly|every\s+month)\s+(?:on\s+)?(?:the\s+)?"
    r"(\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:,|and)\s*(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?)*)(?![a-z])",
    re.IGNORECASE,
)


def _wall_clock(
    ctx: _Context, end: int, weekdays: list[int] | None = None, days: list[int] | None = None
) -> tuple[Spec, int] | None:
    """The time at `end` on every day, on `weekdays` (Monday = 0) or on `days` of the month."""
    tod = match_time_of_day(ctx.text, end)
    if tod is None:
        return None
    if tod.next_day:
        # 每周五 晚上12点 is the midnight after Friday: Saturday 00:00.
        weekdays = weekdays and [(d + 1) % 7 for d in weekdays]
        days = days and [d + 1 for d in days]
        if days and days[-1] > 31:
            # The midnight after the 31st is the 1st only in some months: no cron field says it.
            raise ScheduleSyntaxError("midnight_after_31st")
    fields: dict[str, str] = {}
    if weekdays:
        fields["day_of_week"] = weekday_field(weekdays)
    if days:
        fields["day"] = ",".join(map(str, days))
    cron = Cron(minute=str(tod.minute), hour=str(tod.hour), tz=ctx.tz.key, **fields)
    return cron, tod.end


def _cron(ctx: _Context) -> tuple[Spec, int] | None:
    match = _CRON.match(ctx.text)
    if match is None:
        if re.match(r"\s*cron\b", ctx.text, re.IGNORECASE):
            raise ScheduleSyntaxError("bad_cron", text=ctx.text.strip())
        return None
    try:
        return Cron.from_expression(match[1], tz=ctx.tz.key), match.end()
    except (ValueError, ValidationError):
        raise ScheduleSyntaxError("bad_cron", text=match[1]) from None


def _after_join(ctx: _Context) -> tuple[Spec, int] | None:
    lead = _AFTER_JOIN_ZH.match(ctx.text)
    if lead is not None:
        found = match_duration(ctx.text, lead.end())
        if found is None:
            return None
        # 入群后3天 and 入群3天后 both say it; exactly one 后 is required.
        later = _LATER.match(ctx.text, found[1])
        if not (lead["after"] or later):
            return None
        return AfterEvent(delay=found[0], tz=ctx.tz.key), later.end() if later else found[1]
    found = match_duration(ctx.text, 0)
    follow = found and _AFTER_JOIN_EN.match(ctx.text, found[1])
    if found and follow:
        return AfterEvent(delay=found[0], tz=ctx.tz.key), follow.end()
    return None


def _interval(ctx: _Context) -> tuple[Spec, int] | None:
    lead = _EVERY_ZH.match(ctx.text) or _EVERY_EN.match(ctx.text)
    found = lead and match_duration(ctx.text, lead.end())
    if not found:
        return None
    interval, end = found
    if interval < MIN_INTERVAL:
        raise ScheduleSyntaxError("bad_interval")
    if match_time_of_day(ctx.text, end) is not None:
        # "every 2 days 9:00" would post "9:00 ..." every 48h from now, not at 9:00; refuse.
        raise ScheduleSyntaxError("bad_syntax", text=_head(ctx.text))
    # First run one interval from now, on a whole minute, rather than the instant of the command.
    start = ctx.now.astimezone(UTC).replace(second=0, microsecond=0) + interval
    return Every(interval=interval, start=start, tz=ctx.tz.key), end


def _daily(ctx: _Context) -> tuple[Spec, int] | None:
    match = _DAILY.match(ctx.text)
    return match and _wall_clock(ctx, match.end())


def _workdays(ctx: _Context) -> tuple[Spec, int] | None:
    match = _WORKDAYS.match(ctx.text)
    return match and _wall_clock(ctx, match.end(), weekdays=[0, 1, 2, 3, 4])


def _weekends(ctx: _Context) -> tuple[Spec, int] | None:
    match = _WEEKENDS.match(ctx.text)
    return match and _wall_clock(ctx, match.end(), weekdays=[5, 6])


def _weekly(ctx: _Context) -> tuple[Spec, int] | None:
    zh = _WEEKLY_ZH.match(ctx.text)
    if zh is not None:
        days = [ZH_WEEKDAYS[c] for c in zh[1] if c in ZH_WEEKDAYS]
        return _wall_clock(ctx, zh.end(), weekdays=days)
    en = _WEEKLY_EN.match(ctx.text)
    if en is None:
        return None
    names = re.findall(EN_WEEKDAY_RE, en[1].lower())
    return _wall_clock(ctx, en.end(), weekdays=[EN_WEEKDAYS[n] for n in names])


def _monthly(ctx: _Context) -> tuple[Spec, int] | None:
    match = _MONTHLY_ZH.match(ctx.text) or _MONTHLY_EN.match(ctx.text)
    if match is None:
        return None
    days = sorted({int(n) for n in re.findall(r"\d+", match[1])})
    if not all(1 <= d <= 31 for d in days):
        raise ScheduleSyntaxError("bad_day_of_month")
    return _wall_clock(ctx, match.end(), days=days)


def _once(ctx: _Context) -> tuple[Spec, int] | None:
    moment = match_moment(ctx.text, 0, ctx.tz, ctx.now)
    if moment is None:
        return None
    ensure_future(moment.at, ctx.tz, ctx.now)
    return Once(at=moment.at, tz=ctx.tz.key), moment.end


_RULES: tuple[_Rule, ...] = (
    _cron,
    _after_join,
    _interval,
    _daily,
    _workdays,
    _weekends,
    _weekly,
    _monthly,
    _once,
)


def parse_schedule(text: str, tz: str | ZoneInfo = DEFAULT_TZ, *, now: datetime) -> ParsedSchedule:
    """Read the schedule phrase that starts `text`, in the group's timezone `tz`.

    `now` must be aware; it anchors relative and one-off phrases. Raises ScheduleSyntaxError
    (bilingual, listing the accepted forms) for unknown phrases and ScheduleInPastError for a
    one-off time that is not in the future.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    ctx = _Context(normalize(text), zone(tz), now)
    for rule in _RULES:
        found = rule(ctx)
        if found is not None:
            spec, end = found
            if isinstance(spec, Cron) and next_fire(spec, now) is None:
                # "cron 0 0 31 2 *" (February 31st) is valid field by field but never comes:
                # saved, it would sit in the list as a job that never posts.
                raise ScheduleSyntaxError("never_fires", text=_head(text[:end]))
            return ParsedSchedule(spec, text[end:].strip())
    raise ScheduleSyntaxError("bad_syntax", text=_head(text))


def _head(text: str, limit: int = 40) -> str:
    """The start of the offending input, short enough to quote back in chat."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
