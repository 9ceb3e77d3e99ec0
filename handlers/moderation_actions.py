"""What moderation does, shared by the gate, the commands and the appeal buttons: punish a
message by the ladder, undo a decision, explain one. Returns actions; writes only via the session.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog

from bot.core.actions import (
    Action,
    Ban,
    BanSenderChat,
    Button,
    DeleteMessage,
    Restrict,
    SendMessage,
    Unban,
    UnbanSenderChat,
    Unrestrict,
    fit_popup,
)
from bot.core.context import Context
from bot.core.events import Chat, Event, User
from bot.core.i18n import pick_language, translate
from bot.core.links import start_link
from bot.groups import activity
from handlers import moderation_texts  # noqa: F401  (registers the texts)
from handlers.adfilter import Decision, Verdict
from handlers.moderation import AdFilterSettings, Step, adfilter_settings, step_for
from handlers.moderation_holds import Holding, holding
from handlers.moderation_reasons import tell_action, tell_decision, tell_source
from handlers.moderation_store import ModerationDecision, count_offences, learn, record_decision
from handlers.mutes import hold, release
from handlers.points_store import restore_message_points, revoke_message_points
from handlers.welcome_departures import forget
from schedules.describe import format_duration

log = structlog.get_logger(__name__)


# The decision's `action` when a channel a member posted as was banned from the group.
BAN_CHAT = "ban_chat"
# `/start appeal_<decision id>`: what the link in a mute's warning sends to the bot.
APPEAL_PAYLOAD = "appeal_"


def display(who: User | Chat) -> str:
    name = who.name if isinstance(who, User) else who.title
    return f"@{who.username}" if who.username else name or who.id


def buttons(ctx: Context, *verbs: str, decision_id: int, lang: str | None = None
            ) -> tuple[tuple[Button, ...], ...]:
    """One row of `adf:<verb>:<id>` buttons; the verb names the text of the button."""
    lang = lang or ctx.lang
    row = tuple(
        Button(text=translate(lang, f"adfilter.button.{verb}"), data=f"adf:{verb}:{decision_id}")
        for verb in verbs
    )
    return (row,)


def warning_buttons(ctx: Context, event: Event, row: ModerationDecision, lang: str
                    ) -> tuple[tuple[Button, ...], ...]:
    """The buttons of a decision's warning in the group: the operators' Not spam and Why and,
    under a mute, the member's Appeal.

    The member's private notice cannot reach one who never wrote to the bot (Telegram refuses,
    403). A muted member still reads the group, and the Appeal link opens their private chat
    with the bot, which files the appeal (a banned member no longer sees the group, but can
    still /start the bot to find their decisions).
    """
    keys = buttons(ctx, "notspam", "why", decision_id=row.id, lang=lang)
    if row.action == "mute" and (link := start_link(event, f"{APPEAL_PAYLOAD}{row.id}")):
        keys = (*keys, (Button(text=translate(lang, "adfilter.button.appeal"), url=link),))
    return keys


def language_of(ctx: Context, offender: User | Chat) -> str:
    """The language to tell `offender` about a decision in: the group's, or in an "auto" group
    their own, whoever set it off (a reporter, an operator) and whatever language they speak.
    A channel, or a member whose language is unknown, hears the one who set it off."""
    code = offender.language_code if isinstance(offender, User) else None
    return pick_language(ctx.group_settings.language.value, code) if code else ctx.lang


async def punish(
    event: Event,
    ctx: Context,
    conf: AdFilterSettings,
    *,
    offender: User | Chat,
    message_id: str | None,
    text: str,
    decision: Decision,
    source: str,
    step_of: Callable[[int, tuple[Step, ...]], Step] = step_for,
    shadow: bool | None = None,
) -> tuple[ModerationDecision, list[Action]]:
    """Record a decision on a member's message and return what to do about it.

    The step is `step_of` the member's counted offences and the group's ladder (members'
    reports read it as `report_step`).
    In shadow mode the decision is stored and logged, and nothing is done; its step is what
    real mode would have done, by the member's shadow offences alone. The offender may be
    a channel a member posted as: it has offences of its own, and past a warning it is banned
    from posting in the group, since a channel cannot be muted.
    """
    assert ctx.group is not None
    shadow = conf.shadow if shadow is None else shadow
    lang = language_of(ctx, offender)
    since = ctx.now - timedelta(days=conf.offence_days)
    offences = await count_offences(ctx.session, ctx.group.id, offender.id, since, shadow=shadow)
    step = step_of(offences, conf.ladder)
    channel = isinstance(offender, Chat)
    done = BAN_CHAT if channel and step != "delete" else step
    until = ctx.now + conf.mute_length
    row = await record_decision(
        ctx.session,
        group_id=ctx.group.id,
        user_id=offender.id,
        user_name=display(offender),
        message_id=message_id,
        text=text,
        score=decision.score,
        verdicts=[v.to_dict() for v in decision.verdicts],
        action=done,
        source=source,
        actor_id=event.user.id if source == "operator" and event.user else None,
        shadow=shadow,
        undone=False,
        lang=lang,
        until=until if done == "mute" else None,
        at=ctx.now,
    )
    log.info(
        "adfilter.decision",
        decision=row.id,
        step=done,
        source=source,
        shadow=shadow,
        score=decision.score,
        reasons=[v.name for v in decision.reasons],
    )
    if shadow:
        return row, []
    chat = event.chat.id
    actions: list[Action] = []
    if message_id:
        actions.append(DeleteMessage(chat_id=chat, message_id=message_id))
        # An ad is a figure of its own in the digest, not one of the members' messages.
        own = event.message_id == message_id
        posted = event.at if own else ctx.now
        worded = bool(event.text if own else event.reply_to_text)
        await removed_as_ad(ctx, row, posted, worded=worded)
    length = format_duration(conf.mute_length, lang)
    if done == "mute":
        assert isinstance(offender, User)  # a channel's step past a warning is BAN_CHAT
        actions.append(Restrict(chat_id=chat, user_id=offender.id, until=until))
        await hold(ctx.session, ctx.group.id, offender, until)
    elif done == "ban":
        actions.append(Ban(chat_id=chat, user_id=offender.id))
        await forget(ctx, [offender.id])
    elif done == BAN_CHAT:
        actions.append(BanSenderChat(chat_id=chat, sender_chat_id=offender.id))
    if source != "report":
        key = f"adfilter.warn.{'chat.' if channel else ''}{done}"
        warning = translate(lang, key, name=display(offender), id=row.id, length=length)
        keys = warning_buttons(ctx, event, row, lang)
        # A warning carrying the Appeal link stays: for a member the bot cannot write to, it
        # is the one way to appeal, and they may look at the group only after it was gone.
        appealable = any(button.url for line in keys for button in line)
        actions.append(
            SendMessage(
                chat_id=chat,
                text=warning,
                buttons=keys,
                delete_after_seconds=None if appealable else conf.warning_seconds,
            )
        )
    if done in ("mute", "ban"):
        # (A channel gets none: it has no private chat with the bot to hear it or appeal in.)
        # The member's private chat has their user id; it fails (403) if they never started
        # the bot, which the outbox records and nothing else depends on.
        notice = translate(
            lang, f"adfilter.notice.{step}", group=event.chat.title or chat, length=length
        )
        keys = buttons(ctx, "appeal", decision_id=row.id, lang=lang)
        actions.append(SendMessage(chat_id=offender.id, text=notice, buttons=keys))
    return row, actions


async def undo(
    ctx: Context, decision: ModerationDecision, chat_id: str, actor_id: str | None
) -> tuple[list[Action], Holding]:
    """Lift what a decision did and still holds, stop it counting as an offence, count the
    message as the member's again, and teach the model "ham".

    Returns the actions and what still holds the member: a later mute or ban is theirs to
    keep, not this decision's to lift."""
    decision.undone = True
    decision.undone_by = actor_id
    decision.undone_at = ctx.now
    held = await holding(ctx, decision)
    actions: list[Action] = []
    if not decision.shadow and decision.action == "mute" and held.muted_until is None:
        if not held.banned:  # lifting a banned member's restriction is no business of a mute's
            actions.append(Unrestrict(chat_id=chat_id, user_id=decision.user_id))
        await release(ctx.session, decision.group_id, decision.user_id)
    elif not decision.shadow and decision.action == "ban" and not held.banned:
        actions.append(Unban(chat_id=chat_id, user_id=decision.user_id))
    elif not decision.shadow and decision.action == BAN_CHAT and not held.banned:
        actions.append(UnbanSenderChat(chat_id=chat_id, sender_chat_id=decision.user_id))
    if not decision.shadow and decision.message_id:
        # The message cannot be posted back, but it was the member's, not an ad: the digest,
        # their message count (the ad filter's newcomer window) and their points take it back.
        await activity.mark_restored(ctx.session, decision.group_id, decision.message_id)
        await restore_message_points(ctx.session, decision.group_id, decision.user_id,
                                     decision.id, ctx.now)
    await learn(ctx.session, decision.group_id, decision.text, False, ctx.now)
    log.info("adfilter.undone", decision=decision.id, by=actor_id, still_banned=held.banned,
             still_muted=held.muted_until is not None)
    return actions, held


