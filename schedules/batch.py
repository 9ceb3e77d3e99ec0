"""Settling many plain jobs in one transaction: the path a burst of same-minute posts takes.

10,000 groups with an 11:00 post are 10,000 firings at once. One by one each costs a claim,
a group read, an outbox read-then-insert and a job update; here a batch costs one multi-row
claim, one group read, one multi-row outbox insert and one executemany update. Same rules as
`firing.settle`: a claim row per (job, fire time) first, outbox keys `job:{id}:{fire_at}:{i}`.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.models import Group, OutboxAction
from schedules.firing import FireConfig, outbox_values
from schedules.misfire import CatchUp, catch_up
from schedules.models import JobClaim, ScheduledJob
from schedules.posts import group_locale, plain_actions
from schedules.store import grace_of, spec_of

log = structlog.get_logger(__name__)


def _insert(session: AsyncSession):
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return pg_insert if dialect == "postgresql" else sqlite_insert


async def claim_many(session: AsyncSession, wanted: dict[int, datetime], now: datetime) -> set[int]:
    """Claim (job, fire_at) for every job in `wanted`; the ids this call got."""
    if not wanted:
        return set()
    insert = _insert(session)
    table = JobClaim.__table__
    # Core executemany with RETURNING: SQLAlchemy's "insertmanyvalues" sends few statements.
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["job_id", "fire_at"])
        .returning(table.c.job_id)
    )
    rows = [{"job_id": j, "fire_at": at, "claimed_at": now} for j, at in wanted.items()]
    return set((await session.execute(statement, rows)).scalars())


def _decide(job: ScheduledJob, now: datetime, memo: dict) -> CatchUp:
    planned = job.next_run_at
    assert planned is not None
    spec, grace = spec_of(job), grace_of(job)
    # A burst is many rows with the same spec and planned time: work the trigger math out once.
    key = (spec, planned, grace)
    decision = memo.get(key)
    if decision is None:
        decision = memo[key] = catch_up(spec, planned, max(now, planned), grace)
    for skipped in decision.decisions:
        if not skipped.fire:
            log.info(
                "schedule.skipped",
                job_id=job.id,
                planned=skipped.planned.isoformat(),
                reason=skipped.reason,
                detail=skipped.detail,
            )
    return decision


async def settle_plain(
    session: AsyncSession, jobs: list[ScheduledJob], now: datetime, config: FireConfig
) -> int:
    """Settle due plain jobs (see `posts.is_plain`) together; returns how many fired."""
    memo: dict = {}
    decisions = {job.id: _decide(job, now, memo) for job in jobs}
    wanted = {job_id: d.to_fire[-1] for job_id, d in decisions.items() if d.to_fire}
    claimed = await claim_many(session, wanted, now)
    group_ids = {job.group_id for job in jobs if job.id in claimed}
    groups = {
        group.id: group
        for group in await session.scalars(select(Group).where(Group.id.in_(group_ids)))
    }
    rows: list[dict] = []
    changes: list[dict] = []
    locales: dict = {}  # a group with several jobs firing reads its settings once
    for job in jobs:
        decision = decisions[job.id]
        if job.id in wanted and job.id not in claimed:
            continue  # another scheduler fired this occurrence and moved the row on
        if job.id in claimed:
            fire_at = wanted[job.id]
            group = groups.get(job.group_id)
            if group is not None and group.id not in locales:
                locales[group.id] = group_locale(group, config.default_tz)
            actions = (
                plain_actions(job, group, fire_at, config.default_tz, locales[group.id])
                if group is not None
                else []
            )
            rows.extend(
                {**values, "created_at": now, "next_attempt_at": now}
                for values in outbox_values(job, fire_at, actions)
            )
            last_run, result = fire_at, f"fired at {now.isoformat()}: {len(actions)} actions"
        else:
            last_run = job.last_run_at
            result = f"skipped at {now.isoformat()}: {decision.decisions[-1].detail}"
        changes.append(
            {"b_id": job.id, "b_next": decision.next_at, "b_last": last_run, "b_result": result}
        )
        # Keep the loaded rows in step without making the ORM write them again.
        set_committed_value(job, "next_run_at", decision.next_at)
        set_committed_value(job, "last_run_at", last_run)
        set_committed_value(job, "last_result", result)
    await write_firings(session, rows, changes)
    return len(claimed)


async def write_firings(session: AsyncSession, rows: list[dict], changes: list[dict]) -> None:
    """Store outbox rows and job-row updates (`b_id`, `b_next`, `b_last`, `b_result`) in bulk."""
    if rows:
        insert = _insert(session)
        await session.execute(
            insert(OutboxAction.__table__).on_conflict_do_nothing(
                index_elements=["idempotency_key"]
            ),
            rows,
        )
    if changes:
        table = ScheduledJob.__table__
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                next_run_at=bindparam("b_next"),
                last_run_at=bindparam("b_last"),
                last_result=bindparam("b_result"),
            ),
            changes,
        )
