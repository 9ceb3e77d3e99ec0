"""The Telegram platform: parse updates, execute actions, manage the webhook."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.core.actions import Action, Unban, Unrestrict
from bot.core.events import Event, EventKind, User
from bot.groups.repository import ADMIN_STATUSES
from bot.platforms.base import BotRights, Envelope, PermanentError
from bot.platforms.telegram import parse
from bot.platforms.telegram.api import TelegramApi
from bot.platforms.telegram.requests import chat_ref, to_request


class TelegramPlatform:
    name = parse.PLATFORM

    def __init__(self, api: TelegramApi, bot_id: str, bot_username: str | None = None) -> None:
        self.api = api
        self.bot_id = bot_id
        self.bot_username = bot_username  # learned from getMe after start
        self._me: User | None = None

    @property
    def me(self) -> User | None:
        """The bot's own account as events carry it; None without a token's bot id."""
        if not self.bot_id:
            return None
        if self._me is None or self._me.username != self.bot_username:
            name = self.bot_username or self.bot_id
            self._me = User(id=self.bot_id, name=name, username=self.bot_username, is_bot=True)
        return self._me

    def envelope(self, data: Any) -> Envelope:
        return parse.envelope(data)

    def parse(self, data: dict[str, Any], received: datetime | None = None) -> Event | None:
        return parse.parse_update(data, self.me, received)

    def is_group_chat(self, chat_id: str) -> bool:
        # Telegram gives groups and channels negative ids, people positive ones.
        return chat_id.startswith("-")

    def subscriptions(self, kinds: Iterable[EventKind]) -> list[str]:
        return sorted({parse.KIND_TO_UPDATE[kind] for kind in kinds})

    async def execute(self, action: Action) -> dict[str, Any] | None:
        if isinstance(action, Unrestrict | Unban) and action.if_held:
            await self._held(action)
        method, body = to_request(action)
        result = await self.api.call(method, body)
        if isinstance(result, dict) and "message_id" in result:
            return {"message_id": str(result["message_id"])}
        if isinstance(result, dict) and "invite_link" in result:  # ChatInviteLink
            return {"invite_link": str(result["invite_link"])}
        return None

    async def set_webhook(self, url: str, secret: str | None, allowed_updates: list[str]) -> bool:
        body: dict[str, Any] = {"url": url, "allowed_updates": allowed_updates}
        if secret:
            body["secret_token"] = secret
        return bool(await self.api.call("setWebhook", body))

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> bool:
        body: dict[str, Any] = {
            "commands": [{"command": name, "description": text} for name, text in commands]
        }
        if language:
            body["language_code"] = language
        return bool(await self.api.call("setMyCommands", body))

    async def download_file(self, file_id: str, *, max_bytes: int, time_limit: float) -> bytes:
        return await self.api.download_file(file_id, max_bytes=max_bytes, time_limit=time_limit)

    async def get_me(self) -> dict[str, Any]:
        return await self.api.call("getMe")

    async def get_webhook_info(self) -> dict[str, Any]:
        return await self.api.call("getWebhookInfo")

    async def get_administrators(self, chat_id: str) -> list[tuple[User, str]]:
        found = await self.api.call("getChatAdministrators", {"chat_id": chat_ref(chat_id)})
        if not isinstance(found, list):
            raise PermanentError(f"getChatAdministrators returned {type(found).__name__}")
        return [
            (parse.user_of(entry["user"]), entry["status"])
            for entry in found
            if isinstance(entry, dict) and entry.get("status") in ADMIN_STATUSES
        ]

    async def member_count(self, chat_id: str) -> int:
        count = await self.api.call("getChatMemberCount", {"chat_id": chat_ref(chat_id)})
        if not isinstance(count, int) or isinstance(count, bool):
            raise PermanentError(f"getChatMemberCount returned {type(count).__name__}")
        return count

    async def member_status(self, chat_id: str, user_id: str) -> str:
        member = await self.get_chat_member(chat_id, user_id)
        if not isinstance(member, dict) or not isinstance(member.get("status"), str):
            raise PermanentError(f"getChatMember returned {type(member).__name__}")
        return parse.member_status(member)

    async def bot_rights(self, chat_id: str) -> BotRights:
        member = await self.get_chat_member(chat_id, self.bot_id)
        if not isinstance(member, dict) or "status" not in member:
            raise PermanentError(f"getChatMember returned {type(member).__name__}")
        return BotRights(parse.can_restrict(member), parse.missing_rights(member))

    async def _held(self, action: Unrestrict | Unban) -> None:
        """Refuse (why "nothing_to_lift") to lift what the member is not under: Telegram
        answers a lift of nothing with success. A restriction outlives leaving the group
        (status "restricted", not a member), so it is read from the raw status."""
        member = await self.get_chat_member(action.chat_id, action.user_id)
        if not isinstance(member, dict) or not isinstance(member.get("status"), str):
            raise PermanentError(f"getChatMember returned {type(member).__name__}")
        held = "restricted" if isinstance(action, Unrestrict) else "kicked"
        if member["status"] != held:
            raise PermanentError(
                f"nothing to lift: the member is {parse.member_status(member)}", "nothing_to_lift"
            )

    async def get_chat_member(self, chat_id: str, user_id: str) -> dict[str, Any]:
        return await self.api.call(
            "getChatMember", {"chat_id": chat_ref(chat_id), "user_id": int(user_id)}
        )
