"""Middlewares fill in the `Context` before any handler runs, in this order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.i18n import pick_language
from bot.core.rights import is_operator
from bot.groups.repository import (
    GONE,
    get_or_create_group,
    get_or_create_member,
    migrate_group,
    role_for_status,
)
from bot.groups.settings import load_group_settings
from bot.outbox.store import call_off_chat
from bot.settings import Settings

Middleware = Callable[[Event, Context, Settings], Awaitable[None]]

JOINED = {"member", "administrator", "creator", "restricted"}


async def load_group(event: Event, ctx: Context, settings: Settings) -> None:
    ctx.default_tz = ZoneInfo(settings.timezone)
    if event.kind is EventKind.CHAT_MIGRATED and event.migrate_to_chat_id:
        await migrate_group(ctx.session, event.platform, event.chat.id, event.migrate_to_chat_id)
        return
    if not event.chat.is_group:
        return
    # The new supergroup's notice may be processed before the old chat's `migrate_to` one.
    if event.migrate_from_chat_id:
        await migrate_group(ctx.session, event.platform, event.migrate_from_chat_id, event.chat.id)
    ctx.group = await get_or_create_group(ctx.session, event.platform, event.chat)
    ctx.group_settings = load_group_settings(ctx.group.settings)
    ctx.tz = ZoneInfo(ctx.group_settings.timezone or settings.timezone)


async def load_member(event: Event, ctx: Context, settings: Settings) -> None:
    if ctx.group is None or event.user is None:
        return
    # Not counted here: only an ordinary message counts, known once the gates have passed it
    # (`handlers.activity`).
    ctx.member = await get_or_create_member(ctx.session, ctx.group, event.user, ctx.now)


async def track_membership(event: Event, ctx: Context, settings: Settings) -> None:
    """Keep member rows' status, role, join time and source in step with the platform."""
    if ctx.group is None:
        return
    if event.kind is EventKind.MEMBER_JOINED:
        arrivals = []
        for user in event.members:
            member = await get_or_create_member(ctx.session, ctx.group, user, ctx.now)
            if _joined(member, event, user.id):
                arrivals.append(user)
        ctx.arrivals = tuple(arrivals)
    elif event.kind is EventKind.MEMBER_LEFT:
        for user in event.members:
            member = await get_or_create_member(ctx.session, ctx.group, user, ctx.now)
            member.status, member.left_at = "left", event.at
    elif event.kind is EventKind.BOT_MEMBERSHIP:
        ctx.group.bot_status = event.new_status
        if event.new_status in GONE:
            # Removed, or left at the end of a dissolve: what waits to be sent there would fail.
            await call_off_chat(ctx.session, ctx.group.platform, ctx.group.chat_id,
                                f"the bot is no longer in the group ({event.new_status})")
        else:
            # Just added or promoted: the admin list may only now be readable, so read it soon.
            ctx.group.sync_after = None
    elif event.kind is EventKind.MEMBER_CHECKED and ctx.member is not None:
        # The platform's answer to the bot's own question: a member is confirmed; someone not
        # in the group (a stranger whose row the press made, or a member gone unseen) is
        # recorded as such, so the next press is refused without asking again.
        if event.new_status in JOINED:
            ctx.member.confirmed_at = event.at
        _take_status(ctx.member, event.new_status)
    elif event.kind is EventKind.MEMBER_UPDATED and event.members:
        member = await get_or_create_member(ctx.session, ctx.group, event.members[0], ctx.now)
        if event.new_status in GONE:
            member.left_at = event.at
        elif event.old_status in GONE and event.new_status in JOINED and _joined(
                member, event, event.members[0].id):
            ctx.arrivals = event.members
        _take_status(member, event.new_status)


def _take_status(member, status: str | None) -> None:
    """Keep a member's role and status as the platform reports them (an operator's role, ours
    to give, stays)."""
    role = role_for_status(status)
    if role is not None and member.role != "operator":
        member.role = role
    if status in GONE:
        member.status = status
    elif status in JOINED:
        member.status = "restricted" if status == "restricted" else "member"


# Telegram tells of one join twice in groups small enough for join messages (the message and
# a member update, in either order), both dated when it happened.
SAME_JOIN = timedelta(seconds=10)


def _joined(member, event: Event, user_id: str) -> bool:
    """Record a join and where the member came from: an invite link, or who added them.
    False when it is the second word of a join already recorded (its source still kept: only
    the member update names the invite link)."""
    again = (
        member.status in ("member", "restricted")
        and member.joined_at is not None
        and abs(event.at - member.joined_at) <= SAME_JOIN
    )
    if not again:
        member.status, member.joined_at, member.left_at = "member", event.at, None
    if event.invite_link_name:
        member.source = f"link:{event.invite_link_name}"
    elif event.inviter and event.inviter.id != user_id and not again:
        member.source = f"added_by:{event.inviter.id}"
    return not again


async def operator_rights(event: Event, ctx: Context, settings: Settings) -> None:
    ctx.platform_operators = tuple(settings.operators)
    if event.user is None:
        return
    # An anonymous admin posts as the group itself (behind a placeholder account shared by all
    # of them): only the group's admins can.
    anonymous_admin = event.sender_chat is not None and event.sender_chat.id == event.chat.id
    ctx.is_operator = anonymous_admin or is_operator(
        event.user.id,
        ctx.member.role if ctx.member is not None else None,
        ctx.platform_operators,
        ctx.group_settings.operators,
    )


async def language(event: Event, ctx: Context, settings: Settings) -> None:
    user_lang = event.user.language_code if event.user else None
    ctx.lang = pick_language(ctx.group_settings.language.value, user_lang)


MIDDLEWARES: tuple[Middleware, ...] = (
    load_group,
    load_member,
    track_membership,
    operator_rights,
    language,
)
