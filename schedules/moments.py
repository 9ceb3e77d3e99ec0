"""One-off moments: `2026-12-01 20:00`, `12-01 20:00`, `明天 9:00`, `in 30m`, `2小时后`.

Shared by one-off schedules and countdown deadlines. Wall-clock moments are read in the group's
timezone against an injected `now`; results are aware and in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.errors import ScheduleInPastError, ScheduleSyntaxError
from schedules.timewords import match_duration, match_time_of_day, normalize


@dataclass(frozen=True)
class Moment:
    """A matched one-off moment (UTC) and the offset where the phrase ended."""

    at: datetime
    end: int


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
    r"\s*(?:(?:at|on)\s+)?(?:(?P<m>\d{1,2})[-/](?P<d>\d{1,2})(?!\d)"
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
_IN = re.compile(r"\s*in\s+", re.IGNORECASE)
_LATER = re.compile(r"\s*(?:之后|以后|後|后)")


def match_moment(text: str, pos: int, tz: ZoneInfo, now: datetime) -> Moment | None:
    """Match a one-off moment at `pos` in normalized `text`; None if none starts there.

    A recognised date with an impossible day or time raises ScheduleSyntaxError.
    """
    return (
        _match_full_date(text, pos, tz)
        or _match_month_day(text, pos, tz, now)
        or _match_day_word(text, pos, tz, now)
        or _match_relative(text, pos, now)
    )


def _at_time(text: str, pos: int, day: date, tz: ZoneInfo, evening: bool = False) -> Moment | None:
    tod = match_time_of_day(text, pos, evening=evening)
    if tod is None:
        return None
    if tod.next_day:
        day += timedelta(days=1)
    return Moment(local_to_utc(day, tod.hour, tod.minute, tz), tod.end)


def _date(text: str, year: int, month: str, day: str) -> date:
    try:
        return date(year, int(month), int(day))
    except ValueError:
        raise ScheduleSyntaxError("bad_date", text=text.strip()) from None


def _match_full_date(text: str, pos: int, tz: ZoneInfo) -> Moment | None:
    match = _FULL_DATE.match(text, pos)
    if match is None:
        return None
    day = _date(
        match.group(), int(match["y"]), match["m"] or match["cm"], match["d"] or match["cd"]
    )
    return _at_time(text, match.end(), day, tz)


def _match_month_day(text: str, pos: int, tz: ZoneInfo, now: datetime) -> Moment | None:
    match = _MONTH_DAY.match(text, pos)
    if match is None:
        return None
    this_year = now.astimezone(tz).year
    month, day_text = match["m"] or match["cm"], match["d"] or match["cd"]
    found = _at_time(text, match.end(), _date(match.group(), this_year, month, day_text), tz)
    if found is not None and found.at <= now:
        # Without a year, a date already gone this year means the next one (12-20 says 01-05).
        next_year = _date(match.group(), this_year + 1, month, day_text)
        found = _at_time(text, match.end(), next_year, tz)
    return found


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


def parse_moment(
    text: str, tz: ZoneInfo, now: datetime, *, past_code: str = "in_past"
) -> tuple[datetime, str]:
    """Read a one-off moment at the start of `text`; return (UTC instant, the rest of the text).

    Raises ScheduleSyntaxError when no moment starts the text, and ScheduleInPastError
    (code `past_code`) when the moment is not after `now`.
    """
    moment = match_moment(normalize(text), 0, tz, now)
    if moment is None:
        raise ScheduleSyntaxError("bad_syntax", text=text.strip())
    ensure_future(moment.at, tz, now, past_code)
    return moment.at, text[moment.end :].strip()


def ensure_future(at: datetime, tz: ZoneInfo, now: datetime, code: str = "in_past") -> None:
    """Refuse a one-off instant that is not after `now`, naming it on the group's clock."""
    if at <= now:
        when = at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        raise ScheduleInPastError(code, when=when, tz=tz.key)
