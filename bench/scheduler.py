"""Scheduler benchmark: 10,000 groups x 3 jobs on SQLite (and PostgreSQL when configured).

Printed figures, for each database twice: a baseline with lead 0 (jobs read and rendered at
their due instant) and the service's default lead (read and rendered ahead, written at it):
- start: rebuilding the timer from the job table (catch-up query + one APScheduler job per row);
  goal < 5 s;
- memory: resident set size after start and the peak; goal < 300 MB;
- lateness: `--burst` jobs (one per group) due at one instant are fired by the real timer
  (APScheduler's wake-ups, staging, writes, all in this event loop); lateness is the time from
  the planned instant to the commit that makes each firing's outbox row visible to the sender
  (before pacing); goal p99 < 1 s. The machine's other load shows in these figures: compare
  the two lines of one run, not figures of different runs.

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

from sqlalchemy import delete, func, insert, select, update

from bot.db.base import Base
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade
from bot.db.models import Group, OutboxAction
from schedules.models import ScheduledJob
from schedules.service import SchedulerService
from schedules.spec import Cron, spec_to_json
from schedules.staging import LEAD
from schedules.store import first_run

SPECS = (
    Cron(hour="11", minute="0"),
    Cron(hour="20", minute="30", day_of_week="mon,wed"),
    Cron(hour="9", minute="0", day_of_week="mon-fri"),
)
CHUNK = 2000
# The burst is planned this far after populating: the timer's start must fit before it.
START_ROOM = timedelta(seconds=25)
ZERO = timedelta(0)


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


async def run(url: str, groups: int, burst: int, lead: timedelta) -> None:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC)
    t = time.perf_counter()
    await populate(sessions, groups, now)
    populated = time.perf_counter() - t
    # A burst: `burst` jobs (one per group) planned for one instant after the timer is up.
    planned = datetime.now(UTC).replace(microsecond=0) + START_ROOM
    async with sessions.begin() as session:
        ids = list(
            await session.scalars(
                select(ScheduledJob.id).order_by(ScheduledJob.id).limit(burst * len(SPECS))
            )
        )[:: len(SPECS)][:burst]
        for start in range(0, len(ids), CHUNK):
            await session.execute(
                update(ScheduledJob)
                .where(ScheduledJob.id.in_(ids[start : start + CHUNK]))
                .values(next_run_at=planned)
            )
    print(f"  populated {groups} groups x {len(SPECS)} jobs in {populated:.1f} s")

    commits: list[tuple[datetime, int]] = []
    service = SchedulerService(
        sessions,
        lead=lead,
        on_outbox=lambda: commits.append((datetime.now(UTC), service.fired_total)),
    )
    rss_before = rss_mb()
    t = time.perf_counter()
    await service.start()
    start_s = time.perf_counter() - t
    timers = len(service._timer.get_jobs())
    rss_after = rss_mb()
    print(f"  start (rebuild {timers} timers from the table): {start_s:.2f} s   (goal < 5 s)")
    print(
        f"  memory: RSS {rss_after:.0f} MB after start ({rss_after - rss_before:+.0f} MB for "
        f"the timers)   (goal < 300 MB)"
    )
    if datetime.now(UTC) > planned - lead:
        print("  start took longer than the room left before the burst; the figures are void")
    # The real timer fires the burst: APScheduler's wake-ups, staging, writes, all in this loop.
    deadline = planned + timedelta(seconds=120)
    while service.fired_total < len(ids) and datetime.now(UTC) < deadline:
        await asyncio.sleep(0.05)
    await service.stop()
    fired = service.fired_total
    print(f"  peak RSS {peak_mb():.0f} MB")
    if not fired:
        # On a shared database another process (a test run) may have emptied the tables.
        print("  burst: nothing fired; was the database cleared by another process?")
        await engine.dispose()
        return
    # The n-th firing became visible to the sender at the first commit that counted it.
    visible = []
    for at, total in commits:
        visible.extend([(at - planned).total_seconds()] * (total - len(visible)))
    async with sessions() as session:
        created = await session.scalar(
            select(func.count()).where(OutboxAction.idempotency_key.like("job:%"))
        )
    print(f"  burst: {fired} of {len(ids)} firings due at one instant ({created} outbox rows)")
    print(
        f"  lateness to committed outbox row: p50 {statistics.median(visible) * 1000:.0f} ms, "
        f"p99 {percentile(visible, 99) * 1000:.0f} ms, max {max(visible) * 1000:.0f} ms"
        "   (goal p99 < 1 s, before pacing)"
    )
    await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the lead-0 runs")
    args = parser.parse_args()
    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp(prefix='qunbot-sched-')}/sched.db"
    await asyncio.to_thread(upgrade, url)
    pg = os.environ.get("QUNBOT_TEST_DATABASE_URL")
    if pg:
        await asyncio.to_thread(upgrade, pg)
    for name, db in (("SQLite", url), ("PostgreSQL", pg)):
        if db is None:
            continue
        for label, lead in (
            ("baseline: lead 0, read and render at the due instant", ZERO),
            (f"lead {LEAD.total_seconds():.0f} s, read and render ahead", LEAD),
        ):
            if label.startswith("baseline") and args.no_baseline:
                continue
            print(f"{name} ({args.groups} groups, burst {args.burst}), {label}")
            await run(db, args.groups, args.burst, lead)


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    asyncio.run(main())
