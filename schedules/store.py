"""Reading and writing job rows: create, find, pause/resume, and where a job posts."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Group
from bot.groups.repository import GONE
from bot.groups.settings import load_group_settings
from bot.web.pages import Page
from schedules.errors import ScheduleError
from schedules.misfire import DEFAULT_GRACE
from schedules.models import POST, JobChange, ScheduledJob
from schedules.spec import AfterEvent, Cron, Every, Once, spec_from_json, spec_to_json
from schedules.triggers import next_fire

Spec = Cron | Once | Every | AfterEvent

# AfterEvent jobs ("3 days after a member joined") are swept once a minute for members now due.
SWEEP_EVERY = timedelta(minutes=1)
MAX_JOB_ID = 2**63 - 1  # the largest id a BigId column holds


def firing_key(job_id: int, fire_at: datetime) -> str:
    """The outbox idempotency key of one occurrence of a job."""
    return f"job:{job_id}:{fire_at.isoformat()}"


def spec_of(job: ScheduledJob) -> Spec:
    """The job's schedule spec (parsed once per distinct spec: validation builds a trigger)."""
    return _spec(json.dumps(job.spec, sort_keys=True))


@lru_cache(maxsize=4096)
def _spec(text: str) -> Spec:
    return spec_from_json(text)


def grace_of(job: ScheduledJob) -> timedelta | None:
    """How late a run may still fire; None means no limit."""
    return None if job.grace_seconds is None else timedelta(seconds=job.grace_seconds)


def first_run(spec: Spec, now: datetime) -> datetime | None:
    """When a job made at `now` runs first (None when it never will)."""
    if isinstance(spec, AfterEvent):
        return next_sweep(now)
    return next_fire(spec, now)


def next_sweep(now: datetime) -> datetime:
    """The next whole minute after `now`, when an AfterEvent job looks for members due."""
    return now.astimezone(UTC).replace(second=0, microsecond=0) + SWEEP_EVERY


def check_pairing(spec: Spec, kind: str) -> None:
    """Raises ScheduleError when a job of `kind` cannot follow `spec` (on creation or change)."""
    if isinstance(spec, AfterEvent) and kind != POST:
        # Only a plain post is sent member by member as each one comes due; any other kind
        # would fire at every sweep for the group, a digest or a poll once a minute.
        raise ScheduleError("after_join_posts_only")


async def create_job(
    session: AsyncSession,
    *,
    spec: Spec,
    now: datetime,
    group: Group | None = None,
    kind: str = POST,
    payload: dict[str, Any] | None = None,
    target: dict[str, Any] | None = None,
    phrase: str | None = None,
    grace: timedelta | None = DEFAULT_GRACE,
    countdown_id: str | None = None,
    created_by: str | None = None,
    thread_id: str | None = None,
) -> ScheduledJob:
    """Store a job and its first run time; without `target` it posts to `group`, in its forum
    topic `thread_id` if given (a job with a target posts to each group's General topic: a
    topic belongs to one group).

    Raises ScheduleError for a spec the kind cannot follow.
    """
    check_pairing(spec, kind)
    job = ScheduledJob(
        platform=group.platform if group is not None else "telegram",
        group_id=group.id if group is not None else None,
        kind=kind,
        payload=payload or {},
        target=target or {},
        thread_id=None if target else thread_id,
        spec=spec_to_json(spec),
        phrase=phrase,
        countdown_id=countdown_id,
        enabled=True,
        grace_seconds=None if grace is None else int(grace.total_seconds()),
        next_run_at=first_run(spec, now),
        created_by=created_by,
        created_at=now,
    )
    session.add(job)
    await session.flush()
    if grace is None and job.grace_seconds is not None:
        # The ORM inserts the column default (600) for an attribute left None: "no limit"
        # has to be written as an update.
        job.grace_seconds = None
        await session.flush()
    record_change(session, job.id, now)
    return job


