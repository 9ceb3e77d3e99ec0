"""The dashboard's Undo: the same undo as `/undo` in the group (`undo_and_tell`), its actions
stored in the outbox like a handler's, and its outcome told to the group's operators."""

from __future__ import annotations

from typing import Literal

import structlog

from bot.core.context import operator_context
from bot.outbox.store import enqueue
from bot.web.dashboard_data import find_group
from bot.web.state import Runtime
from handlers.moderation_appeals import undo_and_tell
from handlers.moderation_store import decision_in_group
from handlers.operator_notes import operator_note

log = structlog.get_logger(__name__)

# Who undid it, as `ModerationDecision.undone_by` records: no platform user id is this.
DASHBOARD = "dashboard"

Outcome = Literal["done", "already", "unknown"]


async def undo_from_dashboard(runtime: Runtime, chat_id: str, decision_id: int) -> Outcome:
    """Undo decision `decision_id` of the group `chat_id`; "unknown" when the group has none
    such, "already" when someone undid it first (the row is locked, so two presses undo once).
    """
    now = runtime.scheduler.now()
    async with runtime.sessions.begin() as session:
        group = await find_group(session, chat_id)
        decision = await decision_in_group(session, group.id, decision_id) if group else None
        if group is None or decision is None:
            return "unknown"
        if decision.undone:
            return "already"
        ctx = operator_context(session, group, now, default_tz=runtime.settings.timezone,
                               operators=tuple(runtime.settings.operators))
        actions, text = await undo_and_tell(ctx, decision, DASHBOARD)
        # /undo answers the operator who typed it in the group; here the group's operators
        # hear of it where operator notes go.
        actions.append(operator_note(group, ctx.lang, text))
        await enqueue(session, group.platform, actions, key=f"dashboard:undo:{decision.id}",
                      now=now)
    log.info("dashboard.undo", decision=decision_id, group=chat_id)
    runtime.sender.notify()
    return "done"
