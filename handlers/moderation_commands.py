"""Moderation commands: operators `/spam`, `/notspam`, `/undo`, `/why`; members `/report`.

`/spam` and `/report` on a message a member posted as a channel act on the channel.
"""

from __future__ import annotations

import structlog

from bot.core.actions import Action, SendMessage
from bot.core.context import Context
from bot.core.events import Event, User
from bot.core.i18n import translate
from bot.core.router import ANY_AGE, Router
from handlers.adfilter import Decision, Verdict
from handlers.adfilter_albums import remove_replied_album
from handlers.kept_messages import AD_WINDOW, TAUGHT, kept_because, note_kept
from handlers.moderation import AdFilterSettings, adfilter_settings, report_step
from handlers.moderation_actions import (
    BAN_CHAT,
    display,
    explain,
    punish,
    warning_buttons,
)
from handlers.moderation_appeals import undo_and_tell
from handlers.moderation_referrals import TOO_OLD, held_back, refer
from handlers.moderation_report_store import Report, add_report, mark_referred
from handlers.moderation_reports import not_counted
from handlers.moderation_rights import is_exempt
from handlers.moderation_store import (
    ModerationDecision,
    decision_for_bot_message,
    decision_for_message,
    decision_in_group,
    learn,
)
from schedules.describe import format_duration

log = structlog.get_logger(__name__)

# The notice posted when reports act, by what was done (a channel is banned, not muted).
REPORT_NOTICES = {
    "delete": "moderation.report_acted_delete",
    "mute": "moderation.report_acted",
    "ban": "moderation.report_acted_ban",
    BAN_CHAT: "moderation.report_acted_chat",
}

router = Router("moderation")

# Commands that act on a message or a member still act when replayed from a backlog after our
# downtime (ANY_AGE), as the ad filter does: a report or an operator's /spam typed during an
# outage was otherwise dropped without a word, the ad left standing.


def _reply(event: Event, text: str, **extra) -> list[Action]:
    return [SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id, **extra)]


class Unjudged:
    """A reply to a message the bot never ruled on (nor is it a warning of the bot's)."""


UNJUDGED = Unjudged()


async def _target(event: Event, ctx: Context) -> ModerationDecision | int | Unjudged | None:
    """The decision named by `/cmd <id>`, by replying to the bot's warning, or by replying to
    the judged message itself: in shadow mode nothing is removed and no warning posted, so the
    message still standing is all an operator has to point at.

    Returns the decision, or the id that matched nothing, UNJUDGED for a reply to a message
    no decision is about, or None when none was named.
    """
    assert ctx.group is not None
    arg = event.args.strip().lstrip("#")
    if arg.isdecimal():  # not isdigit: "²" is a digit that int() cannot read
        decision_id = int(arg)
    elif event.reply_to_message_id:
        found = await decision_for_bot_message(
            ctx.session, event.chat.id, event.reply_to_message_id
        )
        if found is None:
            judged = await decision_for_message(
                ctx.session, ctx.group.id, event.reply_to_message_id, undone_too=True
            )
            if judged is None:
                return UNJUDGED
            found = judged.id  # read again below, locked
        decision_id = found
    else:
        return None
    return await decision_in_group(ctx.session, ctx.group.id, decision_id) or decision_id


async def _undo_command(event: Event, ctx: Context, command: str) -> list[Action]:
    target = await _target(event, ctx)
    if target is None:
        return _reply(event, ctx.t("moderation.usage.id", command=command))
    if isinstance(target, Unjudged):
        if command == "notspam" and (said := await _learned_kept(event, ctx)) is not None:
            return _reply(event, ctx.t(said))
        return _reply(event, ctx.t("moderation.no_decision_undo"))
    if isinstance(target, int):
        return _reply(event, ctx.t("moderation.unknown", id=target))
    if target.undone:
        return _reply(event, ctx.t("moderation.already_undone", id=target.id))
    actions, text = await undo_and_tell(ctx, target, event.user.id if event.user else None)
    return [*actions, *_reply(event, text)]


