"""Supergroup upgrade benchmark: merging two group records against a plain rename.

A group with `--members` members, each with `--days` check-in days and ledger rows, is upgraded
while the new chat already has its own record (half the members overlapping, one duplicate
check-in day each): the merge moves every row and recomputes overlapping streaks. The baseline,
measured in the same run on the same data size, is the rename-only case (no record for the new
id yet). Printed: seconds for each and the ratio. SQLite by default; PostgreSQL with
`--database-url postgresql+asyncpg://...` (a scratch database: its tables are dropped and recreated,
so never the test database, whose Alembic version would no longer match).

    .venv/bin/python bench/group_merge.py [--members 2000] [--days 10]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bot.app  # noqa: F401  (registers every capability's tables)
from bot.db.base import Base
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import Group, Member
from bot.groups.repository import migrate_group
from handlers.points_store import Checkin, PointsEntry

AT = datetime(2026, 11, 1, 4, tzinfo=UTC)


async def fill(sessions, chat_id: str, members: int, days: int, first_user: int, start: date):
    async with sessions.begin() as session:
        group = Group(platform="telegram", chat_id=chat_id, chat_type="group", settings={})
        session.add(group)
        await session.flush()
        users = [str(first_user + i) for i in range(members)]
        await session.execute(
            insert(Member),
            [{"group_id": group.id, "user_id": u, "display_name": u, "tags": []} for u in users],
        )
        checkins, ledger = [], []
        for u in users:
            for d in range(days):
                day = start + timedelta(days=d)
                checkins.append(
                    {
                        "group_id": group.id,
                        "user_id": u,
                        "local_date": day,
                        "streak": d + 1,
                        "points": 10,
                        "at": AT,
                    }
                )
                ledger.append(
                    {
                        "group_id": group.id,
                        "user_id": u,
                        "delta": 10,
                        "reason": "checkin",
                        "ref": f"checkin:{day.isoformat()}",
                        "at": AT,
                    }
                )
        await session.execute(insert(Checkin), checkins)
        await session.execute(insert(PointsEntry), ledger)


async def run_case(url: str, members: int, days: int, merge: bool) -> tuple[float, int]:
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    sessions = create_sessionmaker(engine)
    start = date(2026, 11, 1)
    await fill(sessions, "-1", members, days, 1, start)
    if merge:
        # The new chat's own record: half the people again, from the last old day on.
        await fill(sessions, "-1001", members // 2, 2, members // 2, start + timedelta(days - 1))
    began = time.perf_counter()
    async with sessions.begin() as session:
        await migrate_group(session, "telegram", "-1", "-1001")
    elapsed = time.perf_counter() - began
    async with sessions() as session:
        rows = await session.scalar(select(func.count()).select_from(PointsEntry))
    await engine.dispose()
    return elapsed, int(rows or 0)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/merge.db"
        rename, _ = await run_case(url, args.members, args.days, merge=False)
        merge, ledger = await run_case(url, args.members, args.days, merge=True)
    print(f"database: {url.split(':', 1)[0]}")
    print(f"members {args.members}, days {args.days}, ledger rows after merge {ledger}")
    print(f"rename only (baseline): {rename * 1000:.1f} ms")
    print(f"merge two records:      {merge * 1000:.1f} ms  ({merge / rename:.1f}x the rename)")


if __name__ == "__main__":
    asyncio.run(main())
