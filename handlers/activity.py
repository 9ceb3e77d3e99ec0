"""Counts the messages members post in each group, for the digest and the inactivity check.

A member's message is something a person posted in the group: text, a caption, media, a
sticker, a poll... Not a service notice (joins, leaves, pins, title changes), not a command to
a bot, nor one typed as a word (签到, 打卡, the group's own check-in words, 抢), not an edit,
a button press or a member update (other event kinds), not a bot's own message, and not the
linked channel's copy of its post. Ads the filter removes are halted before this router and
recorded by the moderation code as removed (`bot.groups.activity`). The same messages, those
with text or a caption, make up each member's message count (the ad filter's new-member window).
"""

from __future__ import annotations

from bot.core.actions import Action
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import Router
from bot.db.models import Group
from bot.groups import activity
from handlers.checkin_words import is_checkin_text
from handlers.redpacket import is_claim_word

router = Router("activity")


def is_member_message(event: Event) -> bool:
    """Whether the event is a message a member posted in a group (see the module)."""
    if event.kind is not EventKind.MESSAGE or not event.chat.is_group or event.user is None:
        return False
    if event.service or event.bot_command or event.from_linked_channel:
        return False
    # A member posting as a channel and an anonymous admin arrive from placeholder bot
    # accounts, with the chat they speak as: people all the same.
    return not event.user.is_bot or event.sender_chat is not None


def is_word_command(text: str, group: Group, bot_username: str | None = None) -> bool:
    """Whether a message is a command typed as a word: a check-in word (also said to the bot
    `bot_username`) or a red-packet claim.

    Like /checkin they are not chat: a newcomer who sends 签到 three times has said nothing
    yet, and must not leave the ad filter's new-member window by it.
    """
    return is_checkin_text(text, group, bot_username) or is_claim_word(text)


@router.on(EventKind.MESSAGE, when=is_member_message)
async def count_message(event: Event, ctx: Context) -> list[Action]:
    if ctx.group is None or event.user is None:
        return []
    me = event.me.username if event.me else None
    if event.text and is_word_command(event.text, ctx.group, me):
        return []
    channel = event.sent_as_channel
    sender = channel or event.user
    # A channel's message is the channel's, not that of the placeholder account it came from.
    member = ctx.member if channel is None else None
    activity.record(
        ctx.session,
        ctx.group.id,
        sender.id,
        event.message_id,
        event.at,
        member,
        worded=bool((event.text or "").strip()),
    )
    return []
