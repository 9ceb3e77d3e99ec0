"""Bursts prepared ahead: plain firings are read and rendered before their due time and only
written (claim, outbox rows, job update) at it.

When 10,000 groups post at 11:00, reading 10,000 jobs and groups, rendering 10,000 texts and
converting every parameter at 11:00:00 makes the last post seconds late. None of that depends
on the instant, so it happens `LEAD` earlier; at the due time three kinds of statement are left:
one claim statement per batch that also re-checks the rows, one executemany of ready-made outbox
rows, and one job update per distinct next run. A row paused, removed or moved since it was read
is no longer due at that instant and is left out; the claim row still guards every occurrence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, any_, bindparam, column, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group, OutboxAction
from schedules.firing import FireConfig, outbox_values
from schedules.models import JobClaim, ScheduledJob
from schedules.posts import group_locale, is_plain, plain_actions
from schedules.store import spec_of
from schedules.triggers import next_fire

# How long before its due time a plain job is read and rendered. Enough for the timer's own
# wake-ups of a large burst (APScheduler needs about 2 s for 10,000 jobs due together) plus the
# reads; a text edited within this window through the API is re-read (`unstage`), one edited
# through another replica is posted as it was read.
LEAD = timedelta(seconds=8)
# Jobs written per transaction at the due time: the first rows reach the sender early.
WRITE_BATCH = 2500
_IN_CHUNK = 2000  # ids per IN (...) list, under every database's parameter limit
_COLUMNS = (
    ScheduledJob.id,
    ScheduledJob.platform,
    ScheduledJob.group_id,
    ScheduledJob.kind,
    ScheduledJob.payload,
    ScheduledJob.target,
    ScheduledJob.thread_id,
    ScheduledJob.spec,
    ScheduledJob.grace_seconds,
    ScheduledJob.next_run_at,
)
_OUTBOX_KEYS = (
    "platform",
    "chat_key",
    "kind",
    "payload",
    "idempotency_key",
    "status",
    "attempts",
    "created_at",
    "next_attempt_at",
)
_LATE_KEYS = ("created_at", "next_attempt_at")  # known only when written


@dataclass(frozen=True)
class StagedJob:
    """One rendered firing waiting for its instant: outbox rows, parameters already converted
    for the database, with `None` where the write time goes."""

    job_id: int
    rows: tuple[list[Any], ...]
    next_at: datetime | None
    grace: timedelta | None


class _OutboxInsert:
    """The outbox INSERT compiled for one dialect, and its parameter conversions.

    SQLAlchemy converts each parameter of each row when a statement runs (aware datetimes,
    JSON payloads), which for a burst costs more than the database's own work; staged rows are
    converted when staged and sent to the driver as they are.
    """

    def __init__(self, dialect) -> None:
        insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
        statement = insert(OutboxAction.__table__).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
        # for_executemany: no implicit RETURNING (the driver's executemany cannot return).
        compiled = statement.compile(
            dialect=dialect, column_keys=list(_OUTBOX_KEYS), for_executemany=True
        )
        self.sql = compiled.string
        processors = compiled._bind_processors
        self.order = list(compiled.positiontup or ())
        if sorted(self.order) != sorted(_OUTBOX_KEYS):
            raise RuntimeError(f"unexpected outbox insert parameters {self.order}")
        self.processors = [processors.get(name) for name in self.order]
        self.late = [self.order.index(name) for name in _LATE_KEYS]

    def convert(self, values: dict[str, Any]) -> list[Any]:
        return [
            None if name in _LATE_KEYS else (proc(values[name]) if proc else values[name])
            for name, proc in zip(self.order, self.processors, strict=True)
        ]

    def finish(self, rows: list[list[Any]], now: datetime) -> list[tuple]:
        filled = []
        stamps = [(i, self.processors[i]) for i in self.late]
        converted = [(i, proc(now) if proc else now) for i, proc in stamps]
        for row in rows:
            row = list(row)
            for i, value in converted:
                row[i] = value
            filled.append(tuple(row))
        return filled


_INSERTS: dict[str, _OutboxInsert] = {}


def _outbox_insert(session: AsyncSession) -> _OutboxInsert:
    dialect = session.bind.dialect  # type: ignore[union-attr]
    if dialect.name not in _INSERTS:
        _INSERTS[dialect.name] = _OutboxInsert(dialect)
    return _INSERTS[dialect.name]


async def stage(
    session: AsyncSession,
    after: datetime,
    until: datetime,
    config: FireConfig,
    known: set[tuple[int, datetime]],
) -> dict[datetime, dict[int, StagedJob]]:
    """Read and render plain jobs due in (`after`, `until`] that are not in `known`."""
    jobs = [
        row
        for row in await session.execute(
            select(*_COLUMNS)
            .where(
                ScheduledJob.enabled.is_(True),
                ScheduledJob.next_run_at > after,
                ScheduledJob.next_run_at <= until,
            )
            .order_by(ScheduledJob.next_run_at, ScheduledJob.id)
        )
        if (row.id, row.next_run_at) not in known and is_plain(row)  # type: ignore[arg-type]
    ]
    outbox = _outbox_insert(session)
    groups = await _groups(session, {job.group_id for job in jobs})
    locales: dict[str, tuple[str, ZoneInfo]] = {}
    nexts: dict[tuple, datetime | None] = {}
    staged: dict[datetime, dict[int, StagedJob]] = {}
    for job in jobs:
        at = job.next_run_at
        group = groups.get(job.group_id)
        rows: tuple[list[Any], ...] = ()
        if group is not None:
            # Groups mostly share a handful of settings: parse each distinct one once.
            settings_key = json.dumps(group.settings, sort_keys=True, default=str)
            if settings_key not in locales:
                locales[settings_key] = group_locale(group, config.default_tz)
            actions = plain_actions(job, group, at, config.default_tz, locales[settings_key])
            rows = tuple(outbox.convert(values) for values in outbox_values(job, at, actions))
        spec = spec_of(job)  # type: ignore[arg-type]
        if (spec, at) not in nexts:
            nexts[(spec, at)] = next_fire(spec, at)
        grace = None if job.grace_seconds is None else timedelta(seconds=job.grace_seconds)
        staged.setdefault(at, {})[job.id] = StagedJob(job.id, rows, nexts[(spec, at)], grace)
    return staged


async def release(
    session: AsyncSession, at: datetime, jobs: list[StagedJob], now: datetime
) -> list[int]:
    """Write the staged firings of instant `at` that are still due then; the ids written.

    A job paused, removed or rescheduled since it was staged no longer has `next_run_at == at`
    and is skipped; one taken by another scheduler loses the claim and is skipped too.
    """
    claimed = await _claim_still_due(session, at, [job.job_id for job in jobs], now)
    written = [job for job in jobs if job.job_id in claimed]
    outbox = _outbox_insert(session)
    rows = outbox.finish([row for job in written for row in job.rows], now)
    if rows:
        connection = await session.connection()
        await connection.exec_driver_sql(outbox.sql, rows)
    # Jobs of one burst mostly share their next run: one UPDATE per distinct outcome.
    outcomes: dict[tuple[datetime | None, int], list[int]] = defaultdict(list)
    for job in written:
        outcomes[(job.next_at, len(job.rows))].append(job.job_id)
    table = ScheduledJob.__table__
    for (next_at, count), ids in outcomes.items():
        await session.execute(
            update(table)
            .where(_among(session, table.c.id, ids))
            .values(
                next_run_at=next_at,
                last_run_at=at,
                last_result=f"fired at {now.isoformat()}: {count} actions",
            )
        )
    return [job.job_id for job in written]


async def _claim_still_due(
    session: AsyncSession, at: datetime, ids: list[int], now: datetime
) -> set[int]:
    """Claim (job, at) for those of `ids` still enabled and due at `at`, in one statement.

    The id list is one parameter (a JSON array on SQLite, an array on PostgreSQL), so the
    statement costs the same to send for ten jobs or ten thousand.
    """
    jobs = ScheduledJob.__table__
    postgres = session.bind.dialect.name == "postgresql"  # type: ignore[union-attr]
    insert = pg_insert if postgres else sqlite_insert
    wanted = _among(session, jobs.c.id, ids)
    due = select(
        jobs.c.id,
        bindparam("at", at, type_=JobClaim.fire_at.type),
        bindparam("now", now, type_=JobClaim.claimed_at.type),
    ).where(wanted, jobs.c.enabled.is_(True), jobs.c.next_run_at == at)
    statement = (
        insert(JobClaim.__table__)
        .from_select(["job_id", "fire_at", "claimed_at"], due)
        .on_conflict_do_nothing(index_elements=["job_id", "fire_at"])
        .returning(JobClaim.__table__.c.job_id)
    )
    return set((await session.execute(statement)).scalars())


def _among(session: AsyncSession, id_column, ids: list[int]):
    """`id_column IN ids` with the whole list as one parameter (an array on PostgreSQL, a JSON
    array on SQLite), so its cost does not grow with a parameter per id."""
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        return id_column == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))
    listed = select(column("value")).select_from(func.json_each(json.dumps(ids)))
    return id_column.in_(listed.scalar_subquery())


async def _groups(session: AsyncSession, ids: set[int | None]) -> dict[int, Any]:
    wanted = sorted(i for i in ids if i is not None)
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = await session.execute(
            select(Group.id, Group.chat_id, Group.title, Group.bot_status, Group.settings).where(
                Group.id.in_(wanted[start : start + _IN_CHUNK])
            )
        )
        found.update((row.id, row) for row in rows)
    return found
