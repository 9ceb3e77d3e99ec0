"""Operators' own discipline commands: `/warn`, `/mute`, `/ban` and their reversal `/unmute`,
`/unban`, aimed by replying to a member's message or by naming them (`@username` or a user id).

The ad filter's ladder does the same steps on its own; these are for what no detector sees
(rudeness, off-topic fights). Operators, admins and allow-listed members cannot be targeted,
nor the bot itself (Telegram refuses to ban or restrict a bot itself, and a warning to it is
nonsense); other bots can.
A reply to a message a member posted as a channel targets the channel: it can be warned and
banned from posting in the group, not muted. A reply to an anonymous admin's message (posted as
the group itself) is refused like any aimed at an operator.
`/unmute` and `/unban` lift what any of these (or the ad filter, or Telegram's own member list)
did; they may name an allow-listed member, who may have been muted before being listed. The
platform is asked first whether the member is muted (or banned): one who is not is told so.
"""

from __future__ import annotations

import re
from datetime import timedelta

import structlog

from bot.core.actions import (
    Action,
    Ban,
    BanSenderChat,
    DeleteMessage,
    Restrict,
    SendMessage,
    Unban,
    UnbanSenderChat,
    Unrestrict,
)
from bot.core.context import Context
from bot.core.events import Chat, Event, User
from bot.core.i18n import define
from bot.core.router import ANY_AGE, Router
from bot.groups.repository import find_member, member_user, typed_user_id
from handlers.moderation_actions import display
from handlers.moderation_rights import is_exempt
from handlers.mutes import hold, release
from handlers.welcome_departures import forget
from schedules.describe import format_duration
from schedules.timewords import parse_duration

log = structlog.get_logger(__name__)

router = Router("discipline")

# Like /spam and /report (`handlers.moderation_commands`), the commands that act on a member
# still act when replayed after our downtime (ANY_AGE): a /ban typed during an outage was
# otherwise dropped without a word. /warn only speaks, so it keeps the usual age limit.

DEFAULT_MUTE = timedelta(hours=1)
MAX_MUTE = timedelta(days=366)  # Telegram treats longer restrictions as forever
MIN_MUTE = timedelta(minutes=1)
# A number with at most a latin unit ("30s", "1.5h", "-5m", "45") is meant as a length; one we
# cannot use is refused rather than read as the reason of a default mute.
LENGTH_LIKE = re.compile(r"[+-]?\d+(?:[.,]\d+)?[a-z]*", re.IGNORECASE)

