"""The JSON API's bearer token (`QUNBOT_DASHBOARD_PASSWORD`), checked before anything else.

FastAPI reads and parses a route's body before running its dependencies, so a stranger's
malformed JSON got a 422 (and was parsed) where it should get a 401: the route class checks
the token first and reads no body for a request that fails it.

The token is the dashboard's password, so a wrong one counts against the same allowance as a
wrong password on the sign-in page (`dashboard_sign_in_limit`): otherwise the API would be the
way to guess it without limit. A request with no bearer token at all guesses nothing and is
refused at once, without a database query.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.responses import Response

from bot.db.models import utcnow
from bot.web import dashboard_sign_in_limit as sign_in_limit
from bot.web.bodies import CappedRoute, Handler
from bot.web.state import Runtime

_REFUSED = {"WWW-Authenticate": "Bearer"}


def _bearer(request: Request) -> tuple[Runtime, bytes | None, bytes]:
    """The runtime, the token the request carries (None: no bearer token), the expected one;
    503 when no dashboard password is configured."""
    runtime: Runtime = request.app.state.runtime
    password = runtime.settings.dashboard_password
    if password is None:
        raise HTTPException(503, "dashboard API disabled: set QUNBOT_DASHBOARD_PASSWORD")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    # Headers arrive decoded as latin-1: encoded back, they are the bytes the client sent, the
    # UTF-8 of a password such as "群管理密码" (re-encoded as UTF-8 it could never match).
    given = token.encode("latin-1", errors="replace") if scheme.lower() == "bearer" else None
    return runtime, given, password.get_secret_value().encode()


def require_dashboard(request: Request) -> Runtime:
    """401 without the right bearer token; 503 when no dashboard password is configured."""
    runtime, given, expected = _bearer(request)
    if given is None or not hmac.compare_digest(given, expected):
        raise HTTPException(401, "bad or missing bearer token", _REFUSED)
    return runtime


async def check_bearer(request: Request) -> None:
    """`require_dashboard`, with a wrong token counted as a wrong password (429 past the
    allowance, even for the right token, as on the sign-in page)."""
    runtime, given, expected = _bearer(request)
    if given is None:
        raise HTTPException(401, "bad or missing bearer token", _REFUSED)
    client = sign_in_limit.client_key(request.client.host if request.client else None)
    attempt = await sign_in_limit.begin(runtime.sessions, client, utcnow())
    if attempt is None:
        raise HTTPException(429, "too many wrong tokens from this address: try again later",
                            {"Retry-After": str(sign_in_limit.FAILURE_WINDOW)})
    if not hmac.compare_digest(given, expected):
        await asyncio.sleep(sign_in_limit.FAILURE_DELAY)
        raise HTTPException(401, "bad or missing bearer token", _REFUSED)
    await sign_in_limit.succeeded(runtime.sessions, attempt)


Authorized = Annotated[Runtime, Depends(require_dashboard)]


class DashboardRoute(CappedRoute):
    """A JSON API route: the token checked before the body is read (then capped, then parsed)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                await check_bearer(request)
            except HTTPException as exc:
                return await http_exception_handler(request, exc)
            return await handler(request)

        return guarded
