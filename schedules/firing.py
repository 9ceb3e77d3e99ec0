"""One firing inside one transaction: claim the occurrence, build its actions, store them.

"Claim" is an INSERT of (job_id, fire_at) into a table with a UNIQUE constraint, done with
ON CONFLICT DO NOTHING: on any database a second scheduler (a deposed leader still running, a
timer racing the sweep) gets nothing back and does nothing, so a double fire is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action, action_to_json
from bot.outbox.store import enqueue
from schedules.misfire import catch_up
from schedules.models import POST, JobClaim, ScheduledJob
from schedules.posts import build_actions
from schedules.spec import AfterEvent
from schedules.store import firing_key, grace_of, next_sweep, record_change, spec_of

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class FireConfig:
    """What building actions needs from the service settings."""

    operators: tuple[str, ...] = ()
    default_tz: str = "Asia/Shanghai"


def outbox_values(job: ScheduledJob, fire_at: datetime, actions: list[Action]) -> list[dict]:
    """The outbox rows (without timestamps) of one occurrence, for the bulk write paths."""
    key = firing_key(job.id, fire_at)
    return [
        {
            "platform": job.platform,
            "chat_key": action.chat_id,
            "kind": action.kind,
            "payload": action_to_json(action),
            "idempotency_key": f"{key}:{index}",
            "status": "pending",
            "attempts": 0,
        }
        for index, action in enumerate(actions)
    ]


async def claim(session: AsyncSession, job_id: int, fire_at: datetime, now: datetime) -> bool:
    """Take the occurrence (job, fire_at); False when someone already took it."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(JobClaim)
        .values(job_id=job_id, fire_at=fire_at, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["job_id", "fire_at"])
        .returning(JobClaim.id)
    )
    return (await session.execute(statement)).scalar() is not None


async def fire_claimed(
    session: AsyncSession,
    job: ScheduledJob,
    fire_at: datetime,
    now: datetime,
    config: FireConfig,
    window_start: datetime | None = None,
    missed_before: datetime | None = None,
) -> list[Action] | None:
    """Claim and build one occurrence; None when it was already claimed (nothing to do)."""
    if not await claim(session, job.id, fire_at, now):
        return None
    actions = await build_actions(
        session,
        job,
        fire_at,
        operators=config.operators,
        default_tz=config.default_tz,
        window_start=window_start,
        missed_before=missed_before,
    )
    job.last_run_at = fire_at
    job.last_result = f"fired at {now.isoformat()}: {len(actions)} actions"
    return actions


async def fire_now(
    session: AsyncSession,
    job: ScheduledJob,
    fire_at: datetime,
    now: datetime,
    config: FireConfig,
) -> int | None:
    """Fire `job` for `fire_at` into the outbox; the number of actions, or None if taken."""
    actions = await fire_claimed(session, job, fire_at, now, config)
    if actions is None:
        return None
    await enqueue(session, job.platform, actions, key=firing_key(job.id, fire_at), now=now)
    return len(actions)


async def settle(
    session: AsyncSession, job: ScheduledJob, now: datetime, config: FireConfig
) -> int | None:
    """Handle a job whose next run is due at `now`: fire the latest missed run within grace,
    record the skipped ones, and move `next_run_at` on. Returns actions stored (None: taken).
    """
    planned = job.next_run_at
    if planned is None:
        return 0
    spec = spec_of(job)
    if isinstance(spec, AfterEvent) and job.kind != POST:
        # Stored before `create_job` refused the pairing: only posts go member by member, so
        # this would fire at every sweep (a digest a minute). Switched off, never fired.
        log.warning("schedule.after_join_not_a_post", job_id=job.id, kind=job.kind)
        job.enabled, job.next_run_at = False, None
        record_change(session, job.id, now)
        return 0
    if isinstance(spec, AfterEvent):
        # A sweep over members now due, one occurrence per minute. After downtime the window
        # covers every member who came due meanwhile; those due longer ago than the job's grace
        # are skipped, like any missed post.
        fire_at = planned
        grace = grace_of(job)
        missed_before = None if grace is None else now - grace
        actions = await fire_claimed(
            session, job, fire_at, now, config, job.last_run_at, missed_before
        )
        if actions is None:
            return None
        await enqueue(session, job.platform, actions, key=firing_key(job.id, fire_at), now=now)
        job.next_run_at = next_sweep(max(now, planned))
        return len(actions)
    decision = catch_up(spec, planned, max(now, planned), grace_of(job))
    for skipped in decision.decisions:
        if not skipped.fire:
            log.info(
                "schedule.skipped",
                job_id=job.id,
                planned=skipped.planned.isoformat(),
                reason=skipped.reason,
                detail=skipped.detail,
            )
    count: int | None = 0
    if decision.to_fire:
        count = await fire_now(session, job, decision.to_fire[-1], now, config)
        if count is None:
            return None
    else:
        job.last_result = f"skipped at {now.isoformat()}: {decision.decisions[-1].detail}"
    job.next_run_at = decision.next_at
    return count
