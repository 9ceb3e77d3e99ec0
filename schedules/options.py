"""Job options written after the time in `/schedule add`: how late a missed post may still go
out (`grace=10m`, `grace=none`) and where it goes (`to=type:flash`, `to=tag:vip`,
`to=groups:-1001,-1002`), with Chinese aliases (`宽限=`, `发到=`, `类型:`, `标签:`, `群:`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.groups.repository import find_current_group
from bot.groups.settings import read_kind
from schedules.errors import ScheduleError
from schedules.misfire import DEFAULT_GRACE
from schedules.timewords import parse_duration

_OPTION = re.compile(r"(?:^|\s)(grace|宽限|to|发到|发给)\s*[=＝]\s*(\S+)", re.IGNORECASE)
_NO_LIMIT = {"none", "no", "off", "unlimited", "不限", "无", "无限"}
_TARGET = re.compile(r"(type|kind|类型|tag|标签|groups?|群)[:：](.+)", re.IGNORECASE)


@dataclass(frozen=True)
class JobOptions:
    """Options found in a command; `target` empty means the group the command came from."""

    grace: timedelta | None = DEFAULT_GRACE
    target: dict[str, Any] = field(default_factory=dict)


def split_options(text: str) -> tuple[str, JobOptions]:
    """Take the options out of `text`; returns the remaining text and the options.

    Raises ScheduleError (showing the right form) for a bad grace or target.
    """
    grace: timedelta | None = DEFAULT_GRACE
    target: dict[str, Any] = {}
    for match in _OPTION.finditer(text):
        name, value = match[1].lower(), match[2]
        if name in ("grace", "宽限"):
            grace = parse_grace(value)
        else:
            target = parse_target(value)
    # Each option goes with the space before it; the text keeps its own spacing and lines (a
    # morning post is often a title, then a list).
    rest = _OPTION.sub("", text).strip()
    return rest, JobOptions(grace, target)


def parse_grace(value: str) -> timedelta | None:
    """`10m`, `2h`, `1天` -> a duration; `none` / `不限` -> None (no limit)."""
    if value.lower() in _NO_LIMIT:
        return None
    duration = parse_duration(value)
    if duration is None:
        raise ScheduleError("bad_grace", text=value)
    return duration


def parse_target(value: str) -> dict[str, Any]:
    """`type:flash` -> {"kind": "flash"}; `tag:vip` -> {"tag": "vip"};
    `groups:-1001,-1002` -> {"chats": ["-1001", "-1002"]} (resolved by `resolve_target`)."""
    match = _TARGET.fullmatch(value)
    if match is None:
        raise ScheduleError("bad_target", text=value)
    what, rest = match[1].lower(), match[2].strip()
    if what in ("type", "kind", "类型"):
        kind = read_kind(rest)
        if kind is None:
            raise ScheduleError("bad_target", text=value)
        return {"kind": kind.value}
    if what in ("tag", "标签"):
        return {"tag": rest.casefold()}  # as group tags are stored
    chats = [part for part in re.split(r"[,，]", rest) if part]
    if not chats or not all(re.fullmatch(r"-?\d+", part) for part in chats):
        raise ScheduleError("bad_target", text=value)
    return {"chats": chats}


async def resolve_target(session: AsyncSession, platform: str, target: dict) -> dict:
    """Turn chat ids (what operators see) into our group ids; unknown chats raise. A chat id a
    group had before its upgrade to a supergroup names that group."""
    if "chats" not in target:
        return target
    found = {}
    for chat in target["chats"]:
        group = await find_current_group(session, platform, chat)
        if group is not None:
            found[chat] = group.id
    missing = [chat for chat in target["chats"] if chat not in found]
    if missing:
        raise ScheduleError("unknown_groups", ids=", ".join(missing))
    return {"groups": list(dict.fromkeys(found[chat] for chat in target["chats"]))}
