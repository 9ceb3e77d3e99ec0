"""The platform-neutral description of a message that the ad filter judges."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MessageFeatures:
    """What the filter needs to know about one message, filled in by a platform adapter.

    `urls` carries links the platform reports in entities (including links hidden behind text,
    which never appear in `text`) and under the message's buttons; links written in the text
    itself are found by the filter.
    `member_message_count` is how many ordinary messages the sender had posted in this group
    before this one (not commands, not ads removed; None when unknown); `is_new_member` lets
    the caller force the new-member rules, e.g. for someone who joined minutes ago.
    `is_reply`: the message answers another member's message (a short answer is conversation).
    `to_other_bot`: the message is a command to another bot in the group ("/play 晴天" to a music
    bot), with the command itself left out of `text`.
    `introduces`: the member's first self-introduction, tagged #intro / #自我介绍 as the bot's
    prompt to newcomers asks.
    Operators and admins should be exempted by the caller.
    """

    text: str = ""
    urls: tuple[str, ...] = ()
    is_forwarded_from_channel: bool = False
    forward_source: str | None = None
    has_photo: bool = False
    member_message_count: int | None = None
    is_new_member: bool = False
    is_reply: bool = False  # answers another member's message
    to_other_bot: bool = False  # a command to another bot: that bot's input, not chat
    introduces: bool = False  # a tagged self-introduction, the member's first