def record_change(session: AsyncSession, job_id: int, now: datetime) -> None:
    """Note that a job's timer must be re-armed or dropped (the leader reads these each sweep,
    since the change may be made on another replica)."""
    session.add(JobChange(job_id=job_id, changed_at=now))


async def group_jobs(
    session: AsyncSession,
    group_id: int,
    *,
    without: Collection[str] = (),
    page: Page | None = None,
) -> list[ScheduledJob]:
    """The jobs a group owns, oldest first, but those of the kinds in `without`; with `page`,
    that page of them (and one more, see `Page.of`)."""
    statement = select(ScheduledJob).where(ScheduledJob.group_id == group_id)
    if without:
        statement = statement.where(ScheduledJob.kind.not_in(list(without)))
    statement = statement.order_by(ScheduledJob.id)
    rows = await session.scalars(page.of(statement) if page else statement)
    return list(rows)


async def find_group_job(session: AsyncSession, group_id: int, job_id: int) -> ScheduledJob | None:
    """A job by id, only if this group owns it (operators manage their own group's jobs).

    None for a number no job can have: typed by a person, it may not fit the column, which the
    database would refuse.
    """
    if not 0 < job_id <= MAX_JOB_ID:
        return None
    job = await session.get(ScheduledJob, job_id)
    return job if job is not None and job.group_id == group_id else None


def pause(session: AsyncSession, job: ScheduledJob, now: datetime) -> None:
    """Stop a job firing; its schedule is kept."""
    job.enabled = False
    record_change(session, job.id, now)


def resume(session: AsyncSession, job: ScheduledJob, now: datetime) -> None:
    """Fire again from the next occurrence after `now` (runs missed while paused are not sent)."""
    job.enabled = True
    job.next_run_at = first_run(spec_of(job), now)
    record_change(session, job.id, now)


async def follow_group_zone(
    session: AsyncSession, group_id: int, old: str, new: str, now: datetime
) -> int:
    """Move the group's wall-clock jobs ("every day 9:00") made in its old timezone `old` to
    `new`, where the group now lives; how many moved. A group's zone is mostly changed to put
    right a default it never lived in, and its morning post is meant for its own mornings.
    Jobs given another zone of their own, and instants (one-offs, countdowns), stay."""
    moved = 0
    for job in await group_jobs(session, group_id):
        spec = spec_of(job)
        if not isinstance(spec, Cron) or spec.tz != old:
            continue
        spec = spec.model_copy(update={"tz": new})
        job.spec = spec_to_json(spec)
        if job.enabled:
            job.next_run_at = first_run(spec, now)
        record_change(session, job.id, now)
        moved += 1
    return moved


async def remove_job(session: AsyncSession, job: ScheduledJob, now: datetime) -> None:
    """Delete a job (its claims go with it)."""
    record_change(session, job.id, now)
    await session.delete(job)


async def target_groups(session: AsyncSession, job: ScheduledJob) -> list[Group]:
    """The groups a firing posts to: a list of ids, every group of a kind or with a tag, or
    the owner group."""
    groups = job.target.get("groups")
    kind = job.target.get("kind")
    tag = job.target.get("tag")
    if kind or tag:
        rows = await session.scalars(
            select(Group).where(Group.platform == job.platform).order_by(Group.id)
        )
        if tag:
            # A job saved before targets were casefolded may hold "VIP".
            tag = tag.casefold()
            return [g for g in rows if tag in load_group_settings(g.settings).tags]
        return [g for g in rows if load_group_settings(g.settings).kind.value == kind]
    ids = [int(i) for i in groups] if groups else [job.group_id] if job.group_id else []
    if not ids:
        return []
    rows = await session.scalars(select(Group).where(Group.id.in_(ids)).order_by(Group.id))
    return list(rows)


async def reached_groups(session: AsyncSession, job: ScheduledJob) -> list[Group]:
    """The groups a firing posts to now: its target groups the bot is still in."""
    return [group for group in await target_groups(session, job) if group.bot_status not in GONE]
