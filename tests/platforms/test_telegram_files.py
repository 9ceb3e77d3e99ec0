"""Downloading a member's file through the Bot API: size cap, odd paths, token-free errors."""

from __future__ import annotations

import httpx
import pytest

from bot.platforms.base import PermanentError, TransientError
from bot.platforms.telegram.api import FileTooLarge, TelegramApi
from tests.fakes.telegram_api import TOKEN


def api_serving(file_info: dict, body: bytes, status: int = 200) -> tuple[TelegramApi, list[str]]:
    """A client whose transport answers getFile with `file_info` and the download with `body`."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/getFile"):
            return httpx.Response(200, json={"ok": True, "result": file_info})
        return httpx.Response(status, content=body)

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return TelegramApi(client, "https://api.example", TOKEN), seen


async def test_a_file_is_fetched_from_its_path():
    api, seen = api_serving({"file_id": "f", "file_path": "photos/file_1.jpg"}, b"jpeg-bytes")
    assert await api.download_file("f", max_bytes=100, time_limit=5) == b"jpeg-bytes"
    assert seen[-1] == f"/file/bot{TOKEN}/photos/file_1.jpg"


async def test_the_cap_holds_when_the_api_does_not_tell_the_size():
    api, _ = api_serving({"file_id": "f", "file_path": "photos/big.jpg"}, b"x" * 5000)
    with pytest.raises(FileTooLarge):
        await api.download_file("f", max_bytes=1000, time_limit=5)


@pytest.mark.parametrize("path", ["../secrets", "/etc/passwd", ""])
async def test_odd_file_paths_are_refused(path):
    api, seen = api_serving({"file_id": "f", "file_path": path}, b"data")
    with pytest.raises(PermanentError):
        await api.download_file("f", max_bytes=1000, time_limit=5)
    assert all("/file/" not in p for p in seen)


@pytest.mark.parametrize(("status", "error"), [(502, TransientError), (404, PermanentError)])
async def test_download_errors_are_sorted_and_never_name_the_url(status, error):
    api, _ = api_serving({"file_id": "f", "file_path": "photos/a.jpg"}, b"", status)
    with pytest.raises(error) as caught:
        await api.download_file("f", max_bytes=1000, time_limit=5)
    assert TOKEN not in str(caught.value) and "/file/" not in str(caught.value)
    assert caught.value.__cause__ is None
