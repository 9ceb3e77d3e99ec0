"""Outbox pacing benchmark: a backlog of messages to many groups, sent under Telegram's limits.

The fake Bot API (tests/fakes) enforces the limits as sliding windows and answers 429 when one is
exceeded, as Telegram does. Printed: the achieved rate as a fraction of the allowed rate (goal
>= 0.95) and the 429s drawn (goal 0). The default is the real limits (about 36 s for 600
messages); `--scale` multiplies every limit so a long backlog takes less time, but a chat's next
message waits its interval after the previous call returned (Telegram counts a message when it
arrives), so at `--scale 10` a call's round trip through the fake is a third of a group's 0.3 s
interval and the achieved fraction drops (0.65 measured, against 1.00 at the real limits).

    .venv/bin/python bench/outbox_pacing.py [--messages 600] [--groups 50] [--scale 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.actions import SendMessage
from bot.db.migrate import upgrade
from bot.db.models import utcnow
from bot.outbox.store import enqueue
from bot.settings import Settings
from tests.fakes.telegram_api import TOKEN, FakeTelegram, Limits
from tests.harness import BotHarness, eventually

PER_BOT, PER_CHAT, PER_GROUP_MINUTE = 30, 1, 20


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    scale = args.scale
    per_bot, per_chat, per_group = PER_BOT * scale, PER_CHAT * scale, PER_GROUP_MINUTE * scale
    allowed = min(per_bot, args.groups * min(per_chat, per_group / 60))

    fake = FakeTelegram(
        limits=Limits(
            per_bot_per_second=int(per_bot),
            per_chat_per_second=int(per_chat),
            per_group_per_minute=int(per_group),
        )
    )
    await fake.start()
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='qunbot-pacing-')}/pacing.db"
    await asyncio.to_thread(upgrade, url)
    settings = Settings(
        database_url=url,
        telegram_token=TOKEN,
        telegram_api_base=fake.base_url,
        rate_per_bot_per_second=per_bot,
        rate_per_chat_per_second=per_chat,
        rate_per_group_per_minute=per_group,
        log_level="WARNING",
    )
    groups = [str(-1001000000000 - g) for g in range(args.groups)]
    bot = await BotHarness(settings).start()
    try:
        async with bot.sessions.begin() as session:
            for n in range(args.messages):
                group = groups[n % len(groups)]
                action = SendMessage(chat_id=group, text=f"scheduled post {n}")
                await enqueue(session, "telegram", [action], key=f"bench:{n}", now=utcnow())
        started = time.perf_counter()
        bot.runtime.sender.notify()
        await eventually(bot.settled, timeout=args.messages / allowed * 3 + 30)
        elapsed = time.perf_counter() - started
    finally:
        await bot.close()
        await fake.stop()

    sends = sorted(c.at for c in fake.calls if c.method == "sendMessage")
    ok = len(sends) - fake.rate_limited
    span = sends[-1] - sends[0]
    achieved = (ok - 1) / span if span else float("inf")
    print(
        f"outbox pacing: {args.messages} messages to {args.groups} groups, limits x{scale:g} "
        f"({per_bot:g}/s per bot, {per_chat:g}/s per chat, {per_group:g}/min per group)"
    )
    print(f"allowed rate   {allowed:8.2f} msg/s")
    fraction = achieved / allowed
    print(f"achieved rate  {achieved:8.2f} msg/s  = {fraction:.3f} of allowed (goal >= 0.95)")
    print(f"429s drawn     {fake.rate_limited:8d}  (goal 0)")
    print(f"delivered      {ok:8d}  in {elapsed:.1f}s")


if __name__ == "__main__":
    asyncio.run(main())
