"""The vocabulary shared by the schedule parsers: times of day, weekdays and durations, zh + en.

Matchers work on `normalize`d text at a position and return where they stopped, so each parser
can cut the message body off the original text at the same offset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from schedules.errors import ScheduleSyntaxError

# One-to-one replacements only: offsets in the normalized text stay valid in the original.
_HALF_WIDTH = str.maketrans(
    {"：": ":", "，": ",", "、": ",", "　": " ", "／": "/", "－": "-", "．": ".", "＝": "="}
    | {chr(0xFF10 + i): str(i) for i in range(10)}
)


def normalize(text: str) -> str:
    """Fold full-width digits and punctuation (common from Chinese IMEs) to ASCII, same length."""
    return text.translate(_HALF_WIDTH)


@dataclass(frozen=True)
class TimeOfDay:
    """A wall-clock time matched in a phrase; `end` is the offset just after it."""

    hour: int
    minute: int
    end: int
    # 晚上12点 and "tonight 12:00" name the midnight that ends the evening: 00:00 of the next day.
    next_day: bool = False


_TIME_OF_DAY = re.compile(
    r"""\s*(?:at\s+|@\s*)?
    (?:(?P<period>早上|上午|中午|下午|晚上|今晚|半夜|夜里|夜裡|凌晨|早|晚)\s*)?
    (?P<hour>\d{1,2})
    (?: :(?P<minute>\d{2})
      | (?P<dian>点|點)(?:(?P<half>半)|(?P<cn_minute>\d{1,2})分?)?
    )?
    (?:\s*(?P<ampm>[ap])\.?m\.?(?![a-z]))?
    (?![\d:])""",
    re.IGNORECASE | re.VERBOSE,
)


# 1-11 after these words is pm. 12 (or 0) after the evening ones is the midnight that ends the
# evening, and so is 12 after 半夜/夜里 (whose 1-5 stay am); 凌晨12点 is the midnight that starts
# the day, and 中午12点 and 下午12点 are noon.
_PM = {"下午", "晚上", "今晚", "晚"}
_MIDNIGHT_AT_12 = {"晚上", "今晚", "晚", "半夜", "夜里", "夜裡"}


def match_time_of_day(text: str, pos: int, *, evening: bool = False) -> TimeOfDay | None:
    """Match `11:00`, `9:30pm`, `11点`, `11点半`, `下午3点15` at `pos`; hours out of range raise.

    A bare number (`every day 11`) is not a time: it is too easily part of the message body.
    `evening` reads 1-11 as pm, for words like 今晚 that carry the half of the day themselves.
    12 (or 0) at night is 00:00 with `next_day` set; a one-off moment moves to the next date.
    """
    match = _TIME_OF_DAY.match(text, pos)
    if match is None or not (match["minute"] or match["dian"] or match["ampm"]):
        return None
    hour = int(match["hour"])
    minute = 30 if match["half"] else int(match["minute"] or match["cn_minute"] or 0)
    period, ampm = match["period"], (match["ampm"] or "").lower()
    if ampm and not 1 <= hour <= 12:
        raise ScheduleSyntaxError("bad_time", text=match.group().strip())
    # An explicit pm wins: "tonight 12pm" is noon, as 12pm is anywhere else.
    next_day = ampm != "p" and hour in {0, 12} and (period in _MIDNIGHT_AT_12 or evening)
    pm = ampm == "p" or period in _PM or evening
    if next_day or (hour == 12 and (period == "凌晨" or ampm == "a")):
        hour = 0
    elif (pm and hour < 12) or (period == "中午" and hour < 11):
        hour += 12
    if hour > 23 or minute > 59:
        raise ScheduleSyntaxError("bad_time", text=match.group().strip())
    return TimeOfDay(hour, minute, match.end(), next_day)


# Monday = 0, as in Python and APScheduler.
ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
ZH_WEEKDAYS |= {str(n): n - 1 for n in range(1, 8)}
EN_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
# Longest names first so `mon` does not stop `monday` halfway.
EN_WEEKDAY_RE = "|".join(sorted(EN_WEEKDAYS, key=len, reverse=True))

EN_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
EN_MONTH_RE = "|".join(sorted(EN_MONTHS, key=len, reverse=True))

_UNITS = {
    "day": ("days", "day", "d", "天"),
    "week": ("weeks", "week", "w", "周", "星期"),
    "hour": ("hours", "hour", "hrs", "hr", "h", "个小时", "個小時", "小时", "小時"),
    "minute": ("minutes", "minute", "mins", "min", "m", "分钟", "分鐘"),
}
_UNIT_OF = {word.lower(): unit for unit, words in _UNITS.items() for word in words}
_UNIT_RE = "|".join(sorted(_UNIT_OF, key=len, reverse=True))
# English units must not run into a longer word (`5 mondays`, `3 months`).
_PIECE = rf"(?:\d+|半)\s*(?:{_UNIT_RE})(?![a-z])"
_DURATION = re.compile(rf"\s*{_PIECE}(?:\s*(?:and\s+)?{_PIECE})*", re.IGNORECASE)
_PIECE_PARTS = re.compile(rf"(\d+|半)\s*({_UNIT_RE})(?![a-z])", re.IGNORECASE)


# No command means a duration longer than a century, and now plus or minus one stays a date
# Python can hold; "99999999999d" would overflow timedelta and "in 99999999d" the calendar.
LONGEST = timedelta(days=36525)
_UNIT_SECONDS = {"week": 604800, "day": 86400, "hour": 3600, "minute": 60}


def match_duration(text: str, pos: int) -> tuple[timedelta, int] | None:
    """Match `30m`, `2h`, `1h30m`, `2 hours`, `3天`, `1小时30分钟`, `半小时` at `pos`; longer than
    LONGEST is no duration."""
    match = _DURATION.match(text, pos)
    if match is None:
        return None
    seconds = 0
    for amount, unit in _PIECE_PARTS.findall(match.group()):
        size = _UNIT_SECONDS[_UNIT_OF[unit.lower()]]
        seconds += size // 2 if amount == "半" else int(amount) * size
    # Summed as whole numbers first: a huge count is refused here, never handed to timedelta.
    if seconds > LONGEST.total_seconds():
        return None
    return timedelta(seconds=seconds), match.end()


def parse_duration(text: str) -> timedelta | None:
    """The duration that is the whole of `text`, or None."""
    text = normalize(text).strip()
    found = match_duration(text, 0)
    if found is None or found[1] != len(text):
        return None
    return found[0]
