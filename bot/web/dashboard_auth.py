"""The JSON API's bearer token (`QUNBOT_DASHBOARD_PASSWORD`), checked before anything else.

FastAPI reads and parses a route's body before running its dependencies, so a stranger's
malformed JSON got a 422 (and was parsed) where it should get a 401: the route class checks
the token first and reads no body for a request that fails it.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from starlette.responses import Response

from bot.web.bodies import CappedRoute, Handler
from bot.web.state import Runtime


def require_dashboard(request: Request) -> Runtime:
    """401 without the right bearer token; 503 when no dashboard password is configured."""
    runtime: Runtime = request.app.state.runtime
    password = runtime.settings.dashboard_password
    if password is None:
        raise HTTPException(503, "dashboard API disabled: set QUNBOT_DASHBOARD_PASSWORD")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    expected = password.get_secret_value().encode()
    # Headers arrive decoded as latin-1: encoded back, they are the bytes the client sent, the
    # UTF-8 of a password such as "群管理密码" (re-encoded as UTF-8 it could never match).
    given = token.encode("latin-1", errors="replace")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, expected):
        raise HTTPException(401, "bad or missing bearer token", {"WWW-Authenticate": "Bearer"})
    return runtime


Authorized = Annotated[Runtime, Depends(require_dashboard)]


class DashboardRoute(CappedRoute):
    """A JSON API route: the token checked before the body is read (then capped, then parsed)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                require_dashboard(request)
            except HTTPException as exc:
                return await http_exception_handler(request, exc)
            return await handler(request)

        return guarded
