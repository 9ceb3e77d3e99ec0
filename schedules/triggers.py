"""Trigger math: when does a spec fire next? Pure, so it is tested without sleeping.

Built on APScheduler 3's trigger classes, which the scheduler service also runs, so the times
stored in the job table and the times APScheduler wakes up at come from the same code. Results
are aware datetimes in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from schedules.spec import AfterEvent, Cron, Every, Once

Spec = Cron | Once | Every | AfterEvent

# APScheduler returns times >= `now` rounded up to whole seconds; nudging past `after` makes
# our contract "strictly after".
_NUDGE = timedelta(microseconds=1)
# Enough for any real cron line to reach a match; a line that never matches returns None.
_MAX_STEPS = 1000


class _OnceAWallTimeCron(CronTrigger):
    """A CronTrigger that fires a repeated wall-clock time once on a DST fall-back day.

    Plain APScheduler 3 fires a daily 01:30 job twice when 01:30 happens twice; cron users
    expect once. Times in the skipped hour of spring-forward already fire once, just after the
    jump (02:30 -> 03:30), which is what cron does too.
    """

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The next fire time at or after `now`, skipping second occurrences of a wall time."""
        candidate = super().get_next_fire_time(previous_fire_time, now)
        if candidate is not None and _is_repeat_of_wall_time(candidate, self.timezone):
            # APScheduler reasons on naive wall times, so asking again from inside the repeated
            # hour hands back the same time; resume after the repeat ends instead.
            candidate = super().get_next_fire_time(None, _end_of_repeat(candidate, self.timezone))
        return candidate


def _is_repeat_of_wall_time(moment: datetime, tz: tzinfo) -> bool:
    local = moment.astimezone(UTC).astimezone(tz)
    return local.fold == 1 and local.utcoffset() != local.replace(fold=0).utcoffset()


def _end_of_repeat(moment: datetime, tz: tzinfo) -> datetime:
    """The first whole minute after `moment` whose wall time is not a repeat."""
    probe = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(24 * 60):  # real repeats last an hour or two
        if not _is_repeat_of_wall_time(probe, tz):
            break
        probe += timedelta(minutes=1)
    return probe.astimezone(tz)


def to_apscheduler_trigger(spec: Spec, event_at: datetime | None = None) -> BaseTrigger:
    """The APScheduler 3 trigger the scheduler service should register for this spec.

    `AfterEvent` specs need `event_at` (when the member joined) and become a one-off trigger.
    A cron spec with an hour wildcard (`0 * * * *`) keeps APScheduler's elapsed-time behaviour
    in a repeated hour; a spec that names its hours fires each wall time once.

    Triggers are immutable and building a CronTrigger is costly (a burst of 10,000 firings
    would build tens of thousands), so equal specs (frozen, hashable) share a cached trigger.
    """
    if event_at is None and not isinstance(spec, AfterEvent):
        return _cached_trigger(spec)
    return _build_trigger(spec, event_at)


@lru_cache(maxsize=4096)
def _cached_trigger(spec: Spec) -> BaseTrigger:
    return _build_trigger(spec, None)


def _build_trigger(spec: Spec, event_at: datetime | None = None) -> BaseTrigger:
    if isinstance(spec, Cron):
        trigger_class = CronTrigger if spec.hour == "*" else _OnceAWallTimeCron
        return trigger_class(**spec.fields(), timezone=spec.zone)
    if isinstance(spec, Once):
        return DateTrigger(run_date=spec.at, timezone=UTC)
    if isinstance(spec, Every):
        seconds = spec.interval.total_seconds()
        return IntervalTrigger(seconds=seconds, start_date=spec.start, timezone=UTC)
    return DateTrigger(run_date=_resolve(spec, event_at), timezone=UTC)


def _resolve(spec: AfterEvent, event_at: datetime | None) -> datetime:
    if event_at is None:
        raise ValueError("an AfterEvent spec needs event_at, the time of the event")
    return spec.resolve(event_at).at


def next_fire(spec: Spec, after: datetime, event_at: datetime | None = None) -> datetime | None:
    """The first fire time strictly after `after` (aware), in UTC; None when it never fires again.

    Cron specs are evaluated on the group's wall clock (`spec.tz`), so they follow DST:
    a daily 02:30 in America/New_York fires at 03:30 EDT on the spring-forward day and once
    (the first 01:30) on the fall-back day.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    if isinstance(spec, Once | AfterEvent):
        # DateTrigger answers its date whatever `now` is; a one-off in the past is done.
        at = spec.at if isinstance(spec, Once) else _resolve(spec, event_at)
        return at if at > after else None
    trigger = to_apscheduler_trigger(spec, event_at)
    fire = trigger.get_next_fire_time(None, after + _NUDGE)
    return None if fire is None else fire.astimezone(UTC)


def fire_times(
    spec: Spec, after: datetime, until: datetime, event_at: datetime | None = None
) -> list[datetime]:
    """Every fire time in (`after`, `until`], oldest first, at most 1000 of them.

    For catching up after downtime and for previews in `/schedule list`.
    """
    times: list[datetime] = []
    cursor = after
    while len(times) < _MAX_STEPS:
        fire = next_fire(spec, cursor, event_at)
        if fire is None or fire > until:
            break
        times.append(fire)
        cursor = fire
    return times


class LeadTrigger(BaseTrigger):
    """Wake `lead` before each fire time of `inner`, so a burst can be prepared ahead of it."""

    def __init__(self, inner: BaseTrigger, lead: timedelta) -> None:
        self.inner = inner
        self.lead = lead

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        """The inner trigger's next time after `now + lead`, moved `lead` earlier."""
        previous = None if previous_fire_time is None else previous_fire_time + self.lead
        fire = self.inner.get_next_fire_time(previous, now + self.lead)
        return None if fire is None else fire - self.lead

    def __str__(self) -> str:
        return f"{self.inner} - {self.lead}"


@lru_cache(maxsize=4096)
def lead_trigger(spec: Spec, lead: timedelta) -> BaseTrigger:
    """A shared `LeadTrigger` for a (non-AfterEvent) spec."""
    return LeadTrigger(_cached_trigger(spec), lead)
