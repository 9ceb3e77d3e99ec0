"""Countdowns: "3 days left" posts before a deadline, then an end action.

`/countdown 2026-12-01 20:00 双十二秒杀 marks=3d,1d,1h end=close` -> a CountdownRequest whose
`plan(now)` lists the reminder posts; the service stores them (and the end action at the
deadline) as one-off jobs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from schedules.describe import format_duration
from schedules.errors import CountdownError, ScheduleSyntaxError
from schedules.messages import COUNTDOWN, lang_of
from schedules.moments import Moment, ensure_future, parse_moment
from schedules.spec import DEFAULT_TZ, zone
from schedules.timewords import normalize, parse_duration

EndAction = Literal["announce", "close", "dissolve"]
_END_ALIASES: dict[str, EndAction] = {
    "announce": "announce",
    "宣布": "announce",
    "公告": "announce",
    "通知": "announce",
    "close": "close",
    "关闭": "close",
    "关群": "close",
    "禁言": "close",
    "dissolve": "dissolve",
    "解散": "dissolve",
}
_OPTION = re.compile(r"(?:^|(?<=\s))(marks|提醒|end|结束)\s*=\s*(\S+)", re.IGNORECASE)
_OPTION_KEYS = {"marks": "marks", "提醒": "marks", "end": "end", "结束": "end"}
LEFT_PLACEHOLDER = "{left}"


def parse_marks(text: str) -> tuple[timedelta, ...]:
    """Read `3d,1d,3h,1h,10m` or `3天,1天,3小时,1小时,10分钟`: longest first, no duplicates."""
    items = [item for item in re.split(r"[,\s]+", normalize(text).strip()) if item]
    marks: set[timedelta] = set()
    for item in items:
        mark = parse_duration(item)
        if mark is None or mark < timedelta(minutes=1):
            raise CountdownError("bad_marks", text=text.strip())
        marks.add(mark)
    if not marks:
        raise CountdownError("bad_marks", text=text.strip())
    return tuple(sorted(marks, reverse=True))


DEFAULT_MARKS = parse_marks("3d,1d,3h,1h,10m")


@dataclass(frozen=True)
class CountdownFire:
    """One reminder post: when (UTC) and how much time is left then."""

    at: datetime
    left: timedelta


def plan_marks(
    deadline: datetime,
    marks: tuple[timedelta, ...],
    now: datetime,
    tz: str | ZoneInfo = DEFAULT_TZ,
) -> tuple[CountdownFire, ...]:
    """The reminder posts still ahead of `now`, in time order.

    Marks that would fall at or before `now` are dropped (a countdown made 2 hours before the
    end gets no "3 days left"); a deadline not after `now` is refused, named on `tz`'s clock,
    and so is one closer than every mark: it would count down without a single reminder.
    """
    ensure_future(deadline, zone(tz), now, code="deadline_past")
    fires = [CountdownFire((deadline - mark).astimezone(UTC), mark) for mark in set(marks)]
    ahead = tuple(sorted((f for f in fires if f.at > now), key=lambda f: f.at))
    if not ahead:
        raise _no_marks_left(deadline - now, marks)
    return ahead


def _no_marks_left(left: timedelta, marks: tuple[timedelta, ...]) -> CountdownError:
    # Half the time left is a mark that still fits (a minute, the shortest, at the least).
    example = f"{max(1, math.ceil(left.total_seconds() / 60) // 2)}m"
    return CountdownError(
        "no_marks_left",
        **{f"left_{lang}": format_left(left, lang) for lang in ("zh", "en")},
        **{f"marks_{lang}": marks_text(marks, lang) for lang in ("zh", "en")},
        example=example,
    )


def marks_text(marks: tuple[timedelta, ...], lang: str) -> str:
    """`3 天、1 天` / `3 days, 1 day`: marks as the replies name them, longest first."""
    shown = [format_left(mark, lang) for mark in sorted(marks, reverse=True)]
    return ("、" if lang_of(lang) == "zh" else ", ").join(shown)


def format_left(left: timedelta, lang: str) -> str:
    """`3 天` / `3 days`, `1 小时 30 分钟` / `1 hour 30 minutes`."""
    return format_duration(left, lang)


def render_countdown(left: timedelta, lang: str, text: str = "") -> str:
    """The reminder post: `text` with `{left}` filled in, or `text` + "3 days left".

    Only `{left}` is substituted (not str.format), so braces in an operator's text are safe.
    """
    words = COUNTDOWN[lang_of(lang)]
    shown = format_left(left, lang)
    if LEFT_PLACEHOLDER in text:
        return text.replace(LEFT_PLACEHOLDER, shown)
    if text.strip():
        return words["titled_left"].replace("{text}", text.strip()).replace("{left}", shown)
    return words["left"].replace("{left}", shown)


def render_ended(lang: str, text: str = "") -> str:
    """The post at the deadline when the end action is `announce`."""
    words = COUNTDOWN[lang_of(lang)]
    # A `{left}` template is a sentence about the time left; it has no title to reuse.
    if LEFT_PLACEHOLDER in text or not text.strip():
        return words["ended"]
    return words["titled_ended"].replace("{text}", text.strip())


@dataclass(frozen=True)
class CountdownRequest:
    """Parsed `/countdown` arguments; `deadline` is UTC, `text` may hold `{left}`."""

    deadline: datetime
    text: str
    marks: tuple[timedelta, ...]
    end: EndAction
    tz: str
    # Only a date was given: the deadline is the start of that day, which the reply says.
    whole_day: bool = False
    # The operator chose the marks (`marks=`): the reply names those that cannot be kept.
    marks_given: bool = False

    def plan(self, now: datetime) -> tuple[CountdownFire, ...]:
        """The reminder posts still ahead of `now`."""
        return plan_marks(self.deadline, self.marks, now, self.tz)

    def dropped(self, now: datetime) -> tuple[timedelta, ...]:
        """The marks that fall at or before `now`, longest first: no reminder is posted for
        them."""
        return tuple(mark for mark in self.marks if self.deadline - mark <= now)


def has_options(text: str) -> bool:
    """Whether `text` holds a `marks=` / `end=` option (in either language)."""
    return _OPTION.search(normalize(text)) is not None


def parse_countdown_args(
    args: str,
    tz: str | ZoneInfo = DEFAULT_TZ,
    *,
    now: datetime,
    default_marks: tuple[timedelta, ...] = DEFAULT_MARKS,
    default_end: EndAction = "announce",
) -> CountdownRequest:
    """Read `<deadline> <text> [marks=3d,1d,1h] [end=announce|close|dissolve]`.

    The deadline is `2026-12-01 20:00`, `12-01 20:00`, `dec 1 8pm`, `明天 20:00`, `周五 20:00`,
    `晚8点`, `in 3h`... in the group's timezone; a date alone (`12月1日`) is the start of that
    day. Raises CountdownError for bad deadlines, marks or end actions and ScheduleInPastError
    (code `deadline_past`) for a deadline already gone.
    """
    group_zone = zone(tz)
    options: dict[str, str] = {}
    rest_parts, cursor = [], 0
    # Options are found in the normalized text; the same-length fold keeps offsets aligned.
    for match in _OPTION.finditer(normalize(args)):
        rest_parts.append(args[cursor : match.start()])
        options[_OPTION_KEYS[match[1].lower()]] = match[2]
        cursor = match.end()
    rest_parts.append(args[cursor:])
    remaining = " ".join(part.strip() for part in rest_parts if part.strip())

    marks = parse_marks(options["marks"]) if "marks" in options else default_marks
    end = _END_ALIASES.get(options.get("end", default_end).lower())
    if end is None:
        raise CountdownError("bad_end")
    moment, text = _deadline(remaining, group_zone, now)
    if not text.strip():
        # Each reminder and the end say what the countdown is for: without a name they would
        # read "还剩 1 小时" of nothing.
        raise CountdownError("no_countdown_text")
    return CountdownRequest(
        moment.at, text, marks, end, group_zone.key, moment.whole_day, "marks" in options
    )


def _deadline(text: str, group_zone: ZoneInfo, now: datetime) -> tuple[Moment, str]:
    """The deadline at the start of `text` and the words after it (`bad_deadline` when no
    moment starts it; `deadline_past` when it has gone)."""
    try:
        return parse_moment(text, group_zone, now, past_code="deadline_past", whole_day=True)
    except ScheduleSyntaxError as exc:
        if exc.code != "bad_syntax":
            raise
        raise CountdownError("bad_deadline", text=text.strip()) from None


def countdown_from_fields(
    deadline: str,
    text: str,
    tz: str | ZoneInfo = DEFAULT_TZ,
    *,
    now: datetime,
    marks: str | None = None,
    end: str | None = None,
) -> CountdownRequest:
    """The API's countdown: each field read for itself, as `parse_countdown_args` reads the
    parts of a chat line. Joined into one line, a field's words were read as another's: marks
    written "1d, 1h" left "1h" in the text, a date-alone deadline took its time from the
    text, and an `end=` inside the deadline or the marks was obeyed."""
    group_zone = zone(tz)
    chosen = _END_ALIASES.get((end or "announce").strip().lower())
    if chosen is None:
        raise CountdownError("bad_end")
    moment, rest = _deadline(deadline, group_zone, now)
    if rest:
        raise CountdownError("bad_deadline", text=deadline.strip())
    if not text.strip():
        raise CountdownError("no_countdown_text")
    return CountdownRequest(
        moment.at,
        text,
        DEFAULT_MARKS if marks is None else parse_marks(marks),
        chosen,
        group_zone.key,
        moment.whole_day,
        marks is not None,
    )
