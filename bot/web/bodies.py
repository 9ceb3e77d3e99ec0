"""Request bodies within `QUNBOT_MAX_BODY_BYTES`, and answers that do not echo them.

The webhook and the JSON API read at most that many bytes (413 beyond it), so a huge post is
refused before it is held in memory; a 422 names the fields at fault without sending their
values back (FastAPI's default repeats each bad input, a megabyte text included).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is over `limit` bytes (declared or as it streams in)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


class CappedRoute(APIRoute):
    """A JSON API route whose body is read capped before FastAPI reads it whole."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def capped(request: Request) -> Response:
            limit = request.app.state.runtime.settings.max_body_bytes
            body = await read_capped(request, limit)
            if body is None:
                return JSONResponse(
                    {"detail": f"body too large: at most {limit} bytes"}, status_code=413
                )
            # The stream is spent: the route reads the body from this replay instead.
            pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

            async def receive() -> Message:
                return pending.pop() if pending else await request.receive()

            return await handler(Request(request.scope, receive))

        return capped


async def validation_failed(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 (where and what is wrong) without each error's `input`."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {key: value for key, value in error.items() if key not in ("input", "url")}
        for error in exc.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