async def _learned_kept(event: Event, ctx: Context) -> str | None:
    """Teach the model "ham" from a message the filter let stand, on an operator's /notspam;
    returns the answer's text key, None when there was nothing to learn from.

    /notspam is the operators' "not spam" label as /spam is their "spam" one, and /spam
    learns from a message the filter kept: this is its other half, for the operator who
    wants messages like this one safe from the filter. A bot's message (the bot's own,
    replied to by mistake) teaches nothing, as /spam refuses it; a message is taught once,
    and an ad the group's ad window let stand never (`handlers.kept_messages`).
    """
    assert ctx.group is not None and event.reply_to_message_id is not None
    sender = event.replied_sender
    text = event.reply_to_text or event.reply_to_shared_text or ""
    if (isinstance(sender, User) and sender.is_bot) or not text.strip():
        return None
    message_id = event.reply_to_message_id
    known = await kept_because(ctx.session, ctx.group.id, message_id)
    if known == AD_WINDOW:
        return "moderation.no_decision_window_ad"
    if known == TAUGHT or not await note_kept(ctx.session, ctx.group.id, message_id, TAUGHT,
                                              ctx.now):
        return "moderation.no_decision_known"
    await learn(ctx.session, ctx.group.id, text, False, ctx.now)
    return "moderation.no_decision_learned"


