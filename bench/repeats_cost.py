"""What remembering posts costs: `record_post` (one indexed query and one insert) against a plain
insert of the same row, each message in its own transaction, with 100,000 posts already stored.

Run from the repo root: `.venv/bin/python bench/repeats_cost.py`. SQLite always; PostgreSQL
too when QUNBOT_BENCH_PG_URL is set (that database is reset: every table is dropped and
migrated again).
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config, upgrade
from bot.db.models import Group
from handlers.repeats_store import RecentPost, record_post

STORED = 100_000
MESSAGES = 2_000
MEMBERS = 5_000


def _post(group_id: int, n: int, at: datetime, rng: random.Random, tag: str) -> RecentPost:
    return RecentPost(platform="telegram", user_id=str(n % MEMBERS), group_id=group_id,
                      message_id=f"{tag}{n}", fingerprint=f"{rng.getrandbits(128):032x}", at=at)


async def measure(url: str) -> None:
    engine = create_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        group = Group(platform="telegram", chat_id="-100", chat_type="supergroup")
        session.add(group)
    async with sessions() as session, session.begin():
        session.add_all(_post(group.id, n, now - timedelta(seconds=n % 80_000), rng, "old")
                        for n in range(STORED))
    results = {}
    for label in ("plain insert", "record_post"):
        started = time.perf_counter()
        for n in range(MESSAGES):
            async with sessions() as session, session.begin():
                post = _post(group.id, n, now, rng, label)
                if label == "record_post":
                    await record_post(session, post, timedelta(minutes=10), timedelta(hours=1))
                else:
                    session.add(post)
        results[label] = (time.perf_counter() - started) / MESSAGES * 1000
    await engine.dispose()
    base, cost = results["plain insert"], results["record_post"]
    print(f"{url.split(':')[0]:20s} plain insert {base:.2f} ms, record_post {cost:.2f} ms "
          f"per message: +{cost - base:.2f} ms ({cost / base:.2f}x)")


def main() -> None:
    print(f"{STORED:,} posts stored, {MESSAGES:,} messages each in its own transaction")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        asyncio.run(measure(url))
    if pg := os.environ.get("QUNBOT_BENCH_PG_URL"):
        from alembic import command

        command.downgrade(alembic_config(pg), "base")
        upgrade(pg)
        asyncio.run(measure(pg))


if __name__ == "__main__":
    main()
