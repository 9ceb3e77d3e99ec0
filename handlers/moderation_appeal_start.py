"""`/start` in the bot's private chat, the way to appeal for members the bot could not write to.

Telegram lets a bot write only to people who have written to it first, so a muted or banned
member who never did gets no private notice and no Appeal button. The mute's warning in the
group links here (`/start appeal_<id>` files the appeal at once), and a plain `/start` lists
the member's recent decisions that can still be appealed, each with its Appeal button: a banned
member no longer sees the group, but can find the bot.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.core.actions import Action, Halt, SendMessage
from bot.core.context import Context
from bot.core.events import ChatType, Event, EventKind
from bot.core.i18n import translate
from bot.core.router import COMMAND_MAX_AGE, Router
from handlers.moderation_actions import APPEAL_PAYLOAD, buttons
from handlers.moderation_appeals import file_appeal, member_language
from handlers.moderation_store import MAX_ID, appealable_decisions

router = Router("appeal_start")

_APPEAL = re.compile(rf"{APPEAL_PAYLOAD}(\d{{1,19}})")
# How long a decision can be found by /start: as long as the ladder counts an offence by
# default (`offence_days`); a mute is long over by then, and a ban's appeal weeks late is rare.
OPEN_DAYS = 30
LISTED = 5  # the latest ones; older ones were most likely for the same ads


def _private_start(event: Event) -> bool:
    return event.chat.type == ChatType.PRIVATE and event.command == "start"


@router.on(EventKind.MESSAGE, when=_private_start, max_age=COMMAND_MAX_AGE)
async def private_start(event: Event, ctx: Context) -> list[Action]:
    chat = event.chat.id
    found = _APPEAL.fullmatch(event.args.strip())
    if found and int(found[1]) <= MAX_ID:
        filed = await file_appeal(ctx, int(found[1]), event.user)
        # The member followed the link to appeal, not to read the bot's commands.
        return [SendMessage(chat_id=chat, text=filed.reply), *filed.actions,
                Halt(reason="appeal from a start link")]
    if event.user is None:
        return []
    since = ctx.now - timedelta(days=OPEN_DAYS)
    notices = []
    for decision, group in await appealable_decisions(ctx.session, event.user.id, since, LISTED):
        lang = member_language(decision, group, event.user.language_code)
        text = translate(lang, f"moderation.open.{decision.action}", group=group.title or "",
                         id=decision.id)
        keys = buttons(ctx, "appeal", decision_id=decision.id, lang=lang)
        notices.append(SendMessage(chat_id=chat, text=text, buttons=keys))
    return notices
