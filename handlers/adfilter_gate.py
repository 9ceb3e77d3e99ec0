"""The ad filter as the first gate: judge every group message, act by the escalation ladder,
and halt the rest of the handlers for a message it removed.

A new member's photo is queued for a QR check; the photo worker's finding comes back as a
PHOTO_CHECKED event and takes the same path from verdict to punishment as text.
"""

from __future__ import annotations

import re
from dataclasses import replace

import structlog

from bot.core.actions import Action, Halt
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.router import Router
from handlers.adfilter import Decision, MessageFeatures, classify, combine
from handlers.adfilter.qr import judge_qr_texts
from handlers.moderation import AdFilterSettings, adfilter_settings
from handlers.moderation_actions import punish
from handlers.moderation_rights import is_exempt
from handlers.moderation_store import (
    PhotoCheck,
    decision_for_message,
    group_model,
    photo_queued,
)
from handlers.points_config import ADFILTER_EXEMPT
from handlers.points_store import member_tier

log = structlog.get_logger(__name__)

router = Router("adfilter")

BARE_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?\s*")


def _judged(event: Event) -> bool:
    return event.chat.is_group and event.user is not None and not event.user.is_bot


def features_of(event: Event, ctx: Context) -> MessageFeatures:
    """What the detection library needs to know about the event's message."""
    count = ctx.member.message_count if ctx.member is not None else None
    if count is not None and event.kind is EventKind.MESSAGE:
        count -= 1  # the member middleware has already counted this message
    forwarded = event.forwarded_from_chat
    return MessageFeatures(
        text=event.text or "",
        urls=event.urls,
        is_forwarded_from_channel=forwarded is not None,
        forward_source=(forwarded.title or forwarded.id) if forwarded else None,
        has_photo=event.has_photo,
        member_message_count=count,
    )


async def _tier_skips_window(ctx: Context, user_id: str) -> bool:
    """True when the member's tier spares them the strict new-member rules.

    Only those: an ad is an ad whoever posts it, and points can be farmed by checking in, so a
    tier never lets a message the normal rules call spam through. Asked only inside the window
    (a member's first few messages), as the tier is a sum over the points ledger.
    """
    assert ctx.group is not None
    tier = await member_tier(ctx.session, ctx.group.id, user_id)
    if ADFILTER_EXEMPT in tier.privileges:
        log.info("adfilter.tier_skips_window", group=ctx.group.id, user=user_id, tier=tier.name)
        return True
    return False


@router.on(EventKind.MESSAGE, EventKind.EDITED_MESSAGE, when=_judged)
async def gate(event: Event, ctx: Context) -> list[Action | Halt]:
    """Delete ads (and escalate); everything else passes untouched.

    Operators and allow-listed members are exempt; inside the group's ad window promotions
    pass. No `max_age`: an ad replayed from a backlog is still an ad in the group.
    """
    if ctx.group is None or event.user is None:
        return []
    conf = adfilter_settings(ctx.group)
    if not conf.enabled or await is_exempt(ctx, event.user.id):
        return []
    if not (event.text or event.urls or event.has_photo or event.forwarded_from_chat):
        return []
    if event.command is not None and event.command in {c.name for c in ctx.commands}:
        # Our own commands ("/filter off", "/report") are not ads, and their few words would
        # only give the strict new-member classifier something to misread.
        return []
    if not event.urls and not event.has_photo and BARE_COMMAND.fullmatch(event.text or ""):
        return []  # "/help@other_bot": a member using another bot, with no words to judge
    features = features_of(event, ctx)
    config = conf.filter_config()
    if config.is_new(features) and await _tier_skips_window(ctx, event.user.id):
        features = replace(features, is_new_member=False, member_message_count=None)
    decision = classify(features, config, await group_model(ctx.session, ctx.group.id))
    if not decision.spam:
        if (
            event.has_photo
            and event.message_id
            and config.is_new(features)
            and not await photo_queued(
                ctx.session, ctx.group.id, event.message_id, event.photo_file_id
            )
        ):
            # Decoding needs the photo's bytes, which a handler may not fetch: a worker does.
            ctx.session.add(
                PhotoCheck(
                    group_id=ctx.group.id,
                    user_id=event.user.id,
                    message_id=event.message_id,
                    file_id=event.photo_file_id,
                    status="pending",
                    at=event.at,
                )
            )
        return []
    return await _enforce(event, ctx, conf, decision)


@router.on(EventKind.PHOTO_CHECKED, when=_judged)
async def photo_checked(event: Event, ctx: Context) -> list[Action | Halt]:
    """Judge the QR codes the photo worker found in a queued photo, and act as on a text ad.

    Exemptions are asked again: the member may have become an operator or been allow-listed
    while the photo waited, and reports or an operator may already have removed it.
    """
    if ctx.group is None or event.user is None or event.message_id is None:
        return []
    conf = adfilter_settings(ctx.group)
    if not conf.enabled or await is_exempt(ctx, event.user.id):
        return []
    if await decision_for_message(ctx.session, ctx.group.id, event.message_id) is not None:
        return []
    config = conf.filter_config()
    verdict = judge_qr_texts(list(event.photo_codes), config)
    decision = combine((verdict,), config.spam_threshold)
    if not decision.spam:
        return []
    return await _enforce(event, ctx, conf, decision)


async def _enforce(
    event: Event, ctx: Context, conf: AdFilterSettings, decision: Decision
) -> list[Action | Halt]:
    """A message judged spam: pass it inside the ad window, else punish it by the ladder
    (shadow mode only records) and halt the handlers after this one."""
    assert ctx.group is not None and event.user is not None
    if conf.window is not None and conf.window.contains(event.at.astimezone(ctx.tz)):
        log.info("adfilter.ad_window", group=ctx.group.id, user=event.user.id)
        return []
    row, actions = await punish(
        event,
        ctx,
        conf,
        offender=event.user,
        message_id=event.message_id,
        text=event.text or "",
        decision=decision,
        source="filter",
    )
    if row.shadow:
        return []
    return [*actions, Halt(reason=f"adfilter: spam #{row.id}")]
