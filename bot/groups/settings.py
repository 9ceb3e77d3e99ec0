"""The typed schema of a group's settings, stored as JSON on the group row.

Unknown keys are kept so a newer release's settings survive a rollback.
"""

from __future__ import annotations

from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, field_validator


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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value


def load_group_settings(data: dict | None) -> GroupSettings:
    """Read stored settings; a corrupt document falls back to defaults rather than crash."""
    try:
        return GroupSettings.model_validate(data or {})
    except ValueError:
        return GroupSettings()