define(
    {
        "discipline.usage": {
            "zh": "用法：回复成员的消息发送 /{command}，或 /{command} @用户名|用户ID{extra}",
            "en": "Usage: reply to a member's message with /{command}, or /{command} "
            "@username|user id{extra}",
        },
        "discipline.usage.mute": {
            "zh": " [时长，如 30m、2h、1d] [原因]",
            "en": " [30m|2h|1d] [reason]",
        },
        "discipline.usage.other": {"zh": " [原因]", "en": " [reason]"},
        "discipline.unknown": {
            "zh": "找不到成员 {who}：请回复他的消息，或使用他在本群的用户名或 ID",
            "en": "No member {who} here: reply to their message, or use their username or id",
        },
        "discipline.exempt": {
            "zh": "不能对管理员或白名单成员使用这个命令",
            "en": "This cannot be used on operators, admins or allow-listed members",
        },
        "discipline.anonymous_admin": {
            "zh": "这条消息是匿名管理员以群组身份发出的，不能对管理员使用 /{command}。",
            "en": "That message was posted by an anonymous admin (as the group): /{command} "
            "cannot be used on operators.",
        },
        "discipline.self": {
            "zh": "这是机器人自己的账号，不能对它使用 /{command}（要让机器人离开本群，"
            "请在群成员列表中移除它）。",
            "en": "That is the bot's own account: /{command} cannot be used on it (to make the "
            "bot leave the group, remove it in the member list).",
        },
        "discipline.warned": {
            "zh": "⚠️ {name}，请遵守群规。{reason}",
            "en": "⚠️ {name}, please keep to the group rules. {reason}",
        },
        "discipline.muted": {
            "zh": "已禁言 {name} {length}。{reason}",
            "en": "{name} is muted for {length}. {reason}",
        },
        "discipline.banned": {
            "zh": "已将 {name} 移出本群并禁止再次加入。{reason}",
            "en": "{name} is removed from the group and may not rejoin. {reason}",
        },
        "discipline.banned_chat": {
            "zh": "已禁止频道 {name} 在本群发言。{reason}",
            "en": "The channel {name} may no longer post in the group. {reason}",
        },
        "discipline.mute_chat": {
            "zh": "频道无法禁言：请用 /ban 禁止该频道在本群发言",
            "en": "A channel cannot be muted: /ban stops it posting in the group",
        },
        "discipline.unmuted": {
            "zh": "已解除 {name} 的禁言。",
            "en": "{name} may speak again.",
        },
        "discipline.unmute_chat": {
            "zh": "频道不会被禁言：要让它重新在本群发言，请用 /unban",
            "en": "A channel is never muted: /unban lets it post in the group again",
        },
        "discipline.unbanned": {
            "zh": "已解除对 {name} 的封禁，可以重新加入本群。",
            "en": "{name} is unbanned and may rejoin the group.",
        },
        "discipline.not_muted": {
            "zh": "{name} 没有被禁言，无需解除。",
            "en": "{name} is not muted: nothing to lift.",
        },
        "discipline.not_banned": {
            "zh": "{name} 没有被封禁，无需解除。",
            "en": "{name} is not banned: nothing to lift.",
        },
        "discipline.unmute_failed": {
            "zh": "未能解除 {name} 的禁言：Telegram 拒绝了操作（机器人需要“封禁用户”管理权限）。",
            "en": "Could not unmute {name}: Telegram refused (the bot needs the admin right to "
            "ban users).",
        },
        "discipline.unban_failed": {
            "zh": "未能解除对 {name} 的封禁：Telegram 拒绝了操作（机器人需要“封禁用户”管理权限）。",
            "en": "Could not unban {name}: Telegram refused (the bot needs the admin right to "
            "ban users).",
        },
        "discipline.unbanned_chat": {
            "zh": "已允许频道 {name} 重新在本群发言。",
            "en": "The channel {name} may post in the group again.",
        },
        "discipline.reason": {"zh": "原因：{reason}", "en": "Reason: {reason}"},
        "discipline.too_long": {
            "zh": "禁言时长最长 366 天：{value}",
            "en": "A mute lasts at most 366 days: {value}",
        },
        "discipline.bad_length": {
            "zh": "无法识别禁言时长：{value}。请使用 30m、2h、1d 这样的时长（1 分钟到 366 天）",
            "en": "Cannot use the mute length {value}: write e.g. 30m, 2h or 1d "
            "(1 minute to 366 days)",
        },
    }
)


def _reply(event: Event, text: str) -> list[Action]:
    return [SendMessage(chat_id=event.chat.id, text=text.strip(), reply_to=event.message_id)]


async def _named(ctx: Context, who: str) -> User | None:
    """The member of this group called `@username` or with this user id."""
    assert ctx.group is not None
    if not who.startswith("@"):
        # Anyone may be banned by id before they speak. A number no account can have would
        # only be claimed as done and then fail to send, and full-width digits ("２２２") name
        # the account whose id they spell, not a row nobody is.
        typed = typed_user_id(who)
        if typed is None:
            return None
        who = typed
    member = await find_member(ctx.session, ctx.group.id, who)
    if member is None:
        return None if who.startswith("@") else User(id=who, name=who)
    return member_user(member)


_USAGE_EXTRA = {"mute": "discipline.usage.mute", "warn": "discipline.usage.other",
                "ban": "discipline.usage.other"}


