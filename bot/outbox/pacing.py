"""Pacing under the platform's rate limits, so the bot never draws a 429 in normal running.

Telegram allows about 30 messages/s per bot, 1 message/s per chat and 20 messages/min per group.
Every bucket here has a capacity of one, i.e. calls are spread evenly: a leaky bucket with a
burst would let 20 + 20 messages into one group within a minute and earn a 429.
"""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter


def _even(rate_per_second: float) -> AsyncLimiter:
    return AsyncLimiter(1, 1 / rate_per_second)


class Pacer:
    def __init__(
        self,
        per_bot: float = 30.0,
        per_chat: float = 1.0,
        per_group_minute: float = 20.0,
        margin: float = 0.97,
    ) -> None:
        self._bot = _even(per_bot * margin)
        self._per_chat = per_chat * margin
        self._per_group = min(per_chat, per_group_minute / 60) * margin
        self._chats: dict[str, AsyncLimiter] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every call of the bot for `seconds` (the platform's retry_after)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def acquire(self, chat_key: str, *, is_message: bool, is_group: bool) -> None:
        # A loop, not one sleep: another 429 may extend the pause while we wait.
        while (wait := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        if is_message:
            limiter = self._chats.get(chat_key)
            if limiter is None:
                limiter = _even(self._per_group if is_group else self._per_chat)
                self._chats[chat_key] = limiter
            await limiter.acquire()
        await self._bot.acquire()

    def sweep(self) -> None:
        """Drop buckets that have drained: a new one behaves the same, and memory stays flat."""
        for key in [key for key, limiter in self._chats.items() if limiter.has_capacity()]:
            del self._chats[key]