async def removed_as_ad(
    ctx: Context, decision: ModerationDecision, posted: datetime, *, worded: bool = True
) -> None:
    """Count `decision`'s message as an ad removed, not as its sender's message, and take back
    the points it earned: removed after the fact (/spam, members' reports, a copy of an ad
    found later), it had been paid as chat, and spammers climbed /top."""
    assert decision.message_id is not None
    await activity.mark_removed(ctx.session, decision.group_id, decision.message_id,
                                decision.user_id, posted, worded=worded)
    await revoke_message_points(ctx.session, decision.group_id, decision.user_id,
                                decision.message_id, decision.id, ctx.now)


def undone_text(ctx: Context, decision: ModerationDecision, held: Holding) -> str:
    """What the operators are told once `decision` is undone, by what it had done and what
    still holds the member."""
    name = decision.user_name or decision.user_id
    if held.anything and not decision.shadow:
        if held.banned:
            return ctx.t("moderation.undone_still_banned", id=decision.id, name=name)
        assert held.muted_until is not None
        until = f"{held.muted_until.astimezone(ctx.tz):%Y-%m-%d %H:%M}"
        return ctx.t("moderation.undone_still_muted", id=decision.id, name=name, until=until)
    key = "moderation.undone"
    if decision.shadow:
        key = "moderation.undone_shadow"  # nothing was done: nobody is restored
    elif decision.action == "ban":
        key = "moderation.undone_ban"
    return ctx.t(key, id=decision.id, name=name)


