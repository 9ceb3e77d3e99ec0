"""A fake Telegram Bot API server on 127.0.0.1 that records every call.

It answers the methods Qunbot uses with Bot API-shaped results, can be told to fail the next
calls (429 with retry_after, 5xx, a 400, or a proxy's odd reply), can hold a method's calls on
their way in until the test lets them through, and can enforce Telegram's rate limits itself so
a test or benchmark sees a 429 exactly when real Telegram would send one.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "123456789:AAH-fakeTokenForTestsOnly_0123456789ab"
BOT_ID = 123456789
BOT_USERNAME = "qunbot_test_bot"


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    at: float


@dataclass
class Failure:
    status: int
    description: str
    retry_after: float | None = None
    migrate_to_chat_id: int | None = None
    # Answered as they are instead of a Bot API error: what a proxy in front of the API may send.
    body: bytes | None = None
    headers: dict[str, str] | None = None


@dataclass
class Limits:
    """Sliding windows as Telegram documents them; exceeding one earns a 429."""

    per_bot_per_second: int = 30
    per_chat_per_second: int = 1
    per_group_per_minute: int = 20
    retry_after: int = 5


MESSAGE_METHODS = {"sendMessage", "sendPhoto", "sendPoll", "copyMessage", "forwardMessage"}
# Every field of the Bot API's ChatPermissions: Telegram reads one left out as withheld (the
# group's own defaults still apply on top of a member's).
CHAT_PERMISSIONS = {
    "can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
    "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
    "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
    "can_invite_users", "can_pin_messages", "can_manage_topics",
}


@dataclass
class FakeTelegram:
    token: str = TOKEN
    limits: Limits | None = None
    privacy_mode: bool = False
    calls: list[Call] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    chat_members: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    # chat id -> getChatAdministrators entries; a chat not listed has the bot as its only admin
    administrators: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    member_counts: dict[int, int] = field(default_factory=dict)  # chat id -> getChatMemberCount
    latency: float = 0.0  # seconds between receiving a call and answering it
    # Seconds each next message call (MESSAGE_METHODS) spends on its way in before the platform
    # receives it, in order: a request held up by a busy network or event loop.
    arrival_delays: deque[float] = field(default_factory=deque)
    rate_limited: int = 0
    # file_id -> bytes served by getFile and /file/bot<token>/<file_path>
    files: dict[str, bytes] = field(default_factory=dict)
    file_delays: dict[str, float] = field(default_factory=dict)  # file_id -> seconds to stall
    # Users who never started the bot: Telegram refuses to let a bot write to them first (403).
    strangers: set[int] = field(default_factory=set)
    # Basic groups upgraded to supergroups: old chat id -> new. A call naming the old id is
    # refused with the new one in `parameters.migrate_to_chat_id`, as Telegram does.
    migrated: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        self._holds: dict[str, asyncio.Event] = {}
        self._message_ids = itertools.count(1000)
        self._links = 0
        self._sent_bot: deque[float] = deque()
        self._sent_chat: dict[int, deque[float]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.base_url = ""

    # ---- control -----------------------------------------------------------------------
    def fail_next(self, method: str, failure: Failure, times: int = 1) -> None:
        for _ in range(times):
            self._failures[method].append(failure)

    def hold(self, method: str) -> asyncio.Event:
        """Keep calls of `method` on their way in, neither received nor answered, until the
        returned event is set: a send that lags behind (pacing, a pause) for exactly as long as
        a test needs, whatever the machine's speed."""
        gate = self._holds[method] = asyncio.Event()
        return gate

    def add_file(self, file_id: str, data: bytes) -> str:
        """Serve `data` as the file `file_id`; returns its file_path."""
        self.files[file_id] = data
        return _file_path(file_id)

    def called(self, method: str) -> list[dict[str, Any]]:
        return [call.body for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 10) -> list[dict]:
        """Wait until `method` has been called at least `count` times; return those bodies."""

        def enough() -> bool:
            return len(self.called(method)) >= count

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(enough), timeout)
        return self.called(method)

    # ---- server ------------------------------------------------------------------------
    async def start(self) -> FakeTelegram:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle, methods=["POST"]),
                # Downloads are GETs; their calls are recorded as method "file".
                Route("/file/bot{token}/{path:path}", self._file, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        for gate in self._holds.values():
            gate.set()  # the server's shutdown waits for every request it is answering
        if self._server:
            self._server.should_exit = True
            await self._task

    async def _handle(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        body = await request.json() if await request.body() else {}
        if (gate := self._holds.get(method)) is not None:
            await gate.wait()
        if self.arrival_delays and method in MESSAGE_METHODS:
            await asyncio.sleep(self.arrival_delays.popleft())
        now = time.monotonic()
        if self.latency:
            await asyncio.sleep(self.latency)
        async with self._changed:
            self.calls.append(Call(method, body, now))
            self._changed.notify_all()
        if self._failures[method]:
            failure = self._failures[method].popleft()
            if failure.body is not None:
                return Response(failure.body, status_code=failure.status, headers=failure.headers)
            return _error(
                failure.status, failure.description, failure.retry_after, failure.migrate_to_chat_id
            )
        if body.get("chat_id") in self.migrated:
            return _error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                          migrate=self.migrated[body["chat_id"]])
        if method in MESSAGE_METHODS and body.get("chat_id") in self.strangers:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        if self.limits and method in MESSAGE_METHODS and self._over_limit(body, now):
            self.rate_limited += 1
            return _error(429, "Too Many Requests: retry later", self.limits.retry_after)
        try:
            return JSONResponse({"ok": True, "result": self._result(method, body)})
        except _BadRequest as exc:
            return _error(400, str(exc))

    async def _file(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        path = request.path_params["path"]
        async with self._changed:
            self.calls.append(Call("file", {"path": path}, time.monotonic()))
            self._changed.notify_all()
        file_id = next((f for f in self.files if _file_path(f) == path), None)
        # A failure queued for this file ("file:<file_id>") or for any download ("file").
        for key in (f"file:{file_id}", "file"):
            if self._failures[key]:
                failure = self._failures[key].popleft()
                return _error(failure.status, failure.description, failure.retry_after)
        if file_id is None:
            return _error(404, "Not Found")
        if self.file_delays.get(file_id):
            await asyncio.sleep(self.file_delays[file_id])
        return Response(self.files[file_id], media_type="application/octet-stream")

    def promote(self, chat_id: int, user: dict[str, Any]) -> None:
        """List `user` among the chat's admins, as getChatAdministrators answers: the bot reads
        that list when it first sees a group, and would demote an admin missing from it."""
        admins = self.administrators.setdefault(chat_id, [admin_member()])
        admins.append({"status": "administrator", "user": user})

    def _over_limit(self, body: dict[str, Any], now: float) -> bool:
        limits = self.limits
        assert limits is not None
        chat = int(body.get("chat_id", 0))
        bot, chat_times = self._sent_bot, self._sent_chat[chat]
        while bot and bot[0] <= now - 1:
            bot.popleft()
        while chat_times and chat_times[0] <= now - 60:
            chat_times.popleft()
        last_second = sum(1 for t in chat_times if t > now - 1)
        over = (
            len(bot) >= limits.per_bot_per_second
            or last_second >= limits.per_chat_per_second
            or (chat < 0 and len(chat_times) >= limits.per_group_per_minute)
        )
        if not over:
            bot.append(now)
            chat_times.append(now)
        return over

    def _result(self, method: str, body: dict[str, Any]) -> Any:
        # The Bot API's length limits; a message's in UTF-16 units as Telegram counts them (an
        # emoji beyond the BMP is two).
        if method == "answerCallbackQuery" and len(body.get("text") or "") > 200:
            raise _BadRequest("Bad Request: MESSAGE_TOO_LONG")
        if method in ("sendMessage", "editMessageText") and _units(body.get("text") or "") > 4096:
            raise _BadRequest("Bad Request: message is too long")
        if method == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Qunbot",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False,
            }
        if method in MESSAGE_METHODS:
            chat_id = body.get("chat_id")
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "supergroup" if int(chat_id) < 0 else "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot"},
                "text": body.get("text", ""),
            }
        if method == "setWebhook":
            self.webhook = {
                "url": body.get("url", ""),
                "allowed_updates": body.get("allowed_updates", []),
                "secret_token": body.get("secret_token"),
            }
            return True
        if method == "getWebhookInfo":
            return {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": 0,
                **(
                    {"allowed_updates": self.webhook["allowed_updates"]}
                    if self.webhook.get("allowed_updates")
                    else {}
                ),
            }
        if method == "getFile":
            data = self.files.get(body.get("file_id", ""))
            if data is None:
                raise _BadRequest("Bad Request: invalid file_id")
            return {
                "file_id": body["file_id"],
                "file_unique_id": f"u-{body['file_id']}",
                "file_size": len(data),
                "file_path": _file_path(body["file_id"]),
            }
        if method == "createChatInviteLink":
            self._links += 1
            return {
                "invite_link": f"https://t.me/+fakeInvite{self._links}",
                "creator": {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot"},
                "creates_join_request": False,
                "is_primary": False,
                "is_revoked": False,
                **{k: body[k] for k in ("member_limit", "expire_date", "name") if k in body},
            }
        if method == "getChatAdministrators":
            return self.administrators.get(int(body["chat_id"]), [admin_member()])
        if method == "getChatMemberCount":
            count = self.member_counts.get(int(body["chat_id"]))
            if count is None:  # a test that sets none keeps greetings counting seen members
                raise _BadRequest("Bad Request: chat not found")
            return count
        if method == "getChatMember":
            key = (int(body["chat_id"]), int(body["user_id"]))
            return self.chat_members.get(key, admin_member())
        if method in ("restrictChatMember", "banChatMember", "unbanChatMember"):
            self._moderated(method, body)
        return True

    def _moderated(self, method: str, body: dict[str, Any]) -> None:
        """Keep a member's getChatMember answer as Telegram would after a restriction or ban
        (not the bot's own: tests set that one)."""
        key = (int(body["chat_id"]), int(body["user_id"]))
        if key[1] == BOT_ID:
            return
        person = {"id": key[1], "is_bot": False, "first_name": str(key[1])}
        before = self.chat_members.get(key, {"status": "member", "user": person})
        member = {"status": "member", "user": before.get("user", person)}
        if method == "restrictChatMember":
            permissions = body.get("permissions") or {}
            # Any permission withheld keeps them "restricted", as Telegram does.
            if not all(permissions.get(name) for name in CHAT_PERMISSIONS):
                in_chat = before["status"] not in ("left", "kicked") and before.get(
                    "is_member", True)
                member = {**member, "status": "restricted", "is_member": in_chat,
                          "until_date": body.get("until_date", 0), **permissions}
        elif method == "banChatMember":
            member = {**member, "status": "kicked", "until_date": body.get("until_date", 0)}
        elif before["status"] == "kicked" or not body.get("only_if_banned"):
            member = {**member, "status": "left"}
        else:
            return
        self.chat_members[key] = member


class _BadRequest(Exception):
    """The Bot API's 400 for a call it cannot answer (an unknown file_id...)."""


def _file_path(file_id: str) -> str:
    return f"photos/{file_id}.jpg"


def admin_member(**rights: bool) -> dict[str, Any]:
    granted = {
        "can_be_edited": False,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": False,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": False,
        "can_invite_users": True,
        "can_pin_messages": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
    }
    granted.update(rights)
    return {
        "status": "administrator",
        "user": {"id": BOT_ID, "is_bot": True, "first_name": "Qunbot", "username": BOT_USERNAME},
        **granted,
    }


def _error(
    status: int, description: str, retry_after: float | None = None, migrate: int | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    params: dict[str, Any] = {}
    if retry_after is not None:
        params["retry_after"] = retry_after
    if migrate is not None:
        params["migrate_to_chat_id"] = migrate
    if params:
        body["parameters"] = params
    return JSONResponse(body, status_code=status)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2
