"""The ad filter as the first gate: judge every group message, act by the escalation ladder,
and halt the rest of the handlers for a message it removed.

Every text message is also remembered briefly (a fingerprint, not the text) so a member posting
the same text again and again, or in group after group, is caught (`handlers.repeats_store`).
An album's other photos and videos go with the item removed as an ad (`handlers.adfilter_albums`).

A new member's photo is queued for a QR check; the photo worker's finding comes back as a
PHOTO_CHECKED event and takes the same path from verdict to punishment as text.

A message a member posted as a channel is the channel's: it is judged, counted and punished as
the channel's, like a newcomer's (the channel has no history in the group). Its photo is queued
with the channel, which the PHOTO_CHECKED event names again as the message's sender chat.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import structlog

from bot.core.actions import Action, DeleteMessage, Halt
from bot.core.context import Context
from bot.core.events import Chat, Event, EventKind, User
from bot.core.router import Router
from bot.groups.activity import mark_removed
from handlers.adfilter import Decision, MessageFeatures, Verdict, classify, combine
from handlers.adfilter.qr import judge_qr_texts
from handlers.adfilter.repeats import check_repeats, crosses_groups, fingerprint
from handlers.adfilter_albums import album_removed, earlier_album_items
from handlers.adfilter_copies import remove_copies_elsewhere
from handlers.icebreaker import INTRO_TAG, INTRODUCED
from handlers.kept_messages import AD_WINDOW, note_kept
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
from handlers.repeats_store import Copy, RecentPost, record_post

log = structlog.get_logger(__name__)

router = Router("adfilter")

BARE_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,64})?\s*")
# How long a reply still answers a conversation (judged leniently, as a short answer). Past it
# the replied-to message is only a hook: spammers reply to a pinned rule or last week's
# question so their short pitch reads as a member's answer.
CONVERSATION = timedelta(hours=24)


def _judged(event: Event) -> bool:
    # The linked channel's posts arrive from a service account that looks like a member; they
    # are the group owners' own and would otherwise be removed and that account banned. A
    # channel a member posts as arrives from a placeholder bot account, and is judged.
    return (
        event.chat.is_group
        and event.user is not None
        and (not event.user.is_bot or event.sent_as_channel is not None)
        and not event.from_linked_channel
    )


def _offender(event: Event) -> User | Chat:
    """Who answers for the message: the channel it was posted as, else its sender."""
    assert event.user is not None
    return event.sent_as_channel or event.user


def words_of(event: Event) -> str:
    """What the message says: its text or caption, else the words of a poll, a contact or a
    venue it shares (a newcomer's poll "加微信…" or contact card is an ad like any text)."""
    return event.text or event.shared_text or ""


def features_of(event: Event, ctx: Context) -> MessageFeatures:
    """What the detection library needs to know about the event's message."""
    # The gate runs before messages are counted, so this one is not among them yet.
    count = ctx.member.message_count if ctx.member is not None else None
    if event.sent_as_channel is not None:
        # The member row is Telegram's placeholder account, shared by every channel.
        count = None
    forwarded = event.forwarded_from_chat
    other = event.reply_to_user
    return MessageFeatures(
        text=words_of(event),
        urls=event.urls,
        is_forwarded_from_channel=forwarded is not None,
        forward_source=(forwarded.title or forwarded.id) if forwarded else None,
        has_photo=event.has_photo,
        member_message_count=count,
        is_new_member=event.sent_as_channel is not None,
        # By id: a member's name or username may have changed since the replied-to message.
        is_reply=(other is not None and not other.is_bot
                  and (event.user is None or other.id != event.user.id)
                  and (event.reply_to_at is None or event.at - event.reply_to_at <= CONVERSATION)),
        introduces=(ctx.member is not None and event.sent_as_channel is None
                    and INTRODUCED not in (ctx.member.tags or [])
                    and INTRO_TAG.search(words_of(event)) is not None),
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
    offender = _offender(event)
    conf = adfilter_settings(ctx.group)
    if not conf.enabled or await is_exempt(ctx, offender.id):
        return []
    album = await earlier_album_items(event, ctx, offender.id)
    if album and await album_removed(ctx, album):
        # The rest of an album whose other part was removed as an ad: the same post, removed
        # too (no new offence); its photos were left up, the ad's pictures with them.
        assert event.message_id is not None
        await mark_removed(ctx.session, ctx.group.id, event.message_id, offender.id, event.at,
                           worded=bool(event.text))
        delete = DeleteMessage(chat_id=event.chat.id, message_id=event.message_id)
        return [delete, Halt(reason="adfilter: the rest of a removed album")]
    if not (words_of(event) or event.urls or event.has_photo or event.forwarded_from_chat):
        return []
    if event.kind is EventKind.EDITED_MESSAGE and await _ruled_on(event, ctx, conf):
        return []
    source = event.forwarded_from_chat
    if source is not None and source.id in conf.allowed_users:
        return []  # a forward carries the post as it was: the allowed channel's own words
    ours = event.command is not None and event.command in {c.name for c in ctx.commands}
    if ours and not event.args.strip() and not event.urls and not event.has_photo:
        return []  # our own command ("/checkin", "/report") is not an ad
    if not event.urls and not event.has_photo and BARE_COMMAND.fullmatch(event.text or ""):
        return []  # "/help@other_bot": a member using another bot, with no words to judge
    features = features_of(event, ctx)
    config = conf.filter_config()
    if ours:
        # The few words after our own commands ("/top week") would only give the strict
        # new-member rules something to misread; but the normal rules still judge them, or
        # "/help <any ad>" would pass the filter. Only them: the command itself, as a menu
        # tap writes it in groups ("/top@qunbot_bot"), read to the classifier as a promoted
        # @handle, and the member was warned for asking for the leaderboard.
        features = replace(
            features, text=event.args, is_new_member=False, member_message_count=None
        )
        # Nor the wording model: "add 每天 9:00 hi" is command syntax, which it never saw as chat.
        config = config.model_copy(update={"second_opinion": False})
    elif event.bot_command:
        # A command to another bot (not one of ours, or addressed "@other_bot"): that bot's
        # name is no handle promoted to the group, and its words are that bot's input.
        head = BARE_COMMAND.match(event.text or "")
        rest = (event.text or "")[head.end():] if head else words_of(event)
        features = replace(features, text=rest, to_other_bot=True)
    elif (
        config.is_new(features)
        and isinstance(offender, User)
        and await _tier_skips_window(ctx, offender.id)
    ):
        features = replace(features, is_new_member=False, member_message_count=None)
    repeated, copies, elsewhere = await _repeats(event, ctx, conf, offender.id)
    model = await group_model(ctx.session, ctx.group.id)
    decision = classify(features, config, model, extra=(repeated,) if repeated else ())
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
            channel = event.sent_as_channel
            ctx.session.add(
                PhotoCheck(
                    group_id=ctx.group.id,
                    user_id=event.user.id,
                    message_id=event.message_id,
                    file_id=event.photo_file_id,
                    status="pending",
                    at=event.at,
                    channel_id=channel.id if channel else None,
                    channel_title=channel.title if channel else None,
                    channel_username=channel.username if channel else None,
                    album_id=event.album_id,
                )
            )
        return []
    # A flood is cleaned up whole: the earlier copies in this group go with the one that
    # crossed the limit (they were only let through while they might still be chat).
    actions = await _enforce(event, ctx, conf, decision, offender, earlier_copies=copies + album)
    if elsewhere:
        # So is a paste into group after group, each group's copy by that group's settings.
        actions += await remove_copies_elsewhere(
            ctx, offender, words_of(event), decision, elsewhere
        )
    return actions


async def _ruled_on(event: Event, ctx: Context, conf: AdFilterSettings) -> bool:
    """Whether an edited message already has a live ruling: removed (its deletion may still be
    on its way while the member edits), or recorded in shadow mode while shadow mode is on.
    One message is one offence; judged again at each edit, a spammer fixing a typo twice in
    their ad climbed the ladder to a ban for it."""
    assert ctx.group is not None
    if event.message_id is None:
        return False
    done = await decision_for_message(ctx.session, ctx.group.id, event.message_id)
    return done is not None and (not done.shadow or conf.shadow)


async def _repeats(
    event: Event, ctx: Context, conf: AdFilterSettings, sender_id: str
) -> tuple[Verdict | None, tuple[str, ...], tuple[Copy, ...]]:
    """Remember this post and judge how often the same text was posted lately: (verdict, ids
    of the sender's earlier copies in this group to remove with it when this post starts a
    flood, the sender's copies in other groups when it is pasted into too many); (None, (), ())
    for what is not counted."""
    assert ctx.group is not None
    limits = conf.repeat_limits()
    words = words_of(event)
    if event.kind is not EventKind.MESSAGE or not event.message_id or not words:
        return None, (), ()  # an edit is the same post again, not a repeat
    if not (limits.repeat_limit or limits.crossgroup_limit):
        return None, (), ()
    print_ = fingerprint(words)
    if print_ is None:
        return None, (), ()
    post = RecentPost(
        platform=event.platform,
        user_id=sender_id,
        group_id=ctx.group.id,
        message_id=event.message_id,
        fingerprint=print_.digest,
        at=event.at,
    )
    copies = await record_post(
        ctx.session,
        post,
        group_window=timedelta(minutes=limits.repeat_minutes),
        cross_window=timedelta(minutes=limits.crossgroup_minutes),
    )
    verdict = check_repeats(
        len(copies.in_group),
        copies.groups,
        print_.chars,
        limits,
        wave_senders=copies.wave_senders,
        wave_groups=copies.wave_groups,
    )
    # Only the copy that reaches the limit cleans up: later ones find the earlier copies gone.
    first_flood = len(copies.in_group) + 1 == limits.repeat_limit
    crossed = crosses_groups(copies.groups, print_.chars, limits)
    return verdict, copies.in_group if first_flood else (), copies.elsewhere if crossed else ()


@router.on(EventKind.PHOTO_CHECKED, when=_judged)
async def photo_checked(event: Event, ctx: Context) -> list[Action | Halt]:
    """Judge the QR codes the photo worker found in a queued photo, and act as on a text ad.

    Exemptions are asked again: the member (or the channel they posted as) may have become an
    operator or been allow-listed while the photo waited, and reports or an operator may
    already have removed it, or the rest of its album. A photo of an album takes the rest with
    it, as a captioned item does.
    """
    if ctx.group is None or event.user is None or event.message_id is None:
        return []
    offender = _offender(event)
    conf = adfilter_settings(ctx.group)
    if not conf.enabled or await is_exempt(ctx, offender.id):
        return []
    if await decision_for_message(ctx.session, ctx.group.id, event.message_id) is not None:
        return []
    album = await earlier_album_items(event, ctx, offender.id)
    if album and await album_removed(ctx, album):
        return []  # removed with the rest of its album: one post, one offence
    config = conf.filter_config()
    verdict = judge_qr_texts(list(event.photo_codes), config)
    decision = combine((verdict,), config.spam_threshold)
    if not decision.spam:
        return []
    return await _enforce(event, ctx, conf, decision, offender, earlier_copies=album)


async def _enforce(
    event: Event,
    ctx: Context,
    conf: AdFilterSettings,
    decision: Decision,
    offender: User | Chat,
    earlier_copies: tuple[str, ...] = (),
) -> list[Action | Halt]:
    """A message judged spam: pass it inside the ad window, else punish it by the ladder
    (shadow mode only records) and halt the handlers after this one."""
    assert ctx.group is not None
    if conf.window is not None and conf.window.contains(event.at.astimezone(ctx.tz)):
        log.info("adfilter.ad_window", group=ctx.group.id, user=offender.id)
        if event.message_id is not None:
            # Still an ad, let stand by the window: /notspam must not teach "not spam" from it.
            await note_kept(ctx.session, ctx.group.id, event.message_id, AD_WINDOW, event.at)
        return []
    row, actions = await punish(
        event,
        ctx,
        conf,
        offender=offender,
        message_id=event.message_id,
        text=words_of(event),
        decision=decision,
        source="filter",
    )
    if row.shadow:
        return []
    for copy in earlier_copies:
        await mark_removed(ctx.session, ctx.group.id, copy, offender.id, event.at)
    cleanup = [DeleteMessage(chat_id=event.chat.id, message_id=m) for m in earlier_copies]
    return [*actions, *cleanup, Halt(reason=f"adfilter: spam #{row.id}")]
