"""Pacing under the platform's rate limits, so the bot never draws a 429 in normal running.

Telegram allows about 30 messages/s per bot, 1 message/s per chat and 20 messages/min per group.
Every bucket here has a capacity of one, i.e. calls are spread evenly: a leaky bucket with a
burst would let 20 + 20 messages into one group within a minute and earn a 429.

The platform counts a message when it receives it, which is some time after the bot sent it: a
call delayed on the way (a busy event loop, a slow network) and the next one sent on time
arrive closer together than the bot spaced them, and the second draws a 429. So a chat's next
message waits its interval after the previous call *returned*: the platform received that one
before it answered, so the two arrive at least an interval apart however long either took.
Each chat's messages go out one at a time (the sender's per-chat lane), which this relies on.
"""

from __future__ import annotations

import asyncio
import time

from aiolimiter import AsyncLimiter


class Pacer:
    def __init__(
        self,
        per_bot: float = 30.0,
        per_chat: float = 1.0,
        per_group_minute: float = 20.0,
        margin: float = 0.97,
    ) -> None:
        self._bot = AsyncLimiter(1, 1 / (per_bot * margin))
        self._chat_gap = 1 / (per_chat * margin)
        self._group_gap = 1 / (min(per_chat, per_group_minute / 60) * margin)
        self._chat_free_at: dict[str, float] = {}  # monotonic time a chat's next message may go
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every call of the bot for `seconds` (the platform's retry_after)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def acquire(self, chat_key: str, *, is_message: bool, is_group: bool) -> None:
        # A loop, not one sleep: another 429 may extend the pause while we wait.
        while (wait := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(wait)
        if is_message and (wait := self._chat_free_at.get(chat_key, 0.0) - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        await self._bot.acquire()

    def release(self, chat_key: str, *, is_message: bool, is_group: bool) -> None:
        """Record that a call acquired for `chat_key` has returned (answered or failed)."""
        if is_message:
            gap = self._group_gap if is_group else self._chat_gap
            self._chat_free_at[chat_key] = time.monotonic() + gap

    def sweep(self) -> None:
        """Forget chats whose interval has passed: memory stays flat with many chats."""
        now = time.monotonic()
        for key in [key for key, free_at in self._chat_free_at.items() if free_at <= now]:
            del self._chat_free_at[key]
