"""The buttons of moderation messages: a member's Appeal (in their private chat), the
operators' Not spam / Why (on the warning, in the group) and Restore / Reject (on the appeal
card, which goes where operator notes go: the group's operators' chat, else the group).

Callback data is `adf:<verb>:<decision id>`. A decision id names its group, so a card's press
in the operators' chat acts on that group, and counts only from one of its operators (an admin
of the operators' chat alone is not enough). Cards posted in the group before cards went to the
operators' chat carry the same data and still work there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.core.actions import (
    POPUP_LIMIT,
    Action,
    AnswerCallback,
    Button,
    SendInviteLink,
    SendMessage,
)
from bot.core.context import Context
from bot.core.events import Event, EventKind, User
from bot.core.i18n import pick_language, translate
from bot.core.router import Router
from bot.db.models import Group
from bot.groups.settings import group_lang, load_group_settings
from handlers.moderation_actions import explain, undo, undone_text
from handlers.moderation_holds import Holding
from handlers.moderation_rights import operates
from handlers.moderation_store import ModerationDecision, decision_by_id
from handlers.operator_notes import naming, operator_note, operators_chat

router = Router("appeals")

OPERATOR_VERBS = ("notspam", "why", "restore", "reject")
CARD_VERBS = ("restore", "reject")  # the appeal card's, which may be in the operators' chat
# How long the way back in a restored member is sent stays open (it also works only once).
REJOIN_DAYS = 7


def _ours(event: Event) -> bool:
    parts = (event.callback_data or "").split(":")
    return len(parts) == 3 and parts[0] == "adf" and parts[2].isdecimal()


def _answer(event: Event, text: str, alert: bool = False) -> AnswerCallback:
    return AnswerCallback(
        chat_id=event.chat.id,
        callback_id=event.callback_id or "",
        text=text[:POPUP_LIMIT],
        show_alert=alert,
    )


@router.on(EventKind.CALLBACK, when=_ours)
async def moderation_button(event: Event, ctx: Context) -> list[Action]:
    _, verb, raw_id = (event.callback_data or "").split(":")
    if verb == "appeal":
        return await _appeal(event, ctx, int(raw_id))
    if verb not in OPERATOR_VERBS:
        return [_answer(event, ctx.t("moderation.done"))]
    decision = await decision_by_id(ctx.session, int(raw_id))
    acting = await _acting(event, ctx, verb, decision)
    if acting is None:
        return [_answer(event, ctx.t("moderation.operators_only"), alert=True)]
    assert acting.group is not None
    if decision is None or decision.group_id != acting.group.id:
        return [_answer(event, ctx.t("moderation.unknown", id=raw_id), alert=True)]
    if verb == "why":
        return [_answer(event, explain(ctx, decision, popup=True), alert=True)]
    if verb == "reject":
        return _reject(event, acting, decision)
    return await _restore(event, acting, decision, appealed=verb == "restore")


async def _acting(event: Event, ctx: Context, verb: str, decision: ModerationDecision | None
                  ) -> Context | None:
    """The context a press acts in, that of the decision's group; None when the presser may
    not act there.

    In the group itself its operators may; an appeal card in the operators' chat acts on the
    group it names, and only an operator of that group may press it.
    """
    if ctx.group is None:
        return None
    if decision is None or decision.group_id == ctx.group.id or verb not in CARD_VERBS:
        return ctx if ctx.is_operator else None
    group = await ctx.session.get(Group, decision.group_id)
    if group is None or operators_chat(group) != event.chat.id or event.user is None:
        return None
    if not await operates(ctx, event.user.id, group):
        return None
    settings = load_group_settings(group.settings)
    tz = ZoneInfo(settings.timezone) if settings.timezone else ctx.default_tz
    # The presser's row is the operators' chat's; the language stays theirs, as they read it.
    return replace(ctx, group=group, group_settings=settings, member=None, is_operator=True,
                   tz=tz)


async def _appeal(event: Event, ctx: Context, decision_id: int) -> list[Action]:
    filed = await file_appeal(ctx, decision_id, event.user)
    return [*filed.actions, _answer(event, filed.reply, alert=filed.alert)]


class Filed(NamedTuple):
    """What filing an appeal did: `actions` for the operators, `reply` for the member."""

    actions: list[Action]
    reply: str
    alert: bool = False


async def file_appeal(ctx: Context, decision_id: int, member: User | None) -> Filed:
    """`member` asks the group's operators to look at a decision again: a card with Restore
    and Reject goes where operator notes go (`operator_note`), in front of the operators only
    when the group has an operators' chat. From the notice's Appeal button or a start link."""
    decision = await decision_by_id(ctx.session, decision_id)
    if decision is None:  # no group to speak for: the private chat's language
        return Filed([], ctx.t("moderation.not_yours"), alert=True)
    group = await ctx.session.get(Group, decision.group_id)
    assert group is not None  # decisions are deleted with their group
    member_lang = member_language(decision, group, member.language_code if member else None)
    if member is None or decision.user_id != member.id or decision.shadow:
        # A shadow decision did nothing to the member, and they were never told of it.
        return Filed([], translate(member_lang, "moderation.not_yours"), alert=True)
    if decision.undone:  # an operator lifted it before the member appealed
        return Filed([], translate(member_lang, "moderation.already_undone", id=decision.id))
    if decision.appeal is not None:
        return Filed([], translate(member_lang, "moderation.appeal_duplicate"))
    decision.appeal, decision.appealed_at = "pending", ctx.now
    lang = group_lang(group)
    text = translate(
        lang,
        "moderation.appeal_posted",
        name=decision.user_name or decision.user_id,
        id=decision.id,
    )
    keys = (
        (
            _button(lang, "restore", decision.id),
            _button(lang, "reject", decision.id),
        ),
    )
    card = operator_note(group, lang, text, buttons=keys)
    return Filed([card], translate(member_lang, "moderation.appeal_sent"))


def member_language(
    decision: ModerationDecision, group: Group | None, user_lang: str | None = None
) -> str:
    """The language the member's notice was in, for everything the member hears about the
    decision: their private chat (and the operator who answers) may speak another.

    A decision stored without it takes the group's rule, `user_lang` being the member's own.
    """
    if decision.lang:
        return decision.lang
    settings = load_group_settings(group.settings if group is not None else None)
    return pick_language(settings.language.value, user_lang)


def _button(lang: str, verb: str, decision_id: int) -> Button:
    # In the group's language: the member's private chat may speak another.
    return Button(text=translate(lang, f"adfilter.button.{verb}"), data=f"adf:{verb}:{decision_id}")


async def _restore(
    event: Event, ctx: Context, decision: ModerationDecision, appealed: bool
) -> list[Action]:
    assert ctx.group is not None
    if decision.undone:
        return [_answer(event, ctx.t("moderation.already_undone", id=decision.id), alert=True)]
    if appealed and decision.appeal == "rejected":
        # The card's first press decided; /undo in the group still restores the member.
        text = ctx.t("moderation.appeal_rejected_before", id=decision.id)
        return [_answer(event, text, alert=True)]
    actor = event.user.id if event.user else None
    actions, text = await undo_and_tell(ctx, decision, actor, appealed=appealed)
    return [*actions, _on_card(event, ctx, text), _answer(event, text)]


async def undo_and_tell(ctx: Context, decision: ModerationDecision, actor_id: str | None, *,
                        appealed: bool = False) -> tuple[list[Action], str]:
    """Undo `decision` in its group (`ctx`'s) and tell the member what follows: the one way
    every undo goes (/undo, /notspam, the Not spam and Restore buttons, the dashboard).

    Returns the actions and the text for the operators."""
    assert ctx.group is not None
    actions, held = await undo(ctx, decision, ctx.group.chat_id, actor_id)
    actions += tell_restored(ctx, decision, held, appealed=appealed)
    return actions, undone_text(ctx, decision, held)


def _on_card(event: Event, ctx: Context, text: str) -> SendMessage:
    """The outcome of a press, in the chat of the message pressed: named by its group when
    that is the operators' chat."""
    assert ctx.group is not None
    if event.chat.id != ctx.group.chat_id:
        text = naming(ctx.group, ctx.lang, text)
    return SendMessage(chat_id=event.chat.id, text=text)


def tell_restored(ctx: Context, decision: ModerationDecision, held: Holding, *,
                  appealed: bool = False) -> list[Action]:
    """After `decision` was undone, however (the Restore or Not spam button, /undo, /notspam):
    a member it banned is sent a link back in, appeal or not, as the ban had removed them; a
    member whose appeal waits (or who appealed, `appealed`) hears it was granted, and the
    appeal is closed, so a Reject pressed later cannot tell them otherwise. A member a later
    ban (`held`) keeps out gets no link in."""
    granted = decision.appeal == "pending" or appealed
    if granted:
        decision.appeal = "restored"
    title = ctx.group.title if ctx.group else ""
    lang = member_language(decision, ctx.group)
    if decision.action == "ban" and not decision.shadow and ctx.group is not None:
        if held.banned:
            return []
        return [_rejoin(ctx, decision, lang, title, granted)]
    if not granted:
        return []
    told = translate(lang, "moderation.appeal_restored", group=title)
    return [SendMessage(chat_id=decision.user_id, text=told)]


def _rejoin(ctx: Context, decision: ModerationDecision, lang: str, title: str, granted: bool
            ) -> SendInviteLink:
    """A banned member was removed from the group, and an unban lets nobody back into a private
    one: their notice carries a one-use link in. Without a link (the bot may not invite users)
    they are told to ask the admins, and the operators are asked to invite them by hand.
    `granted`: the notice answers their appeal, else it tells them the operators lifted it."""
    assert ctx.group is not None
    member, chat = decision.user_id, ctx.group.chat_id
    name = decision.user_name or decision.user_id
    why = "appeal" if granted else "undo"
    rejoin = translate(lang, f"moderation.{why}_rejoin", group=title, days=REJOIN_DAYS)
    by_hand = translate(lang, f"moderation.{why}_rejoin_by_hand", group=title)
    operators = operator_note(
        ctx.group, ctx.lang, ctx.t("moderation.rejoin_no_link", id=decision.id, name=name)
    )
    return SendInviteLink(
        chat_id=chat,
        notice=SendMessage(chat_id=member, text=rejoin),
        button=translate(lang, "moderation.rejoin_button"),
        expire=ctx.now + timedelta(days=REJOIN_DAYS),
        otherwise=(
            SendMessage(chat_id=member, text=by_hand),
            operators,
        ),
    )


def _reject(event: Event, ctx: Context, decision: ModerationDecision) -> list[Action]:
    if decision.undone:
        # Another operator restored the member first: a "rejected" now would be false.
        return [_answer(event, ctx.t("moderation.already_undone", id=decision.id), alert=True)]
    if decision.appeal == "rejected":  # pressed again: the member was told once
        text = ctx.t("moderation.appeal_rejected_before", id=decision.id)
        return [_answer(event, text, alert=True)]
    decision.appeal = "rejected"
    text = ctx.t("moderation.appeal_rejected_group", id=decision.id)
    return [
        SendMessage(
            chat_id=decision.user_id,
            text=translate(member_language(decision, ctx.group), "moderation.appeal_rejected"),
        ),
        _on_card(event, ctx, text),
        _answer(event, text),
    ]
