"""The operators' dashboard: server-rendered pages over the services the commands and the JSON
API use. Sign in at /dashboard/login with `QUNBOT_DASHBOARD_PASSWORD`.

Every page but the sign-in checks the session before anything else (`PageRoute`); every form
it posts carries the session's CSRF token, checked there too, so no route can forget either.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, quote

import structlog
from fastapi import APIRouter, Query
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.core.i18n import translate
from bot.db.models import utcnow
from bot.web import dashboard_session as sessions
from bot.web import dashboard_session_store as session_store
from bot.web import dashboard_sign_in_limit as sign_in_limit
from bot.web.bodies import Handler, read_capped
from bot.web.dashboard_data import (
    SHOWN_ON_GROUP,
    decision_rows,
    find_group,
    group_rows,
    job_rows,
    series_rows,
    settings_texts,
    steering_values,
    view_context,
)
from bot.web.dashboard_reports import report_rows
from bot.web.dashboard_session import DashboardSession
from bot.web.dashboard_undo import undo_from_dashboard
from bot.web.dashboard_view import message, page_language, render
from bot.web.pages import MAX_OFFSET, Page
from bot.web.state import Runtime
from handlers.moderation_store import MAX_ID

log = structlog.get_logger(__name__)

PER_PAGE = 50
HOME = "/dashboard"
LOGIN = "/dashboard/login"


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form's fields (first value of each); None when over the body limit."""
    body = await read_capped(request, request.app.state.runtime.settings.max_body_bytes)
    if body is None:
        return None
    try:
        fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)
    except ValueError:  # more fields than any of our forms has: no form of ours
        return {}
    return {key: values[0] for key, values in fields.items()}


def _off(request: Request) -> Response | None:
    if sessions.enabled(request.app.state.runtime.settings):
        return None
    return message(request, "dash.off", status=503)


class PublicRoute(APIRoute):
    """The sign-in form: served only while the dashboard is on."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            return _off(request) or await handler(request)

        return guarded


class PageRoute(APIRoute):
    """A page: the session checked first (a page asked for without one sends the browser to
    sign in, a form posted without one is refused), then a post's CSRF token."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            if (refused := _off(request)) is not None:
                return refused
            settings = request.app.state.runtime.settings
            key = await sessions.signing_key(settings)
            session = sessions.read(key, request.cookies.get(sessions.COOKIE))
            if session is not None and not await _still_open(request, session):
                session = None
            if session is None and request.method == "GET":
                target = quote(request.url.path, safe="/")
                return RedirectResponse(f"{LOGIN}?next={target}", status_code=303)
            if session is None:
                return message(request, "dash.signed_out", status=401)
            request.state.dashboard = session
            if request.method != "POST":
                return await handler(request)
            form = await _form(request)
            if form is None or not sessions.csrf_matches(session, form.get("csrf")):
                return message(request, "dash.csrf", status=403, csrf=session.csrf)
            # The body is spent: the route reads the fields from here.
            request.state.form = form
            return await handler(request)

        return guarded


async def _still_open(request: Request, session: DashboardSession) -> bool:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as db, db.begin():
        return await session_store.is_open(db, session, utcnow())


public = APIRouter(route_class=PublicRoute)
router = APIRouter(prefix=HOME, route_class=PageRoute)


def _next(target: str | None) -> str:
    # Only back into the dashboard: "//evil.example" or a full URL would send a freshly
    # signed-in operator elsewhere.
    if target and target.startswith(HOME) and not target.startswith("//") and "\\" not in target:
        return target
    return HOME


def _client(request: Request) -> str:
    # The real client's address when a trusted proxy named it (uvicorn's proxy headers).
    return sign_in_limit.client_key(request.client.host if request.client else None)


@public.get(LOGIN)
async def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=_next(next), error=None)


@public.post(LOGIN)
async def login(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    form = await _form(request) or {}
    target = _next(form.get("next"))
    client = _client(request)
    lang = page_language(request)
    attempt = await sign_in_limit.begin(runtime.sessions, client, utcnow())
    if attempt is None:
        log.warning("dashboard.sign_in_blocked", client=client)
        minutes = sign_in_limit.FAILURE_WINDOW // 60
        return render(request, "login.html", status=429, next=target,
                      error=translate(lang, "dash.too_many", minutes=minutes))
    if not sessions.password_matches(runtime.settings, form.get("password", "")):
        log.warning("dashboard.sign_in_failed", client=client)
        await asyncio.sleep(sign_in_limit.FAILURE_DELAY)
        return render(request, "login.html", status=401, next=target,
                      error=translate(lang, "dash.wrong_password"))
    await sign_in_limit.succeeded(runtime.sessions, attempt)
    cookie, session = sessions.issue(await sessions.signing_key(runtime.settings))
    async with runtime.sessions() as db, db.begin():
        session_store.open_session(db, session, client, utcnow())
    log.info("dashboard.signed_in", client=client)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        sessions.COOKIE, cookie, max_age=sessions.LIFETIME_SECONDS, path=HOME, httponly=True,
        samesite="strict", secure=request.url.scheme == "https",
    )
    return response


