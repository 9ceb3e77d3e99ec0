"""Scheduler benchmark: 10,000 groups x 3 jobs on SQLite (and PostgreSQL when configured).

Printed figures:
- start: rebuilding the timer from the job table (catch-up query + one APScheduler job per row);
  goal < 5 s;
- memory: resident set size after start (current VmRSS and peak ru_maxrss); goal < 300 MB;
- lateness: a burst of firings all due at the same instant, settled through the timer's path
  (one `fire_job` wake-up per job, as APScheduler calls it, which batches); lateness is the
  time from the planned instant to the commit that makes each firing's outbox row visible to
  the sender (before pacing); goal p99 < 1 s. The burst is capped by a 600 s timeout.

The job rows are inserted directly, as a restore of a large installation would leave them.

    .venv/bin/python bench/scheduler.py [--groups 10000] [--burst 10000]
    QUNBOT_TEST_DATABASE_URL=postgresql+asyncpg://... .venv/bin/python bench/scheduler.py
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, select, update

from bot.db.base import Base
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Group, OutboxAction
from schedules.models import ScheduledJob
from schedules.service import SchedulerService
from schedules.spec import Cron, spec_to_json
from schedules.store import first_run

SPECS = (
    Cron(hour="11", minute="0"),
    Cron(hour="20", minute="30", day_of_week="mon,wed"),
    Cron(hour="9", minute="0", day_of_week="mon-fri"),
)
CHUNK = 2000


def rss_mb() -> float:
    """Current resident set size (Linux /proc), falling back to the peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_mb()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def populate(sessions, groups: int, now: datetime) -> None:
    async with sessions.begin() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
    plans = [(spec_to_json(spec), first_run(spec, now)) for spec in SPECS]
    for start in range(0, groups, CHUNK):
        async with sessions.begin() as session:
            rows = [
                {
                    "platform": "telegram",
                    "chat_id": str(-1_000_000_000_000 - i),
                    "title": f"group {i}",
                    "chat_type": "supergroup",
                    "settings": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(start, min(groups, start + CHUNK))
            ]
            ids = list(await session.scalars(insert(Group).returning(Group.id), rows))
            jobs = [
                {
                    "platform": "telegram",
                    "group_id": gid,
                    "kind": "post",
                    "payload": {"text": f"{{group}} daily post {n}"},
                    "target": {},
                    "spec": spec_json,
                    "enabled": True,
                    "grace_seconds": 600,
                    "next_run_at": next_at,
                    "created_at": now,
                }
                for gid in ids
                for n, (spec_json, next_at) in enumerate(plans)
            ]
            await session.execute(insert(ScheduledJob), jobs)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(url: str, groups: int, burst: int) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC)
    t = time.perf_counter()
    await populate(sessions, groups, now)
    print(f"  populated {groups} groups x {len(SPECS)} jobs in {time.perf_counter() - t:.1f} s")

    rss_before = rss_mb()
    service = SchedulerService(sessions)
    t = time.perf_counter()
    await service.start()
    start_s = time.perf_counter() - t
    timers = len(service._timer.get_jobs())
    rss_after = rss_mb()
    await service.stop()
    print(f"  start (rebuild {timers} timers from the table): {start_s:.2f} s   (goal < 5 s)")
    print(
        f"  memory: RSS {rss_after:.0f} MB after start ({rss_after - rss_before:+.0f} MB for "
        f"the timers), peak {peak_mb():.0f} MB   (goal < 300 MB)"
    )

    # A burst: `burst` jobs (one per group) planned for the same instant, which is now.
    async with sessions.begin() as session:
        ids = list(
            await session.scalars(
                select(ScheduledJob.id).order_by(ScheduledJob.id).limit(burst * len(SPECS))
            )
        )[:: len(SPECS)][:burst]
        planned = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        for start in range(0, len(ids), CHUNK):
            await session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.id.in_(ids[start : start + CHUNK]))
                .values(next_run_at=planned)
            )
    commits: list[datetime] = []
    service = SchedulerService(sessions, on_outbox=lambda: commits.append(datetime.now(UTC)))
    await asyncio.sleep(max(0.0, (planned - datetime.now(UTC)).total_seconds()))
    t = time.perf_counter()
    # What APScheduler does at that instant: one wake-up per job (`post:{id}` -> fire_job).
    wakeups = asyncio.gather(*(service.fire_job(job_id) for job_id in ids))
    fired = sum(await asyncio.wait_for(wakeups, timeout=600))
    elapsed = time.perf_counter() - t
    async with sessions() as session:
        created = list(
            await session.scalars(
                select(OutboxAction.created_at).where(OutboxAction.idempotency_key.like("job:%"))
            )
        )
    # Due rows are settled in (next_run_at, id) order, BATCH per transaction, so the n-th job of
    # the burst became visible at the n-th // BATCH commit.
    from schedules.service import BATCH

    if not fired:
        # On a shared database another process (a test run) may have emptied the tables.
        print("  burst: nothing fired; was the database cleared by another process?")
        await engine.dispose()
        return
    visible = [(commits[n // BATCH] - planned).total_seconds() for n in range(fired)]
    stamped = [(c - planned).total_seconds() for c in created]
    print(
        f"  burst: {fired} firings due at one instant settled in {elapsed:.2f} s "
        f"({len(created)} outbox rows)"
    )
    print(
        f"  lateness to committed outbox row: p50 {statistics.median(visible) * 1000:.0f} ms, "
        f"p99 {percentile(visible, 99) * 1000:.0f} ms, max {max(visible) * 1000:.0f} ms"
        "   (goal p99 < 1 s, before pacing)"
    )
    print(
        f"  lateness to the row's created_at stamp: p50 {statistics.median(stamped) * 1000:.0f} "
        f"ms, p99 {percentile(stamped, 99) * 1000:.0f} ms"
    )
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=10_000)
    args = parser.parse_args()
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='qunbot-sched-')}/sched.db"
    await asyncio.to_thread(upgrade, url)
    print(f"SQLite ({args.groups} groups, burst {args.burst})")
    await run(url, args.groups, args.burst)
    pg = os.environ.get("QUNBOT_TEST_DATABASE_URL")
    if pg:
        await asyncio.to_thread(upgrade, pg)
        print(f"PostgreSQL ({args.groups} groups, burst {args.burst})")
        await run(pg, args.groups, args.burst)


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    asyncio.run(main())
