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


def report_counts(ctx: Context, conf: AdFilterSettings, reporter: User | Chat) -> bool:
    """True when `reporter`'s report counts toward `conf.report_threshold`.

    `ctx.member` is the reporter's row (the middleware loaded it for the event's sender).
    A member seen before the bot (no recorded join) is judged by their messages alone.
    """
    member = ctx.member
    if isinstance(reporter, Chat):
        return False
    if ctx.is_operator:
        return True
    if member is None or member.user_id != reporter.id:
        return False
    if member.joined_at is not None and ctx.now - member.joined_at < SETTLED:
        return False
    seen = MessageFeatures(text="", member_message_count=member.message_count or 0)
    return not conf.filter_config().is_new(seen)
