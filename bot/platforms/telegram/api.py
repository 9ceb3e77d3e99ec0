"""A minimal Telegram Bot API client: `POST {base}/bot{token}/{method}` with a JSON body.

Failures are sorted into the platform-neutral errors the sender understands. The token lives in
the URL, so neither URLs nor httpx's own request logs may reach our logs.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from bot.platforms.base import (
    ChatMigrated,
    FileTooLarge,
    PermanentError,
    RetryAfter,
    TopicGone,
    TransientError,
    Unauthorized,
)


class TelegramApi:
    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._client = client
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self._files = f"{base_url.rstrip('/')}/file/bot{token}/"

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
        except httpx.DecodingError:
            # A body that does not match its own Content-Encoding came from something between
            # us and Telegram, which may answer properly on the next try.
            raise TransientError(f"{method}: undecodable reply") from None
        return _result(method, response)

    async def download_file(self, file_id: str, *, max_bytes: int, time_limit: float) -> bytes:
        """Fetch a file by id: `getFile`, then GET `{base}/file/bot{token}/{file_path}`.

        Reads at most `max_bytes` (FileTooLarge beyond) within `time_limit` seconds in all, so a
        slow trickle cannot hold a worker. Errors never carry the URL: it holds the token.
        """
        info = await self.call("getFile", {"file_id": file_id}) or {}
        path = info.get("file_path") if isinstance(info, dict) else None
        if not path:
            # The Bot API gives no path for files it will not serve (over 20 MB).
            raise PermanentError("getFile: no file_path")
        if int(info.get("file_size") or 0) > max_bytes:
            raise FileTooLarge(f"getFile: {info['file_size']} bytes, over {max_bytes}")
        if path.startswith("/") or ".." in path.split("/"):
            raise PermanentError("getFile: unexpected file_path")
        try:
            async with asyncio.timeout(time_limit):
                url = self._files + quote(path, safe="/")
                return await self._read(url, max_bytes, time_limit)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise TransientError(f"file download: timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            raise TransientError(f"file download: network error ({type(exc).__name__})") from None

    async def _read(self, url: str, max_bytes: int, time_limit: float) -> bytes:
        async with self._client.stream("GET", url, timeout=time_limit) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise TransientError(f"file download: HTTP {status}")
            if status != 200:
                raise PermanentError(f"file download: HTTP {status}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FileTooLarge(f"file download: {declared} bytes, over {max_bytes}")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FileTooLarge(f"file download: over {max_bytes} bytes")
                chunks.append(chunk)
        return b"".join(chunks)


def _result(method: str, response: httpx.Response) -> Any:
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict) or "ok" not in data:
        return _not_the_api(method, response.status_code)
    if response.status_code == 200 and data.get("ok"):
        return data.get("result")
    description = f"{method}: {data.get('description') or f'HTTP {response.status_code}'}"
    params = data.get("parameters")
    params = params if isinstance(params, dict) else {}
    if response.status_code == 429:
        raise RetryAfter(float(params.get("retry_after", 1)), description)
    if response.status_code >= 500 or response.status_code == 200:
        raise TransientError(description)
    if response.status_code == 401:
        raise Unauthorized(description)
    if params.get("migrate_to_chat_id"):
        raise ChatMigrated(str(params["migrate_to_chat_id"]), description)
    if any(words in description.lower() for words in _TOPIC_GONE):
        raise TopicGone(description)
    why = next((why for words, why in _REFUSALS if words in description.lower()), "refused")
    raise PermanentError(description, why)


# How Telegram says a join request cannot be decided (`PermanentError.why`): it is gone
# (withdrawn, expired, or decided by an admin in the app), or its requester is in the group.
_REFUSALS = (
    ("hide_requester_missing", "request_gone"),
    ("user_already_participant", "already_member"),
)
# How Telegram refuses a message for its forum topic (deleted, closed), whatever the method.
_TOPIC_GONE = ("message thread not found", "topic_closed", "topic_deleted")


def _not_the_api(method: str, status: int) -> Any:
    """Sort a reply that is not the Bot API's JSON (a proxy's HTML page, an empty or cut body).

    Telegram always answers in JSON, so whatever else arrives was written by something in front
    of it, and says nothing about the call itself: it may succeed on the next try. Only the
    status codes that mean the same whoever sends them keep their meaning.
    """
    description = f"{method}: HTTP {status}, not a Bot API reply"
    if status == 429:
        raise RetryAfter(1.0, description)
    if status == 401:
        raise Unauthorized(description)
    raise TransientError(description)
