"""The dispatcher: middlewares, then every matching handler in router order.

The order of `ROUTERS` is the precedence: gates (ad filter, screening) come first so a message
they stop never reaches check-ins or points; commands and ordinary handlers follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, Halt, SendMessage
from bot.core.context import Context
from bot.core.events import Event, EventKind
from bot.core.middlewares import MIDDLEWARES, Middleware
from bot.core.router import CommandInfo, Router
from bot.metrics import Metrics
from bot.settings import Settings
from handlers import (
    activity,
    adfilter_commands,
    adfilter_gate,
    allowlist,
    checkin,
    discipline,
    group_settings,
    guide,
    icebreaker,
    moderation_appeal_start,
    moderation_appeals,
    moderation_commands,
    points,
    redpacket,
    schedule_commands,
    screening,
    stats,
    templates,
    verification,
    verification_batch,
    welcome,
)

log = structlog.get_logger(__name__)

ROUTERS: tuple[Router, ...] = (
    # The ad filter first: a message it deletes as spam halts, so no later handler (check-ins,
    # points, replies) ever acts on it; operators and allow-listed members pass through.
    adfilter_gate.router,
    # Entry next: the verification gate, greetings (which start verifications) and join-request
    # screening act on joins, join requests and their buttons, which nothing before them stops.
    verification.router,
    verification_batch.router,
    welcome.router,
    screening.router,
    # /allowlist, and the member lists it imports from files, read by a worker.
    allowlist.router,
    # Members' messages are counted past the gates (an ad the filter removes is counted as
    # such, not as a message) and before anything that could stop them.
    activity.router,
    # Check-ins, red packets and points after the gates (a message a gate halts, e.g. spam the
    # ad filter deletes, never earns points) and before the plain command routers; points ends
    # with its lowest-precedence handler, effective-activity points, which only writes the ledger.
    checkin.router,
    redpacket.router,
    points.router,
    # Icebreakers after the gates (spam is never thanked as an introduction) and before commands.
    icebreaker.router,
    # Commands last: they never block other capabilities from seeing a message. A private
    # /start that follows an appeal link files the appeal instead of showing the help.
    moderation_appeal_start.router,
    guide.router,
    group_settings.router,
    # Moderation commands (/spam, /undo, /report...), their buttons and /filter; /warn, /mute
    # and /ban.
    moderation_commands.router,
    discipline.router,
    moderation_appeals.router,
    adfilter_commands.router,
    # /schedule and /countdown: operator commands that only answer their own command.
    schedule_commands.router,
    stats.router,
    templates.router,
)


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        metrics: Metrics,
        routers: Sequence[Router] = ROUTERS,
        middlewares: Sequence[Middleware] = MIDDLEWARES,
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._routers = tuple(routers)
        self._middlewares = tuple(middlewares)

    @property
    def commands(self) -> tuple[CommandInfo, ...]:
        return tuple(
            route.command for router in self._routers for route in router.routes if route.command
        )

    @property
    def event_kinds(self) -> frozenset[EventKind]:
        """Every kind some handler or middleware needs; adapters subscribe to just these."""
        kinds = {
            kind for router in self._routers for route in router.routes for kind in route.kinds
        }
        # Membership bookkeeping and supergroup moves are needed whatever the handlers are.
        kinds |= {EventKind.MEMBER_JOINED, EventKind.MEMBER_LEFT, EventKind.MEMBER_UPDATED}
        kinds |= {EventKind.CHAT_MIGRATED, EventKind.BOT_MEMBERSHIP}
        return frozenset(kinds)

    async def dispatch(self, event: Event, session: AsyncSession, now: datetime) -> list[Action]:
        """Run middlewares and handlers for one event; return the actions to perform."""
        ctx = Context(session=session, now=now, platform=event.platform, commands=self.commands)
        for middleware in self._middlewares:
            await middleware(event, ctx, self._settings)
        actions: list[Action] = []
        for router in self._routers:
            for route in router.routes:
                if not route.matches(event):
                    continue
                if route.max_age is not None and now - event.at > route.max_age:
                    log.info("dispatch.stale", handler=route.name, age=str(now - event.at))
                    continue
                if route.group_only and ctx.group is None:
                    actions.append(_reply(event, ctx.t("common.group_only")))
                    continue
                if route.operator_only and not ctx.is_operator:
                    actions.append(_reply(event, ctx.t("common.not_operator")))
                    continue
                result = await self._run(route.name, route.handler, event, ctx)
                halted = [item for item in result if isinstance(item, Halt)]
                actions.extend(item for item in result if not isinstance(item, Halt))
                if halted:
                    log.info("dispatch.halted", handler=route.name, reason=halted[0].reason)
                    return _in_topic(event, actions)
        return _in_topic(event, actions)

    async def _run(self, name, handler, event: Event, ctx: Context) -> list:
        # A savepoint per handler: a failing handler's half-done writes vanish, others' stay.
        try:
            async with ctx.session.begin_nested():
                return list(await handler(event, ctx))
        except Exception:
            self._metrics.handler_errors.labels(handler=name).inc()
            log.exception("handler.failed", handler=name, update_id=event.update_id)
            return []


def _in_topic(event: Event, actions: list[Action]) -> list[Action]:
    """`actions` with the messages they post in the event's chat sent to the forum topic the
    event came from: sent there without saying so, they land in the General topic (a reply
    whose message is gone meanwhile, an announcement)."""
    if event.thread_id is None:
        return actions
    return [
        action.model_copy(update={"thread_id": event.thread_id})
        if isinstance(action, SendMessage) and action.chat_id == event.chat.id
        and action.thread_id is None
        else action
        for action in actions
    ]


def _reply(event: Event, text: str) -> SendMessage:
    return SendMessage(chat_id=event.chat.id, text=text, reply_to=event.message_id)
