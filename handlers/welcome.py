"""Newcomers: greet them (batched), gate them (verification), and watch for raids.

One handler sees every `new_chat_members` join: it records the joins for raid detection, then
either starts a verification per human newcomer (the greeting follows their pass) or queues the
greeting directly. A join older than `stale_seconds` is replayed backlog: verification still
applies, the greeting does not. Bots joining (added by operators) are left alone; operators
joining are greeted without a challenge. Whoever
leaves or is removed before their greeting goes out is no longer named in it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import structlog

from bot.core.actions import Action, AnswerCallback, SendMessage, fit_popup, over_limit, text_length
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.i18n import named
from bot.core.router import Router
from bot.groups.repository import is_join
from handlers import (
    entry_texts,  # noqa: F401  (registers the texts)
    raid_episodes,
)
from handlers.entry_applications import approved_by_operator
from handlers.entry_config import (
    EntryState,
    IcebreakerConfig,
    RaidConfig,
    VerificationConfig,
    WelcomeConfig,
    load,
    save,
)
from handlers.entry_rights import can_hold, learn_rights, tell_operators_once
from handlers.moderation_rights import operates
from handlers.raid import force_spend, record_joins
from handlers.screening import split_verb
from handlers.verification import is_departure, start_challenge
from handlers.welcome_batch import PLACEHOLDER, longest_greeting, queue_greeting, rules_text
from handlers.welcome_departures import forget

log = structlog.get_logger(__name__)

router = Router("welcome")


@router.on(EventKind.MEMBER_JOINED, EventKind.MEMBER_UPDATED, when=is_join, group_only=True)
async def on_join(event: Event, ctx: Context) -> list[Action]:
    """Greet or verify the humans who joined; alert operators when a raid starts."""
    humans = [user for user in ctx.arrivals if not user.is_bot]
    if not humans:
        return []
    welcome = load(ctx.group, WelcomeConfig)
    raid_config = load(ctx.group, RaidConfig)
    state = load(ctx.group, EntryState)
    # At the join's own time: a backlog replayed after downtime arrives all at once, but only
    # joins that really came together are a burst.
    change = record_joins(state, event.at, len(humans), raid_config)
    actions = await raid_episodes.track(ctx, event.chat.id, change, state, len(humans))
    for _ in actions:
        force_spend(state, ctx.now)
    stale = ctx.now - event.at > timedelta(seconds=welcome.stale_seconds)
    joined_ids = {user.id for user in humans}
    inviter = event.inviter.name if event.inviter and event.inviter.id not in joined_ids else None
    gate = load(ctx.group, VerificationConfig).enabled
    if gate and not can_hold(state):
        gate = False  # a challenge the bot cannot enforce: greet as without the gate
        for alert in tell_operators_once(ctx, ctx.group, state):
            force_spend(state, ctx.now)
            actions.append(alert)
    # Operators are let straight in: the bot never acts at them, and one held here would be
    # removed at the deadline like any stranger. So is whom an operator has just approved.
    held = [
        user for user in humans
        if gate
        and not await operates(ctx, user.id, ctx.group)
        and not await approved_by_operator(ctx.session, ctx.group.id, user.id, ctx.now)
    ]
    for user in held:
        await start_challenge(
            ctx, event, user, state, strict=change.active, greet=welcome.enabled and not stale
        )
    if welcome.enabled and not stale and (free := [u for u in humans if u not in held]):
        people = [{"id": user.id, "name": user.name, "intro": False} for user in free]
        await queue_greeting(ctx, event.chat.id, people, inviter, state)
    save(ctx.group, state)
    return actions


@router.on(EventKind.BOT_MEMBERSHIP, group_only=True)
async def on_bot_rights(event: Event, ctx: Context) -> list[Action]:
    """The bot was added, promoted or demoted: whether verification can hold newcomers."""
    state = load(ctx.group, EntryState)
    learn_rights(state, event.can_restrict)
    save(ctx.group, state)
    return []


@router.on(EventKind.MEMBER_LEFT, EventKind.MEMBER_UPDATED, when=is_departure)
async def on_leave(event: Event, ctx: Context) -> list[Action]:
    """Whoever left or was removed is no longer named in a greeting."""
    if ctx.group is not None:
        await forget(ctx, [user.id for user in event.members])
    return []


def _is_welcome_button(event: Event) -> bool:
    return (event.callback_data or "") in ("wl:rules", "wl:intro")


@router.on(EventKind.CALLBACK, when=_is_welcome_button, group_only=True)
async def on_welcome_button(event: Event, ctx: Context) -> list[Action]:
    """Greeting buttons answer privately (a popup) so the group is not flooded."""
    more = ""
    if event.callback_data == "wl:rules":
        text = ctx.t("rules.show", rules=rules_text(ctx))
        more = ctx.t("welcome.rules_more")
    else:
        # The group's own prompt, as the greeting shows it (plain text: a popup has no HTML).
        name = event.user.name if event.user else ""
        own = load(ctx.group, IcebreakerConfig).intro_template
        text = own.replace("{name}", name) if own else ctx.t("intro.prompt", name=name)
    return [
        AnswerCallback(
            chat_id=event.chat.id,
            callback_id=event.callback_id or "",
            text=fit_popup(text, more),
            show_alert=True,
        )
    ]


# A word in braces, as operators write placeholders: "{name}", but also "{nmae}" or "{Name}".
LOOKS_LIKE_PLACEHOLDER = re.compile(r"\{[^{}\s]{1,32}\}")


@router.command(
    "welcome",
    description={"zh": "查看或设置欢迎语", "en": "Show or set the welcome message"},
    operator_only=True,
    group_only=True,
)
async def welcome_command(event: Event, ctx: Context) -> list[Action]:
    """`/welcome` shows; `/welcome set <template>`, `/welcome on|off`,
    `/welcome cleanup <seconds>|off` (how long greetings stay) change."""
    config = load(ctx.group, WelcomeConfig)
    verb, rest = split_verb(event.args)
    if verb == "set":
        _saved, text = set_template(ctx, rest, event.user.id if event.user else None)
        return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]
    if verb in ("on", "off"):
        config.enabled = verb == "on"
        text = ctx.t("welcome.saved")
    elif verb == "cleanup":
        seconds = _cleanup_seconds(rest.strip())
        if seconds is False:
            text = ctx.t("welcome.cleanup_usage")
        else:
            config.delete_after_seconds = seconds
            text = ctx.t("welcome.saved")
    elif verb:
        text = ctx.t("welcome.usage")
    else:
        state = named(ctx.lang, "value.switch", "on" if config.enabled else "off")
        text = ctx.t(
            "welcome.show", state=state, template=config.template or ctx.t("welcome.builtin")
        )
        return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]
    save(ctx.group, config)
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)]


def set_template(ctx: Context, template: str, actor: str | None) -> tuple[bool, str]:
    """Make `template` the group's greeting, as `/welcome set` does (the dashboard too):
    whether it was saved, and the answer (saved, or why not)."""
    template = template.strip()
    if not template:  # a bare "/welcome set" (a menu tap, a send too soon) wipes nothing
        return False, ctx.t("welcome.usage")
    # A misspelt placeholder would greet every newcomer with "{nmae}" as it stands.
    found = LOOKS_LIKE_PLACEHOLDER.findall(template)
    if unknown := [word for word in found if not PLACEHOLDER.fullmatch(word)]:
        return False, ctx.t("welcome.unknown_placeholder", unknown=" ".join(unknown))
    # Refused here rather than failing at every greeting, unseen, with nobody welcomed.
    over = over_limit(longest_greeting(ctx, template))
    if over > 0:
        given = text_length(template)
        return False, ctx.t("welcome.too_long", limit=max(given - over, 0), length=given)
    config = load(ctx.group, WelcomeConfig)
    config.template = template
    save(ctx.group, config)
    log.info("welcome.template_set", group=ctx.group.chat_id, by=actor, length=len(template))
    return True, ctx.t("welcome.saved")


def _cleanup_seconds(value: str) -> int | bool | None:
    """Seconds greetings stay (60 s to 7 days), None to keep them, False when unreadable."""
    if value.lower() in ("off", "never", "关"):
        return None
    # isdecimal, not isdigit: "²" is a digit int() cannot read.
    if value.isdecimal() and 60 <= int(value) <= 7 * 86400:
        return int(value)
    return False