async def _target(event: Event, ctx: Context, command: str, *, spare_exempt: bool = True
                  ) -> tuple[User | Chat | None, list[str], list[Action]]:
    """(member, remaining words, refusal): the member named by an `@username` first argument,
    else the replied-to sender (or the channel it posted as), else a user id first argument.
    `spare_exempt`: refuse operators and allow-listed members.

    A name typed wins over the reply: "/mute @bob 1h" sent in reply to Alice's complaint about
    Bob is meant for Bob. A bare number in a reply stays a length or a reason ("/mute 30m")."""
    words = event.args.split()
    extra = ctx.t(_USAGE_EXTRA[command]) if command in _USAGE_EXTRA else ""
    usage = ctx.t("discipline.usage", command=command, extra=extra)
    named = bool(words) and words[0].startswith("@")
    replied = event.reply_to_message_id is not None and not named
    if replied and event.reply_from_linked_channel:
        return None, words, _reply(event, ctx.t("moderation.linked_channel"))
    if replied and event.reply_from_anonymous_admin:
        # Its sender is the platform's placeholder that every anonymous admin posts through:
        # acting at it acts at no one, and the one who wrote it is an operator anyway.
        return None, words, _reply(event, ctx.t("discipline.anonymous_admin", command=command))
    if replied and event.reply_to_user is not None:
        target: User | Chat | None = event.replied_sender
    elif words and (named or words[0].isdecimal()):
        # The bot has a member row only once an admin list named it, so its name is asked first.
        if event.is_me(words[0]):
            return None, words, _reply(event, ctx.t("discipline.self", command=command))
        target = await _named(ctx, words[0])
        if target is None:
            return None, words, _reply(event, ctx.t("discipline.unknown", who=words[0][:40]))
        words = words[1:]
    else:
        return None, words, _reply(event, usage)
    if event.is_me(target):
        return None, words, _reply(event, ctx.t("discipline.self", command=command))
    if spare_exempt and await is_exempt(ctx, target.id):
        return None, words, _reply(event, ctx.t("discipline.exempt"))
    return target, words, []


def _their_message(event: Event, target: User | Chat) -> str | None:
    """The replied-to message when `target` sent it (not when the reply named someone else)."""
    sender = event.replied_sender
    return event.reply_to_message_id if sender is not None and sender.id == target.id else None


def _reason(ctx: Context, words: list[str]) -> str:
    reason = " ".join(words).strip()[:200]
    return ctx.t("discipline.reason", reason=reason) if reason else ""


async def _mark_banned(ctx: Context, user_id: str, banned: bool) -> None:
    """Keep the member's row as the platform will have it, without waiting for its word (which
    comes only where the bot receives member updates), and when this ban was given: undoing an
    older mute or ban asks them whether a ban keeps the member out
    (`handlers.moderation_holds`)."""
    assert ctx.group is not None
    member = await find_member(ctx.session, ctx.group.id, user_id)
    if member is None:
        return
    if banned:
        member.status, member.left_at, member.banned_at = "kicked", ctx.now, ctx.now
        return
    member.banned_at = None
    if member.status == "kicked":
        member.status = "left"


@router.command(
    "warn",
    description={"zh": "警告成员（回复消息或 @用户名）", "en": "Warn a member (reply or @name)"},
    operator_only=True,
    group_only=True,
)
async def warn_command(event: Event, ctx: Context) -> list[Action]:
    target, words, refusal = await _target(event, ctx, "warn")
    if target is None:
        return refusal
    log.info("discipline.warn", group=event.chat.id, user=target.id)
    text = ctx.t("discipline.warned", name=display(target), reason=_reason(ctx, words))
    return [SendMessage(chat_id=event.chat.id, text=text.strip(),
                        reply_to=_their_message(event, target))]


