"""Forwarded channel posts and the new-member window."""

from __future__ import annotations

from handlers.adfilter.config import FilterConfig
from handlers.adfilter.features import MessageFeatures
from handlers.adfilter.normalize import Normalized
from handlers.adfilter.verdict import Verdict

# The verdicts of nearly every message, built once rather than per message.
NOT_FORWARDED = Verdict("forward", False, 0.0, "not forwarded from a channel")
ESTABLISHED = Verdict("new_member", False, 0.0, "established member: normal rules")


def check_forward(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """A channel post forwarded by a new member is spam; by a regular, weak evidence.

    Promotion bots join and forward their channel's posts, while members forwarding news from
    a channel they follow is normal, so only the new-member case is conclusive.
    """
    name = "forward"
    if not message.is_forwarded_from_channel:
        return NOT_FORWARDED
    source = message.forward_source or "unknown channel"
    allowed = {s.casefold().lstrip("@") for s in config.allowed_forward_sources}
    if source.casefold().lstrip("@") in allowed:
        return Verdict(name, False, 0.0, f"forwarded from allowed channel {source}")
    if config.is_new(message):
        return Verdict(name, True, 0.9, f"new member forwarded a post from {source}")
    return Verdict(name, False, 0.35, f"forwarded a post from {source}")


def check_new_member(message: MessageFeatures, norm: Normalized, config: FilterConfig) -> Verdict:
    """Record whether the strict new-member rules applied, and flag a new member's promo photo.

    A new member's first message being a photo with a caption that mentions an account is the
    usual shape of image ads (the text lives in the picture, out of reach of text checks).
    """
    name = "new_member"
    if not config.is_new(message):
        return ESTABLISHED
    count = message.member_message_count
    where = f"message {count + 1} of the first {config.new_member_messages}" if count is not None \
        else "recently joined"
    if message.has_photo and "@" in norm.plain:
        why = f"new member ({where}) posted a photo mentioning an account"
        return Verdict(name, False, 0.6, why)
    return Verdict(name, False, 0.0, f"new member ({where}): strict rules")
