"""A minimal Telegram Bot API client: `POST {base}/bot{token}/{method}` with a JSON body.

Failures are sorted into the platform-neutral errors the sender understands. The token lives in
the URL, so neither URLs nor httpx's own request logs may reach our logs.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from bot.platforms.base import ChatMigrated, PermanentError, RetryAfter, TransientError


class TelegramApi:
    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._client = client
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"

    async def call(self, method: str, body: dict[str, Any] | None = None) -> Any:
        """Call a method and return its `result`; raises a PlatformError subclass on failure."""
        try:
            response = await self._client.post(
                self._prefix + method,
                content=orjson.dumps(body or {}),
                headers={"Content-Type": "application/json"},
            )
        except httpx.TimeoutException as exc:
            raise TransientError(f"{method}: timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise TransientError(f"{method}: network error ({type(exc).__name__})") from None
        return _result(method, response)


def _result(method: str, response: httpx.Response) -> Any:
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code == 200 and data.get("ok"):
        return data.get("result")
    description = f"{method}: {data.get('description') or f'HTTP {response.status_code}'}"
    params = data.get("parameters") or {}
    if response.status_code == 429:
        raise RetryAfter(float(params.get("retry_after", 1)), description)
    if response.status_code >= 500 or response.status_code == 200:
        raise TransientError(description)
    if params.get("migrate_to_chat_id"):
        raise ChatMigrated(str(params["migrate_to_chat_id"]), description)
    raise PermanentError(description)
