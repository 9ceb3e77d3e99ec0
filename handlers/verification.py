"""The verification gate: newcomers stay restricted until they press their button or answer.

A challenge is a restriction plus a message with buttons; both go to the outbox under the
pending verification's key so the challenge's message id can be found later (to delete it).
Only the newcomer may press their buttons (`vf:<verification id>:<user id>:<value>`); the
deadline is fired by `handlers.verification_timeouts`, which survives restarts. In raid mode
newcomers share one question instead, within the group's send budget
(`handlers.challenge_batches`).
"""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from sqlalchemy import select, update

from bot.core.actions import (
    Action,
    AnswerCallback,
    Ban,
    Button,
    DeleteMessage,
    Restrict,
    SendMessage,
    Unban,
    Unrestrict,
)
from bot.core.context import Context
from bot.core.events import Event, EventKind, User
from bot.core.i18n import named, named_to_type
from bot.core.router import Router
from bot.groups.repository import GONE, find_member
from bot.outbox.store import enqueue
from handlers import entry_texts  # noqa: F401  (registers the texts)
from handlers.challenge_batches import ask_in_batch, challenge_deletions, new_question
from handlers.entry_config import EntryState, VerificationConfig, WelcomeConfig, load, save
from handlers.entry_rights import paused_note
from handlers.entry_store import PendingVerification
from handlers.mutes import let_in, release
from handlers.points import pay_referral
from handlers.raid import force_spend
from handlers.welcome_batch import mention, queue_greeting
from schedules.timewords import parse_duration

router = Router("verification")


def removal(chat_id: str, user_id: str, *message_ids: str | None) -> list[Action]:
    """Remove without a permanent ban (ban, then unban) and delete the given messages."""
    actions: list[Action] = [
        Ban(chat_id=chat_id, user_id=user_id),
        Unban(chat_id=chat_id, user_id=user_id),
    ]
    actions += [DeleteMessage(chat_id=chat_id, message_id=mid) for mid in message_ids if mid]
    return actions


async def start_challenge(
    ctx: Context, event: Event, user: User, state: EntryState, *, strict: bool, greet: bool
) -> PendingVerification:
    """Restrict `user` and post their challenge; stricter (question, shorter) in raid mode."""
    config = load(ctx.group, VerificationConfig)
    mode = "question" if strict else config.mode
    seconds = (
        min(config.timeout_seconds, config.raid_timeout_seconds)
        if strict
        else config.timeout_seconds
    )
    replaced = await _replace_earlier(ctx, event.chat.id, user.id)
    a, b, choices = new_question()
    pending = PendingVerification(
        group_id=ctx.group.id,
        platform=ctx.platform,
        chat_id=event.chat.id,
        user_id=user.id,
        user_name=user.name,
        join_message_id=event.message_id,
        mode=mode,
        answer=str(a + b) if mode == "question" else None,
        status="pending",
        greet=greet,
        inviter_id=event.inviter.id if event.inviter and event.inviter.id != user.id else None,
        created_at=ctx.now,
        deadline=ctx.now + timedelta(seconds=seconds),
    )
    ctx.session.add(pending)
    await ctx.session.flush()
    if strict:
        # A raid's newcomers share one question: the bot must not become the flood itself.
        await ask_in_batch(ctx, pending, state, seconds, replaced)
        return pending
    prefix = f"vf:{pending.id}:{user.id}:"
    name = mention(user.id, user.name)
    if mode == "question":
        text = ctx.t("verify.challenge_question", name=name, seconds=seconds, a=a, b=b)
        buttons = (tuple(Button(text=str(n), data=f"{prefix}{n}") for n in choices),)
    else:
        text = ctx.t("verify.challenge_button", name=name, seconds=seconds)
        buttons = ((Button(text=ctx.t("verify.button"), data=f"{prefix}ok"),),)
    force_spend(state, ctx.now)
    actions: list[Action] = [
        Restrict(chat_id=event.chat.id, user_id=user.id),
        SendMessage(chat_id=event.chat.id, text=text, html=True, buttons=buttons),
        *replaced,
    ]
    await enqueue(ctx.session, ctx.platform, actions, key=pending.challenge_key, now=ctx.now)
    return pending


async def _replace_earlier(ctx: Context, chat_id: str, user_id: str) -> list[Action]:
    """Close the user's earlier open challenges here; deletions of their messages.

    A member who left and rejoined answers the new challenge only: the old one's deadline
    would otherwise remove them later, even after they passed.
    """
    return await _close_open(ctx, chat_id, user_id, "replaced")


