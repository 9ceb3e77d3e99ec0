"""The few things the core needs from a chat platform, and how a platform call can fail."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from bot.core.actions import Action
from bot.core.events import Event, EventKind, User


class BotRights(NamedTuple):
    """The bot's own rights in a group, as the platform says them now."""

    # Whether it may restrict members; None when the platform does not say (it is not in it).
    can_restrict: bool | None
    # Which of `BOT_RIGHTS` it lacks (all of them when no admin); None when it is not in it.
    missing: tuple[str, ...] | None


class UnsupportedUpdate(ValueError):
    """A payload that is not an update this platform adapter understands."""


class PlatformError(Exception):
    """A platform call failed; subclasses say whether trying again can help."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class RetryAfter(PlatformError):
    """The platform asks the whole bot to wait before any further call."""

    def __init__(self, seconds: float, description: str = "Too Many Requests") -> None:
        super().__init__(description)
        self.seconds = seconds


class TransientError(PlatformError):
    """Server error, timeout or network fault: the same call may succeed later."""


class PermanentError(PlatformError):
    """The platform refused the call itself (message gone, no rights...): never retried.

    `why` sorts the refusal for what follows it (`bot.core.actions._Settled.refused`):
    "request_gone" (a join request withdrawn, expired or decided in the app), "already_member"
    (the requester is in the group already), "nothing_to_lift" (the member is not restricted,
    or not banned), else "refused"."""

    def __init__(self, description: str, why: str = "refused") -> None:
        super().__init__(description)
        self.why = why


class FileTooLarge(PermanentError):
    """The file is bigger than the caller's cap; downloading it again will not help."""


class Unauthorized(PlatformError):
    """The platform refuses the bot's credentials (Telegram: the token was revoked or replaced):
    no call can succeed until they are replaced, and no call is at fault, so none is given up."""


class ChatMigrated(PlatformError):
    """The chat moved to a new id (Telegram: group upgraded to supergroup)."""

    def __init__(self, new_chat_id: str, description: str = "chat migrated") -> None:
        super().__init__(description)
        self.new_chat_id = new_chat_id


class TopicGone(PlatformError):
    """The forum topic a message was sent to is deleted or closed to the bot: the same message
    can go to the chat's General topic instead."""


@dataclass(frozen=True)
class Envelope:
    """What the webhook edge learns from a payload without parsing it fully."""

    update_id: int
    chat_key: str


class Platform(Protocol):
    """One chat platform. Handlers never see this; only the shell does."""

    name: str
    bot_id: str

    def envelope(self, data: Any) -> Envelope:
        """Validate the outline of an update; raises UnsupportedUpdate."""

    def parse(self, data: dict[str, Any], received: datetime | None = None) -> Event | None:
        """Turn an update into an event; None for updates that carry nothing to act on.
        `received` is when the update reached us (now when not given): the time of an event
        the platform does not date."""

    def is_group_chat(self, chat_id: str) -> bool:
        """Whether the platform's per-group message limits apply to this chat."""

    def subscriptions(self, kinds: Iterable[EventKind]) -> list[str]:
        """The platform's update types needed to receive these event kinds."""

    async def execute(self, action: Action) -> dict[str, Any] | None:
        """Perform one action; raises PlatformError subclasses on failure."""

    async def get_administrators(self, chat_id: str) -> list[tuple[User, str]]:
        """A group's administrators with their status ("creator" or "administrator");
        raises PlatformError subclasses on failure."""

    async def member_count(self, chat_id: str) -> int:
        """How many members a group has; raises PlatformError subclasses on failure."""

    async def member_status(self, chat_id: str, user_id: str) -> str:
        """Whether someone is in a group now, as a membership status ("member", "restricted",
        "administrator", "creator"; "left" or "kicked" when not in it); raises PlatformError
        subclasses on failure."""

    async def bot_rights(self, chat_id: str) -> BotRights:
        """What the bot may do in a group now (see `BotRights`); raises PlatformError
        subclasses on failure."""
