"""Copy-paste promotion caught in one group is removed from the others too.

The cross-group rule fires only at the copy that reaches its count of groups; the earlier copies
stayed up where they were let through while they might still have been chat. When it fires,
each earlier copy by the same sender in another group the bot is in is removed as a decision of
that group (its operators see it, `/why` explains it and `/undo` or the button restores it),
judged by that group's own settings: filter off, the sender exempt there, the copy-paste rule
off or its ad window open leave the copy alone, and shadow mode only records it.

A copy is only deleted, whatever that group's ladder says: the sender answers for the paste by
the ladder of the group where it was caught, once, not once per group.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import structlog

from bot.core.actions import Action, DeleteMessage, SendMessage
from bot.core.context import Context
from bot.core.events import Chat, User
from bot.core.i18n import pick_language, translate
from bot.db.models import Group
from bot.groups.settings import load_group_settings
from handlers.adfilter import Decision
from handlers.moderation import DELETABLE_FOR, adfilter_settings
from handlers.moderation_actions import buttons, display, removed_as_ad
from handlers.moderation_rights import operates
from handlers.moderation_store import decision_for_message, record_decision
from handlers.repeats_store import Copy

log = structlog.get_logger(__name__)

GONE = ("left", "kicked")  # the bot is no longer in the group: it can delete nothing there


async def remove_copies_elsewhere(
    ctx: Context,
    offender: User | Chat,
    text: str,
    decision: Decision,
    copies: tuple[Copy, ...],
) -> list[Action]:
    """Record a decision on each of `copies` (the sender's earlier posts of the text `decision`
    caught, in other groups) and return what to do about them (see the module)."""
    actions: list[Action] = []
    for copy in copies:
        if ctx.now - copy.at >= DELETABLE_FOR:
            continue  # Telegram would refuse: the copy stays for its operators to judge
        group = await ctx.session.get(Group, copy.group_id)
        if group is None or group.bot_status in GONE or not await _judged_in(ctx, group, offender):
            continue
        if await decision_for_message(ctx.session, group.id, copy.message_id) is not None:
            continue  # removed already (its operators, reports, an earlier firing)
        actions += await _remove(ctx, group, offender, text, decision, copy)
    return actions


async def _judged_in(ctx: Context, group: Group, offender: User | Chat) -> bool:
    """Whether `group`'s settings let its copy be judged as copy-paste promotion now."""
    conf = adfilter_settings(group)
    if not conf.enabled or not conf.crossgroup_limit or offender.id in conf.allowed_users:
        return False
    if await operates(ctx, offender.id, group):
        return False
    settings = load_group_settings(group.settings)
    tz = ZoneInfo(settings.timezone) if settings.timezone else ctx.default_tz
    return conf.window is None or not conf.window.contains(ctx.now.astimezone(tz))


async def _remove(
    ctx: Context, group: Group, offender: User | Chat, text: str, decision: Decision, copy: Copy
) -> list[Action]:
    conf = adfilter_settings(group)
    code = offender.language_code if isinstance(offender, User) else None
    lang = pick_language(load_group_settings(group.settings).language.value, code)
    row = await record_decision(
        ctx.session,
        group_id=group.id,
        user_id=offender.id,
        user_name=display(offender),
        message_id=copy.message_id,
        text=text,
        score=decision.score,
        verdicts=[v.to_dict() for v in decision.verdicts],
        action="delete",
        source="filter",
        actor_id=None,
        shadow=conf.shadow,
        undone=False,
        lang=lang,
        at=ctx.now,
    )
    log.info("adfilter.copy_removed", decision=row.id, group=group.id, shadow=conf.shadow)
    if conf.shadow:
        return []
    await removed_as_ad(ctx, row, copy.at)
    notice = translate(lang, "adfilter.warn.copy", name=display(offender), id=row.id)
    return [
        DeleteMessage(chat_id=group.chat_id, message_id=copy.message_id),
        SendMessage(
            chat_id=group.chat_id,
            text=notice,
            buttons=buttons(ctx, "notspam", "why", decision_id=row.id, lang=lang),
            delete_after_seconds=conf.warning_seconds,
        ),
    ]
