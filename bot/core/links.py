"""Links that open the bot's private chat and hand it a payload: a member who never wrote to
the bot cannot be written to first (Telegram answers 403), but can follow such a link."""

from __future__ import annotations

import re

from bot.core.events import Event

# What a platform opens for its start links; the bot receives `/start <payload>`.
_START_LINKS = {"telegram": "https://t.me/{username}?start={payload}"}
# Telegram takes up to 64 of these characters as a start payload.
PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


def start_link(event: Event, payload: str) -> str | None:
    """The link into the bot's private chat that sends it `/start <payload>`; None where the
    platform has none or the bot's username is not known yet (it is learned after start)."""
    if not PAYLOAD.fullmatch(payload):
        raise ValueError(f"not a start payload: {payload!r}")
    template = _START_LINKS.get(event.platform)
    me = event.me
    if template is None or me is None or not me.username:
        return None
    return template.format(username=me.username, payload=payload)


def message_link(event: Event, message_id: str) -> str | None:
    """A link that opens message `message_id` of the event's chat for its members; None where
    there is none to make (not Telegram, or a basic group, whose messages have no links)."""
    chat = event.chat.id
    if event.platform != "telegram" or not chat.startswith("-100"):
        return None
    # A supergroup's id is -100 followed by the number its links use.
    return f"https://t.me/c/{chat.removeprefix('-100')}/{message_id}"