@router.command(
    "undo",
    description={"zh": "撤销一次广告处理", "en": "Undo an ad decision"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def undo_command(event: Event, ctx: Context) -> list[Action]:
    return await _undo_command(event, ctx, "undo")


@router.command(
    "notspam",
    description={"zh": "回复提醒：不是广告", "en": "Reply to a warning: not spam"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def notspam_command(event: Event, ctx: Context) -> list[Action]:
    return await _undo_command(event, ctx, "notspam")


@router.command(
    "why",
    description={"zh": "查看处理原因", "en": "Why a message was removed"},
    operator_only=True,
    group_only=True,
)
async def why_command(event: Event, ctx: Context) -> list[Action]:
    target = await _target(event, ctx)
    if target is None:
        return _reply(event, ctx.t("moderation.usage.id", command="why"))
    if isinstance(target, Unjudged):
        return _reply(event, ctx.t("moderation.no_decision_why"))
    if isinstance(target, int):
        return _reply(event, ctx.t("moderation.unknown", id=target))
    return _reply(event, explain(ctx, target))


@router.command(
    "spam",
    description={"zh": "回复消息：标记为广告", "en": "Reply to a message: it is spam"},
    operator_only=True,
    group_only=True,
    max_age=ANY_AGE,
)
async def spam_command(event: Event, ctx: Context) -> list[Action]:
    """Delete the replied message, learn it as spam and apply the ladder to its sender."""
    assert ctx.group is not None
    offender = event.replied_sender
    if not event.reply_to_message_id or offender is None:
        return _reply(event, ctx.t("moderation.usage.reply", command="spam"))
    if event.reply_from_linked_channel:  # sent by Telegram's service account for the channel
        return _reply(event, ctx.t("moderation.linked_channel"))
    if isinstance(offender, User) and offender.is_bot:
        # Bots are never judged by the filter or reports; a mark on one (often the bot's own
        # warning, replied to by mistake) would punish a bot and teach the model its texts.
        return _reply(event, ctx.t("moderation.spam_bot"))
    if await is_exempt(ctx, offender.id):
        return _reply(event, ctx.t("moderation.spam_exempt"))
    done = await decision_for_message(ctx.session, ctx.group.id, event.reply_to_message_id)
    if done is not None and not done.shadow:
        # Acted on already (a second operator's /spam, the filter, reports): one message is
        # one offence, so the member does not climb the ladder twice for it.
        return _reply(event, ctx.t("moderation.spam_learned", id=done.id))
    # A poll or a contact card carries its words apart from any text: they are what is learned.
    text = event.reply_to_text or event.reply_to_shared_text or ""
    conf = adfilter_settings(ctx.group)
    who = display(event.user) if event.user else "operator"
    ruling = Decision(
        spam=True, score=1.0, verdicts=(Verdict("operator", True, 1.0, f"marked as spam by {who}"),)
    )
    _row, actions = await punish(
        event,
        ctx,
        conf,
        offender=offender,
        message_id=event.reply_to_message_id,
        text=text,
        decision=ruling,
        source="operator",
        shadow=False,
    )
    await learn(ctx.session, ctx.group.id, text, True, ctx.now)
    return [*actions, *await remove_replied_album(event, ctx, offender.id)]


@router.command(
    "report",
    description={"zh": "回复消息：举报广告", "en": "Reply to a message: report it"},
    group_only=True,
    max_age=ANY_AGE,
)
async def report_command(event: Event, ctx: Context) -> list[Action]:
    """Count distinct reporters of a message; at the group's threshold, delete it and act on
    its sender as `report_step` says. Reports of a message too old to delete, or one the
    group lets stand (the filter off, the ad window), go to the operators instead
    (`moderation_referrals`); a report `not_counted` names a reason for (a fresh
    account) is thanked, not counted."""
    assert ctx.group is not None
    target_user, message_id = event.replied_sender, event.reply_to_message_id
    if target_user is None or message_id is None or event.user is None:
        return _reply(event, ctx.t("moderation.usage.reply", command="report"))
    if event.reply_from_linked_channel:
        return _reply(event, ctx.t("moderation.linked_channel"))
    # Reports stand for other members' judgement: one's own would let two others remove a
    # message where the group asked for three. Posted as a channel, the reporter is that
    # channel: the sender is then a placeholder account all channels share.
    reporter = event.sent_as_channel or event.user
    if target_user.id == reporter.id:
        return _reply(event, ctx.t("moderation.report_own"))
    bot = isinstance(target_user, User) and target_user.is_bot
    if bot or await is_exempt(ctx, target_user.id):
        return _reply(event, ctx.t("moderation.report_self"))
    conf = adfilter_settings(ctx.group)
    text = event.reply_to_text or event.reply_to_shared_text or ""
    report = Report(message_id=message_id, target_id=target_user.id,
                    target_name=display(target_user), reporter_id=reporter.id,
                    reporter_name=display(reporter), text=text)
    if (why_not := not_counted(ctx, conf, reporter)) is not None:
        # Heard, not counted: a fresh account is told nothing that would teach it to wait.
        # Kept, for the operators to see who reported what.
        await add_report(ctx.session, ctx.group.id, report, ctx.now, not_counted=why_not)
        log.info("moderation.report_not_counted", group=ctx.group.id, message=message_id,
                 reporter=reporter.id, why=why_not)
        return _reply(event, ctx.t("moderation.report_noted"),
                      delete_after_seconds=conf.warning_seconds)
    count, added = await add_report(ctx.session, ctx.group.id, report, ctx.now)
    told = added and count == conf.report_threshold
    why = held_back(event, ctx, conf)
    if why == TOO_OLD:  # nothing the reports reach can be done: the operators decide
        return await _refer(event, ctx, conf, report, why=why, count=count, told=told)
    ack = ctx.t("moderation.report_ack", count=count, threshold=conf.report_threshold)
    if count < conf.report_threshold:
        return _reply(event, ack, delete_after_seconds=conf.warning_seconds)
    # Already acted on, by the filter, an operator or earlier reports; or undone by an
    # operator, whose word on this message the reports counted before it cannot overrule.
    # A ruling only recorded in shadow mode did nothing: the reports act once the group has
    # left shadow mode, and are thanked while it is in it.
    done = await decision_for_message(ctx.session, ctx.group.id, message_id, undone_too=True)
    if done is not None and (done.undone or not done.shadow):
        return []
    if why is not None:
        return await _refer(event, ctx, conf, report, why=why, count=count, told=told)
    if done is not None and conf.shadow:
        return _reply(event, ack, delete_after_seconds=conf.warning_seconds)
    ruling = Decision(
        spam=True,
        score=1.0,
        verdicts=(Verdict("reports", True, 1.0, f"reported by {count} members"),),
    )
    row, actions = await punish(
        event,
        ctx,
        conf,
        offender=target_user,
        message_id=message_id,
        text=text,
        decision=ruling,
        source="report",
        step_of=report_step,
    )
    if row.shadow:
        # Nothing is done in shadow mode, but the reporter still hears the report counted.
        return _reply(event, ack, delete_after_seconds=conf.warning_seconds)
    # Addressed to the member, as the ad filter's warning is, not to the last reporter.
    lang = row.lang or ctx.lang
    notice = translate(
        lang,
        REPORT_NOTICES[row.action],
        count=count,
        name=display(target_user),
        length=format_duration(conf.mute_length, lang),
        id=row.id,
    )
    keys = warning_buttons(ctx, event, row, lang)
    rest = await remove_replied_album(event, ctx, target_user.id)
    return [*actions, *rest, SendMessage(chat_id=event.chat.id, text=notice, buttons=keys)]


async def _refer(event: Event, ctx: Context, conf: AdFilterSettings, report: Report, *,
                 why: str, count: int, told: bool) -> list[Action]:
    """`refer`, noting on the report that told the operators that it did (the dashboard
    shows it)."""
    assert ctx.group is not None
    if told:
        await mark_referred(ctx.session, ctx.group.id, report, why)
    return refer(event, ctx, conf, why=why, name=report.target_name, count=count, told=told)