@router.command(
    "mute",
    description={"zh": "禁言成员，如 /mute 2h", "en": "Mute a member, e.g. /mute 2h"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def mute_command(event: Event, ctx: Context) -> list[Action]:
    target, words, refusal = await _target(event, ctx, "mute")
    if target is None:
        return refusal
    if isinstance(target, Chat):
        return _reply(event, ctx.t("discipline.mute_chat"))
    length = DEFAULT_MUTE
    if words and (given := parse_duration(words[0])) is not None:
        length = given
        if length > MAX_MUTE:
            return _reply(event, ctx.t("discipline.too_long", value=words[0]))
        if length < MIN_MUTE:
            return _reply(event, ctx.t("discipline.bad_length", value=words[0][:40]))
        words = words[1:]
    elif words and LENGTH_LIKE.fullmatch(words[0]):
        return _reply(event, ctx.t("discipline.bad_length", value=words[0][:40]))
    minutes = int(length.total_seconds() // 60)
    log.info("discipline.mute", group=event.chat.id, user=target.id, minutes=minutes)
    assert ctx.group is not None
    await hold(ctx.session, ctx.group.id, target, ctx.now + length)
    text = ctx.t("discipline.muted", name=display(target),
                 length=format_duration(length, ctx.lang), reason=_reason(ctx, words))
    return [
        Restrict(chat_id=event.chat.id, user_id=target.id, until=ctx.now + length),
        SendMessage(chat_id=event.chat.id, text=text.strip()),
    ]


@router.command(
    "ban",
    description={"zh": "将成员移出并禁止再加入", "en": "Remove a member for good"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def ban_command(event: Event, ctx: Context) -> list[Action]:
    target, words, refusal = await _target(event, ctx, "ban")
    if target is None:
        return refusal
    log.info("discipline.ban", group=event.chat.id, user=target.id)
    channel = isinstance(target, Chat)
    if not channel:
        await forget(ctx, [target.id])
        await _mark_banned(ctx, target.id, True)
    actions: list[Action] = [
        BanSenderChat(chat_id=event.chat.id, sender_chat_id=target.id)
        if channel
        else Ban(chat_id=event.chat.id, user_id=target.id)
    ]
    if (theirs := _their_message(event, target)) is not None:
        actions.append(DeleteMessage(chat_id=event.chat.id, message_id=theirs))
    key = "discipline.banned_chat" if channel else "discipline.banned"
    text = ctx.t(key, name=display(target), reason=_reason(ctx, words))
    return [*actions, SendMessage(chat_id=event.chat.id, text=text.strip())]


@router.command(
    "unmute",
    description={"zh": "解除成员的禁言", "en": "Let a muted member speak again"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def unmute_command(event: Event, ctx: Context) -> list[Action]:
    target, _words, refusal = await _target(event, ctx, "unmute", spare_exempt=False)
    if target is None:
        return refusal
    if isinstance(target, Chat):
        return _reply(event, ctx.t("discipline.unmute_chat"))
    log.info("discipline.unmute", group=event.chat.id, user=target.id)
    assert ctx.group is not None
    # The platform is the judge of whether they are muted (an admin may have lifted it in the
    # app, or it ran out): forgotten here either way.
    await release(ctx.session, ctx.group.id, target.id)
    return [_lift(event, ctx, Unrestrict, target, "unmuted", "not_muted", "unmute_failed")]


@router.command(
    "unban",
    description={"zh": "解除封禁，允许重新加入", "en": "Lift a ban so they may rejoin"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def unban_command(event: Event, ctx: Context) -> list[Action]:
    target, _words, refusal = await _target(event, ctx, "unban", spare_exempt=False)
    if target is None:
        return refusal
    log.info("discipline.unban", group=event.chat.id, user=target.id)
    if isinstance(target, Chat):
        text = ctx.t("discipline.unbanned_chat", name=display(target))
        return [UnbanSenderChat(chat_id=event.chat.id, sender_chat_id=target.id),
                SendMessage(chat_id=event.chat.id, text=text)]
    # Sent with only_if_banned (the adapter): unbanning someone still in the group would
    # otherwise remove them.
    await _mark_banned(ctx, target.id, False)
    return [_lift(event, ctx, Unban, target, "unbanned", "not_banned", "unban_failed")]


def _lift(event: Event, ctx: Context, kind: type[Unrestrict] | type[Unban], target: User,
          done: str, unneeded: str, failed: str) -> Action:
    """Lift a mute or ban once the platform shows the member is under it, and say what
    happened: lifted, not under it (nothing sent), or refused."""
    name = display(target)

    def say(key: str, **reply: str | None) -> tuple[SendMessage, ...]:
        text = ctx.t(f"discipline.{key}", name=name)
        return (SendMessage(chat_id=event.chat.id, text=text, **reply),)

    return kind(
        chat_id=event.chat.id, user_id=target.id, if_held=True,
        then=say(done), otherwise=say(failed),
        refused={"nothing_to_lift": say(unneeded, reply_to=event.message_id)},
    )
