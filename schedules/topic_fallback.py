"""Jobs whose forum topic is gone: once a post fell back to the General topic, the jobs of
that topic post there from then on (see `schedules.topics`)."""

from __future__ import annotations

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.actions import Action
from bot.core.i18n import translate
from bot.db.models import Group
from bot.groups.settings import group_lang
from handlers.operator_notes import operator_note, operators_chat
from schedules.models import ScheduledJob

log = structlog.get_logger(__name__)


async def topic_gone(session: AsyncSession, job_id: str, outcome: str) -> list[Action]:
    """The outbox sender's recorder of "job" refs: a post of the job was refused for its topic
    (deleted, or closed to the bot) and went to the General topic. Every job of the group in
    that topic posts in the General topic from now on, instead of trying the topic first at
    each firing; the operators are told where there is somewhere to tell them apart from the
    group (its operators' chat, or the job's creator privately), and may aim the jobs at
    another topic (`PATCH /api/schedules/<id>` `thread_id`)."""
    job = await session.get(ScheduledJob, int(job_id)) if job_id.isdecimal() else None
    if outcome != "topic_gone" or job is None or job.thread_id is None or job.group_id is None:
        return []
    gone = job.thread_id
    moved = list(await session.scalars(
        select(ScheduledJob)
        .where(ScheduledJob.group_id == job.group_id, ScheduledJob.thread_id == gone)
        .order_by(ScheduledJob.id)
    ))
    for each in moved:
        each.thread_id = None
    log.info("schedule.topic_gone", group_id=job.group_id, topic=gone,
             jobs=[each.id for each in moved])
    group = await session.get(Group, job.group_id)
    creator = job.created_by or ""
    if group is None or (operators_chat(group) is None and not creator.isdecimal()):
        return []
    lang = group_lang(group)
    ids = ", ".join(f"#{each.id}" for each in moved)
    text = translate(lang, "schedule.topic_gone", topic=gone, ids=ids)
    return [operator_note(group, lang, text, creator=creator)]