async def _close_open(
    ctx: Context, chat_id: str, user_id: str, status: str, *, with_join: bool = False
) -> list[Action]:
    """Close the user's open challenges here as `status`; deletions of their challenge messages
    (and join messages, `with_join`)."""
    waiting = await ctx.session.scalars(
        select(PendingVerification).where(
            PendingVerification.group_id == ctx.group.id,
            PendingVerification.user_id == user_id,
            PendingVerification.status == "pending",
        )
    )
    actions: list[Action] = []
    for pending in list(waiting):
        if await resolve(ctx, pending, status):
            if with_join and pending.join_message_id:
                actions.append(DeleteMessage(chat_id=chat_id, message_id=pending.join_message_id))
            actions += await challenge_deletions(ctx.session, pending)
    return actions


async def resolve(ctx: Context, pending: PendingVerification, status: str) -> bool:
    """Close a pending verification once; False when the timeout loop or a press won first."""
    result = await ctx.session.execute(
        update(PendingVerification)
        .where(PendingVerification.id == pending.id, PendingVerification.status == "pending")
        .values(status=status, resolved_at=ctx.now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _is_press(event: Event) -> bool:
    return (event.callback_data or "").startswith("vf:")


@router.on(EventKind.CALLBACK, when=_is_press, group_only=True)
async def on_press(event: Event, ctx: Context) -> list[Action]:
    """A challenge button: the newcomer passes or fails; anyone else is told it is not theirs."""
    _, pending_id, user_id, value = (event.callback_data or "").split(":", 3)
    answer = AnswerCallback(chat_id=event.chat.id, callback_id=event.callback_id or "")
    if event.user is None or event.user.id != user_id:
        return [answer.model_copy(update={"text": ctx.t("verify.not_for_you"), "show_alert": True})]
    pending = await ctx.session.get(PendingVerification, int(pending_id))
    if pending is None or pending.status != "pending" or pending.user_id != user_id:
        return [answer]
    passed = value == (pending.answer or "ok")
    if not await resolve(ctx, pending, "passed" if passed else "failed"):
        return [answer]
    if not passed:
        return [
            answer.model_copy(update={"text": ctx.t("verify.wrong"), "show_alert": True}),
            *removal(event.chat.id, user_id, pending.join_message_id, event.message_id),
        ]
    actions: list[Action] = [
        answer.model_copy(update={"text": ctx.t("verify.passed")}),
        *await admit_actions(ctx, pending, event.chat.id),
    ]
    if event.message_id:
        actions.append(DeleteMessage(chat_id=event.chat.id, message_id=event.message_id))
    return actions


async def admit_actions(ctx: Context, pending: PendingVerification, chat_id: str) -> list[Action]:
    """Letting in a newcomer who passed: their restriction lifted, and what follows entry."""
    actions: list[Action] = [await let_in(ctx, chat_id, pending.user_id)]
    await _admitted(ctx, pending)
    return actions


async def _admitted(ctx: Context, pending: PendingVerification) -> None:
    """What follows a newcomer's entry: their inviter's referral points, their greeting."""
    if pending.inviter_id:
        await pay_referral(ctx, pending.inviter_id, pending.user_id, ctx.now)
    if pending.greet and load(ctx.group, WelcomeConfig).enabled:
        state = load(ctx.group, EntryState)
        person = {"id": pending.user_id, "name": pending.user_name, "intro": True}
        # The greeting's {inviter} (named in the ceremony) is whoever added the newcomer.
        inviter = (
            await find_member(ctx.session, ctx.group.id, pending.inviter_id)
            if pending.inviter_id
            else None
        )
        name = (inviter.display_name or inviter.user_id) if inviter else None
        await queue_greeting(ctx, pending.chat_id, [person], name, state)
        save(ctx.group, state)


def _let_in_by_hand(event: Event) -> bool:
    """An admin lifted a member's restriction (or made them an admin) in the platform's own
    settings, rather than the bot doing it."""
    lifted = event.old_status == "restricted" and event.new_status in LET_IN
    return lifted and event.chat.is_group and not (event.user and event.is_me(event.user))


LET_IN = frozenset({"member", "administrator", "creator"})


@router.on(EventKind.MEMBER_UPDATED, when=_let_in_by_hand, group_only=True)
async def on_let_in(event: Event, ctx: Context) -> list[Action]:
    """An admin let a held newcomer in by hand: they vouch for them, so the gate closes as if
    the newcomer had passed (their deadline no longer removes them, a mute of theirs still
    running is put back) and its challenge goes. Lifting a member the gate did not hold ends
    their mute, as /unmute does."""
    actions: list[Action] = []
    for user in event.members:
        waiting = await ctx.session.scalars(
            select(PendingVerification).where(
                PendingVerification.group_id == ctx.group.id,
                PendingVerification.user_id == user.id,
                PendingVerification.status == "pending",
            )
        )
        held = False
        for pending in list(waiting):
            if not await resolve(ctx, pending, "released"):
                continue
            held = True
            actions += await challenge_deletions(ctx.session, pending)
            await _admitted(ctx, pending)
        if not held:
            await release(ctx.session, ctx.group.id, user.id)
        elif isinstance(kept := await let_in(ctx, event.chat.id, user.id), Restrict):
            actions.append(kept)
    return actions


def is_departure(event: Event) -> bool:
    """Someone left a group or was removed from it. A channel's subscribers arrive as
    chat_member updates too: they are nobody's newcomers, and the channel gets no reply."""
    gone = event.kind is EventKind.MEMBER_LEFT or event.new_status in GONE
    return gone and event.chat.is_group


@router.on(EventKind.MEMBER_LEFT, EventKind.MEMBER_UPDATED, when=is_departure)
async def on_leave(event: Event, ctx: Context) -> list[Action]:
    """A newcomer who leaves (or is removed) before answering: their challenge is closed, so it
    no longer counts as waiting, and its deadline does not ban and unban someone long gone.
    The challenge and the join message go, as when the time runs out."""
    if ctx.group is None:
        return []
    actions: list[Action] = []
    for user in event.members:
        actions += await _close_open(ctx, event.chat.id, user.id, "left", with_join=True)
    return actions


MIN_TIMEOUT, MAX_TIMEOUT = 10, 3600  # seconds a newcomer has to answer


def _seconds(said: str) -> int | None:
    """Seconds from "90" (also full-width) or a duration such as "2m" / "2分钟"; None if neither."""
    said = unicodedata.normalize("NFKC", said)
    if said.isdecimal():  # not isdigit: "²" is a digit int() cannot read
        return int(said) if len(said) <= 6 else MAX_TIMEOUT + 1
    length = parse_duration(said)
    return None if length is None else int(length.total_seconds())


def _standing(ctx: Context, config: VerificationConfig) -> str:
    """Whether verification is on, how and for how long, and whether the bot can hold anyone."""
    state = named(ctx.lang, "value.switch", "on" if config.enabled else "off")
    mode = named_to_type(ctx.lang, "value.verify", config.mode)
    text = ctx.t("verify.saved", state=state, mode=mode, seconds=config.timeout_seconds)
    return text + paused_note(ctx, ctx.group) if config.enabled else text


@router.command(
    "verify",
    description={"zh": "设置入群验证", "en": "Configure newcomer verification"},
    operator_only=True,
    group_only=True,
)
async def verify_command(event: Event, ctx: Context) -> list[Action]:
    """`/verify` shows; `/verify on|off|button|question [seconds]` change."""
    config = load(ctx.group, VerificationConfig)
    parts = event.args.split()
    if parts:
        parts[0] = parts[0].lower()  # "ON", "Question": the same word
    if not parts or parts[0] not in ("on", "off", "button", "question"):
        text = ctx.t("verify.usage")
        if not parts:  # alone, it says how verification stands, as /welcome and /filter do
            text = f"{_standing(ctx, config)}\n{text}"
        return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]
    if len(parts) > 1:
        seconds = _seconds(parts[1])
        if seconds is None or not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
            # Refused, not bent to the nearest limit or ignored: "99999" becoming an hour, or
            # "2 min" leaving two minutes unset, would surprise whoever typed it.
            key = "verify.bad_time" if seconds is None else "verify.time_range"
            text = ctx.t(key, value=parts[1][:20], low=MIN_TIMEOUT, high=MAX_TIMEOUT)
            return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]
        config.timeout_seconds = seconds
    released: list[Action] = []
    if parts[0] == "off":
        config.enabled = False
        released = await _release_waiting(ctx, event.chat.id)
    else:
        config.enabled = True
        if parts[0] in ("button", "question"):
            config.mode = parts[0]
    save(ctx.group, config)
    text = _standing(ctx, config)
    if released:
        count = sum(isinstance(action, Unrestrict | Restrict) for action in released)
        text += "\n" + ctx.t("verify.released", count=count)
    return [*released, SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


async def _release_waiting(ctx: Context, chat_id: str) -> list[Action]:
    """Let in everyone the gate still holds, now that it is off: they would otherwise stay
    muted and be removed at their deadline by a gate the operators turned off (a mute of their
    own that still runs stays, `let_in`)."""
    waiting = await ctx.session.scalars(
        select(PendingVerification).where(
            PendingVerification.group_id == ctx.group.id,
            PendingVerification.status == "pending",
        )
    )
    actions: list[Action] = []
    for pending in list(waiting):
        if await resolve(ctx, pending, "released"):
            actions.append(await let_in(ctx, chat_id, pending.user_id))
            actions += await challenge_deletions(ctx.session, pending)
    return actions
