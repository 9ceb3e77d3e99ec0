"""The scheduler service: settles due jobs from the job table, with APScheduler as its timer.

Runs only in the leader. At start it catches up runs missed while no scheduler ran (within each
job's grace), then registers one APScheduler job per row (`post:{id}`, argument: the row id),
so APScheduler only says "wake up now"; what to post, and whether it still should, is always read
from the table. A sweep every `sweep_seconds` is the safety net: it settles rows the timer does
not know yet (made by another replica's command or the API) and rows whose timer was late.

Plain jobs (one text to the owner group) wake `staging.LEAD` early: their rows are read and
rendered ahead and written at the due instant, so a burst of thousands is on time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.failures import FailureRun
from schedules import staging
from schedules.batch import settle_plain
from schedules.firing import FireConfig, fire_now, settle
from schedules.misfire import apscheduler_job_options
from schedules.models import JobChange, ScheduledJob
from schedules.posts import is_plain
from schedules.spec import AfterEvent
from schedules.store import SWEEP_EVERY, first_run, grace_of, spec_of
from schedules.triggers import lead_trigger, to_apscheduler_trigger

log = structlog.get_logger(__name__)
# APScheduler logs every wake-up at INFO (the sweep runs every second); keep its warnings only.
logging.getLogger("apscheduler").setLevel(logging.WARNING)

Clock = Callable[[], datetime]
# The sweep leaves rows due within the last second to the timer, so the two rarely race.
EARLY = timedelta(seconds=1)
# asyncio timers may wake a hair early; a row this close to due counts as due.
TIMER_SLACK = timedelta(milliseconds=50)
# Rows settled per transaction by the sweep: big enough for throughput, small enough that the
# first rows of a burst reach the outbox (and the sender) without waiting for the last.
BATCH = 500
# The change log only has to outlive a leader's restart.
CHANGES_KEPT = timedelta(days=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


class SchedulerService:
    """Fire due jobs into the outbox; `fire_due(now)` and `fire(job_id, at)` are the seams."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        config: FireConfig | None = None,
        *,
        clock: Clock = utcnow,
        on_outbox: Callable[[], None] | None = None,
        sweep_seconds: float = 1.0,
        lead: timedelta = staging.LEAD,
    ) -> None:
        self._sessions = sessions
        self._config = config or FireConfig()
        self.now = clock
        self._on_outbox = on_outbox or (lambda: None)
        self._sweep_seconds = sweep_seconds
        self._lead = lead
        self._timer: AsyncIOScheduler | None = None
        self._max_id = 0
        self._last_change = 0
        self._pass = asyncio.Lock()
        self._sweeps = FailureRun(log, "scheduler.sweep_failed")
        self._woken = False
        # Firings read and rendered ahead, by due instant, waiting to be written (see staging).
        self._staged: dict[datetime, dict[int, staging.StagedJob]] = {}
        self._staging = asyncio.Lock()
        self._stage_woken = False
        self._releases: set[asyncio.Task] = set()
        self.fired_total = 0  # firings stored since start, counted before each on_outbox call

    @property
    def running(self) -> bool:
        return self._timer is not None

    async def start(self) -> None:
        """Catch up missed runs, then rebuild the in-process timer from the job table."""
        fired = await self.fire_due()
        # Changes made from here on are applied by the sweeps; older ones are in the table.
        self._last_change = await self._last_change_id()
        await self._prune_changes(self.now())
        timer = AsyncIOScheduler(timezone=UTC)
        count = await self._register_new(timer)
        timer.add_job(
            self._sweep,
            IntervalTrigger(seconds=self._sweep_seconds, timezone=UTC),
            id="sweep",
            coalesce=True,
            max_instances=1,
        )
        timer.start()
        self._timer = timer
        log.info("scheduler.started", jobs=count, caught_up=fired)

    async def stop(self) -> None:
        """Stop the timer (on deposition or shutdown); the table keeps everything."""
        if self._timer is not None:
            self._timer.shutdown(wait=False)
            self._timer = None
            self._max_id = 0
            for task in self._releases:
                task.cancel()
            self._releases.clear()
            # Let a pass already running finish its transaction rather than be cut mid-way
            # by the engine closing after us.
            async with self._pass:
                pass
            self._staged.clear()  # written by the next leader through the ordinary path
            log.info("scheduler.stopped")

    async def fire_due(self, now: datetime | None = None, *, due: datetime | None = None) -> int:
        """Settle, as of `now`, every enabled job whose next run is at or before `due` (default
        `now`); returns how many stored a firing."""
        now = now or self.now()
        due = due or now
        fired = 0
        while True:
            before = fired
            async with self._sessions.begin() as session:
                jobs = list(
                    await session.scalars(
                        select(ScheduledJob)
                        .where(ScheduledJob.enabled.is_(True), ScheduledJob.next_run_at <= due)
                        .order_by(ScheduledJob.next_run_at, ScheduledJob.id)
                        .limit(BATCH)
                        # Locked while settled: a change made at the same moment through the
                        # API (which locks the row too) waits for this pass, or this pass skips
                        # the row until the change is in and fires it as changed, never writing
                        # a `next_run_at` worked out from the spec the change replaced.
                        .with_for_update(skip_locked=True)
                    )
                )
                planned = [job.next_run_at for job in jobs]
                plain, other = [], []
                for job in jobs:
                    (plain if is_plain(job) else other).append(job)
                if plain:
                    fired += await self._settle_plain(session, plain, now)
                for job in other:
                    fired += await self._settle(session, job, now)
            if jobs:
                self.fired_total += fired - before
                self._on_outbox()
            moved = any(job.next_run_at != at for job, at in zip(jobs, planned, strict=True))
            # A full batch nobody could move (another scheduler holds it) ends this pass too.
            if len(jobs) < BATCH or not moved:
                return fired

    async def fire_job(self, job_id: int) -> int:
        """The timer's callback for `post:{job_id}`: settle everything due now, in batches.

        When 10,000 groups post at 11:00, APScheduler wakes 10,000 times in the same instant;
        the first wake-up settles them all in batches of `BATCH` and the rest find nothing left,
        instead of 10,000 one-row transactions. The row, not the wake-up, says what is due.
        """
        self._woken = True
        if self._pass.locked():
            return 0  # the running pass goes round again and sees this job
        async with self._pass:
            fired = 0
            while self._woken:
                self._woken = False
                now = self.now()
                fired += await self.fire_due(now, due=now + TIMER_SLACK)
            return fired

    async def stage_job(self, job_id: int) -> int:
        """The timer's callback for a plain job, `LEAD` before it is due: read and render every
        plain firing due within `LEAD` (once per burst, like `fire_job`) and arrange its write
        at the due instant. Returns how many firings were staged."""
        self._stage_woken = True
        if self._staging.locked():
            return 0
        async with self._staging:
            staged = 0
            while self._stage_woken:
                self._stage_woken = False
                staged += await self.prepare()
            return staged

    async def prepare(self, now: datetime | None = None) -> int:
        """Stage plain firings due in (now - EARLY, now + lead]; each instant gets a release task
        (rows later than that are the sweep's)."""
        now = now or self.now()
        known = {(job_id, at) for at, jobs in self._staged.items() for job_id in jobs}
        async with self._sessions() as session:
            found = await staging.stage(
                session, now - EARLY, now + self._lead + EARLY, self._config, known
            )
        for at, jobs in found.items():
            if at not in self._staged:
                task = asyncio.create_task(self._release_at(at), name=f"release {at}")
                self._releases.add(task)
                task.add_done_callback(self._releases.discard)
            self._staged.setdefault(at, {}).update(jobs)
        return sum(len(jobs) for jobs in found.values())

    async def release_due(self, now: datetime | None = None) -> int:
        """Write staged firings whose instant has come; returns how many were stored.

        A staged firing later than its grace is dropped here: the ordinary path then settles
        the row and records the skip.
        """
        now = now or self.now()
        fired = 0
        for at in sorted(at for at in self._staged if at <= now + TIMER_SLACK):
            jobs = [
                job
                for job in self._staged.pop(at).values()
                if job.grace is None or now - at <= job.grace
            ]
            for start in range(0, len(jobs), staging.WRITE_BATCH):
                chunk = jobs[start : start + staging.WRITE_BATCH]
                try:
                    async with self._sessions.begin() as session:
                        written = await staging.release(session, at, chunk, self.now())
                except Exception:
                    # The rows stay due: the sweep settles them through the ordinary path.
                    log.exception("schedule.release_failed", at=at.isoformat(), jobs=len(chunk))
                    continue
                fired += len(written)
                self.fired_total += len(written)
                self._on_outbox()
        return fired

    async def _release_at(self, at: datetime) -> None:
        delay = (at - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(delay)
        async with self._pass:
            await self.release_due()

    def unstage(self, job_id: int) -> None:
        """Forget a staged firing of a job that changed (its new content is read when due)."""
        for jobs in self._staged.values():
            jobs.pop(job_id, None)

    async def fire(self, job_id: int, fire_at: datetime | None = None) -> int | None:
        """Run a job for `fire_at` (default now) regardless of its schedule ("run now").

        Returns the number of actions stored, None when that occurrence was already fired.
        """
        now = self.now()
        fire_at = (fire_at or now).astimezone(UTC)
        async with self._sessions.begin() as session:
            job = await session.get(ScheduledJob, job_id)
            if job is None:
                raise LookupError(f"no job {job_id}")
            count = await fire_now(session, job, fire_at, now, self._config)
        self._on_outbox()
        return count

    def refresh(self, job: ScheduledJob) -> None:
        """Re-arm one job's timer after it was created or changed in this process: a paused or
        finished job loses its timer at once, a new or resumed one gets it at once."""
        self.unstage(job.id)
        if self._timer is None:
            return
        if job.enabled and job.next_run_at is not None:
            self._add(self._timer, job)
        else:
            self.forget(job.id)

    async def _settle_plain(
        self, session: AsyncSession, jobs: list[ScheduledJob], now: datetime
    ) -> int:
        try:
            async with session.begin_nested():
                return await settle_plain(session, jobs, now, self._config)
        except Exception:
            # A bad row spoils the batch: settle its rows one by one, isolating the culprit.
            log.exception("schedule.batch_failed", jobs=len(jobs))
            fired = 0
            for job in jobs:
                await session.refresh(job)  # the rolled-back savepoint expired them
                fired += await self._settle(session, job, now)
            return fired

    async def _settle(self, session: AsyncSession, job: ScheduledJob, now: datetime) -> int:
        try:
            async with session.begin_nested():
                count = await settle(session, job, now, self._config)
        except Exception as exc:
            # One broken job must not stop the others; it is retried at its next run.
            log.exception("schedule.fire_failed", job_id=job.id)
            await session.refresh(job)  # the rolled-back savepoint expired it
            job.last_result = f"failed at {now.isoformat()}: {type(exc).__name__}: {exc}"[:500]
            job.next_run_at = _after_failure(job, now)
            return 0
        return 1 if count else 0

    async def _sweep(self) -> None:
        # A sweep the timer handed out just before `stop` must not start after it: the engine
        # may be closing by then.
        if self._pass.locked() or self._timer is None:
            return
        try:
            async with self._pass:
                # Only rows the timer should already have handled, so the two rarely race.
                await self.release_due()
                now = self.now()
                await self.fire_due(now, due=now - EARLY)
                await self.sync_timers()
        except Exception as exc:
            self._sweeps.failed(exc)
        else:
            self._sweeps.succeeded()

    async def sync_timers(self) -> None:
        """Bring the timer in line with the table: changed jobs re-armed or dropped, new rows
        armed (each sweep does this)."""
        if self._timer is not None:
            await self._apply_changes(self._timer)
            await self._register_new(self._timer)

    def armed(self) -> set[int]:
        """Ids of the jobs that have a timer now."""
        if self._timer is None:
            return set()
        return {int(job.id[5:]) for job in self._timer.get_jobs() if job.id.startswith("post:")}

    async def _register_new(self, timer: AsyncIOScheduler) -> int:
        async with self._sessions() as session:
            rows = await session.execute(
                select(*_TIMER_COLUMNS).where(
                    ScheduledJob.id > self._max_id,
                    ScheduledJob.enabled.is_(True),
                    ScheduledJob.next_run_at.is_not(None),
                )
            )
            count = 0
            for row in rows:
                # The row has the columns `_add` reads; an ORM object per row costs ~30% of start.
                self._add(timer, row)  # type: ignore[arg-type]
                self._max_id = max(self._max_id, row.id)
                count += 1
        return count

    async def _last_change_id(self) -> int:
        async with self._sessions() as session:
            return await session.scalar(select(func.max(JobChange.id))) or 0

    async def _apply_changes(self, timer: AsyncIOScheduler) -> int:
        """Re-arm or drop the timers of jobs changed since the last sweep (by a chat command,
        the API or another replica): a paused or removed job loses its timer, a new or resumed
        one gets it."""
        async with self._sessions() as session:
            changes = list(
                await session.execute(
                    select(JobChange.id, JobChange.job_id)
                    .where(JobChange.id > self._last_change)
                    .order_by(JobChange.id)
                    .limit(5000)
                )
            )
            if not changes:
                return 0
            ids = sorted({change.job_id for change in changes})
            rows = {
                row.id: row
                for row in await session.execute(
                    select(*_TIMER_COLUMNS, ScheduledJob.enabled).where(ScheduledJob.id.in_(ids))
                )
            }
        for job_id in ids:
            row = rows.get(job_id)
            if row is None:
                self.unstage(job_id)
                self.forget(job_id)
            else:
                fields = row._asdict()
                fields.pop("enabled")
                self.refresh(ScheduledJob(**fields, enabled=row.enabled))
        self._last_change = changes[-1].id
        return len(ids)

    async def _prune_changes(self, now: datetime) -> None:
        async with self._sessions.begin() as session:
            await session.execute(
                delete(JobChange).where(JobChange.changed_at < now - CHANGES_KEPT)
            )

    def _add(self, timer: AsyncIOScheduler, job: ScheduledJob) -> None:
        spec = spec_of(job)
        callback, next_run = self.fire_job, job.next_run_at
        if isinstance(spec, AfterEvent):
            trigger = IntervalTrigger(seconds=SWEEP_EVERY.total_seconds(), start_date=next_run)
        elif is_plain(job, spec):
            callback, trigger = self.stage_job, lead_trigger(spec, self._lead)
            next_run = None if next_run is None else next_run - self._lead
        else:
            trigger = to_apscheduler_trigger(spec)
        timer.add_job(
            callback,
            trigger,
            args=[job.id],
            id=f"post:{job.id}",
            replace_existing=True,
            # The table already knows the next run; APScheduler need not work it out again.
            next_run_time=next_run,
            **apscheduler_job_options(grace_of(job)),
        )

    def forget(self, job_id: int) -> None:
        """Drop a deleted job's timer."""
        if self._timer is not None and self._timer.get_job(f"post:{job_id}") is not None:
            self._timer.remove_job(f"post:{job_id}")


_TIMER_COLUMNS = (
    ScheduledJob.id,
    ScheduledJob.group_id,
    ScheduledJob.kind,
    ScheduledJob.payload,  # a pinned countdown reminder is no plain job (`posts.is_plain`)
    ScheduledJob.target,
    ScheduledJob.spec,
    ScheduledJob.grace_seconds,
    ScheduledJob.next_run_at,
)


def _after_failure(job: ScheduledJob, now: datetime) -> datetime | None:
    """Move a failed job to its next occurrence, so it is not retried every sweep."""
    try:
        return first_run(spec_of(job), now)
    except Exception:
        return None
