"""Tables of the scheduler: jobs, firing claims, content series and each group's place in them.

The job table is the source of truth; APScheduler is only a timer rebuilt from it at start.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, BigId, JsonDoc, UtcDateTime
from bot.db.models import utcnow

# What a job does when it fires (the `kind` column).
POST = "post"  # a text with placeholders
SERIES = "series"  # the next item of a content series
CHECKIN_REMINDER = "checkin_reminder"
COUNTDOWN_MARK = "countdown_mark"  # "3 days left"
COUNTDOWN_EDIT = "countdown_edit"  # a later mark of an `update` countdown: edits the first
COUNTDOWN_END = "countdown_end"  # announce / close / dissolve
# A countdown's steps are jobs too, managed only as a whole (/countdown, the countdowns API):
# hidden from schedule lists, and never run, paused or removed one by one.
COUNTDOWN_KINDS = (COUNTDOWN_MARK, COUNTDOWN_EDIT, COUNTDOWN_END)
INACTIVITY_CHECK = "inactivity_check"
POLL = "poll"  # a native poll: payload question, options, anonymous
DIGEST = "digest"  # the group's last day in figures
ICEBREAKER_ROUND = "icebreaker_round"  # built by handlers/icebreaker_schedule.py (register_kind)
JOB_KINDS = (POST, SERIES, CHECKIN_REMINDER, COUNTDOWN_MARK, COUNTDOWN_END, INACTIVITY_CHECK)


class ScheduledJob(Base):
    """What to post, where and when, and how its last run went.

    `target` is `{"groups": [group ids]}` or `{"kind": "<GroupSettings.kind>"}`; `group_id` is
    the group that owns the job (where it was created and is listed). `grace_seconds` None means
    a late run always fires (end-of-countdown actions must happen however late). `thread_id`
    is the forum topic its posts go to in its own group (a job made by a command typed in a
    topic); None for the General topic, and always for a job with a `target`: a topic belongs
    to one group.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        Index("ix_scheduled_jobs_due", "enabled", "next_run_at"),
        # Groups folded into one on a supergroup upgrade stay aimed at (`bot.groups.merge`),
        # and their countdowns keep numbers of their own (`bot.groups.numbering`).
        {"info": {"group_lists": {"target": "groups"}, "group_numbers": ("countdown_id",)}},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), default="telegram")
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32), default=POST)
    payload: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    target: Mapped[dict] = mapped_column(JsonDoc, default=dict)
    thread_id: Mapped[str | None] = mapped_column(String(32))
    spec: Mapped[dict] = mapped_column(JsonDoc)
    phrase: Mapped[str | None] = mapped_column(String(255))
    countdown_id: Mapped[str | None] = mapped_column(String(64), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    grace_seconds: Mapped[int | None] = mapped_column(Integer, default=600)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_result: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class JobClaim(Base):
    """ "This occurrence is taken": inserted before a firing, so a second fire is a no-op."""

    __tablename__ = "job_claims"
    __table_args__ = (UniqueConstraint("job_id", "fire_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("scheduled_jobs.id", ondelete="CASCADE"))
    fire_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class JobChange(Base):
    """A job was created, changed or removed. Any replica may write one (a chat command); the
    leader's scheduler reads new ones every sweep to arm or drop that job's timer."""

    __tablename__ = "job_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No foreign key: the change of a removed job outlives its row.
    job_id: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class ContentSeries(Base):
    """An ordered list of posts (lessons, tips) that a series job posts one per firing.

    Series form one library (operators run many groups from one playbook), so names are
    unique. A series made by a group's own admins belongs to that group (`owner_group_id`):
    only they (and the bot's global operators) may add to it or schedule it, so one group's
    admin cannot slip posts into another group's course. Shared series have no owner.
    """

    __tablename__ = "content_series"
    __table_args__ = (Index("uq_content_series_name", "name", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # SET NULL: a removed group's course stays in the library, editable by global operators only.
    owner_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="SET NULL"), nullable=True, index=True
    )


class SeriesItem(Base):
    __tablename__ = "series_items"
    __table_args__ = (UniqueConstraint("series_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("content_series.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class SeriesPosition(Base):
    """How far one group is in one series: the position of the next item to post."""

    __tablename__ = "series_positions"
    __table_args__ = (UniqueConstraint("series_id", "group_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("content_series.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    next_position: Mapped[int] = mapped_column(Integer, default=0)
