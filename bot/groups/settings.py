"""The typed schema of a group's settings, stored as JSON on the group row.

Unknown keys are kept so a newer release's settings survive a rollback.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from bot.core.i18n import pick_language
from bot.settings import zone_named

if TYPE_CHECKING:
    from bot.db.models import Group

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


# What operators call the kinds, besides their English names ("快闪" or "快闪群" for flash),
# the names the bot itself gives them ("粉丝群", "super-user") among them.
_KIND_WORDS = {
    "普通": GroupKind.GENERAL,
    "快闪": GroupKind.FLASH,
    "新人": GroupKind.NEWCOMER,
    "新用户": GroupKind.NEWCOMER,
    "超级用户": GroupKind.SUPER_USER,
    "超级": GroupKind.SUPER_USER,
    "super-user": GroupKind.SUPER_USER,
    "superuser": GroupKind.SUPER_USER,
    "交付": GroupKind.DELIVERY,
    "铁粉": GroupKind.FAN,
    "粉丝": GroupKind.FAN,
}


def read_kind(word: str) -> GroupKind | None:
    """The group kind an operator names: "flash", "Flash", "快闪", "快闪群"; None if none."""
    word = word.strip().lower()
    try:
        return GroupKind(word)
    except ValueError:
        return _KIND_WORDS.get(word.removesuffix("群"))


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
    # Labels a global operator's job can aim at (`/schedule add ... to=tag:vip`), casefolded:
    # a group tagged "VIP" must get what `to=tag:vip` sends.
    tags: list[str] = []

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_word(cls, value: object) -> object:
        """`/settings kind 快闪` as well as `flash` (what /template and /schedule take)."""
        if isinstance(value, str) and (kind := read_kind(value)) is not None:
            return kind
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        zone_named(value)
        return value

    @field_validator("tags", mode="before")
    @classmethod
    def _tag_list(cls, value: object) -> object:
        """`vip,付费` (as typed after /settings tags) becomes a list; `none` clears it. Read
        from storage too, so tags saved before they were casefolded compare casefolded."""
        if isinstance(value, str):
            if value.strip().lower() in CLEAR_WORDS:
                return []
            value = [part.strip() for part in TAG_SEPARATORS.split(value)]
        if isinstance(value, list):
            tags = list(dict.fromkeys(t.casefold() for t in value if isinstance(t, str) and t))
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


def unasked_language(settings: GroupSettings) -> str:
    """The language of what no member's message asked for (a job's post, a note to the
    operators from a background job or the group sync, a review card): the group's fixed
    language; an `auto` group, with no speaker to follow, gets Chinese, as
    `bot.core.i18n.pick_language` gives it for a speaker unknown. Every such text is in this
    one, so an operator of an `auto` group reads them all in one language."""
    return pick_language(settings.language.value, None)


def group_lang(group: Group) -> str:
    """`unasked_language` of `group`."""
    return unasked_language(load_group_settings(group.settings))


def with_changes(stored: object, value: BaseModel) -> dict[str, Any]:
    """Section `stored` with the fields `value` changed in it: those whose value differs from
    what `stored` reads as (defaults included); the rest stay as stored. A write of one field
    thus says nothing of the others, and a writer changing another meanwhile keeps its change
    (`bot.groups.settings_writes`). A section its model cannot read is replaced whole."""
    current = stored if isinstance(stored, dict) else {}
    after = value.model_dump(mode="json")
    try:
        before = type(value).model_validate(current).model_dump(mode="json")
    except ValidationError:
        return after
    return {**current, **{key: new for key, new in after.items() if before.get(key) != new}}
