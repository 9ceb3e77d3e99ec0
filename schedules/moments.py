"""One-off moments: `2026-12-01 20:00`, `12-01 20:00`, `dec 1 8pm`, `明天 9:00`, `周五 20:00`,
`下午3点`, `in 30m`, `2小时后`.

Shared by one-off schedules and countdown deadlines. Wall-clock moments are read in the group's
timezone against an injected `now`; results are aware and in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.errors import ScheduleInPastError, ScheduleSyntaxError
from schedules.timewords import (
    EN_MONTH_RE,
    EN_MONTHS,
    EN_WEEKDAY_RE,
    EN_WEEKDAYS,
    ZH_WEEKDAYS,
    match_duration,
    match_time_of_day,
    normalize,
)


@dataclass(frozen=True)
class Moment:
    """A matched one-off moment (UTC) and the offset where the phrase ended; `whole_day` when
    only a date was given and the moment is the start of that day."""

    at: datetime
    end: int
    whole_day: bool = False


def local_to_utc(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """Wall-clock time in `tz` as UTC.

    A time skipped by a DST jump (02:30 on a spring-forward day) lands after the jump (03:30),
    and a repeated time (01:30 on a fall-back day) means its first occurrence: PEP 495 fold=0,
    the same reading the cron triggers use.
    """
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


# A digit right after a numeric date makes it another number; 日 (号) ends a Chinese one, and
# the time often follows without a space (12月1日20:00).
_FULL_DATE = re.compile(
    r"\s*(?:(?:at|on)\s+)?(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"
    r"|年(?P<cm>\d{1,2})月(?P<cd>\d{1,2})[日号號])",
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    r"\s*(?:(?:at|on)\s+)?(?:(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"
    r"|(?P<cm>\d{1,2})月(?P<cd>\d{1,2})[日号號])",
    re.IGNORECASE,
)
_DAY_WORD = re.compile(
    r"\s*(?P<word>今天|今日|今晚|明天|明日|明早|明晚|后天|後天|"
    r"today|tonight|tomorrow|the\s+day\s+after\s+tomorrow)(?![a-z])\s*",
    re.IGNORECASE,
)
_DAY_OFFSETS = {
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "today": 0,
    "tonight": 0,
    "明天": 1,
    "明日": 1,
    "明早": 1,
    "明晚": 1,
    "tomorrow": 1,
    "后天": 2,
    "後天": 2,
    "the day after tomorrow": 2,
}
_EVENING_WORDS = {"今晚", "明晚", "tonight"}
# ISO 8601 with the `T` (as machines and some calendars copy it); an offset, if any, wins over
# the group's timezone. Read by `datetime.fromisoformat`.
_ISO = re.compile(
    r"\s*(?P<iso>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)"
    r"(?![\d:])",
    re.IGNORECASE,
)
# `dec 1`, `Dec 1st, 2026`, `1 December`; the year is optional.
_EN_DATE = re.compile(
    rf"\s*(?:(?:at|on)\s+)?(?:(?P<mon>{EN_MONTH_RE})\.?\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?(?P<mon2>{EN_MONTH_RE})\.?)(?![a-z\d])"
    r"(?:,?\s*(?P<y>\d{4})(?![\d:]))?,?",
    re.IGNORECASE,
)
# 周五 (the coming one), 这周五 / 本周五 (this week's), 下周一 (next week's); weeks start Monday.
_WEEKDAY = re.compile(
    r"\s*(?P<week>下|这|這|本)?(?:周|週|星期|礼拜|禮拜)"
    r"(?P<zh>[一二三四五六日天七]|[1-7](?![\d:点點]))"
    rf"|\s*(?P<en>{EN_WEEKDAY_RE})(?![a-z])",
    re.IGNORECASE,
)
_NEXT_WEEK, _THIS_WEEK = {"下"}, {"这", "這", "本"}
_IN = re.compile(r"\s*in\s+", re.IGNORECASE)
_LATER = re.compile(r"\s*(?:之后|以后|後|后)")


def match_moment(
    text: str, pos: int, tz: ZoneInfo, now: datetime, *, whole_day: bool = False
) -> Moment | None:
    """Match a one-off moment at `pos` in normalized `text`; None if none starts there.

    A time of day alone (`下午3点`, `20:00`) is its next coming: today if still ahead, else
    tomorrow. With `whole_day`, a date without a time (`12月1日`, `2026-12-01`) is the start of
    that day. A recognised date with an impossible day or time raises ScheduleSyntaxError.
    """
    return (
        _match_iso(text, pos, tz)
        or _match_full_date(text, pos, tz, whole_day)
        or _match_month_day(text, pos, tz, now, whole_day)
        or _match_en_date(text, pos, tz, now, whole_day)
        or _match_weekday(text, pos, tz, now)
        or _match_day_word(text, pos, tz, now)
        or _match_relative(text, pos, now)
        or _match_time_alone(text, pos, tz, now)
    )


def _at_time(
    text: str, pos: int, day: date, tz: ZoneInfo, evening: bool = False, whole_day: bool = False
) -> Moment | None:
    """The moment of the time at `pos` on `day`; with `whole_day` and no time, 00:00 of `day`
    when the date stands as a word of its own (`1.5h` is no date)."""
    tod = match_time_of_day(text, pos, evening=evening)
    if tod is None:
        if whole_day and (pos == len(text) or text[pos].isspace() or text[pos - 1] in "日号號"):
            return Moment(local_to_utc(day, 0, 0, tz), pos, whole_day=True)
        return None
    if tod.next_day:
        day += timedelta(days=1)
    return Moment(local_to_utc(day, tod.hour, tod.minute, tz), tod.end)


def _coming(
    text: str, pos: int, day: date, step: int, tz: ZoneInfo, now: datetime
) -> Moment | None:
    """The time at `pos` on `day`, or `step` days later if that one is not after `now`."""
    found = _at_time(text, pos, day, tz)
    if found is not None and found.at <= now:
        found = _at_time(text, pos, day + timedelta(days=step), tz)
    return found


def _match_iso(text: str, pos: int, tz: ZoneInfo) -> Moment | None:
    match = _ISO.match(text, pos)
    if match is None:
        return None
    try:
        at = datetime.fromisoformat(match["iso"].upper())
    except ValueError:
        raise ScheduleSyntaxError("bad_date", text=match["iso"]) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return Moment(at.astimezone(UTC), match.end())


def _date(text: str, year: int, month: str, day: str) -> date:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise ScheduleSyntaxError("bad_date", text=text.strip()) from None


def _match_full_date(text: str, pos: int, tz: ZoneInfo, whole_day: bool) -> Moment | None:
    match = _FULL_DATE.match(text, pos)
    if match is None:
        return None
    day = _date(
        match.group(), int(match["y"]), match["m"] or match["cm"], match["d"] or match["cd"]
    )
    return _at_time(text, match.end(), day, tz, whole_day=whole_day)


def _match_month_day(
    text: str, pos: int, tz: ZoneInfo, now: datetime, whole_day: bool
) -> Moment | None:
    match = _MONTH_DAY.match(text, pos)
    if match is None:
        return None
    month, day = match["m"] or match["cm"], match["d"] or match["cd"]
    return _in_coming_year(text, match, month, day, tz, now, whole_day)


def _match_en_date(
    text: str, pos: int, tz: ZoneInfo, now: datetime, whole_day: bool
) -> Moment | None:
    match = _EN_DATE.match(text, pos)
    if match is None:
        return None
    month = str(EN_MONTHS[(match["mon"] or match["mon2"]).lower()])
    day = match["d"] or match["d2"]
    if match["y"]:
        found = _date(match.group(), int(match["y"]), month, day)
        return _at_time(text, match.end(), found, tz, whole_day=whole_day)
    return _in_coming_year(text, match, month, day, tz, now, whole_day)


def _in_coming_year(
    text: str,
    match: re.Match[str],
    month: str,
    day: str,
    tz: ZoneInfo,
    now: datetime,
    whole_day: bool,
) -> Moment | None:
    """A month and day without a year: this year's, or next year's if this one is gone
    (12-20 says 01-05)."""
    this_year = now.astimezone(tz).year
    found = _at_time(
        text, match.end(), _date(match.group(), this_year, month, day), tz, whole_day=whole_day
    )
    if found is not None and found.at <= now:
        next_year = _date(match.group(), this_year + 1, month, day)
        found = _at_time(text, match.end(), next_year, tz, whole_day=whole_day)
    return found


def _match_weekday(text: str, pos: int, tz: ZoneInfo, now: datetime) -> Moment | None:
    match = _WEEKDAY.match(text, pos)
    if match is None:
        return None
    weekday = ZH_WEEKDAYS[match["zh"]] if match["zh"] else EN_WEEKDAYS[match["en"].lower()]
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    if match["week"] in _NEXT_WEEK:
        return _at_time(text, match.end(), monday + timedelta(days=7 + weekday), tz)
    if match["week"] in _THIS_WEEK:
        return _at_time(text, match.end(), monday + timedelta(days=weekday), tz)
    # The coming one: today's if its time is still ahead, else a week on.
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    return _coming(text, match.end(), day, 7, tz, now)


def _match_day_word(text: str, pos: int, tz: ZoneInfo, now: datetime) -> Moment | None:
    match = _DAY_WORD.match(text, pos)
    if match is None:
        return None
    word = re.sub(r"\s+", " ", match["word"].lower())
    day = now.astimezone(tz).date() + timedelta(days=_DAY_OFFSETS[word])
    return _at_time(text, match.end(), day, tz, evening=word in _EVENING_WORDS)


def _match_relative(text: str, pos: int, now: datetime) -> Moment | None:
    lead = _IN.match(text, pos)
    found = match_duration(text, lead.end() if lead else pos)
    if found is None:
        return None
    delay, end = found
    if lead is None:
        later = _LATER.match(text, end)
        if later is None:
            return None
        end = later.end()
    # Whole seconds: a post "in 30m" need not carry the microseconds of the command.
    return Moment(now.astimezone(UTC).replace(microsecond=0) + delay, end)


def _match_time_alone(text: str, pos: int, tz: ZoneInfo, now: datetime) -> Moment | None:
    """`晚8点`, `下午3点半`, `20:00` with no day: as `今晚8点` reads it, and tomorrow's if
    today's has gone."""
    return _coming(text, pos, now.astimezone(tz).date(), 1, tz, now)


def parse_moment(
    text: str, tz: ZoneInfo, now: datetime, *, past_code: str = "in_past", whole_day: bool = False
) -> tuple[Moment, str]:
    """Read a one-off moment at the start of `text`; return (the moment, the rest of the text).

    Raises ScheduleSyntaxError when no moment starts the text, and ScheduleInPastError
    (code `past_code`) when the moment is not after `now`.
    """
    moment = match_moment(normalize(text), 0, tz, now, whole_day=whole_day)
    if moment is None:
        raise ScheduleSyntaxError("bad_syntax", text=text.strip())
    ensure_future(moment.at, tz, now, past_code)
    return moment, text[moment.end :].strip()


def ensure_future(at: datetime, tz: ZoneInfo, now: datetime, code: str = "in_past") -> None:
    """Refuse a one-off instant that is not after `now`, naming it on the group's clock."""
    if at <= now:
        when = at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        raise ScheduleInPastError(code, when=when, tz=tz.key)
