"""Missed-run policy: a late post is sent only within its job's grace, never silently dropped.

APScheduler 3 defaults to a 1-second misfire grace, so every post planned while the process
was down (a deploy, a crash) would vanish without a trace. Here grace is per job and explicit,
and the decision comes back as data with its reason, for the job log and the outbox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from schedules.spec import AfterEvent, Cron, Every, Once
from schedules.triggers import fire_times, next_fire

DEFAULT_GRACE = timedelta(minutes=10)

Spec = Cron | Once | Every | AfterEvent


@dataclass(frozen=True)
class RunDecision:
    """Whether to run a planned firing now; `reason` is a stable code, `detail` is for people."""

    action: Literal["fire", "skip"]
    reason: Literal["on_time", "late_within_grace", "no_grace_limit", "missed_grace", "coalesced"]
    planned: datetime
    late_by: timedelta
    detail: str

    @property
    def fire(self) -> bool:
        """True when the post should be sent."""
        return self.action == "fire"


def decide_missed_run(
    planned: datetime, now: datetime, grace: timedelta | None = DEFAULT_GRACE
) -> RunDecision:
    """Fire or skip a run planned at `planned`, seen at `now`, given the job's `grace`.

    `grace=None` means no limit (for end-of-countdown actions such as closing a group, which
    must happen however late). A run not yet due is a caller bug and raises ValueError.
    """
    if planned.tzinfo is None or now.tzinfo is None:
        raise ValueError("planned and now must be timezone-aware")
    if grace is not None and grace < timedelta(0):
        raise ValueError("grace must not be negative")
    late_by = now - planned
    if late_by < timedelta(0):
        raise ValueError(f"run planned at {planned.isoformat()} is not due at {now.isoformat()}")
    if late_by < timedelta(seconds=1):
        return RunDecision("fire", "on_time", planned, late_by, "on time")
    if grace is None:
        detail = f"late by {_span(late_by)}; this job has no grace limit"
        return RunDecision("fire", "no_grace_limit", planned, late_by, detail)
    if late_by <= grace:
        detail = f"late by {_span(late_by)}, within the {_span(grace)} grace"
        return RunDecision("fire", "late_within_grace", planned, late_by, detail)
    detail = f"missed by {_span(late_by)}, more than the {_span(grace)} grace"
    return RunDecision("skip", "missed_grace", planned, late_by, detail)


@dataclass(frozen=True)
class CatchUp:
    """What to do with a job after downtime: the missed runs and the next run to store."""

    decisions: tuple[RunDecision, ...]
    next_at: datetime | None

    @property
    def to_fire(self) -> tuple[datetime, ...]:
        """Planned times that should still be posted (at most one: missed runs coalesce)."""
        return tuple(d.planned for d in self.decisions if d.fire)


def catch_up(
    spec: Spec,
    planned: datetime,
    now: datetime,
    grace: timedelta | None = DEFAULT_GRACE,
    event_at: datetime | None = None,
) -> CatchUp:
    """Settle a job whose stored next run `planned` is due or overdue at `now`.

    Runs missed back to back coalesce: only the latest is considered for firing (a group wants
    one "good morning" after a long outage, not five); the earlier ones are returned as skips
    so they are recorded, not silently lost. `next_at` is the first run after `now`.
    """
    later = fire_times(spec, planned, now, event_at)
    missed = [planned, *later]
    decisions = [
        RunDecision("skip", "coalesced", at, now - at, "superseded by a later missed run")
        for at in missed[:-1]
    ]
    decisions.append(decide_missed_run(missed[-1], now, grace))
    return CatchUp(tuple(decisions), next_fire(spec, now, event_at))


def apscheduler_job_options(grace: timedelta | None = DEFAULT_GRACE) -> dict[str, Any]:
    """Keyword arguments for `scheduler.add_job` that carry the job's grace into APScheduler.

    APScheduler wants whole positive seconds (or None for no limit).
    """
    seconds = None if grace is None else max(1, math.ceil(grace.total_seconds()))
    return {"misfire_grace_time": seconds, "coalesce": True, "max_instances": 1}


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] if hours else []
    if minutes:
        parts.append(f"{minutes}m")
    if secs or not parts:
        parts.append(f"{secs}s")
    return "".join(parts)
