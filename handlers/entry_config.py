"""Typed settings sections of the entry capabilities, stored in `Group.settings` by name.

Sections: `welcome`, `verification`, `screening`, `raid`, `icebreaker`; plus `entry_state`, the
group's volatile entry bookkeeping (recent joins, raid flag, send budget).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.db.models import Group
from bot.groups.settings import with_changes


class _Section(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WelcomeConfig(_Section):
    enabled: bool = True
    # None: the built-in text of the group's language (ceremony text for super-user groups).
    template: str | None = None
    buttons: bool = True
    # Greetings are deleted after this long so a busy group's history is not all welcomes.
    delete_after_seconds: int | None = 600
    # Joins within this window share one greeting; the greeting goes out when it closes.
    batch_seconds: float = 3.0
    raid_batch_seconds: float = 30.0
    # A join older than this is replayed backlog: no greeting, verification still applies.
    stale_seconds: int = 180
    # Messages per minute welcome and verification may send to the group together.
    budget_per_minute: int = 6


class VerificationConfig(_Section):
    enabled: bool = False
    mode: Literal["button", "question"] = "button"
    timeout_seconds: int = 120
    raid_timeout_seconds: int = 60


class ScreeningConfig(_Section):
    mode: Literal["open", "code", "review", "allowlist"] = "open"
    # Unlimited codes accepted as invite link names or private replies; counted, expiring
    # codes live in the `invite_codes` table (`/code add`).
    codes: list[str] = []
    allowlist: list[str] = []
    rules: str | None = None
    # Review groups with questions ask them privately; without, the request goes straight to
    # the operators.
    questions: list[str] = []
    code_tries: int = 3
    reply_minutes: int = 30
    # The operators' chat for review cards; None posts them in the group.
    review_chat_id: str | None = None


class RaidConfig(_Section):
    threshold: int = Field(default=10, ge=2, le=10_000)
    window_seconds: int = Field(default=60, ge=5, le=3600)
    # The operators' own chat for raid notices and every other note meant for operators
    # (`handlers.operator_notes`); None: they go elsewhere, as that module says.
    alert_chat_id: str | None = None


class IcebreakerConfig(_Section):
    # None: the built-in prompt of the group's language. {name} names the newcomers.
    intro_template: str | None = Field(default=None, max_length=1000)
    intro_min_chars: int = Field(default=30, ge=1, le=1000)
    intro_within_hours: int = Field(default=24, ge=1, le=720)
    round_minutes: int = Field(default=10, ge=1, le=1440)
    # When a round ends: post who answered, and pay each of them (0: no points), within the
    # daily cap of activity points (`handlers.icebreaker_rounds`).
    round_result: bool = True
    round_points: int = Field(default=3, ge=0, le=1000)


class EntryState(_Section):
    joins: list[datetime] = []
    raid: bool = False
    sent: list[datetime] = []
    # The bot's right to restrict members as the platform last told it (None: never told), and
    # whether the operators heard that verification is paused without it (`entry_rights`).
    can_restrict: bool | None = None
    told_cannot_restrict: bool = False
    # The admin rights the bot lacked when the operators last heard of its rights (None: never),
    # so a change is told once and a repeat of the same rights not at all (`guide`).
    told_missing_rights: list[str] | None = None


S = TypeVar("S", bound=_Section)

SECTIONS: dict[type[_Section], str] = {
    WelcomeConfig: "welcome",
    VerificationConfig: "verification",
    ScreeningConfig: "screening",
    RaidConfig: "raid",
    IcebreakerConfig: "icebreaker",
    EntryState: "entry_state",
}


def load(group: Group | None, section: type[S]) -> S:
    """Read one section; missing or corrupt sections fall back to defaults rather than crash."""
    data = (group.settings or {}).get(SECTIONS[section]) if group is not None else None
    try:
        return section.model_validate(data or {})
    except ValidationError:
        return section()


def save(group: Group, value: _Section) -> None:
    """Write what changed in one section; a new dict so the JSON column sees the change."""
    name = SECTIONS[type(value)]
    settings = group.settings or {}
    group.settings = {**settings, name: with_changes(settings.get(name), value)}
