"""Whose `/report` counts toward a group's report threshold.

Reports let members remove a message and mute its sender before an operator arrives, so they
must stand for members the group knows: three accounts made for the purpose, joining and
reporting at once, could otherwise silence any member. A report counts only from a member past
the ad filter's new-member window (the same `FilterConfig.is_new` the gate judges by) who
joined at least `SETTLED` ago, or from an operator. A channel has no history in the group (the
gate judges it as new) and one person may own any number of them: its reports never count.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.context import Context
from bot.core.events import Chat, User
from handlers.adfilter import MessageFeatures
from handlers.moderation import AdFilterSettings

SETTLED = timedelta(days=1)


# Why a report does not count, as `ModerationReport.not_counted` keeps it.
CHANNEL, FRESH, NEW, UNSEEN = "channel", "fresh", "new", "unseen"


def not_counted(ctx: Context, conf: AdFilterSettings, reporter: User | Chat) -> str | None:
    """Why `reporter`'s report does not count toward `conf.report_threshold` (CHANNEL, FRESH:
    joined less than `SETTLED` ago, NEW: within the filter's new-member window, UNSEEN: no
    record of them here); None when it counts.

    `ctx.member` is the reporter's row (the middleware loaded it for the event's sender).
    A member seen before the bot (no recorded join) is judged by their messages alone.
    """
    member = ctx.member
    if isinstance(reporter, Chat):
        return CHANNEL
    if ctx.is_operator:
        return None
    if member is None or member.user_id != reporter.id:
        return UNSEEN
    if member.joined_at is not None and ctx.now - member.joined_at < SETTLED:
        return FRESH
    seen = MessageFeatures(text="", member_message_count=member.message_count or 0)
    return NEW if conf.filter_config().is_new(seen) else None