def _session(request: Request) -> DashboardSession:
    return request.state.dashboard


@router.post("/logout")
async def logout(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as db, db.begin():
        await session_store.revoke(db, _session(request), utcnow())
    log.info("dashboard.signed_out", client=_client(request))
    return _signed_out()


@router.post("/logout/everywhere")
async def logout_everywhere(request: Request) -> Response:
    """Ends every session, wherever its cookie is: for a cookie that may have leaked."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as db, db.begin():
        count = await session_store.revoke_all(db, utcnow())
    log.warning("dashboard.signed_out_everywhere", client=_client(request), sessions=count)
    return _signed_out()


def _signed_out() -> Response:
    response = RedirectResponse(LOGIN, status_code=303)
    response.delete_cookie(sessions.COOKIE, path=HOME)
    return response


@router.get("")
async def groups_page(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    async with runtime.sessions() as session:
        rows = await group_rows(runtime, session, page_language(request))
        return render(request, "groups.html", csrf=_session(request).csrf, rows=rows)


@router.get("/groups/{chat_id}")
async def group_page(chat_id: str, request: Request, saved: str | None = None) -> Response:
    notice = translate(page_language(request), SAVED[saved]) if saved in SAVED else None
    return await show_group(request, chat_id, notice=notice)


# What the page says after one of its forms changed a setting (`?saved=`): what the command
# says, but for /filter, whose answer (all its settings) the page shows anyway.
SAVED = {"filter": "dash.saved.filter", "welcome": "welcome.saved", "rules": "rules.saved"}


async def show_group(request: Request, chat_id: str, *, status: int = 200,
                     notice: str | None = None, refused: dict[str, str] | None = None,
                     drafts: dict[str, str] | None = None) -> Response:
    """The group's page; `refused` names a form's refusal beside it, and `drafts` what its
    operator typed there, so a text refused is not lost."""
    runtime: Runtime = request.app.state.runtime
    csrf = _session(request).csrf
    async with runtime.sessions() as session:
        group = await find_group(session, chat_id)
        if group is None:
            return message(request, "dash.not_found", status=404, csrf=csrf)
        ctx = view_context(runtime, session, group, page_language(request))
        decisions, _ = await decision_rows(ctx, Page(SHOWN_ON_GROUP, 0))
        reports, _ = await report_rows(ctx, Page(SHOWN_ON_GROUP, 0))
        schedules, countdowns = await job_rows(ctx)
        return render(
            request, "group.html", status=status, csrf=csrf, group=group, decisions=decisions,
            reports=reports,
            schedules=schedules, countdowns=countdowns, series=await series_rows(ctx),
            settings=await settings_texts(ctx), notice=notice, refused=refused or {},
            steer={**steering_values(group), **(drafts or {})},
        )


@router.get("/groups/{chat_id}/decisions")
async def decisions_page(
    chat_id: str,
    request: Request,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    outcome: str | None = None,
    decision: int | None = Query(None, ge=1, le=MAX_ID),
) -> Response:
    runtime: Runtime = request.app.state.runtime
    csrf = _session(request).csrf
    lang = page_language(request)
    async with runtime.sessions() as session:
        group = await find_group(session, chat_id)
        if group is None:
            return message(request, "dash.not_found", status=404, csrf=csrf)
        ctx = view_context(runtime, session, group, lang)
        rows, more = await decision_rows(ctx, Page(PER_PAGE, offset))
        notices = {"done": "dash.undo_done", "already": "moderation.already_undone",
                   "unknown": "dash.undo_unknown"}
        notice = translate(lang, notices[outcome], id=decision) if outcome in notices else None
        return render(
            request, "decisions.html", csrf=csrf, group=group, decisions=rows, notice=notice,
            newer=max(offset - PER_PAGE, 0) if offset else None,
            older=offset + PER_PAGE if more else None,
        )


@router.get("/groups/{chat_id}/reports")
async def reports_page(
    chat_id: str, request: Request, offset: int = Query(0, ge=0, le=MAX_OFFSET)
) -> Response:
    runtime: Runtime = request.app.state.runtime
    csrf = _session(request).csrf
    async with runtime.sessions() as session:
        group = await find_group(session, chat_id)
        if group is None:
            return message(request, "dash.not_found", status=404, csrf=csrf)
        ctx = view_context(runtime, session, group, page_language(request))
        rows, more = await report_rows(ctx, Page(PER_PAGE, offset))
        return render(
            request, "reports.html", csrf=csrf, group=group, reports=rows,
            newer=max(offset - PER_PAGE, 0) if offset else None,
            older=offset + PER_PAGE if more else None,
        )


@router.post("/groups/{chat_id}/decisions/{decision_id}/undo")
async def undo(chat_id: str, decision_id: int, request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    outcome = await undo_from_dashboard(runtime, chat_id, decision_id)
    back = f"{HOME}/groups/{quote(chat_id, safe='')}/decisions"
    return RedirectResponse(f"{back}?outcome={outcome}&decision={decision_id}", status_code=303)
