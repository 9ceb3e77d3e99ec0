"""The webhook edge: authenticate, cap, parse the outline, store, acknowledge. Nothing else."""

from __future__ import annotations

import hmac

import orjson
import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.inbox.writer import InboxRow
from bot.platforms.base import UnsupportedUpdate
from bot.web.bodies import read_capped
from bot.web.state import Runtime

log = structlog.get_logger(__name__)

OK = Response(content=b"{}", media_type="application/json")
SECRET_HEADER = "x-telegram-bot-api-secret-token"  # noqa: S105 (a header name)


def _refuse(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"ok": False, "error": reason}, status_code=status)


async def telegram_webhook(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    metrics = runtime.metrics
    platform = runtime.platforms.get("telegram")
    if platform is None:
        return _refuse(404, "telegram is not configured")
    secret = runtime.settings.webhook_secret
    if secret is not None:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret.get_secret_value().encode()):
            metrics.updates_rejected.labels(platform="telegram", reason="secret").inc()
            log.warning(
                "webhook.bad_secret", client=request.client.host if request.client else None
            )
            return _refuse(401, "bad secret token")
    body = await read_capped(request, runtime.settings.max_body_bytes)
    if body is None:
        metrics.updates_rejected.labels(platform="telegram", reason="too_large").inc()
        log.warning("webhook.too_large", limit=runtime.settings.max_body_bytes)
        return _refuse(413, "body too large")
    try:
        envelope = platform.envelope(orjson.loads(body))
    except orjson.JSONDecodeError as exc:
        metrics.updates_rejected.labels(platform="telegram", reason="json").inc()
        log.warning("webhook.bad_json", error=str(exc), size=len(body))
        return _refuse(400, "malformed JSON")
    except UnsupportedUpdate as exc:
        metrics.updates_rejected.labels(platform="telegram", reason="shape").inc()
        log.warning("webhook.unsupported_update", error=str(exc))
        return _refuse(422, "unsupported update")
    row = InboxRow(
        platform="telegram",
        bot_id=platform.bot_id,
        update_id=envelope.update_id,
        chat_key=envelope.chat_key,
        payload=body.decode(),
    )
    try:
        await runtime.inbox_writer.submit(row)
    except Exception:
        # Not stored, so not acknowledged: Telegram delivers it again later.
        return _refuse(503, "could not store the update")
    metrics.updates_received.labels(platform="telegram").inc()
    return OK


# A plain Starlette route: the edge needs no dependency injection, and skipping it is measurable
# at thousands of updates per second.
routes = [Route("/webhook/telegram", telegram_webhook, methods=["POST"])]
