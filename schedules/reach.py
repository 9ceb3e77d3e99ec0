"""Where a job posts, as `/schedule add` and `/schedule list` say it: the target and the
groups it reaches now, or the forum topic of its own group. A target that fits no group (a tag
nobody has set yet) posts nothing, so the operator is told at once instead of finding out from
a silent group."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

import schedules.texts  # noqa: F401  (registers the texts)
from bot.core.i18n import named, named_to_type, translate
from bot.db.models import Group
from schedules.models import ScheduledJob
from schedules.store import reached_groups

NAMES_SHOWN = 5  # a list of groups is named up to this many, then "…"


async def reach_lines(
    session: AsyncSession, job: ScheduledJob, lang: str, *, warn: bool = False
) -> list[str]:
    """["→ 标签 vip（现在 2 个群）"] and the like; for a job posting to its own group, the forum
    topic it posts in, or nothing for the General topic; with `warn`, a second line when the
    target fits no group now (the job is kept, and posts once one fits)."""
    if not job.target:
        return [translate(lang, "schedule.in_topic", topic=job.thread_id)] if job.thread_id else []
    groups = await reached_groups(session, job)
    count = len(groups)
    tag, kind = _tag(job), job.target.get("kind")
    if tag:
        lines = [translate(lang, "schedule.to_tag", tag=tag, count=count)]
    elif kind:
        shown = named_to_type(lang, "value.kind", kind)
        lines = [translate(lang, "schedule.to_kind", kind=shown, count=count)]
    else:
        names = [group.title or group.chat_id for group in groups[:NAMES_SHOWN]]
        shown = ("、" if lang == "zh" else ", ").join(names)
        shown += "…" if count > NAMES_SHOWN else ""
        lines = [translate(lang, "schedule.to_groups", names=shown or "-", count=count)]
    if warn and (warning := unreached_warning(job, groups, lang)):
        lines.append(warning)
    return lines


def unreached_warning(job: ScheduledJob, groups: list[Group], lang: str) -> str | None:
    """The warning that `job` reaches none of the groups it posts to now (`groups`, from
    `reached_groups`): its target fits none, or its own group is one the bot has left; None
    when it reaches one."""
    if groups:
        return None
    if not job.target:
        return translate(lang, "schedule.reaches_none_own")
    if tag := _tag(job):
        return translate(lang, "schedule.reaches_none_tag", tag=tag)
    if kind := job.target.get("kind"):
        return translate(lang, "schedule.reaches_none_kind", kind=kind,
                         name=named(lang, "value.kind", kind))
    return translate(lang, "schedule.reaches_none_groups")


def _tag(job: ScheduledJob) -> str | None:
    tag = job.target.get("tag")
    return tag.casefold() if tag else None  # a job saved before targets were casefolded
