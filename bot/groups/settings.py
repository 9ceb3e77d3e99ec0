"""The typed schema of a group's settings, stored as JSON on the group row.

Unknown keys are kept so a newer release's settings survive a rollback.
"""

from __future__ import annotations

import re
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator

MAX_TAGS = 20
MAX_TAG_LENGTH = 32
TAG_SEPARATORS = re.compile(r"[,，、]")
CLEAR_WORDS = ("none", "-", "无", "清空")


class GroupKind(StrEnum):
    GENERAL = "general"
    FLASH = "flash"
    NEWCOMER = "newcomer"
    SUPER_USER = "super"
    DELIVERY = "delivery"
    FAN = "fan"


class Language(StrEnum):
    AUTO = "auto"
    ZH = "zh"
    EN = "en"


class GroupSettings(BaseModel):
    model_config = ConfigDict(extra="allow", validate_assignment=True)

    kind: GroupKind = GroupKind.GENERAL
    language: Language = Language.AUTO
    timezone: str | None = None
    operators: list[str] = []
    # Labels a global operator's job can aim at (`/schedule add ... to=tag:vip`).
    tags: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        # OSError: a name that is a folder of the database ("Asia") or too long for a file name.
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_list(cls, value: object) -> object:
        """`vip,付费` (as typed after /settings tags) becomes a list; `none` clears it."""
        if isinstance(value, str):
            if value.strip().lower() in CLEAR_WORDS:
                return []
            value = [part.strip() for part in TAG_SEPARATORS.split(value)]
        if isinstance(value, list):
            tags = list(dict.fromkeys(t for t in value if isinstance(t, str) and t))
            if len(tags) > MAX_TAGS:
                raise ValueError(f"at most {MAX_TAGS} tags")
            for tag in tags:
                if len(tag) > MAX_TAG_LENGTH or any(c.isspace() for c in tag):
                    raise ValueError(f"bad tag {tag[:40]!r}: one word of at most {MAX_TAG_LENGTH}")
            return tags
        return value


def load_group_settings(data: dict | None) -> GroupSettings:
    """Read stored settings; a corrupt document falls back to defaults rather than crash."""
    try:
        return GroupSettings.model_validate(data or {})
    except ValueError:
        return GroupSettings()
