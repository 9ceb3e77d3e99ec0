"""What still holds a member once one decision on them is undone.

Undoing a decision lifts only what that decision still holds: an older mute undone while a
later mute (the filter's, reports', an operator's `/mute`) or a ban keeps the member out must
not free them, nor an older ban undone while an operator's later `/ban` stands. The member's
row knows the mute in force (`Member.muted_until`, the latest mute wins), whether they are
banned, and when an operator banned them by hand (`Member.banned_at`); a later ban decision
says so too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.core.context import Context
from bot.db.models import Member
from handlers.moderation import adfilter_settings
from handlers.moderation_store import ModerationDecision, later_ban


@dataclass(frozen=True)
class Holding:
    """What keeps applying to the member after the undo: a ban, another mute until
    `muted_until`."""

    banned: bool = False
    muted_until: datetime | None = None

    @property
    def anything(self) -> bool:
        return self.banned or self.muted_until is not None


async def holding(ctx: Context, decision: ModerationDecision) -> Holding:
    """What besides `decision` restricts its member now (nothing for a shadow decision)."""
    if decision.shadow:
        return Holding()
    banned = await later_ban(ctx.session, decision)
    member = await ctx.session.scalar(
        select(Member).where(Member.group_id == decision.group_id,
                             Member.user_id == decision.user_id)
    )
    if decision.action != "mute":
        # A member banned by this decision is kicked by it too: only an operator's ban given
        # since, and not lifted (the platform's word that they are back clears the status),
        # still holds them.
        by_hand = (member is not None and member.status == "kicked"
                   and member.banned_at is not None and member.banned_at > decision.at)
        return Holding(banned=banned or by_hand)
    if member is not None and member.status == "kicked":
        banned = True  # a member muted was in the group: their ban came later
    until = member.muted_until if member is not None else None
    own_end = decision.until or decision.at + adfilter_settings(ctx.group).mute_length
    if until is None or until <= ctx.now or until == own_end:
        return Holding(banned=banned)
    return Holding(banned=banned, muted_until=until)
