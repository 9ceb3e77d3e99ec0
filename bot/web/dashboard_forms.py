"""The group page's forms: the ad filter's mode, the welcome text and the rules, each changed
by the function its chat command uses (`/filter`, `/welcome set`, `/rules set`), so the page
checks what the command checks and refuses in its words."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

import structlog
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.core.context import Context
from bot.db.models import Group
from bot.web.dashboard_data import find_group, view_context
from bot.web.dashboard_pages import HOME, PageRoute, show_group
from bot.web.dashboard_undo import DASHBOARD
from bot.web.dashboard_view import message, page_language
from bot.web.state import Runtime
from handlers.adfilter_commands import set_mode
from handlers.screening import set_rules
from handlers.welcome import set_template

log = structlog.get_logger(__name__)

router = APIRouter(prefix=HOME, route_class=PageRoute)

Change = Callable[[Context, str], Awaitable[tuple[bool, str]]]


async def _welcome(ctx: Context, text: str) -> tuple[bool, str]:
    return set_template(ctx, text, DASHBOARD)


async def _rules(ctx: Context, text: str) -> tuple[bool, str]:
    return set_rules(ctx, text, DASHBOARD)


async def _mode(ctx: Context, mode: str) -> tuple[bool, str]:
    return await set_mode(ctx, mode, DASHBOARD)


async def _steer(request: Request, chat_id: str, what: str, field: str,
                 change: Change) -> Response:
    """Apply one form's change; back to the group's page saying it was saved, or the page
    again with the command's refusal beside the form and what was typed still in it."""
    runtime: Runtime = request.app.state.runtime
    value = request.state.form.get(field, "")
    async with runtime.sessions.begin() as session:
        found = await find_group(session, chat_id)
        if found is None:
            return message(request, "dash.not_found", status=404,
                           csrf=request.state.dashboard.csrf)
        # Locked, as the membership sync locks it: the settings are one JSON document, and
        # two writers at once would each put back the other's old half.
        group = await session.get(Group, found.id, with_for_update=True,
                                  populate_existing=True)
        assert group is not None
        saved, answer = await change(view_context(runtime, session, group,
                                                  page_language(request)), value)
    if not saved:
        return await show_group(request, chat_id, status=400, refused={field: answer},
                                drafts={field: value})
    log.info("dashboard.changed", group=chat_id, setting=what)
    url = f"{HOME}/groups/{quote(chat_id, safe='')}?saved={what}#{what}"
    return RedirectResponse(url, status_code=303)


@router.post("/groups/{chat_id}/filter")
async def filter_mode(chat_id: str, request: Request) -> Response:
    return await _steer(request, chat_id, "filter", "mode", _mode)


@router.post("/groups/{chat_id}/welcome")
async def welcome_text(chat_id: str, request: Request) -> Response:
    return await _steer(request, chat_id, "welcome", "template", _welcome)


@router.post("/groups/{chat_id}/rules")
async def rules_text(chat_id: str, request: Request) -> Response:
    return await _steer(request, chat_id, "rules", "rules", _rules)