def ruling_of(decision: ModerationDecision) -> Decision:
    """The ruling a decision stored: every check's verdict, as it was when it was taken."""
    verdicts = tuple(
        Verdict(str(v["name"]), bool(v["spam"]), float(v["score"]), str(v["details"]))
        for v in decision.verdicts or ()
    )
    return Decision(spam=True, score=decision.score, verdicts=verdicts)


def told_action(ctx: Context, decision: ModerationDecision) -> str:
    """What the decision did as operators read it: in shadow mode what real mode would have
    done (the point of trying the filter so), marked when undone."""
    action = tell_action(ctx.lang, decision.action)
    if decision.shadow:
        conf_length = adfilter_settings(ctx.group).mute_length
        length = decision.until - decision.at if decision.until else conf_length
        action = ctx.t(f"moderation.would.{decision.action}",
                       length=format_duration(length, ctx.lang))
    return action + (ctx.t("moderation.undone_mark") if decision.undone else "")


def explain(ctx: Context, decision: ModerationDecision, *, popup: bool = False) -> str:
    """Operator-facing account of a decision, one line per check that saw evidence.

    As a `popup` (the warning's Why button) it leaves out the message and fits Telegram's
    popup, pointing to /why for the rest.
    """
    text = ctx.t(
        "moderation.why_popup" if popup else "moderation.why",
        id=decision.id,
        name=decision.user_name or decision.user_id,
        action=told_action(ctx, decision),
        source=tell_source(ctx.lang, decision.source),
        shadow=ctx.t("moderation.shadow_mark") if decision.shadow else "",
        text=decision.text[:200],
        explain=tell_decision(ctx.lang, ruling_of(decision)),
    )
    return fit_popup(text, ctx.t("moderation.why_more", id=decision.id)) if popup else text
